"""Tests of PUSCH transform precoding (TS 38.211 §6.3.1.4)."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.physical.transform_precoding import (
    check_transform_precoding_prbs,
    is_transform_precoding_size,
    transform_deprecode,
    transform_precode,
)


def test_prb_counts_are_2a_3b_5c():
    allowed = {2 ** a * 3 ** b * 5 ** c for a in range(10) for b in range(7) for c in range(5)}
    for n in range(0, 300):
        assert is_transform_precoding_size(n) == (n in allowed), n
    assert check_transform_precoding_prbs(75) == 75


@pytest.mark.parametrize("n", [7, 11, 14, 49, 273])
def test_invalid_prb_counts(n):
    with pytest.raises(ConfigError, match="2\\^a"):
        check_transform_precoding_prbs(n)


@pytest.mark.parametrize("m_sc", [12, 24, 36, 60])
def test_dft_formula(rng, m_sc):
    n_sym = 3
    x = (rng.standard_normal(n_sym * m_sc) + 1j * rng.standard_normal(n_sym * m_sc))
    y = transform_precode(x.astype(np.complex64), m_sc)
    assert y.dtype == np.complex64 and y.shape == x.shape
    i = np.arange(m_sc)
    for l in range(n_sym):
        for k in range(m_sc):
            expected = np.sum(x[l * m_sc + i] * np.exp(-2j * np.pi * i * k / m_sc)) \
                / np.sqrt(m_sc)
            assert abs(y[l * m_sc + k] - expected) < 1e-4


def test_round_trip_and_power(rng):
    x = (rng.standard_normal((2, 1, 4 * 180)) + 1j * rng.standard_normal((2, 1, 4 * 180)))
    x = x.astype(np.complex64)
    y = transform_precode(x, 180)
    np.testing.assert_allclose(np.sum(np.abs(y) ** 2, axis=-1), np.sum(np.abs(x) ** 2, axis=-1),
                               rtol=1e-5)
    np.testing.assert_allclose(transform_deprecode(y, 180), x, atol=1e-5)


def test_errors():
    with pytest.raises(ConfigError, match="n_prb=7"):
        transform_precode(np.zeros(84, np.complex64), 84)
    with pytest.raises(ConfigError, match="m_sc"):
        transform_precode(np.zeros(30, np.complex64), 30)
    with pytest.raises(ValueError, match="multiple"):
        transform_precode(np.zeros(30, np.complex64), 24)
    with pytest.raises(ValueError, match="complex"):
        transform_precode(np.zeros(24, np.int64), 24)
    with pytest.raises(ValueError, match="scalar"):
        transform_deprecode(np.complex64(1), 12)

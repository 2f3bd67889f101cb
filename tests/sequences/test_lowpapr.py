"""TS 38.211 §5.2.2 low-PAPR sequences against nrLowPAPRS vectors and the clause's formulas."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.sequences import low_papr_base_sequence, low_papr_sequence, zadoff_chu_parameters

FILES = vector_files("lowpapr")


def test_all_vectors_present():
    assert len(FILES) == 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_matlab_vectors(path):
    d = load_vector(path)
    u, v, m = int(as_int(d["u"])), int(as_int(d["v"])), int(as_int(d["Msc"]))
    ref = np.asarray(d["seq"])
    got = low_papr_sequence(u, v, float(d["alpha"]), m)
    assert got.dtype == np.complex64 and got.shape == (m,)
    np.testing.assert_allclose(got, ref, atol=1e-4)


def _is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


@pytest.mark.parametrize("m_zc", [36, 48, 60, 72, 96, 144, 288, 1644])
@pytest.mark.parametrize("v", [0, 1])
def test_zadoff_chu_formula(m_zc, v):
    if v == 1 and m_zc < 72:
        return
    n_zc = max(p for p in range(2, m_zc) if _is_prime(p))
    for u in range(30):
        q_bar = n_zc * (u + 1) / 31
        q = int(np.floor(q_bar + 0.5)) + v * (-1) ** int(np.floor(2 * q_bar))
        assert zadoff_chu_parameters(u, v, m_zc) == (n_zc, q)
        m = np.arange(m_zc) % n_zc
        ref = np.exp(-1j * np.pi * q * m * (m + 1) / n_zc)
        np.testing.assert_allclose(low_papr_base_sequence(u, v, m_zc), ref, atol=1e-9)


def test_length_30_formula():
    n = np.arange(30)
    for u in range(30):
        ref = np.exp(-1j * np.pi * (u + 1) * (n + 1) * (n + 2) / 31)
        np.testing.assert_allclose(low_papr_base_sequence(u, 0, 30), ref, atol=1e-12)


@pytest.mark.parametrize("m_zc", [6, 12, 18, 24])
def test_table_sequences_are_qpsk_and_distinct(m_zc):
    base = np.array([low_papr_base_sequence(u, 0, m_zc) for u in range(30)])
    phi = np.angle(base) * 4 / np.pi
    np.testing.assert_allclose(phi, np.round(phi), atol=1e-9)
    assert set(np.round(phi).astype(int).ravel()) <= {-3, -1, 1, 3}
    assert len({tuple(np.round(r).astype(int)) for r in phi}) == 30


def test_cyclic_shift_and_batched_alpha():
    alpha = np.array([[0.0, np.pi / 6], [np.pi, 2 * np.pi * 11 / 12]])
    got = low_papr_sequence(7, 0, alpha, 12)
    assert got.shape == (2, 2, 12)
    base = low_papr_base_sequence(7, 0, 12)
    for idx in np.ndindex(2, 2):
        np.testing.assert_allclose(got[idx], np.exp(1j * alpha[idx] * np.arange(12)) * base,
                                   atol=1e-6)
    np.testing.assert_allclose(np.abs(low_papr_sequence(3, 1, 1.0, 120)), 1, atol=1e-6)


def test_delta_granularity():
    assert low_papr_sequence(0, 0, 0.0, 6, delta=1).shape == (6,)
    assert low_papr_sequence(0, 0, 0.0, 48, delta=0).shape == (48,)
    with pytest.raises(ConfigError, match=r"m_zc=30: must be m \* 12 / 2\^delta .*delta=0"):
        low_papr_sequence(0, 0, 0.0, 30, delta=0)
    with pytest.raises(ConfigError, match=r"delta=4"):
        low_papr_sequence(0, 0, 0.0, 12, delta=4)


@pytest.mark.parametrize(("args", "match"), [
    ((30, 0, 0.0, 12), r"u=30: must be <= 29"),
    ((-1, 0, 0.0, 12), r"u=-1"),
    ((0, 2, 0.0, 12), r"v=2: must be <= 1"),
    ((0, 1, 0.0, 60), r"v=1: v=1 exists only for m_zc >= 72"),
    ((0, 0, 0.0, 8), r"m_zc=8: must be 6, 12, 18, 24, 30 or a multiple of 6"),
    ((0, 0, 0.0, 40), r"m_zc=40"),
    ((0, 0, 0.0, 0), r"m_zc=0"),
])
def test_errors(args, match):
    with pytest.raises(ConfigError, match=match):
        low_papr_sequence(*args)


def test_alpha_errors():
    with pytest.raises(ValueError, match=r"alpha: expected finite real"):
        low_papr_sequence(0, 0, np.nan, 12)
    with pytest.raises(ValueError, match=r"alpha: expected finite real"):
        low_papr_sequence(0, 0, 1j, 12)

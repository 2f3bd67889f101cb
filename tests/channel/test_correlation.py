"""Tests of the MIMO correlation matrices (TS 38.101-4 Annex B.2.3, TS 38.104 Annex G.2.3)."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel.correlation import (
    antenna_correlation,
    check_correlation_matrix,
    correlation_sqrt,
    spatial_correlation,
)
from opennr.channel.tdl import TdlConfig
from opennr.errors import ConfigError

# First rows of tabulated matrices (4 digits) of TS 38.101-4 Tables B.2.3.1.2-2..4 (n_bs x n_ue).
TABULATED = [
    ("medium", 2, 2, [1, 0.9, 0.3, 0.27]),
    ("high", 2, 2, [1, 0.9, 0.9, 0.81]),
    ("high", 4, 2, [1.0000, 0.8999, 0.9883, 0.8894, 0.9542, 0.8587, 0.8999, 0.8099]),
    ("medium", 4, 2, [1.0000, 0.9000, 0.8748, 0.7873, 0.5856, 0.5271, 0.3000, 0.2700]),
    ("medium", 2, 4, [1.0000, 0.9882, 0.9541, 0.8999, 0.3000, 0.2965, 0.2862, 0.2700]),
    ("medium-A", 2, 4, [1.0000, 0.9000, 0.6561, 0.3874, 0.3000, 0.2700, 0.1968, 0.1162]),
    ("medium-A", 1, 4, [1, 0.9, 0.6561, 0.3874]),
]


@pytest.mark.parametrize(("level", "n_bs", "n_ue", "row"), TABULATED)
def test_matches_tabulated_matrices(level, n_bs, n_ue, row):
    r = spatial_correlation(level, n_bs, n_ue)
    np.testing.assert_allclose(r[0], row, atol=1.5e-4)
    np.testing.assert_allclose(r, r.T)


def test_eight_antenna_exponents_and_psd():
    r = antenna_correlation(0.9, 8)
    np.testing.assert_allclose(r[0], 0.9 ** (np.arange(8) / 7.0) ** 2)
    for level in ("low", "medium", "medium-A", "high"):
        for n_bs in (1, 2, 4, 8):
            for n_ue in (1, 2, 4, 8):
                w = np.linalg.eigvalsh(spatial_correlation(level, n_bs, n_ue))
                assert w.min() > -1e-12
    np.testing.assert_array_equal(spatial_correlation("low", 2, 4), np.eye(8))


def test_square_root():
    r = spatial_correlation("high", 4, 4)
    s = correlation_sqrt(r)
    np.testing.assert_allclose(s @ s.conj().T, r, atol=1e-10)


def test_link_ordering_of_the_tdl_config():
    dl = TdlConfig(n_tx=2, n_rx=2, correlation="medium").correlation_matrix()
    # Links r*n_tx + t. Downlink: tx = base station (alpha 0.3), rx = UE (beta 0.9).
    assert dl[0, 1] == pytest.approx(0.3) and dl[0, 2] == pytest.approx(0.9)
    ul = TdlConfig(n_tx=2, n_rx=2, correlation="medium", direction="uplink").correlation_matrix()
    assert ul[0, 1] == pytest.approx(0.9) and ul[0, 2] == pytest.approx(0.3)


def test_custom_matrix_validation():
    good = np.array([[1, 0.5j], [-0.5j, 1]])
    assert check_correlation_matrix("correlation", good, 2).shape == (2, 2)
    with pytest.raises(ConfigError, match="positive semi-definite"):
        TdlConfig(n_rx=2, correlation=np.array([[1, 1.2], [1.2, 1]]))
    with pytest.raises(ConfigError, match="Hermitian"):
        TdlConfig(n_rx=2, correlation=np.array([[1, 0.5], [0.2, 1]]))
    with pytest.raises(ConfigError, match=r"\(2, 2\)"):
        TdlConfig(n_rx=2, correlation=np.eye(3))
    with pytest.raises(ConfigError, match="unit diagonal"):
        TdlConfig(n_rx=2, correlation=2 * np.eye(2))
    with pytest.raises(ConfigError, match="correlation"):
        TdlConfig(n_rx=2, correlation="strong")

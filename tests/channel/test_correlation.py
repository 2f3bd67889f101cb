"""Tests of the MIMO correlation matrices (TS 38.101-4 Annex B.2.3, TS 38.104 Annex G.2.3)."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel.correlation import (
    XPOL_CORRELATION_LEVELS,
    antenna_correlation,
    check_correlation_matrix,
    correlation_sqrt,
    cross_polar_correlation,
    link_correlation,
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
    # Uplink medium (TS 38.104 G.2.3.1.1: gNB α 0.9, UE β 0.3): rx = gNB, tx = UE.
    ul = TdlConfig(n_tx=2, n_rx=2, correlation="medium", direction="uplink").correlation_matrix()
    assert ul[0, 1] == pytest.approx(0.3) and ul[0, 2] == pytest.approx(0.9)
    ul_high = TdlConfig(n_tx=2, n_rx=4, correlation="high", direction="uplink").correlation_matrix()
    np.testing.assert_allclose(ul_high, link_correlation("high", 2, 4, "uplink"))
    assert ul_high[0, 1] == pytest.approx(0.9 / 1.0001)            # UE pair, regularised (4 rx)


def _matlab_style_xpol(level, n_tx, n_rx, direction):
    """P (R_tx ⊗ Γ ⊗ R_rx) P^T with P built as MATLAB nrTDLChannel.getPermutationMatrix does."""
    a, b, g = XPOL_CORRELATION_LEVELS[level]
    c_tx, c_rx = (a, b) if direction == "downlink" else (b, a)
    r_tx = antenna_correlation(c_tx, max(n_tx // 2, 1))
    r_rx = antenna_correlation(c_rx, max(n_rx // 2, 1))
    if direction == "downlink":
        gam = np.array([[1, 0, -g, 0], [0, 1, 0, g], [-g, 0, 1, 0], [0, g, 0, 1]])
    else:
        gam = np.array([[1, -g, 0, 0], [-g, 1, 0, 0], [0, 0, 1, g], [0, 0, g, 1]])
    # A side with one antenna keeps its first polarisation only.
    keep = [2 * pt + pr for pt in range(min(n_tx, 2)) for pr in range(min(n_rx, 2))]
    k = np.kron(np.kron(r_tx, gam[np.ix_(keep, keep)]), r_rx)
    p = np.zeros((n_tx * n_rx, n_tx * n_rx))
    for i in range(1, n_rx + 1):
        for j in range(1, n_tx + 1):
            row = (j - 1) * n_rx + i
            col = 2 * (j - 1) * n_rx + i if j <= n_tx / 2 else 2 * (j - n_tx / 2) * n_rx - n_rx + i
            p[row - 1, int(col) - 1] = 1
    if n_tx == 1:
        p = np.eye(n_rx)
    return p @ k @ p.T


@pytest.mark.parametrize(("n_tx", "n_rx"), [(1, 2), (2, 2), (2, 4), (4, 4), (4, 2), (8, 2)])
@pytest.mark.parametrize("direction", ["downlink", "uplink"])
def test_cross_polarised_matrices_match_the_permuted_kronecker_form(n_tx, n_rx, direction):
    for level in XPOL_CORRELATION_LEVELS:
        r = cross_polar_correlation(level, n_tx, n_rx, direction)
        np.testing.assert_allclose(r, _matlab_style_xpol(level, n_tx, n_rx, direction), atol=1e-12)
        assert np.linalg.eigvalsh(r).min() > -1e-12
        np.testing.assert_allclose(np.diag(r), 1.0)


def test_cross_polarised_structure():
    # 2x2 downlink: one ±45° pair at the gNB, one 90°/0° pair at the UE. The two slants seen
    # through one UE polarisation are correlated by ∓γ; different UE polarisations not at all.
    r = cross_polar_correlation("high", 2, 2)          # links t·2 + r
    np.testing.assert_allclose(r, [[1, 0, -0.3, 0], [0, 1, 0, 0.3], [-0.3, 0, 1, 0], [0, 0.3, 0, 1]])
    # 4x4 medium: antennas 0,1 one polarisation, 2,3 the other; co-polarised positions
    # correlate by α = 0.3 (gNB) and β = 0.9 (UE).
    r = cross_polar_correlation("medium", 4, 4)
    assert r[0, 1] == pytest.approx(0.9)                # tx 0, rx 0 vs rx 1 (same pol, positions 0/1)
    assert r[0, 2] == pytest.approx(0.0)                # rx 0 vs rx 2: other UE polarisation
    assert r[0, 4] == pytest.approx(0.3)                # tx 0 vs tx 1: same slant, next position
    assert r[0, 8] == pytest.approx(-0.2)               # tx 0 vs tx 2: other slant, same position
    assert r[0, 12] == pytest.approx(-0.2 * 0.3)
    with pytest.raises(ConfigError, match="n_tx"):
        cross_polar_correlation("high", 3, 2)
    with pytest.raises(ConfigError, match="polarization"):
        TdlConfig(n_tx=2, n_rx=2, polarization="circular")
    with pytest.raises(ConfigError, match="n_rx"):
        TdlConfig(n_tx=2, n_rx=3, polarization="cross-polar")
    with pytest.raises(ConfigError, match="polarization"):
        TdlConfig(n_tx=1, n_rx=2, polarization="cross-polar", correlation=np.eye(2))


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

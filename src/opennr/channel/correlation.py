"""TS 38.101-4 Annex B.2.3 and TS 38.104 Annex G.2.3 — MIMO correlation matrices of the TDL
models (uniform linear arrays, co- and cross-polarised), as used by TR 38.901 §7.7.5.2.

Co-polarised antennas (TS 38.101-4 B.2.3.1, TS 38.104 G.2.3.1)
------------------------------------------------------------------
Each side has a correlation matrix whose entries depend on one coefficient c (α at the base
station, β at the UE) and the antenna count n:

    R[i, j] = c^{((i − j)/(n − 1))²},   i.e.  n = 2: [1 c; c 1],  n = 4: [1 c^{1/9} c^{4/9} c; ...],
    n = 8: exponents 0, 1/49, 4/49, ..., 1,

and the spatial correlation matrix is their Kronecker product, R_spat = R_BS ⊗ R_UE in the
specifications' ordering (UE antenna index fastest). The levels are (downlink: TS 38.101-4
Table B.2.3.1.1-1; uplink: TS 38.104 Table G.2.3.1.1-1, where only "medium" differs):

========  ==========  ==========  ================
level     BS α (DL)   UE β (DL)   uplink (α, β)
========  ==========  ==========  ================
low       0           0           (0, 0)
medium    0.3         0.9         (0.9, 0.3)
medium-A  0.3         0.3874      (0.3, 0.3874) *
high      0.9         0.9         (0.9, 0.9)
========  ==========  ==========  ================

(*) TS 38.104 defines no medium-A level; the downlink values are kept. The uplink medium level
(gNB 0.9, UE 0.3) is also what MATLAB's ``nrTDLChannel`` uses ("UplinkMedium").

The tabulated matrices of the specifications are rounded to four digits, which can make them
indefinite; for the cases where a side of four or more antennas has coefficient 0.9 they are
therefore given as (R_spat + a I)/(1 + a) with a = 0.0001 (TS 38.101-4 §B.2.3.2), and this
module does the same so that its matrices match the tables.

Cross-polarised antennas (TS 38.101-4 B.2.3.2, TS 38.104 G.2.3.2)
--------------------------------------------------------------------
The base station has ±45° slanted pairs, the UE 90°/0° pairs; of N antennas on a side, the
first N/2 have one polarisation and the last N/2 the other (N = 1: a single antenna of the
first polarisation). With the transmitter first,

    R_spat = P (R_tx ⊗ Γ ⊗ R_rx) P^T,

where R_tx, R_rx are the co-polarised matrices above for the N/2 antenna positions of each
side, P the permutation that lists links transmitter-major with the antennas numbered as just
said (TS 38.101-4 B.2.3.2.1), and Γ the polarisation correlation matrix, indexed (transmit
polarisation, receive polarisation) with the receive one fastest:

    Γ_DL = [[1, 0, −γ, 0], [0, 1, 0, γ], [−γ, 0, 1, 0], [0, γ, 0, 1]],
    Γ_UL = [[1, −γ, 0, 0], [−γ, 1, 0, 0], [0, 0, 1, γ], [0, 0, γ, 1]]

(the two base-station slants seen through one UE polarisation are correlated by ∓γ, the two UE
polarisations are uncorrelated). The levels (α, β, γ) are low (0, 0, 0), medium (0.3, 0.9,
0.2), medium-A (0.3, 0.6, 0.2) and high (0.9, 0.9, 0.3), α at the base station. These values
and P follow MATLAB ``nrTDLChannel`` (which cites the cross-polarised tables of TS 36.101
B.2.3A / TS 36.104 B.5A, the origin of the NR ones); Γ is the one implied by its polarisation
model with XPR = 10 log10((1 − γ)/(1 + γ)). The matrices are exact (PSD by construction); no
rounding regularisation is applied.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_choice
from opennr.errors import ConfigError

__all__ = ["CORRELATION_LEVELS", "POLARIZATIONS", "PSD_REGULARIZATION", "UPLINK_CORRELATION_LEVELS",
           "XPOL_CORRELATION_LEVELS", "antenna_correlation", "check_correlation_matrix",
           "correlation_sqrt", "cross_polar_correlation", "link_correlation", "polarization_matrix",
           "spatial_correlation"]

_CLAUSE = "TS 38.101-4 Annex B.2.3 / TS 38.104 Annex G.2.3"

#: (BS α, UE β) per correlation level (TS 38.101-4 Table B.2.3.1.1-1).
CORRELATION_LEVELS = {
    "low": (0.0, 0.0),
    "medium": (0.3, 0.9),
    "medium-A": (0.3, 0.3874),
    "high": (0.9, 0.9),
}

#: (BS α, UE β) per level in the uplink (TS 38.104 Table G.2.3.1.1-1; medium-A as downlink).
UPLINK_CORRELATION_LEVELS = {**CORRELATION_LEVELS, "medium": (0.9, 0.3)}

#: (BS α, UE β, γ) per level for cross-polarised antennas (TS 38.101-4 B.2.3.2).
XPOL_CORRELATION_LEVELS = {
    "low": (0.0, 0.0, 0.0),
    "medium": (0.3, 0.9, 0.2),
    "medium-A": (0.3, 0.6, 0.2),
    "high": (0.9, 0.9, 0.3),
}

#: Antenna polarisation arrangements.
POLARIZATIONS = ("co-polar", "cross-polar")

_DIRECTIONS = ("downlink", "uplink")

#: a of R = (R_spat + a I)/(1 + a) (TS 38.101-4 §B.2.3.2).
PSD_REGULARIZATION = 0.0001


def antenna_correlation(c: float, n: int) -> np.ndarray:
    """One side's correlation matrix R[i, j] = c^{((i − j)/(n − 1))²} (n antennas).

    Returns
    -------
    numpy.ndarray
        float64 (n, n); the identity for c = 0 and for n = 1.
    """
    if n < 1:
        raise ConfigError("n", n, "the antenna count must be >= 1", _CLAUSE)
    if n == 1:
        return np.ones((1, 1))
    k = np.arange(n)
    e = ((k[:, None] - k[None, :]) / (n - 1)) ** 2
    with np.errstate(divide="ignore"):
        return np.where(e == 0, 1.0, np.float64(c) ** e)


def spatial_correlation(level: str, n_bs: int, n_ue: int, direction: str = "downlink") -> np.ndarray:
    """R_spat = R_BS ⊗ R_UE of a correlation level, co-polarised (TS 38.101-4 B.2.3.1, TS 38.104 G.2.3.1).

    Parameters
    ----------
    level : {"low", "medium", "medium-A", "high"}
    n_bs, n_ue : int
        Antennas at the base station and at the UE.
    direction : {"downlink", "uplink"}
        Which table of levels applies (they differ for "medium").

    Returns
    -------
    numpy.ndarray
        float64 (n_bs · n_ue, n_bs · n_ue), index i_BS · n_ue + i_UE.

    Raises
    ------
    ConfigError
        For an unknown level or a non-positive antenna count.
    """
    check_choice("correlation", level, CORRELATION_LEVELS, _CLAUSE)
    check_choice("direction", direction, _DIRECTIONS, _CLAUSE)
    levels = CORRELATION_LEVELS if direction == "downlink" else UPLINK_CORRELATION_LEVELS
    alpha, beta = levels[level]
    r = np.kron(antenna_correlation(alpha, n_bs), antenna_correlation(beta, n_ue))
    if (n_bs >= 4 and alpha == 0.9) or (n_ue >= 4 and beta == 0.9):
        r = (r + PSD_REGULARIZATION * np.eye(r.shape[0])) / (1.0 + PSD_REGULARIZATION)
    return r


def polarization_matrix(gamma: float, direction: str = "downlink") -> np.ndarray:
    """Γ of TS 38.101-4 B.2.3.2.1: (transmit pol., receive pol.) pairs, receive fastest.

    Returns
    -------
    numpy.ndarray
        float64 (4, 4).
    """
    check_choice("direction", direction, _DIRECTIONS, _CLAUSE)
    g = float(gamma)
    if direction == "downlink":
        return np.array([[1, 0, -g, 0], [0, 1, 0, g], [-g, 0, 1, 0], [0, g, 0, 1]], dtype=np.float64)
    return np.array([[1, -g, 0, 0], [-g, 1, 0, 0], [0, 0, 1, g], [0, 0, g, 1]], dtype=np.float64)


def _xpol_layout(n: int, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Polarisation and position of each of n cross-polarised antennas (first half, second half)."""
    if n != 1 and n % 2:
        raise ConfigError(name, n, "cross-polarised antennas come in pairs: use 1 or an even count",
                          "TS 38.101-4 B.2.3.2")
    half = max(n // 2, 1)
    k = np.arange(n)
    return k // half, k % half, half


def cross_polar_correlation(level: str, n_tx: int, n_rx: int, direction: str = "downlink") -> np.ndarray:
    """R_spat = P (R_tx ⊗ Γ ⊗ R_rx) P^T for cross-polarised antennas (TS 38.101-4 B.2.3.2).

    Parameters
    ----------
    level : {"low", "medium", "medium-A", "high"}
    n_tx, n_rx : int
        Transmit and receive antennas, each 1 or even (pairs of polarisations; the first half
        of a side's antennas has one polarisation, the second half the other).
    direction : {"downlink", "uplink"}
        The base station transmits in the downlink.

    Returns
    -------
    numpy.ndarray
        float64 (n_tx · n_rx, n_tx · n_rx), links transmitter-major (index t · n_rx + r).

    Raises
    ------
    ConfigError
        For an unknown level or direction, or an odd antenna count other than 1.
    """
    check_choice("correlation", level, XPOL_CORRELATION_LEVELS, _CLAUSE)
    check_choice("direction", direction, _DIRECTIONS, _CLAUSE)
    alpha, beta, gamma = XPOL_CORRELATION_LEVELS[level]
    c_tx, c_rx = (alpha, beta) if direction == "downlink" else (beta, alpha)
    pol_t, pos_t, half_t = _xpol_layout(int(n_tx), "n_tx")
    pol_r, pos_r, half_r = _xpol_layout(int(n_rx), "n_rx")
    r_tx = antenna_correlation(c_tx, half_t)
    r_rx = antenna_correlation(c_rx, half_r)
    g = polarization_matrix(gamma, direction)
    t = np.repeat(np.arange(n_tx), n_rx)
    r = np.tile(np.arange(n_rx), n_tx)
    pol = 2 * pol_t[t] + pol_r[r]
    return (r_tx[np.ix_(pos_t[t], pos_t[t])] * g[np.ix_(pol, pol)]
            * r_rx[np.ix_(pos_r[r], pos_r[r])])


def link_correlation(level: str, n_tx: int, n_rx: int, direction: str = "downlink",
                     polarization: str = "co-polar") -> np.ndarray:
    """Correlation of the n_rx · n_tx links of a TDL channel, index r · n_tx + t (TR 38.901 §7.7.5.2).

    The level's matrix (TS 38.101-4 B.2.3 / TS 38.104 G.2.3) reordered so that link (r, t) of
    receive antenna r and transmit antenna t has index r · n_tx + t.

    Returns
    -------
    numpy.ndarray
        complex128 (n_rx · n_tx, n_rx · n_tx).
    """
    check_choice("polarization", polarization, POLARIZATIONS, _CLAUSE)
    check_choice("direction", direction, _DIRECTIONS, _CLAUSE)
    link = np.arange(n_rx * n_tx)
    rx, tx = np.divmod(link, n_tx)
    if polarization == "cross-polar":
        m = cross_polar_correlation(level, n_tx, n_rx, direction)      # t · n_rx + r
        perm = tx * n_rx + rx
    elif direction == "downlink":
        m = spatial_correlation(level, n_tx, n_rx, direction)          # b · n_ue + u, b = t
        perm = tx * n_rx + rx
    else:
        m = spatial_correlation(level, n_rx, n_tx, direction)          # b · n_ue + u, b = r
        perm = link
    return m[np.ix_(perm, perm)].astype(np.complex128)


def check_correlation_matrix(field: str, matrix: object, size: int) -> np.ndarray:
    """Validate a user correlation matrix: size × size, Hermitian, positive semi-definite.

    Raises
    ------
    ConfigError
        Naming ``field`` if the matrix has the wrong shape, is not finite, not Hermitian,
        has a diagonal other than 1, or has a negative eigenvalue (below −1e-9).
    """
    m = np.asarray(matrix)
    if m.shape != (size, size):
        raise ConfigError(field, f"array of shape {m.shape}",
                          f"must be a ({size}, {size}) matrix (n_rx · n_tx)", _CLAUSE)
    if not np.issubdtype(m.dtype, np.number) or not np.all(np.isfinite(m)):
        raise ConfigError(field, "matrix", "must hold finite numbers", _CLAUSE)
    m = m.astype(np.complex128)
    if not np.allclose(m, m.conj().T, atol=1e-9):
        raise ConfigError(field, "matrix", "must be Hermitian", _CLAUSE)
    if not np.allclose(np.diag(m).real, 1.0, atol=1e-6):
        raise ConfigError(field, "matrix", "must have a unit diagonal (correlation, not covariance)",
                          _CLAUSE)
    w = np.linalg.eigvalsh(m)
    if w.min() < -1e-9:
        raise ConfigError(field, f"matrix with eigenvalue {w.min():.3g}",
                          "must be positive semi-definite", _CLAUSE)
    return m


def correlation_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Hermitian square root C^{1/2} of a PSD matrix (eigenvalues below 0 clipped to 0)."""
    w, v = np.linalg.eigh(np.asarray(matrix, dtype=np.complex128))
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.conj().T

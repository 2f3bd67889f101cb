"""TS 38.101-4 Annex B.2.3 and TS 38.104 Annex G.2.3 — MIMO correlation matrices of the TDL
models (uniform linear arrays, co-polarised), as used by TR 38.901 §7.7.5.2.

Each side has a correlation matrix whose entries depend on one coefficient c (α at the base
station, β at the UE) and the antenna count n:

    R[i, j] = c^{((i − j)/(n − 1))²},   i.e.  n = 2: [1 c; c 1],  n = 4: [1 c^{1/9} c^{4/9} c; ...],
    n = 8: exponents 0, 1/49, 4/49, ..., 1,

and the spatial correlation matrix is their Kronecker product, R_spat = R_BS ⊗ R_UE in the
specifications' ordering (UE antenna index fastest). The levels are (TS 38.101-4 Table
B.2.3.1.1-1, TS 38.104 Table G.2.3.1.1-1):

========  =====  =======
level     BS α   UE β
========  =====  =======
low       0      0
medium    0.3    0.9
medium-A  0.3    0.3874
high      0.9    0.9
========  =====  =======

The tabulated matrices of the specifications are rounded to four digits, which can make them
indefinite; for the cases where a side of four or more antennas has coefficient 0.9 they are
therefore given as (R_spat + a I)/(1 + a) with a = 0.0001 (TS 38.101-4 §B.2.3.2), and this
module does the same so that its matrices match the tables.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_choice
from opennr.errors import ConfigError

__all__ = ["CORRELATION_LEVELS", "PSD_REGULARIZATION", "antenna_correlation",
           "check_correlation_matrix", "correlation_sqrt", "spatial_correlation"]

_CLAUSE = "TS 38.101-4 Annex B.2.3 / TS 38.104 Annex G.2.3"

#: (BS α, UE β) per correlation level (TS 38.101-4 Table B.2.3.1.1-1).
CORRELATION_LEVELS = {
    "low": (0.0, 0.0),
    "medium": (0.3, 0.9),
    "medium-A": (0.3, 0.3874),
    "high": (0.9, 0.9),
}

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


def spatial_correlation(level: str, n_bs: int, n_ue: int) -> np.ndarray:
    """R_spat = R_BS ⊗ R_UE of a correlation level (TS 38.101-4 B.2.3, TS 38.104 G.2.3).

    Parameters
    ----------
    level : {"low", "medium", "medium-A", "high"}
    n_bs, n_ue : int
        Antennas at the base station and at the UE.

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
    alpha, beta = CORRELATION_LEVELS[level]
    r = np.kron(antenna_correlation(alpha, n_bs), antenna_correlation(beta, n_ue))
    if (n_bs >= 4 and alpha == 0.9) or (n_ue >= 4 and beta == 0.9):
        r = (r + PSD_REGULARIZATION * np.eye(r.shape[0])) / (1.0 + PSD_REGULARIZATION)
    return r


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

"""TS 38.211 §6.3.1.4 — transform precoding of the PUSCH (DFT spreading).

The layer symbols x(i) are split into M_symb^layer / M_sc^PUSCH sets, one per OFDM symbol,
and each set is spread as

    y(l M_sc + k) = 1/√M_sc Σ_{i=0}^{M_sc−1} x(l M_sc + i) e^{−j2πik/M_sc},

with M_sc^PUSCH = M_RB^PUSCH N_sc^RB and M_RB^PUSCH = 2^α2 3^α3 5^α5 (α non-negative integers).
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError

__all__ = [
    "check_transform_precoding_prbs",
    "is_transform_precoding_size",
    "transform_deprecode",
    "transform_precode",
]

_CLAUSE = "TS 38.211 §6.3.1.4"


def is_transform_precoding_size(n_prb: int) -> bool:
    """True when M_RB^PUSCH = 2^α2 3^α3 5^α5 (TS 38.211 §6.3.1.4)."""
    n = int(n_prb)
    if n < 1:
        return False
    for f in (2, 3, 5):
        while n % f == 0:
            n //= f
    return n == 1


def check_transform_precoding_prbs(n_prb: int) -> int:
    """Validate M_RB^PUSCH for transform precoding (TS 38.211 §6.3.1.4).

    Returns
    -------
    int
        ``n_prb``.

    Raises
    ------
    ConfigError
        ``n_prb`` not a positive integer of the form 2^α2 3^α3 5^α5.
    """
    n = check_int("n_prb", n_prb, 1, None, _CLAUSE)
    if not is_transform_precoding_size(n):
        raise ConfigError("n_prb", n, "must be 2^a * 3^b * 5^c with transform precoding",
                          _CLAUSE)
    return n


def _check(x: object, m_sc: object, field: str) -> tuple[np.ndarray, int]:
    m = check_int("m_sc", m_sc, 12, None, _CLAUSE)
    if m % 12:
        raise ConfigError("m_sc", m, "must be 12 * M_RB", _CLAUSE)
    check_transform_precoding_prbs(m // 12)
    arr = np.asarray(x)
    if arr.ndim < 1:
        raise ValueError(f"{field}: expected at least one dimension, got a scalar")
    if not (np.issubdtype(arr.dtype, np.complexfloating) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{field}: expected complex symbols, got {arr.dtype}")
    if arr.shape[-1] % m:
        raise ValueError(f"{field}: length {arr.shape[-1]} must be a multiple of "
                         f"M_sc={m} ({_CLAUSE})")
    return arr, m


def transform_precode(x: np.ndarray, m_sc: int) -> np.ndarray:
    """DFT-spread the layer symbols, one M_sc block per OFDM symbol (TS 38.211 §6.3.1.4).

    Parameters
    ----------
    x : array_like of complex, shape (..., M_symb^layer)
        Symbols x^(0)(i) of the single layer (M_symb^layer a multiple of M_sc).
    m_sc : int
        M_sc^PUSCH = 12 M_RB^PUSCH with M_RB^PUSCH = 2^α2 3^α3 5^α5.

    Returns
    -------
    numpy.ndarray of complex64, same shape as ``x``

    Raises
    ------
    ConfigError
        ``m_sc`` not 12 times a valid PRB count.
    ValueError
        ``x`` not complex, or its length not a multiple of M_sc.
    """
    arr, m = _check(x, m_sc, "x")
    blocks = arr.reshape(*arr.shape[:-1], -1, m).astype(np.complex128)
    y = np.fft.fft(blocks, axis=-1, norm="ortho")
    return y.reshape(arr.shape).astype(np.complex64)


def transform_deprecode(y: np.ndarray, m_sc: int) -> np.ndarray:
    """Inverse of :func:`transform_precode`: IDFT with 1/√M_sc per block (TS 38.211 §6.3.1.4).

    Parameters
    ----------
    y : array_like of complex, shape (..., M_symb^layer)
    m_sc : int

    Returns
    -------
    numpy.ndarray of complex64, same shape as ``y``

    Raises
    ------
    ConfigError, ValueError
        As for :func:`transform_precode`.
    """
    arr, m = _check(y, m_sc, "y")
    blocks = arr.reshape(*arr.shape[:-1], -1, m).astype(np.complex128)
    x = np.fft.ifft(blocks, axis=-1, norm="ortho")
    return x.reshape(arr.shape).astype(np.complex64)

"""TS 38.212 §5.1 — CRC calculation.

The six cyclic generator polynomials of §5.1, each written as the coefficients of ``g(D)``
below its leading term ``D^L``:

* ``gCRC24A(D) = D^24+D^23+D^18+D^17+D^14+D^11+D^10+D^7+D^6+D^5+D^4+D^3+D+1``
* ``gCRC24B(D) = D^24+D^23+D^6+D^5+D+1``
* ``gCRC24C(D) = D^24+D^23+D^21+D^20+D^17+D^15+D^13+D^12+D^8+D^4+D^2+D+1``
* ``gCRC16(D)  = D^16+D^12+D^5+1``
* ``gCRC11(D)  = D^11+D^10+D^9+D^5+1``
* ``gCRC6(D)   = D^6+D^5+1``

The parity bits ``p_0 .. p_{L-1}`` make ``a_0 D^{A+L-1} + ... + a_{A-1} D^L + p_0 D^{L-1} + ...
+ p_{L-1}`` divisible by ``g(D)`` (no initial value, no final inversion) and are appended after
the ``A`` input bits.
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import as_bits, check_choice
from opennr.coding._crc_kernels import crc_attach_kernel, crc_remainder_kernel, crc_table

__all__ = ["CRC_LENGTHS", "CRC_POLYNOMIALS", "crc_attach", "crc_check", "crc_remainder"]

_CLAUSE = "TS 38.212 §5.1"

#: Length L of each CRC of TS 38.212 §5.1.
CRC_LENGTHS: dict[str, int] = {"24A": 24, "24B": 24, "24C": 24, "16": 16, "11": 11, "6": 6}

#: Generator polynomials of TS 38.212 §5.1, coefficients of D^(L-1) .. D^0 (leading D^L implied).
CRC_POLYNOMIALS: dict[str, int] = {
    "24A": (1 << 23) | (1 << 18) | (1 << 17) | (1 << 14) | (1 << 11) | (1 << 10) | (1 << 7)
    | (1 << 6) | (1 << 5) | (1 << 4) | (1 << 3) | (1 << 1) | 1,
    "24B": (1 << 23) | (1 << 6) | (1 << 5) | (1 << 1) | 1,
    "24C": (1 << 23) | (1 << 21) | (1 << 20) | (1 << 17) | (1 << 15) | (1 << 13) | (1 << 12)
    | (1 << 8) | (1 << 4) | (1 << 2) | (1 << 1) | 1,
    "16": (1 << 12) | (1 << 5) | 1,
    "11": (1 << 10) | (1 << 9) | (1 << 5) | 1,
    "6": (1 << 5) | 1,
}


def _check_crc(crc: str) -> tuple[int, int]:
    check_choice("crc", crc, tuple(CRC_LENGTHS), _CLAUSE)
    return CRC_POLYNOMIALS[crc], CRC_LENGTHS[crc]


@functools.lru_cache(maxsize=8)
def crc_slicing_table(crc: str) -> np.ndarray:
    """Read-only (4, 256) uint32 tables of the slicing-by-4 CRC kernels for a CRC of TS 38.212 §5.1
    (see :mod:`opennr.coding._crc_kernels`)."""
    poly, length = _check_crc(crc)
    table = crc_table(poly, length)
    table.setflags(write=False)
    return table


def crc_remainder(bits, crc: str) -> np.ndarray:
    """Return the CRC register after ``bits``: the remainder of ``bits(D) * D^L`` modulo ``g(D)``.

    TS 38.212 §5.1. The remainder's bits, most significant first, are the parity bits
    ``p_0 .. p_{L-1}``; it is 0 for a sequence that already ends with its correct CRC.

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A)
        Input bits ``a_0 .. a_{A-1}``.
    crc : str
        One of ``"24A"``, ``"24B"``, ``"24C"``, ``"16"``, ``"11"``, ``"6"``.

    Returns
    -------
    numpy.ndarray of int64, shape (...)

    Raises
    ------
    ConfigError
        If ``crc`` is not one of the names above.
    ValueError
        If ``bits`` is not a 0/1 array with at least one dimension.
    """
    _, length = _check_crc(crc)
    arr = as_bits("bits", bits)
    flat = arr.reshape(int(np.prod(arr.shape[:-1])), arr.shape[-1])
    out = np.zeros(flat.shape[0], dtype=np.int64)
    if flat.shape[0]:
        crc_remainder_kernel(flat, crc_slicing_table(crc), length, out)
    return out.reshape(arr.shape[:-1])


def crc_attach(bits, crc: str) -> np.ndarray:
    """Append the CRC parity bits ``p_0 .. p_{L-1}`` of TS 38.212 §5.1 to ``bits``.

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A)
        Input bits ``a_0 .. a_{A-1}``.
    crc : str
        One of ``"24A"``, ``"24B"``, ``"24C"``, ``"16"``, ``"11"``, ``"6"``.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., A + L)
        ``b_k = a_k`` for ``k < A`` and ``b_{A+k} = p_k``.

    Raises
    ------
    ConfigError
        If ``crc`` is not one of the names above.
    ValueError
        If ``bits`` is not a 0/1 array with at least one dimension.

    Examples
    --------
    >>> crc_attach(np.zeros(8, np.uint8), "6").shape
    (14,)
    """
    _, length = _check_crc(crc)
    arr = as_bits("bits", bits)
    flat = arr.reshape(int(np.prod(arr.shape[:-1])), arr.shape[-1])
    out = np.empty((flat.shape[0], flat.shape[1] + length), dtype=np.uint8)
    if flat.shape[0]:
        crc_attach_kernel(flat, crc_slicing_table(crc), length, out)
    return out.reshape(*arr.shape[:-1], arr.shape[-1] + length)


def crc_check(bits, crc: str) -> np.ndarray:
    """Check the CRC of TS 38.212 §5.1 at the end of ``bits``.

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A + L)
        Bits followed by their ``L`` CRC parity bits.
    crc : str
        One of ``"24A"``, ``"24B"``, ``"24C"``, ``"16"``, ``"11"``, ``"6"``.

    Returns
    -------
    numpy.ndarray of bool, shape (...)
        True where the remainder is zero (the CRC checks).

    Raises
    ------
    ConfigError
        If ``crc`` is not one of the names above.
    ValueError
        If ``bits`` is not a 0/1 array or is shorter than ``L``.
    """
    _, length = _check_crc(crc)
    arr = as_bits("bits", bits)
    if arr.shape[-1] < length:
        raise ValueError(f"bits: last dimension must be at least L={length} for CRC{crc}, "
                         f"got shape {arr.shape}")
    return crc_remainder(arr, crc) == 0

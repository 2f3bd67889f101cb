"""TS 38.212 §5.3.1.1 — input bit interleaving of polar codes (Table 5.3.1.1-1)."""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import check_int

__all__ = ["K_IL_MAX", "PI_IL_MAX", "polar_interleaver_pattern"]

_CLAUSE = "TS 38.212 §5.3.1.1"

#: Largest input length ``K_IL^max`` of the input bit interleaver.
K_IL_MAX = 164

#: TS 38.212 Table 5.3.1.1-1: interleaving pattern ``Π_IL^max(m)``, m = 0 .. 163.
PI_IL_MAX = (
    0, 2, 4, 7, 9, 14, 19, 20, 24, 25, 26, 28, 31, 34, 42, 45, 49, 50, 51, 53, 54, 56, 58, 59, 61,
    62, 65, 66, 67, 69, 70, 71, 72, 76, 77, 81, 82, 83, 87, 88, 89, 91, 93, 95, 98, 101, 104, 106,
    108, 110, 111, 113, 115, 118, 119, 120, 122, 123, 126, 127, 129, 132, 134, 138, 139, 140, 1, 3,
    5, 8, 10, 15, 21, 27, 29, 32, 35, 43, 46, 52, 55, 57, 60, 63, 68, 73, 78, 84, 90, 92, 94, 96,
    99, 102, 105, 107, 109, 112, 114, 116, 121, 124, 128, 130, 133, 135, 141, 6, 11, 16, 22, 30, 33,
    36, 44, 47, 64, 74, 79, 85, 97, 100, 103, 117, 125, 131, 136, 142, 12, 17, 23, 37, 48, 75, 80,
    86, 137, 143, 13, 18, 38, 144, 39, 145, 40, 146, 41, 147, 148, 149, 150, 151, 152, 153, 154, 155,
    156, 157, 158, 159, 160, 161, 162, 163,
)


@functools.lru_cache(maxsize=256)
def polar_interleaver_pattern(k: int, i_il: bool = True) -> np.ndarray:
    """Input bit interleaving pattern ``Π(k)`` of TS 38.212 §5.3.1.1.

    The interleaved sequence is ``c'_k = c_{Π(k)}``. With ``i_il`` the pattern keeps, in order,
    the entries ``Π_IL^max(m) >= K_IL^max - K`` of Table 5.3.1.1-1, shifted down by
    ``K_IL^max - K``; without it ``Π(k) = k``.

    Parameters
    ----------
    k : int
        Input length ``K`` (payload and CRC), ``1 <= K`` (``K <= 164`` when ``i_il``).
    i_il : bool
        Interleaving indicator ``I_IL``.

    Returns
    -------
    numpy.ndarray of int32, shape (K,)
        Read-only ``Π(0) .. Π(K-1)``.

    Raises
    ------
    ConfigError
        If ``k`` is out of range.
    """
    k = check_int("k", k, lo=1, hi=K_IL_MAX if i_il else None, clause=_CLAUSE)
    if i_il:
        table = np.asarray(PI_IL_MAX, dtype=np.int32)
        pattern = table[table >= K_IL_MAX - k] - (K_IL_MAX - k)
    else:
        pattern = np.arange(k, dtype=np.int32)
    pattern = pattern.astype(np.int32)
    pattern.setflags(write=False)
    return pattern

"""Compiled kernels of the PUSCH transmitter (TS 38.211 §6.3.1)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def scramble_placeholders(b: np.ndarray, c: np.ndarray, out: np.ndarray) -> None:
    """§6.3.1.1 scrambling with the UCI placeholders of TS 38.212 §5.3.3.1.

    b: int8 (n_batch, M_bit) with 0/1, x = -1, y = -2; c: uint8 (n_batch, M_bit) scrambling
    sequence; out: uint8 (n_batch, M_bit). x -> 1, y -> the previous output bit, otherwise
    (b + c) mod 2.
    """
    for r in range(b.shape[0]):
        prev = np.uint8(0)
        for i in range(b.shape[1]):
            v = b[r, i]
            if v == -1:
                o = np.uint8(1)
            elif v == -2:
                o = prev
            else:
                o = np.uint8((v + c[r, i]) & 1)
            out[r, i] = o
            prev = o


@numba.njit(cache=True, nogil=True)
def descramble_placeholders(llr: np.ndarray, c: np.ndarray, kind: np.ndarray,
                            out: np.ndarray) -> None:
    """Inverse of :func:`scramble_placeholders` on soft bits.

    llr: float32 (M_bit,); c: uint8 (M_bit,); kind: int8 (M_bit,) with 0 for a coded bit, x = -1,
    y = -2; out: float32 (M_bit,). A coded bit is negated where c = 1; an x carries no
    information (0); a y repeats the scrambled bit before its run and is descrambled with that
    bit's c (0 when the run follows an x).
    """
    sign = np.float32(0.0)
    for i in range(llr.size):
        k = kind[i]
        if k == 0:
            sign = np.float32(1.0) - np.float32(2.0) * np.float32(c[i])
            out[i] = llr[i] * sign
        elif k == -1:
            sign = np.float32(0.0)
            out[i] = np.float32(0.0)
        else:
            out[i] = llr[i] * sign

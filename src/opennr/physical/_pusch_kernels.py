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

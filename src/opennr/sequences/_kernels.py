"""Compiled kernels of the TS 38.211 §5.2 sequence generators."""

from __future__ import annotations

import numba
import numpy as np

# The LFSR states hold 31 consecutive sequence values, x(n) in bit 0 up to x(n+30) in bit 30.
# Both recursions reach back at most 3 positions from x(n+31), so 28 new values can be formed
# at once from a state: bit i of the new word is x(n+31+i) for i = 0 .. 27.
_STEP = 28


@numba.njit(cache=True, nogil=True, inline="always")
def _advance_x1(s: np.int64, r: np.int64) -> np.int64:
    """x1(n+31) = x1(n+3) + x1(n) mod 2, advanced by r ≤ 28 positions."""
    new = (s ^ (s >> 3)) & ((1 << r) - 1)
    return (s >> r) | (new << (31 - r))


@numba.njit(cache=True, nogil=True, inline="always")
def _advance_x2(s: np.int64, r: np.int64) -> np.int64:
    """x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n) mod 2, advanced by r ≤ 28 positions."""
    new = (s ^ (s >> 1) ^ (s >> 2) ^ (s >> 3)) & ((1 << r) - 1)
    return (s >> r) | (new << (31 - r))


@numba.njit(cache=True, nogil=True)
def gold_kernel(c_init: np.ndarray, start: np.int64, out: np.ndarray) -> None:
    """Write c(start + n), n = 0 .. out.shape[1]-1, for every c_init[i] into out[i, :].

    ``start`` includes N_c. ``c_init`` is int64 (B,), ``out`` uint8 (B, length), C-contiguous.
    """
    n_seq, length = out.shape
    # x1 does not depend on c_init: advance it once.
    s1 = np.int64(1)
    left = start
    while left > 0:
        r = min(left, _STEP)
        s1 = _advance_x1(s1, r)
        left -= r
    for i in range(n_seq):
        s2 = np.int64(c_init[i])
        left = start
        while left > 0:
            r = min(left, _STEP)
            s2 = _advance_x2(s2, r)
            left -= r
        a = s1
        pos = 0
        while pos < length:
            w = a ^ s2
            r = min(length - pos, _STEP)
            for k in range(r):
                out[i, pos + k] = (w >> k) & 1
            pos += r
            a = _advance_x1(a, _STEP)
            s2 = _advance_x2(s2, _STEP)

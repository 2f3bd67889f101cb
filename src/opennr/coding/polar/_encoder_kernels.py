"""Compiled kernel of the polar encoder (TS 38.212 §5.3.1.2)."""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True)
def polar_encode_kernel(c_prime, bit_type, use_pc, out):
    """Place ``c'`` (rows of c_prime, (B, K) uint8) into ``u`` and compute ``d = u G_N`` into out (B, N).

    ``bit_type[n]`` is 0 (frozen), 1 (data) or 2 (parity check). The parity-check bits come from
    the cyclic register ``y_0 .. y_4`` of §5.3.1.2, held in the five low bits of an integer.
    """
    n_rows = c_prime.shape[0]
    n = out.shape[1]
    for b in range(n_rows):
        cb = c_prime[b]
        ub = out[b]
        k = 0
        y = 0
        for i in range(n):
            if use_pc:
                y = (y >> 1) | ((y & 1) << 4)
            t = bit_type[i]
            if t == 1:
                bit = cb[k]
                k += 1
                ub[i] = bit
                y ^= bit
            elif t == 2:
                ub[i] = y & 1
            else:
                ub[i] = 0
        # d = u G_N, G_N the n-th Kronecker power of [[1, 0], [1, 1]].
        h = 1
        while h < n:
            for start in range(0, n, 2 * h):
                for i in range(start, start + h):
                    ub[i] ^= ub[i + h]
            h *= 2

"""Compiled kernels of the LDPC encoder (TS 38.212 §5.3.2)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _xor_shifted(acc, x, base, v, zc):
    """acc[t] ^= x[base + (t + v) mod zc] for t in 0..zc-1, as two contiguous runs.

    Taking both runs as slices (views) lets LLVM emit plain vector loads.
    """
    m = zc - v
    a1 = acc[:m]
    s1 = x[base + v:base + zc]
    for t in range(m):
        a1[t] ^= s1[t]
    a2 = acc[m:]
    s2 = x[base:base + v]
    for t in range(v):
        a2[t] ^= s2[t]


@numba.njit(cache=True, nogil=True)
def ldpc_encode_kernel(c, row_ptr, cols, shifts, k_b, zc, n_cols, b_shift, out):
    """Encode each row of ``c`` (n_blocks, k_b*zc) into ``out`` (n_blocks, (n_cols-2)*zc).

    The parity columns ``k_b .. k_b+3`` form the core: summing base rows 0..3 leaves
    ``P^b_shift p_0`` (the column ``k_b`` has shifts a, b, a and the double diagonal cancels),
    then rows 0, 1, 2 each give the next core parity column. Every extension row ``i >= 4``
    gives its own parity column ``k_b + i`` from the columns before ``k_b + 4``.
    """
    n_blocks = c.shape[0]
    n_rows = row_ptr.size - 1
    k = k_b * zc
    n = out.shape[1]
    x = np.zeros(n_cols * zc, dtype=np.uint8)
    lam = np.zeros((4, zc), dtype=np.uint8)
    acc = np.zeros(zc, dtype=np.uint8)
    # Explicit loops over views: numba's slice assignment does not vectorise.
    for blk in range(n_blocks):
        cb = c[blk]
        for t in range(k):
            x[t] = cb[t]
        # lambda_r: systematic contribution of core rows 0..3
        for r in range(4):
            lr = lam[r]
            for t in range(zc):
                lr[t] = 0
            for e in range(row_ptr[r], row_ptr[r + 1]):
                j = cols[e]
                if j < k_b:
                    _xor_shifted(lr, x, j * zc, shifts[e], zc)
        # p_0 = P^-b (lambda_0 + lambda_1 + lambda_2 + lambda_3)
        l0 = lam[0]
        l1 = lam[1]
        l2 = lam[2]
        l3 = lam[3]
        for t in range(zc):
            acc[t] = l0[t] ^ l1[t] ^ l2[t] ^ l3[t]
        m = zc - b_shift
        p0a = x[k:k + b_shift]
        sa = acc[m:]
        for t in range(b_shift):
            p0a[t] = sa[t]
        p0b = x[k + b_shift:k + zc]
        for t in range(m):
            p0b[t] = acc[t]
        # core rows 0..2: the unknown is parity column k_b + 1 + r (shift 0)
        for r in range(3):
            lr = lam[r]
            for t in range(zc):
                acc[t] = lr[t]
            for e in range(row_ptr[r], row_ptr[r + 1]):
                j = cols[e]
                if j >= k_b and j <= k_b + r:
                    _xor_shifted(acc, x, j * zc, shifts[e], zc)
            p = x[(k_b + 1 + r) * zc:(k_b + 2 + r) * zc]
            for t in range(zc):
                p[t] = acc[t]
        # extension rows: the last edge of row i is the identity on column k_b + i
        for r in range(4, n_rows):
            for t in range(zc):
                acc[t] = 0
            for e in range(row_ptr[r], row_ptr[r + 1] - 1):
                _xor_shifted(acc, x, cols[e] * zc, shifts[e], zc)
            p = x[(k_b + r) * zc:(k_b + r + 1) * zc]
            for t in range(zc):
                p[t] = acc[t]
        ob = out[blk]
        xs = x[2 * zc:2 * zc + n]
        for t in range(n):
            ob[t] = xs[t]

"""Compiled kernels of LDPC rate matching and rate recovery (TS 38.212 §5.4.2, §5.5)."""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True)
def rate_match_kernel(d, index, out):
    """out[b, i] = d[b, index[i]] for d (n, C*N) uint8 and out (n, G) uint8."""
    n = d.shape[0]
    g = index.size
    for b in range(n):
        db = d[b]
        ob = out[b]
        for i in range(g):
            ob[i] = db[index[i]]


@numba.njit(cache=True, nogil=True)
def rate_recover_kernel(llr, index, filler_start, filler_stop, c, n_per_block, filler_llr, buf):
    """buf[b, index[i]] += llr[b, i]; filler positions of every block set to ``filler_llr``.

    ``buf`` is (n, C*N) float32, ``llr`` (n, G) float32; the filler bits of block r sit at
    ``r*N + filler_start .. r*N + filler_stop``.
    """
    n = llr.shape[0]
    g = index.size
    for b in range(n):
        lb = llr[b]
        bb = buf[b]
        for i in range(g):
            bb[index[i]] += lb[i]
        for r in range(c):
            base = r * n_per_block
            for k in range(filler_start, filler_stop):
                bb[base + k] = filler_llr

"""Compiled kernels of LDPC rate matching and rate recovery (TS 38.212 §5.4.2, §5.5)."""

from __future__ import annotations

import numba
import numpy as np


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


@numba.njit(cache=True, nogil=True)
def has_nan(x):
    """True when the float32 array ``x`` (any shape, C-contiguous) holds a NaN."""
    flat = x.reshape(x.size)
    bad = False
    for i in range(flat.size):
        bad |= flat[i] != flat[i]
    return bad


@numba.njit(cache=True, nogil=True)
def rate_recover_runs(llr, e, qm, k0, n_cb, filler_start, filler_stop, c, n_per_block, filler_llr,
                      fresh, work, buf):
    """Rate recovery when no position of a circular buffer is selected twice (E_r <= N_cb - F).

    For each block ``r``: bit de-interleaving of its ``E_r`` LLRs into ``work`` (§5.4.2.2), then
    the de-interleaved LLRs are added, run after run, into the contiguous positions of the
    circular buffer from ``k0`` on, skipping the filler bits and wrapping at ``N_cb`` (§5.4.2.1).
    Each position receives at most one LLR, so the sums equal those of the scatter-add of
    :func:`rate_recover_kernel`. ``fresh``: ``buf`` is uninitialised and is zeroed first.
    ``llr`` (n, G), ``e`` (C,) int64, ``work`` float32 of at least max(E_r), ``buf`` (n, C*N).
    """
    n = llr.shape[0]
    zero = np.float32(0.0)
    f0 = min(filler_start, n_cb)
    f1 = min(filler_stop, n_cb)
    for b in range(n):
        lb = llr[b]
        bb = buf[b]
        off = 0
        for r in range(c):
            er = e[r]
            eq = er // qm
            src = lb[off:off + er]
            for i in range(qm):
                w = work[i * eq:(i + 1) * eq]
                for j in range(eq):
                    w[j] = src[j * qm + i]
            dst = bb[r * n_per_block:(r + 1) * n_per_block]
            if fresh:
                for p in range(n_per_block):
                    dst[p] = zero
            k = 0
            p = k0
            while k < er:
                if f0 <= p < f1:
                    p = f1
                if p >= n_cb:
                    p = 0
                    continue
                end = f0 if p < f0 else n_cb
                ln = min(end - p, er - k)
                d = dst[p:p + ln]
                w = work[k:k + ln]
                for t in range(ln):
                    d[t] += w[t]
                k += ln
                p += ln
            for p in range(filler_start, filler_stop):
                dst[p] = filler_llr
            off += er

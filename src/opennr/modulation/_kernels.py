"""TS 38.211 §5.1 — compiled kernels of the modulation mapper and the soft demapper.

Kernels take contiguous arrays and scalars, write into arrays the caller allocated, and
allocate nothing. Tables come in as arguments.

Soft demapping of the square QAM schemes (QPSK ... 1024QAM) uses two facts of the §5.1
equations. First, the even bits b(qm*i + 2k) set only the real part and the odd bits
b(qm*i + 2k + 1) only the imaginary part, each through the same 2^m-level PAM (m = qm/2), so
|y - s|^2 = (y_I - s_I)^2 + (y_Q - s_Q)^2 and every LLR needs only the one-dimensional PAM of
its own axis (the other axis cancels in the ratio, for max-log and for the exact sum alike).
Second, on the unnormalised levels a = (1-2b_0)[2^{m-1} - (1-2b_1)[2^{m-2} - ...]] the first
bit is the sign of a, and bits 1 ... m-1 of a are bits 0 ... m-2 of the (m-1)-bit PAM point
2^{m-1} - |a|. Folding the received value the same way, u_{k+1} = 2^{m-k-1} - |u_k|, turns
each max-log LLR into a sign-bit LLR of a smaller PAM, which has the closed form

    min_{a<0} (u-a)^2 - min_{a>0} (u-a)^2 = sign(u) (n+1)(2|u| + 1 - n),

where n is the positive level nearest to |u| (the largest negative-side distance is to -1).
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def map_symbols(bits, qm, table, out):
    """§5.1 mapping by table lookup.

    bits (R, n*qm) uint8, table (P, 2**qm) complex64 with P a power of two (the symbol index
    i enters through i mod P), out (R, n) complex64.
    """
    n_rows, n = out.shape
    p_mask = table.shape[0] - 1
    for r in range(n_rows):
        row = bits[r]
        for i in range(n):
            v = 0
            base = i * qm
            for k in range(qm):
                v = (v << 1) | row[base + k]
            out[r, i] = table[i & p_mask, v]


@numba.njit(cache=True, nogil=True)
def demap_binary(y, inv_n0, n0_stride, s0, out):
    """Soft demapping of BPSK and pi/2-BPSK (max-log and exact coincide for two points).

    y (R, n) complex; inv_n0 float64, entry (r*n + i)*n0_stride is 1/noise variance of y[r, i];
    s0 (P,) complex128 is the point of bit 0 for i mod P (P a power of two); out (R, n) float32.
    With s1 = -s0, |y - s1|^2 - |y - s0|^2 = 4 Re(y conj(s0)).
    """
    n_rows, n = y.shape
    p_mask = s0.shape[0] - 1
    for r in range(n_rows):
        for i in range(n):
            v = y[r, i]
            p = s0[i & p_mask]
            llr = 4.0 * (v.real * p.real + v.imag * p.imag) * inv_n0[(r * n + i) * n0_stride]
            out[r, i] = llr


@numba.njit(cache=True, nogil=True)
def demap_maxlog_qam(y, inv_n0, n0_stride, m, sqrt_norm, out):
    """Max-log soft demapping of the square QAM schemes of §5.1.3-§5.1.7.

    y (N,) complex symbols; inv_n0 float64, entry s*n0_stride is 1/noise variance of y[s];
    m = qm/2 bits per axis; sqrt_norm: the unnormalised levels are the odd integers and the
    constellation is scaled by 1/sqrt_norm; out (N*qm,) float32 with the LLR of b(qm*s + j)
    at out[qm*s + j]. LLR = (min_{b=1} |y-s|^2 - min_{b=0} |y-s|^2) / noise variance.
    """
    qm = 2 * m
    half0 = 2.0 ** (m - 1)
    inv_norm = 1.0 / (sqrt_norm * sqrt_norm)
    for s in range(y.shape[0]):
        g = inv_n0[s * n0_stride] * inv_norm
        v = y[s]
        base = s * qm
        for axis in range(2):
            u = (v.real if axis == 0 else v.imag) * sqrt_norm
            half = half0
            for k in range(m):
                a = abs(u)
                top = 2.0 * half - 1.0
                n = min(2.0 * math.floor(0.5 * a) + 1.0, top)
                out[base + 2 * k + axis] = math.copysign((n + 1.0) * (2.0 * a + 1.0 - n), u) * g
                u = half - a
                half *= 0.5


@numba.njit(cache=True, nogil=True)
def demap_exact_qam(y, inv_n0, n0_stride, levels, level_bits, dist, expo, out):
    """Exact (log-sum-exp) soft demapping of the square QAM schemes of §5.1.3-§5.1.7.

    y (N,) complex; inv_n0 float64 as in :func:`demap_maxlog_qam`; levels (L,) float64 the
    normalised PAM levels of one axis; level_bits (m, L) uint8, bit k of level j; dist, expo
    (L,) float64 scratch; out (N*2m,) float32.
    LLR = ln sum_{b=0} exp(-|y-s|^2/N0) - ln sum_{b=1} exp(-|y-s|^2/N0), evaluated per axis
    relative to the nearest level, and relative to each subset's own nearest level when its
    sum would underflow.
    """
    n_levels = levels.shape[0]
    m = level_bits.shape[0]
    qm = 2 * m
    tiny = 1e-250
    for s in range(y.shape[0]):
        g = inv_n0[s * n0_stride]
        v = y[s]
        base = s * qm
        for axis in range(2):
            u = v.real if axis == 0 else v.imag
            dmin = np.inf
            for j in range(n_levels):
                d = (u - levels[j]) * (u - levels[j]) * g
                dist[j] = d
                if d < dmin:
                    dmin = d
            for j in range(n_levels):
                expo[j] = math.exp(dmin - dist[j])
            for k in range(m):
                s0 = 0.0
                s1 = 0.0
                m0 = np.inf
                m1 = np.inf
                for j in range(n_levels):
                    if level_bits[k, j]:
                        s1 += expo[j]
                        m1 = min(m1, dist[j])
                    else:
                        s0 += expo[j]
                        m0 = min(m0, dist[j])
                if s0 > tiny:
                    l0 = math.log(s0)
                else:
                    acc = 0.0
                    for j in range(n_levels):
                        if not level_bits[k, j]:
                            acc += math.exp(m0 - dist[j])
                    l0 = dmin - m0 + math.log(acc)
                if s1 > tiny:
                    l1 = math.log(s1)
                else:
                    acc = 0.0
                    for j in range(n_levels):
                        if level_bits[k, j]:
                            acc += math.exp(m1 - dist[j])
                    l1 = dmin - m1 + math.log(acc)
                out[base + 2 * k + axis] = l0 - l1

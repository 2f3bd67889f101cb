"""Compiled kernels of the multipath channel (TR 38.901 §7.7): fractional-delay filtering with
time-varying path gains, and the sum-of-sinusoids fading process.

Private: the public functions in :mod:`opennr.channel.multipath` and
:mod:`opennr.channel.fading` validate, allocate and call these.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Output samples processed per block: the filtered block of one path stays in L1/L2.
BLOCK = 1024
#: Reassociation and fused multiply-add only (no assumptions about NaN or infinities).
_FAST = {"reassoc", "contract"}


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _fir_block(xs, base0, taps_p, nt, nb, acc):
    """acc[q] = Σ_m taps_p[m] · xs[base0 − m + q], q < nb (one real stream of one path).

    Eight taps per pass over the block: nine loads and one store per eight multiply-adds,
    every load a contiguous slice (no negative-index wrap), so LLVM emits vector code.
    """
    for q in range(nb):
        acc[q] = 0.0
    m = 0
    while m + 8 <= nt:
        h0 = taps_p[m]
        h1 = taps_p[m + 1]
        h2 = taps_p[m + 2]
        h3 = taps_p[m + 3]
        h4 = taps_p[m + 4]
        h5 = taps_p[m + 5]
        h6 = taps_p[m + 6]
        h7 = taps_p[m + 7]
        bs = base0 - m
        s0 = xs[bs:bs + nb]
        s1 = xs[bs - 1:bs - 1 + nb]
        s2 = xs[bs - 2:bs - 2 + nb]
        s3 = xs[bs - 3:bs - 3 + nb]
        s4 = xs[bs - 4:bs - 4 + nb]
        s5 = xs[bs - 5:bs - 5 + nb]
        s6 = xs[bs - 6:bs - 6 + nb]
        s7 = xs[bs - 7:bs - 7 + nb]
        for q in range(nb):
            acc[q] += (h0 * s0[q] + h1 * s1[q] + h2 * s2[q] + h3 * s3[q]
                       + h4 * s4[q] + h5 * s5[q] + h6 * s6[q] + h7 * s7[q])
        m += 8
    while m + 4 <= nt:
        h0 = taps_p[m]
        h1 = taps_p[m + 1]
        h2 = taps_p[m + 2]
        h3 = taps_p[m + 3]
        bs = base0 - m
        s0 = xs[bs:bs + nb]
        s1 = xs[bs - 1:bs - 1 + nb]
        s2 = xs[bs - 2:bs - 2 + nb]
        s3 = xs[bs - 3:bs - 3 + nb]
        for q in range(nb):
            acc[q] += h0 * s0[q] + h1 * s1[q] + h2 * s2[q] + h3 * s3[q]
        m += 4
    while m < nt:
        h0 = taps_p[m]
        bs = base0 - m
        s0 = xs[bs:bs + nb]
        for q in range(nb):
            acc[q] += h0 * s0[q]
        m += 1


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _gain_mac(fr, acc_r, acc_i, o_r, o_i, g0r, g0i, dr, di, i0, i1):
    """o[q] += (g0 + fr[q] · Δg) · acc[q] for i0 <= q < i1 (complex, planar)."""
    f = fr[i0:i1]
    a_r = acc_r[i0:i1]
    a_i = acc_i[i0:i1]
    y_r = o_r[i0:i1]
    y_i = o_i[i0:i1]
    for q in range(i1 - i0):
        a = f[q]
        gr = g0r + a * dr
        gi = g0i + a * di
        ar = a_r[q]
        ai = a_i[q]
        y_r[q] += gr * ar - gi * ai
        y_i[q] += gr * ai + gi * ar


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def apply_paths_kernel(x_re, x_im, pad_left, lag0, n_taps, taps, g_re, g_im, tgs, out_re, out_im):
    """Filter every path, weight by its interpolated gain, sum into the receive antennas.

    Planar single precision (real and imaginary parts apart) so that every inner loop runs
    over contiguous float32 data; the filtered block of a path is computed once and shared by
    all receive antennas.

    Parameters
    ----------
    x_re, x_im : float32 (n_tx, n_padded)
        Padded input: input sample i is padded sample i + pad_left.
    pad_left : int
    lag0 : int64 (n_paths,)
        Lag of the first tap of each path (y[n] += h[m] · x[n − lag0 − m]).
    n_taps : int64 (n_paths,)
        Taps of each path (1 for an integer delay).
    taps : float32 (n_paths, max_taps)
    g_re, g_im : float32 (n_rx, n_tx, n_paths, n_g), n_g >= 2
        Path gains at their sample instants.
    tgs : float64 (n_g,)
        Instants of the gains in (fractional) output samples, strictly increasing; the gain of
        sample n is interpolated linearly between them and held outside.
    out_re, out_im : float32 (n_rx, n_samples), zeroed
    """
    n_rx, n_tx, n_paths, n_g = g_re.shape
    n_s = out_re.shape[1]
    acc_r = np.empty(BLOCK, dtype=np.float32)
    acc_i = np.empty(BLOCK, dtype=np.float32)
    fr = np.empty(BLOCK, dtype=np.float32)
    rs = np.empty(BLOCK + 1, dtype=np.int64)
    rseg = np.empty(BLOCK + 1, dtype=np.int64)
    j = 0
    for b0 in range(0, n_s, BLOCK):
        nb = min(BLOCK, n_s - b0)
        # Runs of samples in one gain segment, and their interpolation fractions.
        nr = 0
        i = 0
        while i < nb:
            n = b0 + i
            while j + 2 < n_g and n >= tgs[j + 1]:
                j += 1
            rs[nr] = i
            rseg[nr] = j
            nr += 1
            # The run ends at the first sample at or after tgs[j + 1] (unless j + 1 is last).
            if j + 2 < n_g:
                e = int(np.ceil(tgs[j + 1])) - b0
                if e <= i:
                    e = i + 1
                if e > nb:
                    e = nb
            else:
                e = nb
            t0 = tgs[j]
            inv = 1.0 / (tgs[j + 1] - t0)
            for q in range(i, e):
                a = (b0 + q - t0) * inv
                if a < 0.0:
                    a = 0.0
                elif a > 1.0:
                    a = 1.0
                fr[q] = a
            i = e
        rs[nr] = nb
        for t in range(n_tx):
            for p in range(n_paths):
                base0 = b0 - lag0[p] + pad_left
                _fir_block(x_re[t], base0, taps[p], n_taps[p], nb, acc_r)
                _fir_block(x_im[t], base0, taps[p], n_taps[p], nb, acc_i)
                for r in range(n_rx):
                    gr_ = g_re[r, t, p]
                    gi_ = g_im[r, t, p]
                    o_r = out_re[r, b0:b0 + nb]
                    o_i = out_im[r, b0:b0 + nb]
                    for k in range(nr):
                        jj = rseg[k]
                        g0r = gr_[jj]
                        g0i = gi_[jj]
                        _gain_mac(fr, acc_r, acc_i, o_r, o_i, g0r, g0i, gr_[jj + 1] - g0r,
                                  gi_[jj + 1] - g0i, rs[k], rs[k + 1])


#: Phasors between two exactly evaluated anchors of the frequency recurrence.
ANCHOR = 128


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _sincos_cycles(c):
    """(cos 2πc, sin 2πc) for |c| <= 1/2 cycle: polynomials of the half angle (error about 1e-9).

    Calls into libm do not vectorise without SVML
    these polynomials do.
    """
    x = np.pi * c                       # half angle, |x| <= π/2
    x2 = x * x
    s = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (
        1.0 / 362880.0 + x2 * (-1.0 / 39916800.0 + x2 * (1.0 / 6227020800.0)))))))
    co = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (
        -1.0 / 3628800.0 + x2 * (1.0 / 479001600.0 + x2 * (-1.0 / 87178291200.0)))))))
    return co * co - s * s, 2.0 * s * co


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def sos_kernel(freq, phase, amp, times, out):
    """Sum of sinusoids g[c, n] = Σ_s amp[c] · exp(j2π(freq[c, s] · t_n + phase[c, s])).

    Parameters
    ----------
    freq, phase : float64 (n_proc, n_sin)
        Doppler frequency (Hz) and phase (cycles) of every sinusoid of every process.
    amp : float64 (n_proc,)
        Amplitude of every sinusoid of a process.
    times : float64 (n_times,)
    out : complex128 (n_proc, n_times)
    """
    n_proc, n_sin = freq.shape
    cyc = np.empty(n_sin)
    for c in range(n_proc):
        fc = freq[c]
        pc = phase[c]
        for n in range(times.shape[0]):
            t = times[n]
            for s in range(n_sin):
                # Whole cycles removed in float64: exact phases at any absolute time.
                v = fc[s] * t + pc[s]
                cyc[s] = v - math.floor(v + 0.5)
            re = 0.0
            im = 0.0
            for s in range(n_sin):
                co, si = _sincos_cycles(cyc[s])
                re += co
                im += si
            out[c, n] = complex(re * amp[c], im * amp[c])


@numba.njit(cache=True, nogil=True)
def phasor_kernel(delays, f0, df, out):
    """out[p, k] = exp(−j2π τ_p (f0 + k Δf)) for a uniform frequency grid.

    A geometric progression in k (ratio exp(−j2π τ_p Δf), complex128), re-anchored to the exact
    value every :data:`ANCHOR` points so that the rounding error stays near 1e-14.

    Parameters
    ----------
    delays : float64 (n_paths,)
    f0, df : float
        First frequency and spacing in Hz.
    out : complex64 (n_paths, K)
    """
    n_paths, n_k = out.shape
    for p in range(n_paths):
        tau = delays[p]
        c = tau * df
        c -= math.floor(c + 0.5)
        w = complex(math.cos(2.0 * np.pi * c), -math.sin(2.0 * np.pi * c))
        for k0 in range(0, n_k, ANCHOR):
            a = tau * (f0 + k0 * df)
            a -= math.floor(a + 0.5)
            e = complex(math.cos(2.0 * np.pi * a), -math.sin(2.0 * np.pi * a))
            for k in range(k0, min(k0 + ANCHOR, n_k)):
                out[p, k] = e
                e *= w

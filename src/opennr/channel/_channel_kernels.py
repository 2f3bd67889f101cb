"""Compiled kernels of the multipath channel (TR 38.901 §7.7): fractional-delay filtering with
time-varying path gains, and the sum-of-sinusoids fading process.

Private: the public functions in :mod:`opennr.channel.multipath` and
:mod:`opennr.channel.fading` validate, allocate and call these.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Output samples processed per block: the filtered block of one path stays in L1.
BLOCK = 512
#: Reassociation and fused multiply-add only (no assumptions about NaN or infinities).
_FAST = {"reassoc", "contract"}


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def apply_paths_kernel(xp_f, pad_left, lag0, n_taps, taps, gains_f, seg, frac, out_f):
    """Filter every path, weight by its interpolated gain, sum into the receive antennas.

    Complex arrays are passed as interleaved float32 views (re, im) so that the filter loops
    run over contiguous single-precision data.

    Parameters
    ----------
    xp_f : float32 (n_tx, 2 * n_padded)
        Zero-padded input: input sample i is padded sample i + pad_left.
    pad_left : int
    lag0 : int64 (n_paths,)
        Lag k of the first tap of each path (y[n] += h[m] · x[n − lag0 − m]).
    n_taps : int64 (n_paths,)
        Taps of each path (1 for an integer delay).
    taps : float32 (n_paths, max_taps)
    gains_f : float32 (n_rx, n_tx, n_paths, 2 * n_g), n_g >= 2
        Path gains at their sample instants.
    seg : int64 (n_samples,), frac : float32 (n_samples,)
        Gain of output sample n = g[seg[n]] + frac[n] · (g[seg[n] + 1] − g[seg[n]]).
    out_f : float32 (n_rx, 2 * n_samples), zeroed
    """
    n_rx, n_tx, n_paths, _ = gains_f.shape
    n_s = out_f.shape[1] // 2
    acc = np.empty(2 * BLOCK, dtype=np.float32)
    gre = np.empty(BLOCK, dtype=np.float32)
    gim = np.empty(BLOCK, dtype=np.float32)
    for b0 in range(0, n_s, BLOCK):
        nb = min(BLOCK, n_s - b0)
        sg = seg[b0:b0 + nb]
        fr = frac[b0:b0 + nb]
        for t in range(n_tx):
            xt = xp_f[t]
            for p in range(n_paths):
                for i in range(2 * nb):
                    acc[i] = 0.0
                nt = n_taps[p]
                m = 0
                # Four taps per pass: a quarter of the loads and stores of the accumulator.
                while m + 4 <= nt:
                    h0 = taps[p, m]
                    h1 = taps[p, m + 1]
                    h2 = taps[p, m + 2]
                    h3 = taps[p, m + 3]
                    base = 2 * (b0 - lag0[p] - m + pad_left)
                    s0 = xt[base:base + 2 * nb]
                    s1 = xt[base - 2:base - 2 + 2 * nb]
                    s2 = xt[base - 4:base - 4 + 2 * nb]
                    s3 = xt[base - 6:base - 6 + 2 * nb]
                    for i in range(2 * nb):
                        acc[i] += h0 * s0[i] + h1 * s1[i] + h2 * s2[i] + h3 * s3[i]
                    m += 4
                while m < nt:
                    h0 = taps[p, m]
                    base = 2 * (b0 - lag0[p] - m + pad_left)
                    s0 = xt[base:base + 2 * nb]
                    for i in range(2 * nb):
                        acc[i] += h0 * s0[i]
                    m += 1
                for r in range(n_rx):
                    g = gains_f[r, t, p]
                    for i in range(nb):
                        j = 2 * sg[i]
                        a = fr[i]
                        gre[i] = g[j] + a * (g[j + 2] - g[j])
                        gim[i] = g[j + 1] + a * (g[j + 3] - g[j + 1])
                    o = out_f[r, 2 * b0:2 * b0 + 2 * nb]
                    for i in range(nb):
                        ar = acc[2 * i]
                        ai = acc[2 * i + 1]
                        o[2 * i] += gre[i] * ar - gim[i] * ai
                        o[2 * i + 1] += gre[i] * ai + gim[i] * ar


#: Phasors between two exactly evaluated anchors of the frequency recurrence.
ANCHOR = 128


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _sincos_cycles(c):
    """(cos 2πc, sin 2πc) for |c| <= 1/2 cycle: polynomials of the half angle (error about 1e-9).

    Calls into libm do not vectorise without SVML; these polynomials do.
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

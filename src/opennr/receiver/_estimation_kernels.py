"""Compiled DM-RS despreading and channel interpolation for
:mod:`opennr.receiver.channel_estimation`.

The estimate of port j on receive antenna r is separable: despread pilots z[t, i] (DM-RS symbol
group t, pilot i in frequency), a frequency stage hf[t, q] = Σ_i B[q, i] z[t, i] onto the
allocated subcarriers q, and a time stage h[l, q] = Σ_t A[l, t] hf[t, q] onto the allocated
symbols l.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def despread(y, idx, vinv, n_groups, length, n_pairs, hp):
    """CDM despreading of the least-squares DM-RS estimates.

    y (n_rx, N_symb · K) complex64, idx (ν, N) int64 flat RE indices ordered (t, l', i, k'),
    vinv (ν, N) complex64 = conj(a) / |a|², output hp (n_rx, ν, T, P) complex64: the mean of
    y · vinv over the k' pair (and the l' pair of a double-symbol DM-RS).
    """
    n_rx = y.shape[0]
    nu = idx.shape[0]
    scale = np.float32(1.0 / (2 * length))
    for r in range(n_rx):
        for j in range(nu):
            for t in range(n_groups):
                for i in range(n_pairs):
                    acc = np.complex64(0)
                    for lp in range(length):
                        base = ((t * length + lp) * n_pairs + i) * 2
                        acc += y[r, idx[j, base]] * vinv[j, base]
                        acc += y[r, idx[j, base + 1]] * vinv[j, base + 1]
                    hp[r, j, t, i] = acc * scale


@numba.njit(cache=True, nogil=True)
def _time_stage(hf, a, l0, runs, out):
    """out[l0 + s, run] = Σ_t a[s, t] hf[t, run] over the runs of contiguous allocated
    subcarriers; hf (T, 2Q) and out (N_symb, 2K) float32 (interleaved real, imaginary parts),
    runs (n, 3) int64: first float in out, first float in hf, floats. Slices keep the indices
    non-negative, so the loops compile to contiguous vector loads and stores."""
    n_t = hf.shape[0]
    for s in range(a.shape[0]):
        for u in range(runs.shape[0]):
            k0 = runs[u, 0]
            q0 = runs[u, 1]
            n = runs[u, 2]
            row = out[l0 + s, k0:k0 + n]
            src = hf[0, q0:q0 + n]
            c = a[s, 0]
            for x in range(n):
                row[x] = c * src[x]
            for t in range(1, n_t):
                c = a[s, t]
                src = hf[t, q0:q0 + n]
                for x in range(n):
                    row[x] += c * src[x]


@numba.njit(cache=True, nogil=True)
def interpolate_linear(hp, f_left, f_weight, a, l0, runs, hf, h):
    """Linear interpolation in frequency (pilot f_left[j, q] and the next one, weight
    f_weight[j, q] on the next), then the time stage a (n_sym, T) float32.

    hp (n_rx, ν, T, 2P) float32 (view of the complex64 pilots); runs as for the time stage;
    hf (T, 2Q) float32 scratch; h (n_rx, ν, N_symb, 2K) float32 view of the complex64
    estimate, the allocated REs written.
    """
    n_rx, nu, n_t, _ = hp.shape
    n_q = f_left.shape[1]
    for r in range(n_rx):
        for j in range(nu):
            for t in range(n_t):
                z = hp[r, j, t]
                out = hf[t]
                for q in range(n_q):
                    i = 2 * f_left[j, q]
                    w = f_weight[j, q]
                    if w == 0:
                        out[2 * q] = z[i]
                        out[2 * q + 1] = z[i + 1]
                    else:
                        out[2 * q] = z[i] + w * (z[i + 2] - z[i])
                        out[2 * q + 1] = z[i + 1] + w * (z[i + 3] - z[i + 1])
            _time_stage(hf, a, l0, runs, h[r, j])


@numba.njit(cache=True, nogil=True)
def interpolate_blocks(hp, start, fidx, bank_re, bank_im, a, l0, runs, hf, h):
    """Block filtering in frequency: subcarrier q of allocated PRB b of port j is
    Σ_i bank[fidx[j, b], i, q] z[start[j, b] + i] (bank (F, M, 12) as real and imaginary
    float32 parts); then the time stage a (n_sym, T) float32.

    hp (n_rx, ν, T, 2P) float32 view of the complex64 pilots; hf (T, 2Q) float32 scratch;
    h (n_rx, ν, N_symb, 2K) float32 view of the complex64 estimate, the allocated REs written.
    """
    n_rx, nu, n_t, _ = hp.shape
    n_b = start.shape[1]
    m = bank_re.shape[1]
    acc_re = np.empty(12, np.float32)
    acc_im = np.empty(12, np.float32)
    for r in range(n_rx):
        for j in range(nu):
            for t in range(n_t):
                z = hp[r, j, t]
                for b in range(n_b):
                    s = 2 * start[j, b]
                    f = fidx[j, b]
                    for q in range(12):
                        acc_re[q] = 0
                        acc_im[q] = 0
                    for i in range(m):
                        vr = z[s + 2 * i]
                        vi = z[s + 2 * i + 1]
                        br = bank_re[f, i]
                        bi = bank_im[f, i]
                        for q in range(12):
                            acc_re[q] += br[q] * vr - bi[q] * vi
                            acc_im[q] += br[q] * vi + bi[q] * vr
                    out = hf[t, 24 * b:24 * b + 24]
                    for q in range(12):
                        out[2 * q] = acc_re[q]
                        out[2 * q + 1] = acc_im[q]
            _time_stage(hf, a, l0, runs, h[r, j])


@numba.njit(cache=True, nogil=True)
def pilot_residual_power(hp, start, fidx, own, bank_re, bank_im, step):
    """Σ |z_i − Σ_m w[m, c] z[start + m]|² over antennas, ports, symbol groups and the pilots
    i = start + own[f, c] of every ``step``-th PRB's window (smoother bank (F, M, ppp) as
    float32 parts).

    hp (n_rx, ν, T, 2P) float32 view of the complex64 pilots; start, fidx (ν, n_prb).
    """
    n_rx, nu, n_t, _ = hp.shape
    n_b = start.shape[1]
    m = bank_re.shape[1]
    ppp = bank_re.shape[2]
    acc_re = np.empty(ppp, np.float32)
    acc_im = np.empty(ppp, np.float32)
    total = 0.0
    for r in range(n_rx):
        for j in range(nu):
            for t in range(n_t):
                z = hp[r, j, t]
                for b in range(0, n_b, step):
                    s = 2 * start[j, b]
                    f = fidx[j, b]
                    for c in range(ppp):
                        acc_re[c] = 0
                        acc_im[c] = 0
                    for i in range(m):
                        vr = z[s + 2 * i]
                        vi = z[s + 2 * i + 1]
                        br = bank_re[f, i]
                        bi = bank_im[f, i]
                        for c in range(ppp):
                            acc_re[c] += br[c] * vr - bi[c] * vi
                            acc_im[c] += br[c] * vi + bi[c] * vr
                    for c in range(ppp):
                        o = s + 2 * own[f, c]
                        dr = z[o] - acc_re[c]
                        di = z[o + 1] - acc_im[c]
                        total += dr * dr + di * di
    return total


@numba.njit(cache=True, nogil=True)
def second_difference_power(hp, centre):
    """Mean of |z[i−1] − 2 z[i] + z[i+1]|² over antennas, ports, symbol groups and the
    pilots centre[j, :] of each port."""
    n_rx, nu, n_t, _ = hp.shape
    n_c = centre.shape[1]
    acc = 0.0
    for r in range(n_rx):
        for j in range(nu):
            for t in range(n_t):
                for c in range(n_c):
                    i = centre[j, c]
                    d = hp[r, j, t, i - 1] - 2 * hp[r, j, t, i] + hp[r, j, t, i + 1]
                    acc += d.real * d.real + d.imag * d.imag
    n = n_rx * nu * n_t * n_c
    return acc / n if n else 0.0


@numba.njit(cache=True, nogil=True)
def residual_covariance(y, h, re_idx, ports, values, bundle, cov):
    """Accumulate Σ e eᴴ per bundle over the DM-RS REs of one CDM group.

    y (n_rx, N_symb · K) complex64, h (n_rx, ν, N_symb · K) complex64, re_idx (N,) int64 REs of
    the group, ports (m,) int64 layers of the group, values (m, N) complex64 their DM-RS,
    bundle (N,) int64, cov (G, n_rx, n_rx) complex128 accumulated in place;
    e_r = y_r − Σ_j h_rj a_j.
    """
    n_rx = y.shape[0]
    e = np.empty(n_rx, np.complex128)
    for n in range(re_idx.shape[0]):
        k = re_idx[n]
        for r in range(n_rx):
            acc = np.complex128(y[r, k])
            for c in range(ports.shape[0]):
                acc -= h[r, ports[c], k] * values[c, n]
            e[r] = acc
        g = bundle[n]
        for r in range(n_rx):
            for s in range(n_rx):
                cov[g, r, s] += e[r] * np.conj(e[s])

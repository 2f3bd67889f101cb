"""Compiled per-RE linear MIMO detection (MMSE / ZF / MMSE-IRC) for
:mod:`opennr.receiver.equalization`."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _solve(a, b, nu, s2, zf, min_pivot, linv, u, x_out, nv_out, i):
    """From the lower triangle of A = G (+ s2 I) and b = Hᴴy of RE i, write the unbiased
    x̂ = A⁻¹b / μ (MMSE, μ_p = 1 − s2 [A⁻¹]_pp) or A⁻¹b (ZF) and its effective noise variance.
    A singular A gives x̂ = 0 and nv = inf for every layer."""
    # Cholesky A = L Lᴴ in place (lower triangle)
    scale = 0.0
    for p in range(nu):
        scale = max(scale, a[p, p].real)
    for j in range(nu):
        d = a[j, j].real
        for k in range(j):
            d -= a[j, k].real * a[j, k].real + a[j, k].imag * a[j, k].imag
        if d <= min_pivot * scale or d <= 0.0:
            for p in range(nu):
                x_out[p, i] = 0.0
                nv_out[p, i] = np.inf
            return
        d = np.sqrt(d)
        a[j, j] = d
        for p in range(j + 1, nu):
            acc = a[p, j]
            for k in range(j):
                acc -= a[p, k] * np.conj(a[j, k])
            a[p, j] = acc / d
    # L⁻¹ (lower triangular)
    for j in range(nu):
        for p in range(nu):
            linv[p, j] = 0.0
        linv[j, j] = 1.0 / a[j, j].real
        for p in range(j + 1, nu):
            acc = 0j
            for k in range(j, p):
                acc -= a[p, k] * linv[k, j]
            linv[p, j] = acc / a[p, p].real
    # x = A⁻¹ b = L⁻ᴴ (L⁻¹ b)
    for p in range(nu):
        acc = 0j
        for k in range(p + 1):
            acc += linv[p, k] * b[k]
        u[p] = acc
    for p in range(nu):
        acc = 0j
        for k in range(p, nu):
            acc += np.conj(linv[k, p]) * u[k]
        # diag(A⁻¹)_p = Σ_k |L⁻¹_kp|²
        dg = 0.0
        for k in range(p, nu):
            dg += linv[k, p].real * linv[k, p].real + linv[k, p].imag * linv[k, p].imag
        if zf:
            x_out[p, i] = acc
            nv_out[p, i] = s2 * dg
        else:
            e = s2 * dg                  # 1 − μ_p, μ_p = [A⁻¹HᴴH]_pp
            mu = 1.0 - e
            if mu <= min_pivot:
                x_out[p, i] = 0.0
                nv_out[p, i] = np.inf
            else:
                x_out[p, i] = acc / mu
                nv_out[p, i] = e / mu


@numba.njit(cache=True, nogil=True)
def linear_detect(h, y, n0, n0_stride, zf, min_pivot, x_out, nv_out, a, linv, b, u):
    """x̂ = (HᴴH + σ²I)⁻¹Hᴴy (MMSE, unbiased) or (HᴴH)⁻¹Hᴴy (ZF) for every RE.

    h (n_rx, ν, n) complex64, y (n_rx, n) complex64, n0 (m,) float64 read at i * n0_stride,
    outputs x_out (ν, n) complex64 and nv_out (ν, n) float32 (effective noise variance of
    each layer after detection), scratch a/linv (ν, ν) complex128, b/u (ν,) complex128.
    A singular Gram matrix (ZF, or a zero channel) gives x̂ = 0 and nv = inf for its layers.
    """
    n_rx = h.shape[0]
    nu = h.shape[1]
    n = h.shape[2]
    for i in range(n):
        s2 = n0[i * n0_stride]
        # A = HᴴH (+ σ²I), lower triangle; b = Hᴴy
        for p in range(nu):
            for q in range(p + 1):
                acc = 0j
                for r in range(n_rx):
                    acc += np.conj(np.complex128(h[r, p, i])) * h[r, q, i]
                a[p, q] = acc
            if not zf:
                a[p, p] += s2
            acc = 0j
            for r in range(n_rx):
                acc += np.conj(np.complex128(h[r, p, i])) * y[r, i]
            b[p] = acc
        _solve(a, b, nu, s2, zf, min_pivot, linv, u, x_out, nv_out, i)


@numba.njit(cache=True, nogil=True)
def irc_detect(h, y, winv, group, group_stride, min_pivot, x_out, nv_out, a, linv, b, u,
               hw, yw):
    """MMSE-IRC: with the whitening W = L⁻¹ of R = L Lᴴ, x̂ = (H̃ᴴH̃ + I)⁻¹H̃ᴴỹ, H̃ = W H,
    ỹ = W y (= (HᴴR⁻¹H + I)⁻¹HᴴR⁻¹y), unbiased, for every RE.

    h (n_rx, ν, n) complex64, y (n_rx, n) complex64, winv (G, n_rx, n_rx) complex128 lower
    triangular, group (m,) int64 read at i * group_stride, outputs as for
    :func:`linear_detect`; scratch a/linv (ν, ν), b/u (ν,), hw (n_rx, ν), yw (n_rx,)
    complex128.
    """
    n_rx = h.shape[0]
    nu = h.shape[1]
    n = h.shape[2]
    for i in range(n):
        g = group[i * group_stride]
        for r in range(n_rx):
            acc = 0j
            for c in range(r + 1):
                acc += winv[g, r, c] * y[c, i]
            yw[r] = acc
            for p in range(nu):
                acc = 0j
                for c in range(r + 1):
                    acc += winv[g, r, c] * h[c, p, i]
                hw[r, p] = acc
        for p in range(nu):
            for q in range(p + 1):
                acc = 0j
                for r in range(n_rx):
                    acc += np.conj(hw[r, p]) * hw[r, q]
                a[p, q] = acc
            a[p, p] += 1.0
            acc = 0j
            for r in range(n_rx):
                acc += np.conj(hw[r, p]) * yw[r]
            b[p] = acc
        _solve(a, b, nu, 1.0, False, min_pivot, linv, u, x_out, nv_out, i)

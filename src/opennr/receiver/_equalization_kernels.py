"""Compiled per-RE linear MIMO detection (MMSE / ZF / MMSE-IRC) for
:mod:`opennr.receiver.equalization`.

The REs go through in blocks. Within a block every quantity is kept as separate float64 planes
of real and imaginary parts with the RE innermost (``hr[r, p, b]``, ``ar[p, q, b]``, ...), and
every inner loop runs over the REs of the block, so that LLVM vectorises across REs. The Gram
matrix G = HᴴH is accumulated in float64 from the complex64 samples (products of float32 numbers
are exact in float64), which keeps the ill-conditioned cases as accurate as a float64 solver.

One layer and two layers have closed forms; more layers use an LDLᴴ factorisation of the
ν × ν Hermitian matrix, RE by RE but vectorised across the block.
"""

from __future__ import annotations

import numba
import numpy as np

MMSE = 0
ZF = 1
IRC = 2


@numba.njit(cache=True, nogil=True)
def all_finite(v):
    """True when no entry of the 1-D float array ``v`` is NaN or infinite."""
    bad = 0
    for i in range(v.shape[0]):
        bad |= not (abs(v[i]) < np.inf)
    return bad == 0


@numba.njit(cache=True, nogil=True)
def _load(hf, yf, i0, nb, hr, hi, yr, yi):
    """Split the complex64 channel and samples of REs i0..i0+nb−1 (float32 views with real and
    imaginary parts interleaved) into float64 planes."""
    n_rx = hf.shape[0]
    nu = hf.shape[1]
    for r in range(n_rx):
        for p in range(nu):
            src = hf[r, p, 2 * i0:2 * (i0 + nb)]
            dr = hr[r, p]
            di = hi[r, p]
            for b in range(nb):
                dr[b] = src[2 * b]
                di[b] = src[2 * b + 1]
        src = yf[r, 2 * i0:2 * (i0 + nb)]
        dr = yr[r]
        di = yi[r]
        for b in range(nb):
            dr[b] = src[2 * b]
            di[b] = src[2 * b + 1]


@numba.njit(cache=True, nogil=True)
def _whiten(winv, group, group_stride, i0, nb, hr, hi, yr, yi, wr, wi):
    """H ← W H and y ← W y with the lower-triangular whitening W = L⁻¹ of the covariance group
    of each RE (rows from the last one up, so that the product can be formed in place)."""
    n_rx = hr.shape[0]
    nu = hr.shape[1]
    for r in range(n_rx):
        for c in range(r + 1):
            d_r = wr[r, c]
            d_i = wi[r, c]
            for b in range(nb):
                g = group[(i0 + b) * group_stride]
                w = winv[g, r, c]
                d_r[b] = w.real
                d_i[b] = w.imag
    for r in range(n_rx - 1, -1, -1):
        for p in range(nu + 1):
            if p < nu:
                xr = hr[r, p]
                xi = hi[r, p]
            else:
                xr = yr[r]
                xi = yi[r]
            w_r = wr[r, r]
            w_i = wi[r, r]
            for b in range(nb):
                tr = w_r[b] * xr[b] - w_i[b] * xi[b]
                ti = w_r[b] * xi[b] + w_i[b] * xr[b]
                xr[b] = tr
                xi[b] = ti
            for c in range(r):
                if p < nu:
                    sr = hr[c, p]
                    si = hi[c, p]
                else:
                    sr = yr[c]
                    si = yi[c]
                w_r = wr[r, c]
                w_i = wi[r, c]
                for b in range(nb):
                    xr[b] += w_r[b] * sr[b] - w_i[b] * si[b]
                    xi[b] += w_r[b] * si[b] + w_i[b] * sr[b]


@numba.njit(cache=True, nogil=True)
def _gram(nb, hr, hi, yr, yi, ar, ai, br, bi):
    """Lower triangle of G = HᴴH (ar, ai) and the matched filter Hᴴy (br, bi) of the block."""
    n_rx = hr.shape[0]
    nu = hr.shape[1]
    for p in range(nu):
        for q in range(p + 1):
            gr = ar[p, q]
            gi = ai[p, q]
            for b in range(nb):
                gr[b] = 0.0
                gi[b] = 0.0
            for r in range(n_rx):
                pr = hr[r, p]
                pi = hi[r, p]
                qr = hr[r, q]
                qi = hi[r, q]
                for b in range(nb):
                    gr[b] += pr[b] * qr[b] + pi[b] * qi[b]
                    gi[b] += pr[b] * qi[b] - pi[b] * qr[b]
        ur = br[p]
        ui = bi[p]
        for b in range(nb):
            ur[b] = 0.0
            ui[b] = 0.0
        for r in range(n_rx):
            pr = hr[r, p]
            pi = hi[r, p]
            vr = yr[r]
            vi = yi[r]
            for b in range(nb):
                ur[b] += pr[b] * vr[b] + pi[b] * vi[b]
                ui[b] += pr[b] * vi[b] - pi[b] * vr[b]


@numba.njit(cache=True, nogil=True)
def _solve1(nb, i0, s2, zf, min_pivot, ar, br, bi, xf, nv):
    """One layer: x̂ = Hᴴy / ‖h‖² and σ²/‖h‖² for ZF and for unbiased MMSE alike (μ = g/(g+σ²));
    a zero channel (ZF) or μ ≤ min_pivot (MMSE) gives x̂ = 0 and an infinite noise variance."""
    g = ar[0, 0]
    ur = br[0]
    ui = bi[0]
    xo = xf[0, 2 * i0:2 * (i0 + nb)]
    vo = nv[0, i0:i0 + nb]
    for b in range(nb):
        gb = g[b]
        lim = min_pivot * (gb + s2[b])
        if zf:
            lim = 0.0
        ok = gb > lim
        inv = 1.0 / gb if ok else 0.0
        xo[2 * b] = ur[b] * inv
        xo[2 * b + 1] = ui[b] * inv
        vo[b] = s2[b] * inv if ok else np.inf


@numba.njit(cache=True, nogil=True)
def _solve2(nb, i0, s2, zf, min_pivot, ar, ai, br, bi, xf, nv):
    """Two layers, closed form. With a = g₀₀ + σ², d = g₁₁ + σ² (MMSE; σ² left out for ZF) and
    c = g₀₁: x̂₀ = (d b₀ − c b₁) / (g₀₀ d − |c|²), noise σ² d / (g₀₀ d − |c|²), and the same with
    the roles swapped for layer 1; the denominators are μ_p det A. The pivots of the
    factorisation (a and det A / a) and μ_p are tested as in the general case."""
    g00 = ar[0, 0]
    g11 = ar[1, 1]
    g10r = ar[1, 0]
    g10i = ai[1, 0]
    u0r = br[0]
    u0i = bi[0]
    u1r = br[1]
    u1i = bi[1]
    x0 = xf[0, 2 * i0:2 * (i0 + nb)]
    x1 = xf[1, 2 * i0:2 * (i0 + nb)]
    v0 = nv[0, i0:i0 + nb]
    v1 = nv[1, i0:i0 + nb]
    for b in range(nb):
        sb = s2[b]
        load = 0.0 if zf else sb
        a = g00[b] + load
        d = g11[b] + load
        cr = g10r[b]               # c = g₀₁ = conj(g₁₀)
        ci = -g10i[b]
        cc = cr * cr + ci * ci
        det = a * d - cc
        scale = max(a, d)
        lim = min_pivot * scale
        ok = (a > lim) & (det > lim * a)
        n0 = g00[b] * d - cc
        n1 = g11[b] * a - cc
        ok0 = ok
        ok1 = ok
        if not zf:
            lim_mu = min_pivot * det
            ok0 = ok & (n0 > lim_mu)
            ok1 = ok & (n1 > lim_mu)
        i0v = 1.0 / n0 if ok0 else 0.0
        i1v = 1.0 / n1 if ok1 else 0.0
        # x̂₀ = (d b₀ − c b₁) / n0, x̂₁ = (a b₁ − c* b₀) / n1
        x0[2 * b] = (d * u0r[b] - (cr * u1r[b] - ci * u1i[b])) * i0v
        x0[2 * b + 1] = (d * u0i[b] - (cr * u1i[b] + ci * u1r[b])) * i0v
        x1[2 * b] = (a * u1r[b] - (cr * u0r[b] + ci * u0i[b])) * i1v
        x1[2 * b + 1] = (a * u1i[b] - (cr * u0i[b] - ci * u0r[b])) * i1v
        v0[b] = sb * d * i0v if ok0 else np.inf
        v1[b] = sb * a * i1v if ok1 else np.inf


@numba.njit(cache=True, nogil=True)
def _solve_ldl(nb, i0, s2, zf, min_pivot, ar, ai, br, bi, dd, mr, mi, bad, xf, nv):
    """ν layers: A = G (+ σ²I) = L D Lᴴ (L unit lower triangular, stored over the strict lower
    triangle of A), x̃ = A⁻¹Hᴴy by forward and back substitution, diag(A⁻¹) from M = L⁻¹ as
    Σ_k |M_kp|² / D_k; unbiased MMSE x̂ = x̃ / μ with μ_p = 1 − σ²[A⁻¹]_pp. A pivot
    D_j ≤ min_pivot · max_p A_pp marks the RE singular: x̂ = 0, infinite noise variance."""
    nu = ar.shape[0]
    if not zf:
        for p in range(nu):
            d = ar[p, p]
            for b in range(nb):
                d[b] += s2[b]
    sc = dd[2 * nu]
    for b in range(nb):
        sc[b] = 0.0
        bad[b] = 0.0
    for p in range(nu):
        d = ar[p, p]
        for b in range(nb):
            sc[b] = max(sc[b], d[b])
    for b in range(nb):
        sc[b] *= min_pivot
    # A = L D Lᴴ, column by column; dd[j] = D_j, dd[ν + j] = 1 / D_j
    for j in range(nu):
        dj = dd[j]
        ej = dd[nu + j]
        ajj = ar[j, j]
        for b in range(nb):
            dj[b] = ajj[b]
        for k in range(j):
            lr = ar[j, k]
            li = ai[j, k]
            dk = dd[k]
            for b in range(nb):
                dj[b] -= (lr[b] * lr[b] + li[b] * li[b]) * dk[b]
        for b in range(nb):
            sing = (dj[b] <= sc[b]) | (dj[b] <= 0.0)
            bad[b] = 1.0 if sing else bad[b]
            dj[b] = 1.0 if sing else dj[b]
            ej[b] = 1.0 / dj[b]
        for p in range(j + 1, nu):
            tr = ar[p, j]
            ti = ai[p, j]
            for k in range(j):
                pr = ar[p, k]
                pi = ai[p, k]
                qr = ar[j, k]
                qi = ai[j, k]
                dk = dd[k]
                for b in range(nb):
                    # L_pk conj(L_jk) D_k
                    tr[b] -= (pr[b] * qr[b] + pi[b] * qi[b]) * dk[b]
                    ti[b] -= (pi[b] * qr[b] - pr[b] * qi[b]) * dk[b]
            for b in range(nb):
                tr[b] *= ej[b]
                ti[b] *= ej[b]
    # u = L⁻¹ Hᴴy, then x̃ = L⁻ᴴ D⁻¹ u (in place in br, bi)
    for p in range(nu):
        ur = br[p]
        ui = bi[p]
        for k in range(p):
            lr = ar[p, k]
            li = ai[p, k]
            vr = br[k]
            vi = bi[k]
            for b in range(nb):
                ur[b] -= lr[b] * vr[b] - li[b] * vi[b]
                ui[b] -= lr[b] * vi[b] + li[b] * vr[b]
    for p in range(nu - 1, -1, -1):
        ur = br[p]
        ui = bi[p]
        dp = dd[nu + p]
        for b in range(nb):
            ur[b] *= dp[b]
            ui[b] *= dp[b]
        for k in range(p + 1, nu):
            lr = ar[k, p]
            li = ai[k, p]
            vr = br[k]
            vi = bi[k]
            for b in range(nb):
                ur[b] -= lr[b] * vr[b] + li[b] * vi[b]
                ui[b] -= lr[b] * vi[b] - li[b] * vr[b]
    # M = L⁻¹ (unit lower): M_pj = −Σ_{k=j}^{p−1} L_pk M_kj
    for j in range(nu):
        for p in range(j + 1, nu):
            tr = mr[p, j]
            ti = mi[p, j]
            lr = ar[p, j]
            li = ai[p, j]
            for b in range(nb):
                tr[b] = -lr[b]
                ti[b] = -li[b]
            for k in range(j + 1, p):
                lr = ar[p, k]
                li = ai[p, k]
                vr = mr[k, j]
                vi = mi[k, j]
                for b in range(nb):
                    tr[b] -= lr[b] * vr[b] - li[b] * vi[b]
                    ti[b] -= lr[b] * vi[b] + li[b] * vr[b]
    # diag(A⁻¹)_p = 1/D_p + Σ_{k>p} |M_kp|²/D_k, into sc; outputs
    for p in range(nu):
        dg = sc
        dp = dd[nu + p]
        for b in range(nb):
            dg[b] = dp[b]
        for k in range(p + 1, nu):
            vr = mr[k, p]
            vi = mi[k, p]
            dk = dd[nu + k]
            for b in range(nb):
                dg[b] += (vr[b] * vr[b] + vi[b] * vi[b]) * dk[b]
        ur = br[p]
        ui = bi[p]
        xo = xf[p, 2 * i0:2 * (i0 + nb)]
        vo = nv[p, i0:i0 + nb]
        for b in range(nb):
            e = s2[b] * dg[b]
            if zf:
                ok = bad[b] == 0.0
                f = 1.0 if ok else 0.0
                v = e if ok else np.inf
            else:
                mu = 1.0 - e
                ok = (bad[b] == 0.0) & (mu > min_pivot)
                f = 1.0 / mu if ok else 0.0
                v = e * f if ok else np.inf
            xo[2 * b] = ur[b] * f
            xo[2 * b + 1] = ui[b] * f
            vo[b] = v


@numba.njit(cache=True, nogil=True)
def _detect_range(hf, yf, n0, n0_stride, winv, group, group_stride, mode, min_pivot, block,
                  i_start, i_stop, xf, nv):
    """Detect REs i_start..i_stop−1 (see :func:`detect`), block by block."""
    n_rx = hf.shape[0]
    nu = hf.shape[1]
    hr = np.empty((n_rx, nu, block))
    hi = np.empty((n_rx, nu, block))
    yr = np.empty((n_rx, block))
    yi = np.empty((n_rx, block))
    n_w = n_rx if mode == IRC else 0
    wr = np.empty((n_w, n_w, block))
    wi = np.empty((n_w, n_w, block))
    ar = np.empty((nu, nu, block))
    ai = np.empty((nu, nu, block))
    br = np.empty((nu, block))
    bi = np.empty((nu, block))
    s2 = np.empty(block)
    n_m = nu if nu > 2 else 0
    dd = np.empty((2 * n_m + 1, block))
    mr = np.empty((n_m, n_m, block))
    mi = np.empty((n_m, n_m, block))
    bad = np.empty(block)
    zf = mode == ZF
    for i0 in range(i_start, i_stop, block):
        nb = min(block, i_stop - i0)
        _load(hf, yf, i0, nb, hr, hi, yr, yi)
        if mode == IRC:
            _whiten(winv, group, group_stride, i0, nb, hr, hi, yr, yi, wr, wi)
            for b in range(nb):
                s2[b] = 1.0
        elif n0_stride == 0:
            for b in range(nb):
                s2[b] = n0[0]
        else:
            for b in range(nb):
                s2[b] = n0[i0 + b]
        _gram(nb, hr, hi, yr, yi, ar, ai, br, bi)
        if nu == 1:
            _solve1(nb, i0, s2, zf, min_pivot, ar, br, bi, xf, nv)
        elif nu == 2:
            _solve2(nb, i0, s2, zf, min_pivot, ar, ai, br, bi, xf, nv)
        else:
            _solve_ldl(nb, i0, s2, zf, min_pivot, ar, ai, br, bi, dd, mr, mi, bad, xf, nv)


@numba.njit(cache=True, nogil=True)
def detect(hf, yf, n0, n0_stride, winv, group, group_stride, mode, min_pivot, block, xf, nv):
    """Linear detection of every RE on one thread: unbiased MMSE x̂ = (HᴴH + σ²I)⁻¹Hᴴy / μ,
    ZF x̂ = (HᴴH)⁻¹Hᴴy, or MMSE-IRC (MMSE with σ² = 1 after whitening H and y by the
    lower-triangular W = L⁻¹ of R = L Lᴴ), with the effective noise variance of each layer.

    hf (n_rx, ν, 2m) and yf (n_rx, 2m) float32: complex64 channel and samples viewed as real
    and imaginary parts; n0 float64 read at i · n0_stride (MMSE, ZF); winv (G, n_rx, n_rx)
    complex128 and group (m,) int64 read at i · group_stride (IRC); mode MMSE, ZF or IRC;
    outputs xf (ν, 2m) float32 (a complex64 array viewed as float32) and nv (ν, m) float32.
    A singular matrix gives x̂ = 0 and nv = inf.
    """
    _detect_range(hf, yf, n0, n0_stride, winv, group, group_stride, mode, min_pivot, block, 0,
                  nv.shape[1], xf, nv)


@numba.njit(cache=True, nogil=True, parallel=True)
def detect_parallel(hf, yf, n0, n0_stride, winv, group, group_stride, mode, min_pivot, block,
                    n_chunks, xf, nv):
    """:func:`detect` with the REs split into ``n_chunks`` chunks on numba threads (each RE is
    independent, so the result does not depend on the number of threads)."""
    m = nv.shape[1]
    for c in numba.prange(n_chunks):
        i_start = c * m // n_chunks
        i_stop = (c + 1) * m // n_chunks
        _detect_range(hf, yf, n0, n0_stride, winv, group, group_stride, mode, min_pivot, block,
                      i_start, i_stop, xf, nv)

"""Compiled per-RE linear MIMO detection (MMSE / ZF / MMSE-IRC) for
:mod:`opennr.receiver.equalization`.

The REs go through in blocks. Within a block every quantity is kept as separate float64 planes
of real and imaginary parts with the RE innermost (``hr[r, p, b]``, ``ar[t, b]``, ...), and every
inner loop runs over the REs of the block with plain unit-stride indexing, so that LLVM
vectorises across REs. Hermitian and triangular ν × ν matrices are packed by rows of their
lower triangle (entry (p, q), q ≤ p, at t = p(p+1)/2 + q). The Gram matrix G = HᴴH is
accumulated in float64 from the complex64 samples (products of float32 numbers are exact in
float64), which keeps ill-conditioned channels as accurate as a float64 solver; sums over the
receive antennas go two antennas per pass to halve the loads and stores of the accumulators.

One and two layers without whitening form G and Hᴴy straight from the interleaved complex64
samples and have closed forms; more layers, and MMSE-IRC, first split H and y into planes
(whitening them for IRC), and more than two layers use an LDLᴴ factorisation of the ν × ν
Hermitian matrix, RE by RE but vectorised across the block.

What keeps the loops vectorised: the numpy error model (Python's zero-division check would
put a branch in every division), accumulators cleared before the antenna passes rather than
selected on the first pass, no more than a few arrays written per loop, and estimates written
through planes before they are interleaved into the complex64 output. The kernels run on the
calling thread and release the GIL, so slots can be detected on threads by the caller.
"""

from __future__ import annotations

import numba
import numpy as np

MMSE = 0
ZF = 1
IRC = 2

_FM = {"contract"}      # fused multiply-add; no assumption about NaN or infinity


@numba.njit(cache=True, nogil=True, inline="always")
def _tri(p, q):
    return p * (p + 1) // 2 + q


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _load(hf, yf, i0, nb, hr, hi, yr, yi):
    """Split the complex64 channel and samples of REs i0..i0+nb−1 (float32 views with real and
    imaginary parts interleaved) into float64 planes; return 1 if a sample and 2 if a channel
    coefficient is NaN or infinite (or both)."""
    n_rx = hf.shape[0]
    nu = hf.shape[1]
    bad_h = 0
    bad_y = 0
    for r in range(n_rx):
        for p in range(nu):
            src = hf[r, p, 2 * i0:2 * (i0 + nb)]
            dr = hr[r, p]
            di = hi[r, p]
            for b in range(nb):
                dr[b] = src[2 * b]
                di[b] = src[2 * b + 1]
                bad_h |= not (abs(dr[b]) + abs(di[b]) < np.inf)
        src = yf[r, 2 * i0:2 * (i0 + nb)]
        dr = yr[r]
        di = yi[r]
        for b in range(nb):
            dr[b] = src[2 * b]
            di[b] = src[2 * b + 1]
            bad_y |= not (abs(dr[b]) + abs(di[b]) < np.inf)
    return (1 if bad_y else 0) | (2 if bad_h else 0)


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _whiten(wtr, wti, group, group_stride, i0, nb, hr, hi, yr, yi, wr, wi):
    """H ← W H and y ← W y with the lower-triangular whitening W = L⁻¹ of the covariance group
    of each RE: entry t of the packed W of group g is (wtr[t, g], wti[t, g]). W is gathered
    into planes for the block; the rows go from the last one up, so that the product is
    formed in place."""
    n_rx = hr.shape[0]
    nu = hr.shape[1]
    if group_stride == 0:
        g = group[0]
        for t in range(wtr.shape[0]):
            d_r = wr[t]
            d_i = wi[t]
            w_r = wtr[t, g]
            w_i = wti[t, g]
            for b in range(nb):
                d_r[b] = w_r
                d_i[b] = w_i
    else:
        grp = group[i0:i0 + nb]
        for t in range(wtr.shape[0]):
            d_r = wr[t]
            d_i = wi[t]
            s_r = wtr[t]
            s_i = wti[t]
            for b in range(nb):
                d_r[b] = s_r[grp[b]]
                d_i[b] = s_i[grp[b]]
    for r in range(n_rx - 1, -1, -1):
        d = wr[_tri(r, r)]                  # the diagonal of W is real
        for p in range(nu + 1):
            xr, xi = _column(hr, hi, yr, yi, r, p)
            if r == 0:
                for b in range(nb):
                    xr[b] *= d[b]
                    xi[b] *= d[b]
                continue
            # x_r ← W_rr x_r + W_r0 x_0, then the other columns c < r two by two
            sr, si = _column(hr, hi, yr, yi, 0, p)
            ur = wr[_tri(r, 0)]
            ui = wi[_tri(r, 0)]
            for b in range(nb):
                tr = d[b] * xr[b] + (ur[b] * sr[b] - ui[b] * si[b])
                ti = d[b] * xi[b] + (ur[b] * si[b] + ui[b] * sr[b])
                xr[b] = tr
                xi[b] = ti
            c = 1
            while c < r:
                sr, si = _column(hr, hi, yr, yi, c, p)
                ur = wr[_tri(r, c)]
                ui = wi[_tri(r, c)]
                if c + 1 < r:
                    tr_, ti_ = _column(hr, hi, yr, yi, c + 1, p)
                    vr = wr[_tri(r, c + 1)]
                    vi = wi[_tri(r, c + 1)]
                    for b in range(nb):
                        xr[b] += (ur[b] * sr[b] - ui[b] * si[b]) + (vr[b] * tr_[b] - vi[b] * ti_[b])
                        xi[b] += (ur[b] * si[b] + ui[b] * sr[b]) + (vr[b] * ti_[b] + vi[b] * tr_[b])
                else:
                    for b in range(nb):
                        xr[b] += ur[b] * sr[b] - ui[b] * si[b]
                        xi[b] += ur[b] * si[b] + ui[b] * sr[b]
                c += 2


@numba.njit(cache=True, nogil=True, inline="always")
def _column(hr, hi, yr, yi, r, p):
    """Planes of antenna r of layer p of H, or of y for p = ν."""
    if p < hr.shape[1]:
        return hr[r, p], hi[r, p]
    return yr[r], yi[r]


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy", inline="always")
def _cdot1(nb, first, gr, gi, pr, pi, qr, qi):
    """g (+)= conj(p) q over the block."""
    if first:
        for b in range(nb):
            gr[b] = pr[b] * qr[b] + pi[b] * qi[b]
            gi[b] = pr[b] * qi[b] - pi[b] * qr[b]
    else:
        for b in range(nb):
            gr[b] += pr[b] * qr[b] + pi[b] * qi[b]
            gi[b] += pr[b] * qi[b] - pi[b] * qr[b]


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy", inline="always")
def _cdot2(nb, first, gr, gi, pr, pi, qr, qi, sr, si, tr, ti):
    """g (+)= conj(p) q + conj(s) t over the block."""
    if first:
        for b in range(nb):
            gr[b] = (pr[b] * qr[b] + pi[b] * qi[b]) + (sr[b] * tr[b] + si[b] * ti[b])
            gi[b] = (pr[b] * qi[b] - pi[b] * qr[b]) + (sr[b] * ti[b] - si[b] * tr[b])
    else:
        for b in range(nb):
            gr[b] += (pr[b] * qr[b] + pi[b] * qi[b]) + (sr[b] * tr[b] + si[b] * ti[b])
            gi[b] += (pr[b] * qi[b] - pi[b] * qr[b]) + (sr[b] * ti[b] - si[b] * tr[b])


@numba.njit(cache=True, nogil=True)
def _gram(nb, hr, hi, yr, yi, ar, ai, br, bi):
    """Packed lower triangle of G = HᴴH (ar, ai) and the matched filter Hᴴy (br, bi) of the
    block, two receive antennas per pass."""
    n_rx = hr.shape[0]
    nu = hr.shape[1]
    for p in range(nu + 1):
        for q in range(min(p + 1, nu)):
            # (p, q) of G for p < ν; row ν is Hᴴy (layer q against the samples)
            if p < nu:
                gr = ar[_tri(p, q)]
                gi = ai[_tri(p, q)]
            else:
                gr = br[q]
                gi = bi[q]
            r = 0
            while r + 1 < n_rx:
                if p < nu:
                    _cdot2(nb, r == 0, gr, gi, hr[r, p], hi[r, p], hr[r, q], hi[r, q],
                           hr[r + 1, p], hi[r + 1, p], hr[r + 1, q], hi[r + 1, q])
                else:
                    _cdot2(nb, r == 0, gr, gi, hr[r, q], hi[r, q], yr[r], yi[r],
                           hr[r + 1, q], hi[r + 1, q], yr[r + 1], yi[r + 1])
                r += 2
            if r < n_rx:
                if p < nu:
                    _cdot1(nb, r == 0, gr, gi, hr[r, p], hi[r, p], hr[r, q], hi[r, q])
                else:
                    _cdot1(nb, r == 0, gr, gi, hr[r, q], hi[r, q], yr[r], yi[r])


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _gram1(hf, yf, i0, nb, g, br, bi):
    """One layer straight from the interleaved complex64 samples: g = ‖h‖², Hᴴy, two
    receive antennas per pass; return the non-finite flags of :func:`_load`."""
    n_rx = hf.shape[0]
    bad_h = 0
    bad_y = 0
    for b in range(nb):
        g[b] = 0.0
        br[b] = 0.0
        bi[b] = 0.0
    r = 0
    while r < n_rx:
        h0 = hf[r, 0, 2 * i0:2 * (i0 + nb)]
        y0 = yf[r, 2 * i0:2 * (i0 + nb)]
        pair = r + 1 < n_rx
        h1 = hf[r + 1 if pair else r, 0, 2 * i0:2 * (i0 + nb)]
        y1 = yf[r + 1 if pair else r, 2 * i0:2 * (i0 + nb)]
        w1 = 1.0 if pair else 0.0
        for b in range(nb):
            ar0 = np.float64(h0[2 * b])
            ai0 = np.float64(h0[2 * b + 1])
            vr0 = np.float64(y0[2 * b])
            vi0 = np.float64(y0[2 * b + 1])
            ar1 = np.float64(h1[2 * b]) * w1
            ai1 = np.float64(h1[2 * b + 1]) * w1
            vr1 = np.float64(y1[2 * b])
            vi1 = np.float64(y1[2 * b + 1])
            eg = (ar0 * ar0 + ai0 * ai0) + (ar1 * ar1 + ai1 * ai1)
            er = (ar0 * vr0 + ai0 * vi0) + (ar1 * vr1 + ai1 * vi1)
            ei = (ar0 * vi0 - ai0 * vr0) + (ar1 * vi1 - ai1 * vr1)
            g[b] += eg
            br[b] += er
            bi[b] += ei
            bad_h |= not (abs(ar0) + abs(ai0) + abs(ar1) + abs(ai1) < np.inf)
            bad_y |= not (abs(vr0) + abs(vi0) + abs(vr1) + abs(vi1) < np.inf)
        r += 2
    return (1 if bad_y else 0) | (2 if bad_h else 0)


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _gram2(hf, yf, i0, nb, ar, ai, br, bi):
    """Two layers straight from the interleaved complex64 samples: the packed G = HᴴH and
    Hᴴy, two receive antennas per pass; return the non-finite flags of :func:`_load`."""
    n_rx = hf.shape[0]
    bad_h = 0
    bad_y = 0
    g00 = ar[0]
    g10r = ar[1]
    g10i = ai[1]
    g11 = ar[2]
    u0r = br[0]
    u0i = bi[0]
    u1r = br[1]
    u1i = bi[1]
    for b in range(nb):
        g00[b] = 0.0
        g10r[b] = 0.0
        g10i[b] = 0.0
        g11[b] = 0.0
        u0r[b] = 0.0
        u0i[b] = 0.0
        u1r[b] = 0.0
        u1i[b] = 0.0
    r = 0
    while r < n_rx:
        pair = r + 1 < n_rx
        s = r + 1 if pair else r
        p0 = hf[r, 0, 2 * i0:2 * (i0 + nb)]
        q0 = hf[r, 1, 2 * i0:2 * (i0 + nb)]
        y0 = yf[r, 2 * i0:2 * (i0 + nb)]
        p1 = hf[s, 0, 2 * i0:2 * (i0 + nb)]
        q1 = hf[s, 1, 2 * i0:2 * (i0 + nb)]
        y1 = yf[s, 2 * i0:2 * (i0 + nb)]
        w1 = 1.0 if pair else 0.0
        for b in range(nb):
            # antenna r: (pr, pi) layer 0, (qr, qi) layer 1, (vr, vi) sample; antenna s weighted
            pr0 = np.float64(p0[2 * b])
            pi0 = np.float64(p0[2 * b + 1])
            qr0 = np.float64(q0[2 * b])
            qi0 = np.float64(q0[2 * b + 1])
            vr0 = np.float64(y0[2 * b])
            vi0 = np.float64(y0[2 * b + 1])
            pr1 = np.float64(p1[2 * b]) * w1
            pi1 = np.float64(p1[2 * b + 1]) * w1
            qr1 = np.float64(q1[2 * b]) * w1
            qi1 = np.float64(q1[2 * b + 1]) * w1
            vr1 = np.float64(y1[2 * b])
            vi1 = np.float64(y1[2 * b + 1])
            e00 = (pr0 * pr0 + pi0 * pi0) + (pr1 * pr1 + pi1 * pi1)
            e11 = (qr0 * qr0 + qi0 * qi0) + (qr1 * qr1 + qi1 * qi1)
            e10r = (qr0 * pr0 + qi0 * pi0) + (qr1 * pr1 + qi1 * pi1)      # conj(q) p
            e10i = (qr0 * pi0 - qi0 * pr0) + (qr1 * pi1 - qi1 * pr1)
            f0r = (pr0 * vr0 + pi0 * vi0) + (pr1 * vr1 + pi1 * vi1)       # conj(p) y
            f0i = (pr0 * vi0 - pi0 * vr0) + (pr1 * vi1 - pi1 * vr1)
            f1r = (qr0 * vr0 + qi0 * vi0) + (qr1 * vr1 + qi1 * vi1)       # conj(q) y
            f1i = (qr0 * vi0 - qi0 * vr0) + (qr1 * vi1 - qi1 * vr1)
            g00[b] += e00
            g11[b] += e11
            g10r[b] += e10r
            g10i[b] += e10i
            u0r[b] += f0r
            u0i[b] += f0i
            u1r[b] += f1r
            u1i[b] += f1i
            bad_h |= not (abs(pr0) + abs(pi0) + abs(qr0) + abs(qi0) + abs(pr1) + abs(pi1)
                          + abs(qr1) + abs(qi1) < np.inf)
            bad_y |= not (abs(vr0) + abs(vi0) + abs(vr1) + abs(vi1) < np.inf)
        r += 2
    return (1 if bad_y else 0) | (2 if bad_h else 0)


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _solve1(nb, i0, s2, zf, min_pivot, g, br, bi, xf, nv):
    """One layer: x̂ = Hᴴy / ‖h‖² and σ²/‖h‖² for ZF and for unbiased MMSE alike (μ = g/(g+σ²));
    a zero channel (ZF) or μ ≤ min_pivot (MMSE) gives x̂ = 0 and an infinite noise variance."""
    xo = xf[0, 2 * i0:2 * (i0 + nb)]
    vo = nv[0, i0:i0 + nb]
    mp = 0.0 if zf else min_pivot
    for b in range(nb):
        gb = g[b]
        ok = gb > mp * (gb + s2[b])
        inv = 1.0 / gb if ok else 0.0
        xo[2 * b] = br[b] * inv
        xo[2 * b + 1] = bi[b] * inv
        vo[b] = s2[b] * inv if ok else np.inf


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _solve2(nb, s2, zf, min_pivot, ar, ai, br, bi, vb):
    """Two layers, closed form. With a = g₀₀ + σ², d = g₁₁ + σ² (MMSE; σ² left out for ZF) and
    c = g₀₁: x̂₀ = (d b₀ − c b₁) / (g₀₀ d − |c|²), noise σ² d / (g₀₀ d − |c|²), and the same with
    the roles swapped for layer 1; the denominators are μ_p det A. The pivots of the
    factorisation (a and det A / a) and μ_p are tested as in the general case. x̂ goes over
    Hᴴy in (br, bi), the noise variances into vb."""
    g00 = ar[0]
    g10r = ar[1]
    g10i = ai[1]
    g11 = ar[2]
    u0r = br[0]
    u0i = bi[0]
    u1r = br[1]
    u1i = bi[1]
    v0 = vb[0]
    v1 = vb[1]
    for b in range(nb):
        sb = s2[b]
        load = 0.0 if zf else sb
        a = g00[b] + load
        d = g11[b] + load
        cr = g10r[b]               # c = g₀₁ = conj(g₁₀)
        ci = -g10i[b]
        cc = cr * cr + ci * ci
        det = a * d - cc
        lim = min_pivot * max(a, d)
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
        b0r = u0r[b]
        b0i = u0i[b]
        b1r = u1r[b]
        b1i = u1i[b]
        u0r[b] = (d * b0r - (cr * b1r - ci * b1i)) * i0v
        u0i[b] = (d * b0i - (cr * b1i + ci * b1r)) * i0v
        u1r[b] = (a * b1r - (cr * b0r + ci * b0i)) * i1v
        u1i[b] = (a * b1i - (cr * b0i - ci * b0r)) * i1v
        v0[b] = sb * d * i0v if ok0 else np.inf
        v1[b] = sb * a * i1v if ok1 else np.inf


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _solve_ldl(nb, s2, zf, min_pivot, ar, ai, br, bi, dd, mr, mi, bad, vb):
    """ν layers: A = G (+ σ²I) = L D Lᴴ (L unit lower triangular, stored over the strict lower
    triangle of A), x̃ = A⁻¹Hᴴy by forward and back substitution, diag(A⁻¹) from M = L⁻¹ as
    Σ_k |M_kp|² / D_k; unbiased MMSE x̂ = x̃ / μ with μ_p = 1 − σ²[A⁻¹]_pp. A pivot
    D_j ≤ min_pivot · max_p A_pp marks the RE singular: x̂ = 0, infinite noise variance.
    x̂ goes over Hᴴy in (br, bi), the noise variances into vb."""
    nu = br.shape[0]
    if not zf:
        for p in range(nu):
            d = ar[_tri(p, p)]
            for b in range(nb):
                d[b] += s2[b]
    sc = dd[2 * nu]
    for b in range(nb):
        sc[b] = 0.0
        bad[b] = 0.0
    for p in range(nu):
        d = ar[_tri(p, p)]
        for b in range(nb):
            sc[b] = max(sc[b], d[b])
    for b in range(nb):
        sc[b] *= min_pivot
    # A = L D Lᴴ, column by column; dd[j] = D_j, dd[ν + j] = 1 / D_j
    for j in range(nu):
        dj = dd[j]
        ej = dd[nu + j]
        ajj = ar[_tri(j, j)]
        for b in range(nb):
            dj[b] = ajj[b]
        for k in range(j):
            lr = ar[_tri(j, k)]
            li = ai[_tri(j, k)]
            dk = dd[k]
            for b in range(nb):
                dj[b] -= (lr[b] * lr[b] + li[b] * li[b]) * dk[b]
        for b in range(nb):
            sing = (dj[b] <= sc[b]) | (dj[b] <= 0.0)
            bad[b] = 1.0 if sing else bad[b]
            dj[b] = 1.0 if sing else dj[b]
            ej[b] = 1.0 / dj[b]
        for p in range(j + 1, nu):
            tr = ar[_tri(p, j)]
            ti = ai[_tri(p, j)]
            for k in range(j):
                pr = ar[_tri(p, k)]
                pi = ai[_tri(p, k)]
                qr = ar[_tri(j, k)]
                qi = ai[_tri(j, k)]
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
            lr = ar[_tri(p, k)]
            li = ai[_tri(p, k)]
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
            lr = ar[_tri(k, p)]
            li = ai[_tri(k, p)]
            vr = br[k]
            vi = bi[k]
            for b in range(nb):
                ur[b] -= lr[b] * vr[b] + li[b] * vi[b]
                ui[b] -= lr[b] * vi[b] - li[b] * vr[b]
    # M = L⁻¹ (unit lower): M_pj = −L_pj − Σ_{k=j+1}^{p−1} L_pk M_kj
    for j in range(nu):
        for p in range(j + 1, nu):
            tr = mr[_tri(p, j)]
            ti = mi[_tri(p, j)]
            lr = ar[_tri(p, j)]
            li = ai[_tri(p, j)]
            for b in range(nb):
                tr[b] = -lr[b]
                ti[b] = -li[b]
            for k in range(j + 1, p):
                lr = ar[_tri(p, k)]
                li = ai[_tri(p, k)]
                vr = mr[_tri(k, j)]
                vi = mi[_tri(k, j)]
                for b in range(nb):
                    tr[b] -= lr[b] * vr[b] - li[b] * vi[b]
                    ti[b] -= lr[b] * vi[b] + li[b] * vr[b]
    # diag(A⁻¹)_p = 1/D_p + Σ_{k>p} |M_kp|²/D_k (into sc); outputs
    for p in range(nu):
        dg = sc
        dp = dd[nu + p]
        for b in range(nb):
            dg[b] = dp[b]
        for k in range(p + 1, nu):
            vr = mr[_tri(k, p)]
            vi = mi[_tri(k, p)]
            dk = dd[nu + k]
            for b in range(nb):
                dg[b] += (vr[b] * vr[b] + vi[b] * vi[b]) * dk[b]
        ur = br[p]
        ui = bi[p]
        vo = vb[p]
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
            ur[b] *= f
            ui[b] *= f
            vo[b] = v


@numba.njit(cache=True, nogil=True, fastmath=_FM, error_model="numpy")
def _store(nb, i0, br, bi, vb, xf, nv):
    """Write the layer estimates (br, bi) and noise variances vb of the block into the
    complex64 (viewed as float32) and float32 outputs."""
    for p in range(br.shape[0]):
        xo = xf[p, 2 * i0:2 * (i0 + nb)]
        vo = nv[p, i0:i0 + nb]
        ur = br[p]
        ui = bi[p]
        vp = vb[p]
        for b in range(nb):
            xo[2 * b] = ur[b]
            xo[2 * b + 1] = ui[b]
            vo[b] = vp[b]


@numba.njit(cache=True, nogil=True)
def _detect_range(hf, yf, n0, n0_stride, wtr, wti, group, group_stride, mode, min_pivot, block,
                  i_start, i_stop, xf, nv):
    """Detect REs i_start..i_stop−1 (see :func:`detect`), block by block; return the
    non-finite flags of :func:`_load`."""
    n_rx = hf.shape[0]
    nu = hf.shape[1]
    n_t = nu * (nu + 1) // 2
    direct = nu <= 2 and mode != IRC        # one or two layers, no whitening: no planes of H, y
    n_h = 0 if direct else n_rx
    hr = np.empty((n_h, nu, block))
    hi = np.empty((n_h, nu, block))
    yr = np.empty((n_h, block))
    yi = np.empty((n_h, block))
    n_w = n_rx * (n_rx + 1) // 2 if mode == IRC else 0
    wr = np.empty((n_w, block))
    wi = np.empty((n_w, block))
    ar = np.empty((n_t, block))
    ai = np.empty((n_t, block))
    br = np.empty((nu, block))
    bi = np.empty((nu, block))
    s2 = np.empty(block)
    vb = np.empty((nu, block))
    n_m = nu if nu > 2 else 0
    dd = np.empty((2 * n_m + 1, block))
    mr = np.empty((n_m * (n_m + 1) // 2, block))
    mi = np.empty((n_m * (n_m + 1) // 2, block))
    bad = np.empty(block)
    zf = mode == ZF
    flags = 0
    for i0 in range(i_start, i_stop, block):
        nb = min(block, i_stop - i0)
        if mode == IRC:
            for b in range(nb):
                s2[b] = 1.0
        elif n0_stride == 0:
            for b in range(nb):
                s2[b] = n0[0]
        else:
            for b in range(nb):
                s2[b] = n0[i0 + b]
        if direct and nu == 1:
            flags |= _gram1(hf, yf, i0, nb, ar[0], br[0], bi[0])
        elif direct:
            flags |= _gram2(hf, yf, i0, nb, ar, ai, br, bi)
        else:
            flags |= _load(hf, yf, i0, nb, hr, hi, yr, yi)
            if mode == IRC:
                _whiten(wtr, wti, group, group_stride, i0, nb, hr, hi, yr, yi, wr, wi)
            _gram(nb, hr, hi, yr, yi, ar, ai, br, bi)
        if nu == 1:
            _solve1(nb, i0, s2, zf, min_pivot, ar[0], br[0], bi[0], xf, nv)
        else:
            if nu == 2:
                _solve2(nb, s2, zf, min_pivot, ar, ai, br, bi, vb)
            else:
                _solve_ldl(nb, s2, zf, min_pivot, ar, ai, br, bi, dd, mr, mi, bad, vb)
            _store(nb, i0, br, bi, vb, xf, nv)
    return flags


@numba.njit(cache=True, nogil=True)
def detect(hf, yf, n0, n0_stride, wtr, wti, group, group_stride, mode, min_pivot, block, xf,
           nv):
    """Linear detection of every RE on one thread: unbiased MMSE x̂ = (HᴴH + σ²I)⁻¹Hᴴy / μ,
    ZF x̂ = (HᴴH)⁻¹Hᴴy, or MMSE-IRC (MMSE with σ² = 1 after whitening H and y by the
    lower-triangular W = L⁻¹ of R = L Lᴴ), with the effective noise variance of each layer.

    hf (n_rx, ν, 2m) and yf (n_rx, 2m) float32: complex64 channel and samples viewed as real
    and imaginary parts; n0 float64 read at i · n0_stride (MMSE, ZF); for IRC, wtr and wti
    (n_rx(n_rx+1)/2, G) float64, the packed rows of W = L⁻¹ of each covariance group, and
    group (m,) int64, the group of each RE (group_stride 1) or of all (0); mode MMSE, ZF or IRC;
    outputs xf (ν, 2m) float32 (a complex64 array viewed as float32) and nv (ν, m) float32.
    A singular matrix gives x̂ = 0 and nv = inf. Returns 1 if a sample and 2 if a channel
    coefficient is NaN or infinite (the outputs are then meaningless), else 0.
    """
    return _detect_range(hf, yf, n0, n0_stride, wtr, wti, group, group_stride, mode, min_pivot,
                         block, 0, nv.shape[1], xf, nv)

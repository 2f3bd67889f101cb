"""Per-RE MMSE, ZF and MMSE-IRC detection: agreement with the closed forms computed by numpy on
every path of the kernels (one layer, two layers, LDLᴴ) for random, ill-conditioned, zero and
rank-deficient channels, noiseless recovery, the post-detection noise variance against the
measured error, batching, concurrent calls, per-PRB covariances and errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.receiver.equalization import equalize


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _reference(y, h, s2, zf):
    nu, n = h.shape[1], h.shape[2]
    x = np.empty((nu, n), complex)
    nv = np.empty((nu, n))
    s2 = np.broadcast_to(s2, (n,))
    for i in range(n):
        hi = h[:, :, i]
        g = hi.conj().T @ hi
        if zf:
            ai = np.linalg.inv(g)
            x[:, i] = ai @ hi.conj().T @ y[:, i]
            nv[:, i] = s2[i] * np.real(np.diag(ai))
        else:
            ai = np.linalg.inv(g + s2[i] * np.eye(nu))
            mu = np.real(np.diag(ai @ g))
            x[:, i] = (ai @ hi.conj().T @ y[:, i]) / mu
            nv[:, i] = (1 - mu) / mu
    return x, nv


@pytest.mark.parametrize("n_rx,nu", [(1, 1), (2, 1), (2, 2), (4, 3), (4, 4), (8, 8), (3, 5)])
@pytest.mark.parametrize("method", ["mmse", "zf"])
def test_matches_closed_form(n_rx, nu, method, rng):
    if method == "zf" and nu > n_rx:
        with pytest.raises(ValueError, match="ZF"):
            equalize(np.zeros((n_rx, 4)), np.zeros((n_rx, nu, 4)), 0.1, method="zf")
        return
    n = 200
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    s2 = rng.uniform(0.01, 1.0, n)
    x, nv = equalize(y, h, s2, method=method)
    assert x.dtype == np.complex64 and nv.dtype == np.float32 and x.shape == (nu, n)
    xr, nvr = _reference(y.astype(complex), h.astype(complex), s2, method == "zf")
    np.testing.assert_allclose(x, xr, rtol=1e-3, atol=1e-3 * np.abs(xr).max())
    np.testing.assert_allclose(nv, nvr, rtol=1e-3, atol=1e-6)


def test_noiseless_zf_recovers_the_layers_and_mmse_converges(rng):
    h = _crandn(rng, 4, 4, 500)
    x = _crandn(rng, 4, 500)
    y = np.einsum("rjn,jn->rn", h, x)
    xz, nvz = equalize(y, h, 0.0, method="zf")
    np.testing.assert_allclose(xz, x, atol=2e-3)
    assert not nvz.any()
    xm, _ = equalize(y, h, 1e-9)
    np.testing.assert_allclose(xm, x, atol=2e-3)


@pytest.mark.parametrize("method", ["mmse", "zf"])
def test_effective_noise_variance_predicts_the_error(method, rng):
    # Gaussian layers: the MMSE estimate divided by μ has error variance (1 − μ)/μ.
    n_rx, nu, n = 4, 2, 100_000
    h = np.broadcast_to(_crandn(rng, n_rx, nu, 1), (n_rx, nu, n))
    x = _crandn(rng, nu, n)
    s2 = 0.2
    y = np.einsum("rjn,jn->rn", h, x) + np.sqrt(s2) * _crandn(rng, n_rx, n)
    xh, nv = equalize(y, h, s2, method=method)
    measured = np.mean(np.abs(xh - x) ** 2, axis=1)
    np.testing.assert_allclose(measured, nv[:, 0], rtol=0.03)


def test_batch_dimensions_and_per_re_noise(rng):
    h = _crandn(rng, 3, 2, 4, 2, 50)
    y = _crandn(rng, 3, 2, 4, 50)
    s2 = rng.uniform(0.1, 1.0, (3, 2, 50))
    x, nv = equalize(y, h, s2)
    assert x.shape == nv.shape == (3, 2, 2, 50)
    for b in np.ndindex(3, 2):
        xb, nvb = equalize(y[b], h[b], s2[b])
        np.testing.assert_array_equal(x[b], xb)
        np.testing.assert_array_equal(nv[b], nvb)


def test_singular_channel_gives_zero_and_infinite_noise(rng):
    h = _crandn(rng, 2, 2, 3)
    h[:, 1, 1] = h[:, 0, 1]          # rank 1 at RE 1
    h[:, :, 2] = 0                   # no channel at RE 2
    y = _crandn(rng, 2, 3)
    x, nv = equalize(y, h, 0.0, method="zf")
    assert np.isfinite(nv[:, 0]).all()
    assert np.isinf(nv[:, 1:]).all() and not x[:, 1:].any()
    x, nv = equalize(y, h, 0.1)
    assert np.isinf(nv[:, 2]).all() and not x[:, 2].any()
    assert np.isfinite(nv[:, :2]).all()


def test_errors():
    h = np.ones((2, 1, 4))
    y = np.ones((2, 4))
    with pytest.raises(ConfigError, match="method"):
        equalize(y, h, 0.1, method="ml")
    with pytest.raises(ValueError, match="y"):
        equalize(np.ones((2, 5)), h, 0.1)
    with pytest.raises(ValueError, match="noise_var"):
        equalize(y, h, 0.0)
    with pytest.raises(ValueError, match="noise_var"):
        equalize(y, h, -1.0, method="zf")
    with pytest.raises(ValueError, match="noise_var"):
        equalize(y, h, np.ones(3))
    with pytest.raises(ValueError, match="layers"):
        equalize(np.ones((9, 4)), np.ones((9, 9, 4)), 0.1)
    with pytest.raises(ValueError, match="finite"):
        equalize(np.full((2, 4), np.nan), h, 0.1)


# --- MMSE-IRC ---------------------------------------------------------------------------------

def _irc_reference(y, h, r):
    nu, n = h.shape[1], h.shape[2]
    x = np.empty((nu, n), complex)
    nv = np.empty((nu, n))
    ri = np.linalg.inv(r)
    for i in range(n):
        hi = h[:, :, i]
        a = np.linalg.inv(hi.conj().T @ ri @ hi + np.eye(nu))
        mu = 1 - np.real(np.diag(a))
        x[:, i] = (a @ hi.conj().T @ ri @ y[:, i]) / mu
        nv[:, i] = (1 - mu) / mu
    return x, nv


def _random_cov(rng, n_rx, scale=1.0):
    g = _crandn(rng, n_rx, 2 * n_rx)
    return scale * (g @ g.conj().T) / (2 * n_rx) + 0.05 * np.eye(n_rx)


@pytest.mark.parametrize("n_rx,nu", [(1, 1), (2, 1), (2, 2), (4, 2), (4, 4), (8, 3), (8, 8)])
def test_irc_with_white_noise_is_mmse(n_rx, nu, rng):
    n = 300
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    s2 = 0.3
    xm, nvm = equalize(y, h, s2)
    xi, nvi = equalize(y, h, 99.0, method="irc", noise_cov=s2 * np.eye(n_rx))
    np.testing.assert_allclose(xi, xm, rtol=1e-3, atol=1e-4 * np.abs(xm).max())
    np.testing.assert_allclose(nvi, nvm, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("n_rx,nu", [(2, 1), (4, 2), (4, 4), (8, 8)])
def test_irc_matches_closed_form_per_covariance_group(n_rx, nu, rng):
    n, n_g = 240, 3
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    covs = np.stack([_random_cov(rng, n_rx, s) for s in (0.1, 1.0, 3.0)])
    gi = rng.integers(0, n_g, n)
    x, nv = equalize(y, h, 1.0, method="irc", noise_cov=covs, cov_index=gi)
    for g in range(n_g):
        sel = gi == g
        xr, nvr = _irc_reference(y[:, sel].astype(complex), h[:, :, sel].astype(complex), covs[g])
        np.testing.assert_allclose(x[:, sel], xr, rtol=2e-3, atol=2e-3 * np.abs(xr).max())
        np.testing.assert_allclose(nv[:, sel], nvr, rtol=2e-3, atol=1e-6)


@pytest.mark.parametrize("n_rx,nu", [(2, 1), (4, 1), (4, 2)])
def test_irc_rejects_a_strong_single_antenna_interferer(n_rx, nu, rng):
    # y = H x + g s + w: rank-1 interference 30 dB above the noise. MMSE with the best white
    # model (σ² = the total noise-plus-interference power per antenna) cannot null it; IRC
    # with R = σ²I + P g gᴴ does, and its post-detection SINR predicts its error.
    n = 40_000
    h = np.broadcast_to(_crandn(rng, n_rx, nu, 1), (n_rx, nu, n))
    qpsk = (np.sign(rng.standard_normal((nu, n))) + 1j * np.sign(rng.standard_normal((nu, n))))
    x = qpsk / np.sqrt(2)
    g = _crandn(rng, n_rx, 1)
    s2, p_i = 0.01, 10.0
    interference = np.sqrt(p_i) * g * _crandn(rng, 1, n)
    y = np.einsum("rjn,jn->rn", h, x) + interference + np.sqrt(s2) * _crandn(rng, n_rx, n)
    r = s2 * np.eye(n_rx) + p_i * (g @ g.conj().T)
    xm, _ = equalize(y, h, np.trace(r).real / n_rx)
    xi, nvi = equalize(y, h, 0.0, method="irc", noise_cov=r)
    sinr_m = 1 / np.mean(np.abs(xm - x) ** 2, axis=1)
    sinr_i = 1 / np.mean(np.abs(xi - x) ** 2, axis=1)
    assert np.all(10 * np.log10(sinr_i / sinr_m) > 10.0)
    np.testing.assert_allclose(1 / sinr_i, nvi[:, 0], rtol=0.05)

    def ser(xh):
        return np.mean((np.sign(xh.real) != np.sign(x.real)) | (np.sign(xh.imag) != np.sign(x.imag)))

    assert ser(xi) < 0.2 * ser(xm)


def test_irc_batch_dimensions_and_broadcast_index(rng):
    h = _crandn(rng, 3, 4, 2, 50)
    y = _crandn(rng, 3, 4, 50)
    covs = np.stack([_random_cov(rng, 4) for _ in range(5)])
    gi = rng.integers(0, 5, 50)                      # one map for every batch entry
    x, nv = equalize(y, h, 1.0, method="irc", noise_cov=covs, cov_index=gi)
    assert x.shape == nv.shape == (3, 2, 50)
    for b in range(3):
        xb, nvb = equalize(y[b], h[b], 1.0, method="irc", noise_cov=covs, cov_index=gi)
        np.testing.assert_array_equal(x[b], xb)
        np.testing.assert_array_equal(nv[b], nvb)
    # a single matrix needs no index; covariance groups no RE uses are not checked
    covs[4] = 0.0
    x1, _ = equalize(y[0], h[0], 1.0, method="irc", noise_cov=covs[:1])
    x2, _ = equalize(y[0], h[0], 1.0, method="irc", noise_cov=covs[0])
    np.testing.assert_array_equal(x1, x2)
    equalize(y[0], h[0], 1.0, method="irc", noise_cov=covs, cov_index=gi % 4)


def test_irc_errors(rng):
    h = _crandn(rng, 2, 1, 4)
    y = _crandn(rng, 2, 4)
    r = np.eye(2)
    with pytest.raises(ValueError, match="noise_cov"):
        equalize(y, h, 0.1, method="irc")
    with pytest.raises(ValueError, match="noise_cov"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.eye(3))
    with pytest.raises(ValueError, match="Hermitian"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.array([[1, 0.5], [0.1, 1]]))
    with pytest.raises(ValueError, match="positive definite"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.array([[1, 0], [0, -1]]))
    with pytest.raises(ValueError, match="positive definite"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="cov_index"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.stack([r, r]))
    with pytest.raises(ValueError, match="cov_index"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.stack([r, r]), cov_index=[0, 1, 2, 0])
    with pytest.raises(ValueError, match="cov_index"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.stack([r, r]), cov_index=[0, 1, 1])
    with pytest.raises(ValueError, match="cov_index"):
        equalize(y, h, 0.1, method="irc", noise_cov=np.stack([r, r]), cov_index=[0.0, 1.0, 1.0, 0.0])


# --- the specialised paths (one layer, two layers, LDLᴴ) against the closed forms ------------

# (n_rx, ν) covering the one-layer path (odd and even antenna counts), the two-layer closed
# form and the LDLᴴ path for 3..8 layers; n spans several kernel blocks and a partial one.
_PATHS = [(1, 1), (3, 1), (4, 1), (2, 2), (3, 2), (5, 2), (3, 3), (4, 4), (6, 5), (8, 8)]


def _ill_conditioned(rng, n_rx, nu, n, cond):
    """Channels H = U diag(s) Vᴴ with singular values from 1 down to 1/cond."""
    u, _ = np.linalg.qr(_crandn(rng, n, n_rx, n_rx))
    v, _ = np.linalg.qr(_crandn(rng, n, nu, nu))
    s = np.logspace(0, -np.log10(cond), nu)
    h = np.einsum("nrk,k,njk->rjn", u[:, :, :nu], s, v.conj())
    return h.astype(np.complex64)


@pytest.mark.parametrize("n_rx,nu", _PATHS)
@pytest.mark.parametrize("method", ["mmse", "zf"])
def test_paths_match_closed_form_over_several_blocks(n_rx, nu, method, rng):
    n = 700
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    s2 = rng.uniform(0.01, 1.0, n)
    x, nv = equalize(y, h, s2, method=method)
    xr, nvr = _reference(y.astype(complex), h.astype(complex), s2, method == "zf")
    np.testing.assert_allclose(x, xr, rtol=1e-4, atol=1e-5 * np.abs(xr).max())
    np.testing.assert_allclose(nv, nvr, rtol=1e-4, atol=1e-7)
    # one σ² for every RE gives the same as the array
    x1, nv1 = equalize(y, h, 0.3, method=method)
    xr1, nvr1 = _reference(y.astype(complex), h.astype(complex), 0.3, method == "zf")
    np.testing.assert_allclose(x1, xr1, rtol=1e-4, atol=1e-5 * np.abs(xr1).max())
    np.testing.assert_allclose(nv1, nvr1, rtol=1e-4)


@pytest.mark.parametrize("n_rx,nu", [(2, 2), (4, 2), (3, 3), (4, 4), (8, 6)])
@pytest.mark.parametrize("method", ["mmse", "zf"])
def test_ill_conditioned_channels_keep_float64_accuracy(n_rx, nu, method, rng):
    # cond(HᴴH) = 1e6: a Gram matrix formed in float32 would lose about 0.1 of relative
    # accuracy in ZF; the kernels form it exactly from the complex64 samples.
    n = 300
    h = _ill_conditioned(rng, n_rx, nu, n, 1e3)
    y = (np.einsum("rjn,jn->rn", h, _crandn(rng, nu, n)) + 1e-4 * _crandn(rng, n_rx, n)
         ).astype(np.complex64)
    s2 = 1e-6
    x, nv = equalize(y, h, s2, method=method)
    xr, nvr = _reference(y.astype(complex), h.astype(complex), s2, method == "zf")
    np.testing.assert_allclose(x, xr, rtol=2e-4, atol=2e-5 * np.abs(xr).max())
    np.testing.assert_allclose(nv, nvr, rtol=2e-4)


@pytest.mark.parametrize("n_rx,nu", _PATHS)
@pytest.mark.parametrize("method", ["mmse", "zf", "irc"])
def test_zero_channels_give_zero_and_infinite_noise_on_every_path(n_rx, nu, method, rng):
    n = 600
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    zero = rng.random(n) < 0.1
    zero[[0, 255, 256, 599]] = True                  # block edges
    h[:, :, zero] = 0
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    kw = {"noise_cov": 0.2 * np.eye(n_rx)} if method == "irc" else {}
    x, nv = equalize(y, h, 0.2, method=method, **kw)
    assert np.isinf(nv[:, zero]).all() and not x[:, zero].any()
    assert np.isfinite(nv[:, ~zero]).all()
    xr, nvr = _reference(y[:, ~zero].astype(complex), h[:, :, ~zero].astype(complex), 0.2,
                         method == "zf")
    np.testing.assert_allclose(x[:, ~zero], xr, rtol=1e-4, atol=1e-5 * np.abs(xr).max())
    np.testing.assert_allclose(nv[:, ~zero], nvr, rtol=1e-4)


@pytest.mark.parametrize("nu", [1, 2, 3, 4])
def test_rank_deficient_zf_and_vanishing_mmse_gain(nu, rng):
    n_rx, n = 4, 300
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    h[:, -1, 10] = h[:, 0, 10] if nu > 1 else 0      # rank ν − 1 at RE 10
    h[:, :, 20] *= np.float32(1e-9)                   # |h|² ≈ 1e-18: μ ≈ 1e-18 for σ² = 1
    x, nv = equalize(y, h, 1.0, method="zf")
    assert np.isinf(nv[:, 10]).all() and not x[:, 10].any()
    keep = np.setdiff1d(np.arange(n), [10, 20])
    assert np.isfinite(nv[:, keep]).all()
    x, nv = equalize(y, h, 1.0)
    assert np.isinf(nv[:, 20]).all() and not x[:, 20].any()
    assert np.isfinite(nv[:, keep]).all()


def test_concurrent_calls_on_threads_agree_with_sequential_ones(rng):
    # the kernels release the GIL and keep their work arrays per call
    cases = [(_crandn(rng, n_rx, nu, 3000).astype(np.complex64),
              _crandn(rng, n_rx, 3000).astype(np.complex64), method)
             for n_rx, nu, method in [(2, 1, "mmse"), (2, 2, "zf"), (4, 4, "mmse"), (4, 3, "irc")] * 2]

    def run(case):
        h, y, method = case
        return equalize(y, h, 0.1, method=method, noise_cov=0.1 * np.eye(h.shape[0]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(run, cases))
    for case, (x, nv) in zip(cases, together, strict=True):
        xs, nvs = run(case)
        np.testing.assert_array_equal(x, xs)
        np.testing.assert_array_equal(nv, nvs)


@pytest.mark.parametrize("n_rx,nu", [(2, 1), (4, 1), (2, 2), (4, 3), (4, 4)])
def test_irc_with_one_covariance_per_prb_of_a_slot(n_rx, nu, rng):
    # the layout of a slot: REs ordered by symbol then subcarrier, R_nn per PRB (k // 12),
    # 20 PRBs, some subcarriers missing (reserved), so the runs of a PRB have uneven lengths
    n_prb = 20
    k = np.tile(np.arange(12 * n_prb), 3)
    k = k[rng.random(k.size) > 0.1]
    n = k.size
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    covs = np.stack([_random_cov(rng, n_rx, s) for s in rng.uniform(0.05, 3.0, n_prb)])
    x, nv = equalize(y, h, 1.0, method="irc", noise_cov=covs, cov_index=k // 12)
    for g in range(n_prb):
        sel = k // 12 == g
        xr, nvr = _irc_reference(y[:, sel].astype(complex), h[:, :, sel].astype(complex), covs[g])
        np.testing.assert_allclose(x[:, sel], xr, rtol=1e-4, atol=1e-5 * np.abs(xr).max())
        np.testing.assert_allclose(nv[:, sel], nvr, rtol=1e-4)


@pytest.mark.parametrize("n_rx,nu", [(2, 1), (2, 2), (4, 4)])
@pytest.mark.parametrize("name", ["y", "h"])
def test_non_finite_complex64_samples_are_found_anywhere(n_rx, nu, name, rng):
    n = 600
    h = _crandn(rng, n_rx, nu, n).astype(np.complex64)
    y = _crandn(rng, n_rx, n).astype(np.complex64)
    bad = {"y": y, "h": h}[name]
    for value in (np.nan, np.inf, complex(0, -np.inf)):
        v = bad.copy()
        v[(n_rx - 1,) + (0,) * (v.ndim - 2) + (457,)] = value     # last antenna, a later block
        args = (v, h) if name == "y" else (y, v)
        for method in ("mmse", "zf", "irc"):
            with pytest.raises(ValueError, match=f"{name}: must be finite"):
                equalize(*args, 0.1, method=method, noise_cov=np.eye(n_rx))
    with pytest.raises(ValueError, match="y: must be finite"):      # y is named first
        equalize(np.full_like(y, np.nan), np.full_like(h, np.nan), 0.1)

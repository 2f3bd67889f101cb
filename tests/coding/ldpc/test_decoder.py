"""Tests of the layered LDPC decoder for the TS 38.212 §5.3.2 codes.

The oracle is a slow layered decoder written in plain numpy on the parity-check matrix ``H``
(``parity_check_matrix``): it processes the same layers (base graph rows) in the same order, so
the min-sum variants must agree with it to float32 rounding and the sum-product one closely.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.ldpc.basegraph import ldpc_code, parity_check_matrix
from opennr.coding.ldpc.decoder import LdpcDecoderConfig, LdpcDecodeResult, ldpc_decode
from opennr.coding.ldpc.encoder import ldpc_encode
from opennr.errors import ConfigError

VECTOR_CASES = [(1, 2), (1, 13), (1, 104), (1, 384), (2, 3), (2, 36), (2, 240), (2, 384)]


def _vector(bg: int, zc: int) -> tuple[np.ndarray, np.ndarray]:
    (path,) = vector_files("ldpc", f"ldpc_encode_testvec_Zc_{zc}_bgn_{bg}.mat")
    v = load_vector(path)
    return as_int(v["in"]).astype(np.uint8), as_int(v["dn"]).astype(np.uint8)


def _awgn_llr(d: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """LLRs of bits sent as 1 - 2d on one real dimension each, SNR = 1/sigma^2."""
    s2 = 10.0 ** (-snr_db / 10.0)
    y = (1.0 - 2.0 * d) + np.sqrt(s2) * rng.standard_normal(d.shape)
    return (2.0 * y / s2).astype(np.float32)


def _phi(x):
    return np.log1p(2.0 / np.expm1(x))


def _oracle(llr, bg, zc, iterations, algorithm="nms", scale=0.75, offset=0.0):
    """Layered decoding on H, row blocks in base graph order; returns the 68/52*zc APP LLRs.

    ``scale``/``offset``: min-sum normalization and offset, a number or one per iteration.
    """
    code = ldpc_code(bg, zc)
    h = parity_check_matrix(code).tocsr()
    dt = np.float64 if algorithm == "spa" else np.float32
    app = np.concatenate([np.zeros(2 * zc), llr]).astype(dt)
    msg = {}
    for it in range(iterations):
        alpha = dt(scale[it] if np.ndim(scale) else scale)
        beta = dt(offset[it] if np.ndim(offset) else offset)
        for i in range(code.n_rows):
            v = np.array([h.indices[h.indptr[r]:h.indptr[r + 1]] for r in range(i * zc, (i + 1) * zc)])
            t = app[v] - msg.get(i, 0.0)
            sign = np.where(np.signbit(t), -1.0, 1.0).astype(dt)
            others_sign = np.prod(sign, axis=1, keepdims=True) * sign
            if algorithm == "spa":
                p = _phi(np.clip(np.abs(t), 1e-20, 60.0))  # inputs clamped as in the decoder
                # sum over the other edges from prefix and suffix sums: no cancellation
                zero = np.zeros((zc, 1))
                pre = np.concatenate([zero, np.cumsum(p, axis=1)[:, :-1]], axis=1)
                suf = np.concatenate([np.cumsum(p[:, ::-1], axis=1)[:, -2::-1], zero], axis=1)
                mag = np.minimum(_phi(pre + suf), 60.0)
            else:
                a = np.abs(t)
                srt = np.sort(a, axis=1)
                mag = np.where(a == srt[:, :1], srt[:, 1:2], srt[:, :1])
                mag = np.maximum(alpha * mag - beta, dt(0.0))
            r = (others_sign * mag).astype(dt)
            app[v] = t + r
            msg[i] = r
    return app


# --- noiseless vectors -------------------------------------------------------------------------


@pytest.mark.parametrize(("bg", "zc"), VECTOR_CASES)
def test_noiseless_vector_codewords(bg, zc):
    c, d = _vector(bg, zc)
    llr = 8.0 * (1.0 - 2.0 * d.astype(np.float32))
    for alg in ("nms", "oms", "spa"):
        res = ldpc_decode(llr, bg, LdpcDecoderConfig(algorithm=alg))
        assert isinstance(res, LdpcDecodeResult)
        assert res.bits.dtype == np.uint8 and res.bits.shape == c.shape
        np.testing.assert_array_equal(res.bits, c)
        assert res.parity_ok.dtype == np.bool_ and bool(res.parity_ok)
        assert res.iterations.dtype == np.int32 and int(res.iterations) == 1


# --- agreement with the numpy oracle -----------------------------------------------------------


def _nms_rule(iters):
    """The documented default: alpha from 0.75 to 0.95, beta from 0.3 to 0.2, linear."""
    x = np.arange(iters) / max(iters - 1, 1)
    return list(0.75 + 0.2 * x), list(0.3 - 0.1 * x)


@pytest.mark.parametrize(("bg", "zc", "algorithm", "iters", "scaling", "offset", "alpha", "beta"), [
    (1, 6, "nms", 3, 0.75, 0.0, [0.75] * 3, [0.0] * 3),  # pure normalized min-sum
    (2, 12, "nms", 12, None, None, *_nms_rule(12)),  # default: alpha grows, beta shrinks
    (1, 8, "nms", 1, None, None, [0.75], [0.3]),
    (1, 5, "nms", 4, 0.9, None, [0.9] * 4, _nms_rule(4)[1]),
    (1, 4, "nms", 3, 0.9, 0.25, [0.9] * 3, [0.25] * 3),
    (2, 7, "oms", 3, None, 0.5, [1.0] * 3, [0.5] * 3),
    (2, 9, "oms", 3, 0.875, None, [0.875] * 3, [0.5] * 3)])
def test_minsum_matches_oracle(bg, zc, algorithm, iters, scaling, offset, alpha, beta, rng):
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, code.k, dtype=np.uint8)
    llr = _awgn_llr(ldpc_encode(c, bg), -1.0 if iters > 4 else 0.0, rng)
    cfg = LdpcDecoderConfig(algorithm=algorithm, max_iterations=iters, scaling=scaling,
                            offset=offset, early_termination=False)
    np.testing.assert_allclose([cfg.minsum_parameters(k) for k in range(iters)],
                               np.array([alpha, beta]).T, rtol=1e-12)
    res = ldpc_decode(llr, bg, cfg, return_llr=True)
    ref = _oracle(llr, bg, zc, iters, algorithm, alpha, beta)
    np.testing.assert_allclose(res.llr, ref[2 * zc:], rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(res.bits, (ref[:code.k] < 0).astype(np.uint8))


def test_spa_matches_oracle(rng):
    bg, zc = 2, 8
    code = ldpc_code(bg, zc)
    for _ in range(3):
        c = rng.integers(0, 2, code.k, dtype=np.uint8)
        llr = _awgn_llr(ldpc_encode(c, bg), -1.0, rng)
        cfg = LdpcDecoderConfig(algorithm="spa", max_iterations=4, early_termination=False)
        res = ldpc_decode(llr, bg, cfg, return_llr=True)
        ref = _oracle(llr, bg, zc, 4, "spa")
        np.testing.assert_allclose(res.llr, ref[2 * zc:], rtol=2e-3, atol=2e-3)
        np.testing.assert_array_equal(res.bits, (ref[:code.k] < 0).astype(np.uint8))


def test_untransmitted_tail_matches_full_decoding(rng):
    """Rows whose parity column got only zero LLRs are skipped without changing the result."""
    bg, zc = 1, 10
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, code.k, dtype=np.uint8)
    llr = _awgn_llr(ldpc_encode(c, bg), 3.0, rng)
    e = 29 * zc + 3  # high rate: a few extension rows only
    llr[e:] = 0.0
    res = ldpc_decode(llr, bg, LdpcDecoderConfig(scaling=0.75, offset=0.0, max_iterations=4,
                                                 early_termination=False),
                      return_llr=True)
    ref = _oracle(llr, bg, zc, 4)
    np.testing.assert_allclose(res.llr[:e], ref[2 * zc:2 * zc + e], rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(res.bits, (ref[:code.k] < 0).astype(np.uint8))


# --- error correction --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["nms", "oms", "spa"])
def test_corrects_errors_at_moderate_snr(algorithm, rng):
    bg, zc = 2, 64
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, (8, code.k), dtype=np.uint8)
    d = ldpc_encode(c, bg)
    llr = _awgn_llr(d, -1.0, rng)  # Eb/N0 = 3 dB at rate 1/5: far into the waterfall
    raw_errors = ((llr < 0) != d).sum(axis=-1)
    assert (raw_errors > 0.15 * d.shape[-1]).all()  # the channel really flips many bits
    res = ldpc_decode(llr, bg, LdpcDecoderConfig(algorithm=algorithm, max_iterations=20))
    np.testing.assert_array_equal(res.bits, c)
    assert res.parity_ok.all()
    assert (res.iterations > 1).all() and (res.iterations < 20).all()


def test_pure_noise_fails_parity(rng):
    llr = rng.standard_normal((4, 66 * 16)).astype(np.float32) * 2.0
    res = ldpc_decode(llr, 1, LdpcDecoderConfig(max_iterations=8))
    assert not res.parity_ok.any()
    assert (res.iterations == 8).all()


def test_early_termination_per_codeword(rng):
    bg, zc = 2, 32
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, (4, code.k), dtype=np.uint8)
    d = ldpc_encode(c, bg)
    llr = np.stack([_awgn_llr(d[0], 4.0, rng), _awgn_llr(d[1], -2.0, rng),
                    _awgn_llr(d[2], 8.0, rng), _awgn_llr(d[3], -2.5, rng)])
    cfg = LdpcDecoderConfig(max_iterations=30)
    res = ldpc_decode(llr, bg, cfg)
    assert res.iterations[0] < res.iterations[1] and res.iterations[2] < res.iterations[3]
    for b in range(4):
        alone = ldpc_decode(llr[b], bg, cfg)
        np.testing.assert_array_equal(alone.bits, res.bits[b])
        assert alone.iterations == res.iterations[b] and alone.parity_ok == res.parity_ok[b]
    # Without early termination every block runs all iterations.
    full = ldpc_decode(llr, bg, LdpcDecoderConfig(max_iterations=30, early_termination=False))
    assert (full.iterations == 30).all()


def test_batched_equals_single_and_threads(rng):
    bg, zc = 1, 20
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, (2, 3, code.k), dtype=np.uint8)
    llr = _awgn_llr(ldpc_encode(c, bg), -1.0, rng)
    cfg = LdpcDecoderConfig(max_iterations=6)
    saved = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = ldpc_decode(llr, bg, cfg, return_llr=True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = ldpc_decode(llr, bg, cfg, return_llr=True)
    finally:
        numba.set_num_threads(saved)
    assert one.bits.shape == (2, 3, code.k) and one.parity_ok.shape == (2, 3)
    assert one.llr.shape == llr.shape and one.llr.dtype == np.float32
    for f in ("bits", "parity_ok", "iterations", "llr"):
        np.testing.assert_array_equal(getattr(one, f), getattr(two, f))
    for i in range(2):
        for j in range(3):
            single = ldpc_decode(llr[i, j], bg, cfg, return_llr=True)
            np.testing.assert_array_equal(single.bits, one.bits[i, j])
            np.testing.assert_array_equal(single.llr, one.llr[i, j])
            assert single.iterations == one.iterations[i, j]
    np.testing.assert_array_equal(np.signbit(one.llr[..., :code.k - 2 * zc]).astype(np.uint8),
                                  one.bits[..., 2 * zc:])


def test_filler_bits_decode_to_zero(rng):
    bg, zc = 2, 40
    code = ldpc_code(bg, zc)
    k_prime = code.k - 37  # filler positions [K', K), known zeros
    c = rng.integers(0, 2, (3, code.k), dtype=np.uint8)
    c[:, k_prime:] = 0
    d = ldpc_encode(c, bg)
    llr = _awgn_llr(d, -1.5, rng)
    llr[:, k_prime - 2 * zc:code.k - 2 * zc] = 1.0e4
    for cfg in (LdpcDecoderConfig(), LdpcDecoderConfig(algorithm="spa")):
        res = ldpc_decode(llr, bg, cfg)
        assert not res.bits[:, k_prime:].any()
        np.testing.assert_array_equal(res.bits, c)
    # Infinite filler LLRs are saturated, not propagated as NaN.
    llr[:, k_prime - 2 * zc:code.k - 2 * zc] = np.inf
    res = ldpc_decode(llr, bg, LdpcDecoderConfig(), return_llr=True)
    np.testing.assert_array_equal(res.bits, c)
    assert np.isfinite(res.llr).all()


def test_zero_llrs_and_empty_batch():
    res = ldpc_decode(np.zeros((2, 50 * 4), np.float32), 2)
    assert not res.bits.any() and res.parity_ok.all()
    empty = ldpc_decode(np.zeros((0, 66 * 2), np.float32), 1)
    assert empty.bits.shape == (0, 44) and empty.iterations.shape == (0,)


# --- errors ------------------------------------------------------------------------------------


def test_bad_length():
    with pytest.raises(ValueError, match=r"N=100 is not valid for base graph 1: N must be 66\*Zc"):
        ldpc_decode(np.zeros(100, np.float32), 1)
    with pytest.raises(ValueError, match=r"50\*Zc"):
        ldpc_decode(np.zeros(66 * 8, np.float32), 2)


def test_bad_llrs():
    llr = np.zeros(50 * 2, np.float32)
    llr[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ldpc_decode(llr, 2)
    # float32 batches (checked in the kernel), strided views and float64 input alike.
    batch = np.ones((3, 66 * 4), np.float32)
    batch[2, -1] = np.nan
    for arr in (batch, batch[:, ::-1], batch.astype(np.float64)):
        with pytest.raises(ValueError, match="NaN"):
            ldpc_decode(arr, 1)
    with pytest.raises(ValueError, match="real"):
        ldpc_decode(np.zeros(50 * 2, np.complex64), 2)


def test_bad_config():
    with pytest.raises(ConfigError, match="algorithm"):
        LdpcDecoderConfig(algorithm="bp")
    with pytest.raises(ConfigError, match="max_iterations"):
        LdpcDecoderConfig(max_iterations=0)
    with pytest.raises(ConfigError, match="max_iterations"):
        LdpcDecoderConfig(max_iterations=1001)
    with pytest.raises(ConfigError, match="scaling"):
        LdpcDecoderConfig(scaling=0.0)
    with pytest.raises(ConfigError, match="offset"):
        LdpcDecoderConfig(offset=-0.1)
    with pytest.raises(ConfigError, match="early_termination"):
        LdpcDecoderConfig(early_termination=1)
    with pytest.raises(ConfigError, match="bg"):
        ldpc_decode(np.zeros(66 * 2, np.float32), 3)
    with pytest.raises(ConfigError, match="config"):
        ldpc_decode(np.zeros(66 * 2, np.float32), 1, {"algorithm": "nms"})

"""Encode, rate-match, rate-recover and decode: the LDPC chain of TS 38.212 §5.3.2 and §5.4.2
closes on itself for every lifting size of both base graphs and random rate-matching settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennr.coding.ldpc import (
    LIFTING_SIZES,
    ldpc_decode,
    ldpc_encode,
    ldpc_n_cb,
    ldpc_rate_match,
    ldpc_rate_match_plan,
    ldpc_rate_recover,
)


def _round_trip(bg, zc, k_prime, qm, n_layers, rvs, rate, rng, tbs_lbrm=None, snr_db=None):
    k = (22 if bg == 1 else 10) * zc
    n = (66 if bg == 1 else 50) * zc
    c = np.zeros((1, k), np.uint8)
    c[0, :k_prime] = rng.integers(0, 2, k_prime)
    d = ldpc_encode(c, bg)
    step = qm * n_layers
    g = step * math.ceil(k_prime / rate / step)
    n_cb = ldpc_n_cb(n, 1, tbs_lbrm)
    buffer = None
    for rv in rvs:
        plan = ldpc_rate_match_plan(bg, zc, k, k_prime, 1, g, qm, n_layers, rv, n_cb)
        e = ldpc_rate_match(d, plan)
        llr = 8.0 * (1.0 - 2.0 * e)
        if snr_db is not None:
            sigma2 = 10 ** (-snr_db / 10)
            llr = 2.0 * ((1.0 - 2.0 * e) + math.sqrt(sigma2) * rng.standard_normal(g)) / sigma2
        buffer = ldpc_rate_recover(llr.astype(np.float32), plan, buffer)
    result = ldpc_decode(buffer, bg)
    return c, result


@pytest.mark.parametrize("bg", [1, 2])
def test_every_lifting_size_closes_noise_free(bg):
    rng = np.random.default_rng(bg)
    for zc in LIFTING_SIZES:
        k = (22 if bg == 1 else 10) * zc
        k_prime = k - int(rng.integers(0, zc + 1))  # some filler bits
        c, result = _round_trip(bg, zc, k_prime, 2, 1, [0], 0.5, rng)
        assert result.parity_ok[0], f"bg {bg} zc {zc}"
        np.testing.assert_array_equal(result.bits, c, err_msg=f"bg {bg} zc {zc}")


@settings(max_examples=40, deadline=None)
@given(bg=st.sampled_from([1, 2]), zc=st.sampled_from(LIFTING_SIZES), qm=st.sampled_from([1, 2, 4, 6, 8, 10]),
       n_layers=st.integers(1, 4), rvs=st.sampled_from([[0], [3], [0, 2], [0, 3, 2], [0, 2, 3, 1]]),
       rate=st.floats(0.2, 0.75), filler=st.floats(0.0, 1.0), lbrm=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_random_rate_matching_settings_close(bg, zc, qm, n_layers, rvs, rate, filler, lbrm, seed):
    # Every sequence starts with a self-decodable RV (0 or 3, TS 38.212 Table 5.4.2.1-2).
    rng = np.random.default_rng(seed)
    k = (22 if bg == 1 else 10) * zc
    k_prime = k - int(filler * zc)
    # LBRM: a buffer of at least the systematic part plus a third of the parity part.
    n = (66 if bg == 1 else 50) * zc
    tbs_lbrm = None
    if lbrm:
        n_cb_wanted = int(rng.integers(min(n, k + (n - k) // 3 + 2 * zc), n + 1))
        tbs_lbrm = math.ceil(n_cb_wanted * 2 / 3)
    c, result = _round_trip(bg, zc, k_prime, qm, n_layers, rvs, rate, rng, tbs_lbrm)
    assert result.parity_ok[0]
    np.testing.assert_array_equal(result.bits, c)


def test_noise_corrected_and_harq_combining_helps():
    rng = np.random.default_rng(5)
    bg, zc = 1, 64
    k = 22 * zc
    # At 1.0 dB per coded bit a rate-0.8 code fails; RV 0 + RV 2 halve the rate and double the energy.
    _, single = _round_trip(bg, zc, k, 2, 1, [0], 0.8, rng, snr_db=1.0)
    c, combined = _round_trip(bg, zc, k, 2, 1, [0, 2], 0.8, rng, snr_db=1.0)
    assert not single.parity_ok[0]
    assert combined.parity_ok[0]
    np.testing.assert_array_equal(combined.bits, c)

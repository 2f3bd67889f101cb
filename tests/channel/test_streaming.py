"""TR 38.901 §7.7 — fading channels applied slot after slot (delay line kept between calls)."""

import numpy as np
import pytest

from opennr.channel.antenna import ula
from opennr.channel.cdl import CdlChannel, CdlConfig
from opennr.channel.multipath import DEFAULT_FILTER_HALF_LENGTH, apply_paths, history_length
from opennr.channel.tdl import TdlChannel, TdlConfig


def _noise(rng, shape):
    return ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)).astype(
        np.complex64)


def _tdl(seed, f_d=300.0):
    return TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=f_d, n_rx=2),
                      np.random.default_rng(seed))


@pytest.mark.parametrize("f_d", [0.0, 300.0])
def test_causal_slot_by_slot_equals_one_call(f_d):
    fs, n, t0 = 15.36e6, 7680, 0.0125
    x = _noise(np.random.default_rng(1), (1, 4 * n))
    whole = _tdl(2, f_d).apply(x, fs, t0, causal=True)
    ch = _tdl(2, f_d)
    parts = [ch.apply(x[:, i * n:(i + 1) * n], fs, t0 + i * n / fs, causal=True) for i in range(4)]
    y = np.concatenate(parts, axis=1)
    np.testing.assert_allclose(y, whole, atol=2e-6 * np.abs(whole).max())
    # The echo of slot 0 reaches into slot 1: without the delay line the start of slot 1 differs.
    ch.reset()
    fresh = ch.apply(x[:, n:2 * n], fs, t0 + n / fs, causal=True)
    assert np.abs(fresh[:, :50] - whole[:, n:n + 50]).max() > 1e-2
    np.testing.assert_allclose(fresh[:, 200:], whole[:, n + 200:2 * n], atol=2e-6 * np.abs(whole).max())


def test_causal_output_is_the_aligned_output_delayed():
    fs = 15.36e6
    x = _noise(np.random.default_rng(3), (1, 3000))
    a = _tdl(4).apply(x, fs, 0.002)
    c = _tdl(4).apply(x, fs, 0.002, causal=True)
    d = TdlChannel.filter_delay
    np.testing.assert_allclose(c[:, d:], a[:, :-d], atol=1e-5)
    assert np.abs(c[:, :d]).max() > 0     # the first samples see the non-causal head, delayed


def test_aligned_slot_by_slot_matches_except_the_look_ahead():
    fs, n = 15.36e6, 4000
    x = _noise(np.random.default_rng(5), (1, 3 * n))
    whole = _tdl(6).apply(x, fs, 0.0)
    ch = _tdl(6)
    y = np.concatenate([ch.apply(x[:, i * n:(i + 1) * n], fs, i * n / fs) for i in range(3)], axis=1)
    la = TdlChannel.filter_delay
    ok = np.ones(3 * n, bool)
    for i in range(1, 4):
        ok[i * n - la:i * n] = False
    np.testing.assert_allclose(y[:, ok], whole[:, ok], atol=2e-6 * np.abs(whole).max())


def test_a_discontinuous_t0_starts_afresh():
    fs, n = 15.36e6, 2000
    x = _noise(np.random.default_rng(7), (1, n))
    ch = _tdl(8)
    ch.apply(x, fs, 0.0)
    again = ch.apply(x, fs, 0.0)                 # not a continuation: zero past
    np.testing.assert_array_equal(again, _tdl(8).apply(x, fs, 0.0))


def test_cdl_causal_slot_by_slot_equals_one_call():
    fs, n = 7.68e6, 2000
    cfg = CdlConfig(model="CDL-B", delay_spread=300e-9, max_doppler=200.0, tx_array=ula(2),
                    rx_array=ula(2))
    x = _noise(np.random.default_rng(9), (2, 3 * n))
    whole = CdlChannel(cfg, np.random.default_rng(10)).apply(x, fs, 0.01, causal=True)
    ch = CdlChannel(cfg, np.random.default_rng(10))
    y = np.concatenate([ch.apply(x[:, i * n:(i + 1) * n], fs, 0.01 + i * n / fs, causal=True)
                        for i in range(3)], axis=1)
    np.testing.assert_allclose(y, whole, atol=2e-6 * np.abs(whole).max())


def test_apply_paths_history_is_the_past_input():
    rng = np.random.default_rng(11)
    fs = 1e6
    delays = np.array([0.0, 3.4e-6, 20.25e-6])
    g = _noise(rng, (2, 1, 3, 1))
    x = _noise(rng, (1, 600))
    whole = apply_paths(x, delays, g, fs)
    h = history_length(delays, fs)
    assert h == 20 + DEFAULT_FILTER_HALF_LENGTH      # last lag of the 2L-tap filter of the 20.25-sample path
    tail = apply_paths(x[:, 400:], delays, g, fs, history=x[:, :400])
    np.testing.assert_allclose(tail, whole[:, 400:], atol=1e-5)
    with pytest.raises(ValueError, match="history"):
        apply_paths(x, delays, g, fs, history=np.zeros((2, 5)))

"""Tests of the multipath application (TR 38.901 §7.7): time-domain filter and frequency response."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel.multipath import (
    DEFAULT_FILTER_HALF_LENGTH,
    PASSBAND,
    apply_paths,
    fractional_delay_taps,
    paths_frequency_response,
)
from opennr.numerology import Carrier, ofdm_info
from opennr.ofdm import ofdm_demodulate, ofdm_modulate


def _noise(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def test_single_path_at_zero_delay_is_identity(rng):
    x = _noise(rng, (1, 777))
    y = apply_paths(x, [0.0], np.ones((1, 1, 1, 1)), 1e6)
    assert y.dtype == np.complex64
    np.testing.assert_array_equal(y, x)


def test_integer_delay_is_exact_shift_with_gain(rng):
    fs = 1e6
    x = _noise(rng, (2, 500))
    g = np.zeros((1, 2, 2, 1), complex)
    g[0, 0, 0, 0] = 0.5 - 0.25j   # tx 0, 3 samples late
    g[0, 1, 1, 0] = 2.0j          # tx 1, 10 samples late
    y = apply_paths(x, [3 / fs, 10 / fs], g, fs)
    want = np.zeros(500, complex)
    want[3:] += (0.5 - 0.25j) * x[0, :-3]
    want[10:] += 2.0j * x[1, :-10]
    np.testing.assert_allclose(y[0], want, atol=1e-5)


def test_fractional_delay_of_a_tone():
    fs = 1e6
    n = np.arange(4000)
    f = 0.31 * fs
    x = np.exp(2j * np.pi * f * n / fs)[None]
    tau = 7.37 / fs
    y = apply_paths(x, [tau], np.ones((1, 1, 1, 1)), fs)
    want = np.exp(2j * np.pi * f * (n / fs - tau))
    inner = slice(100, -100)
    np.testing.assert_allclose(y[0, inner], want[inner], atol=3e-3)


def test_taps_are_unit_dc_and_centred_on_the_delay():
    lag0, h = fractional_delay_taps(4.25, 8)
    assert h.size == 16 and lag0 == 4 - 8 + 1
    assert h.sum() == pytest.approx(1.0)
    k = lag0 + np.arange(16)
    assert (h * k).sum() == pytest.approx(4.25, abs=2e-2)   # centre of mass at the delay
    assert fractional_delay_taps(3.0)[1].tolist() == [1.0]


def test_default_interpolator_in_band_error():
    """Documented bound: max |H(f) − e^{−j2πfτ}| <= −52 dB for |f| <= 0.425 f_s, any fractional delay."""
    f = np.linspace(-PASSBAND, PASSBAND, 861)
    worst = 0.0
    for mu in np.linspace(0.0, 1.0, 101)[1:-1]:
        lag0, h = fractional_delay_taps(5.0 + mu)
        assert h.size == 2 * DEFAULT_FILTER_HALF_LENGTH
        k = lag0 + np.arange(h.size)
        resp = np.exp(-2j * np.pi * np.outer(f, k)) @ h
        worst = max(worst, np.abs(resp - np.exp(-2j * np.pi * f * (5.0 + mu))).max())
    assert 20 * np.log10(worst) < -51.5
    # Beyond the passband the interpolator is not flat (the bound is not vacuous).
    lag0, h = fractional_delay_taps(5.5)
    edge = np.exp(-2j * np.pi * 0.48 * (lag0 + np.arange(h.size))) @ h
    assert abs(edge - np.exp(-2j * np.pi * 0.48 * 5.5)) > 0.05


def test_paths_at_equal_delays_are_merged_exactly(rng):
    fs = 1e6
    x = _noise(rng, (2, 500))
    d = np.array([1.3e-6, 0.0, 1.3e-6, 2.0e-6, 0.0])
    g = _noise(rng, (3, 2, 5, 4))
    tg = np.linspace(0.0, 4e-4, 4)
    y = apply_paths(x, d, g, fs, gain_times=tg)
    separate = sum(apply_paths(x, d[[p]], g[:, :, [p]], fs, gain_times=tg) for p in range(5))
    np.testing.assert_allclose(y, separate, atol=1e-5)


def test_per_sample_gains_and_interpolated_gains(rng):
    fs = 2e6
    x = _noise(rng, (1, 300))
    g = _noise(rng, (2, 1, 1, 300))
    y = apply_paths(x, [0.0], g, fs)
    np.testing.assert_allclose(y, g[:, 0, 0, :] * x, rtol=1e-5, atol=1e-6)
    # Two gain samples at t = 0 and the last sample: a linear ramp from 1 to 3j.
    gt = np.array([0.0, 299 / fs])
    g2 = np.array([1.0, 3j]).reshape(1, 1, 1, 2)
    y2 = apply_paths(x, [0.0], g2, fs, gain_times=gt)
    ramp = 1.0 + (3j - 1.0) * np.arange(300) / 299
    np.testing.assert_allclose(y2[0], ramp * x[0], rtol=1e-5, atol=1e-5)


def test_frequency_response_formula(rng):
    delays = np.array([0.0, 1.3e-7, 9.1e-7])
    g = _noise(rng, (2, 3, 3, 4))
    f = np.linspace(-5e6, 5e6, 37)
    h = paths_frequency_response(delays, g, f)
    assert h.shape == (2, 3, 4, 37) and h.dtype == np.complex64
    want = np.einsum("rtps,pk->rtsk", g.astype(complex), np.exp(-2j * np.pi * np.outer(delays, f)))
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-5)


def test_time_domain_agrees_with_frequency_response_for_ofdm(rng):
    """Static channel, fractional delays within the CP: demodulated grid = H · X."""
    carrier = Carrier(scs=30, n_size_grid=51)
    info = ofdm_info(carrier)
    k_sc = carrier.n_subcarriers
    qpsk = (rng.choice([-1, 1], (2, 14, k_sc)) + 1j * rng.choice([-1, 1], (2, 14, k_sc))) / np.sqrt(2)
    wave = ofdm_modulate(qpsk, carrier)
    fs = info.sample_rate
    delays = np.array([0.0, 3.3, 11.71, 25.05]) / fs      # all well within the CP (36 samples)
    g = _noise(rng, (2, 2, 4, 1)) / np.sqrt(8)
    rx = ofdm_demodulate(apply_paths(wave, delays, g, fs), carrier, cp_fraction=1.0)
    freqs = (np.arange(k_sc) - k_sc // 2) * carrier.scs * 1e3
    h = paths_frequency_response(delays, g, freqs)[:, :, 0, :]      # (rx, tx, K)
    want = np.einsum("rtk,tlk->rlk", h, qpsk)
    err = np.abs(rx - want)
    assert np.sqrt(np.mean(err ** 2) / np.mean(np.abs(want) ** 2)) < 1e-3
    assert err[..., 12:-12].max() < 5e-3


def test_bad_shapes_raise():
    x = np.zeros((2, 10), np.complex64)
    with pytest.raises(ValueError, match="gains"):
        apply_paths(x, [0.0], np.ones((1, 1, 1, 1)), 1e6)
    with pytest.raises(ValueError, match="waveform"):
        apply_paths(np.zeros(10), [0.0], np.ones((1, 1, 1, 1)), 1e6)
    with pytest.raises(ValueError, match="sample_rate"):
        apply_paths(x, [0.0], np.ones((1, 2, 1, 1)), -1.0)
    with pytest.raises(ValueError, match="gain_times"):
        apply_paths(x, [0.0], np.ones((1, 2, 1, 3)), 1e6, gain_times=[0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="n_samples"):
        apply_paths(x, [0.0], np.ones((1, 2, 1, 3)), 1e6)
    with pytest.raises(ValueError, match="delays"):
        apply_paths(x, [np.nan], np.ones((1, 2, 1, 1)), 1e6)
    with pytest.raises(ValueError, match="frequencies"):
        paths_frequency_response([0.0], np.ones((1, 1, 1, 1)), [[1.0]])

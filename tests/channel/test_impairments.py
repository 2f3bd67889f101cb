"""Tests of the RF impairments: CFO, timing offset, Wiener phase noise, IQ imbalance."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel.impairments import (
    frequency_offset,
    iq_imbalance,
    phase_noise,
    timing_offset,
    wiener_phase,
)
from opennr.errors import ConfigError


def _noise(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def test_cfo_is_measured_back(rng):
    fs, df = 1e6, 1234.5
    x = _noise(rng, (2, 5000))
    y = frequency_offset(x, df, fs)
    ph = np.unwrap(np.angle(y[0] * np.conj(x[0])))
    slope = np.polyfit(np.arange(5000) / fs, ph, 1)[0]
    assert slope / (2 * np.pi) == pytest.approx(df, rel=1e-6)
    # Continuity: the second half with t0 equals the second half of one call.
    z = frequency_offset(x[:, 2500:], df, fs, t0=2500 / fs)
    np.testing.assert_allclose(z, y[:, 2500:], atol=1e-5)


def test_timing_offset_integer_and_fractional(rng):
    x = _noise(rng, (3, 400))
    y = timing_offset(x, 5)
    np.testing.assert_allclose(y[:, 5:], x[:, :-5], atol=1e-6)
    assert np.all(y[:, :5] == 0)
    n = np.arange(2000)
    tone = np.exp(2j * np.pi * 0.05 * n)
    z = timing_offset(tone, -2.5)
    np.testing.assert_allclose(z[50:-50], np.exp(2j * np.pi * 0.05 * (n + 2.5))[50:-50], atol=2e-3)


def test_wiener_phase_variance_grows_linearly():
    beta, fs = 1000.0, 1e6
    phi = wiener_phase(2000, beta, fs, np.random.default_rng(3), shape=(3000,))
    for n in (100, 1000, 1999):
        want = 2 * np.pi * beta * (n + 1) / fs
        # Sample variance of 3000 Gaussians: relative standard error sqrt(2/3000) ~ 2.6 %.
        assert phi[:, n].var() == pytest.approx(want, rel=0.1)
    y, p = phase_noise(np.ones((2, 50)), beta, fs, np.random.default_rng(4))
    np.testing.assert_allclose(np.angle(y), np.angle(np.exp(1j * p)), atol=1e-5)


def test_iq_imbalance_image_rejection():
    n = np.arange(1024)
    tone = np.exp(2j * np.pi * 100 * n / 1024)
    np.testing.assert_allclose(iq_imbalance(tone, 0.0, 0.0), tone, atol=1e-6)
    g_db, ph = 0.5, 3.0
    spec = np.fft.fft(iq_imbalance(tone, g_db, ph))
    g = 10 ** (g_db / 20)
    phi = np.radians(ph)
    irr = abs(1 + g * np.exp(-1j * phi)) ** 2 / abs(1 - g * np.exp(1j * phi)) ** 2
    assert abs(spec[100]) ** 2 / abs(spec[-100]) ** 2 == pytest.approx(irr, rel=1e-3)


def test_bad_impairment_arguments():
    with pytest.raises(ConfigError, match="linewidth"):
        wiener_phase(10, -1.0, 1e6, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="sample_rate"):
        frequency_offset(np.ones(4), 10.0, 0.0)
    with pytest.raises(ConfigError, match="offset"):
        frequency_offset(np.ones(4), np.nan, 1e6)

"""Tests of the sum-of-sinusoids Rayleigh fading processes (TR 38.901 §7.7.2 Doppler)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

from opennr.channel.fading import SumOfSinusoids, los_component


def test_autocorrelation_follows_bessel_j0():
    f_d = 100.0
    sos = SumOfSinusoids(4000, f_d, np.random.default_rng(1))
    lags = np.array([0.0, 0.5e-3, 1e-3, 2e-3, 3.83 / (2 * np.pi * f_d), 5e-3, 8e-3])
    g = sos(lags)
    r = (g * np.conj(g[:, :1])).mean(axis=0)
    # 4000 unit-power processes: standard error of each estimate below 1/sqrt(4000) ~ 0.016.
    np.testing.assert_allclose(r.real, scipy.special.j0(2 * np.pi * f_d * lags), atol=0.05)
    np.testing.assert_allclose(r.imag, 0.0, atol=0.05)


def test_envelope_is_rayleigh_and_unit_power():
    sos = SumOfSinusoids(3000, 0.0, np.random.default_rng(2))
    p = np.abs(sos([0.0])[:, 0]) ** 2
    assert p.mean() == pytest.approx(1.0, abs=0.06)
    for x in (0.1, 0.5, 1.0, 2.0):
        assert (p < x).mean() == pytest.approx(1 - np.exp(-x), abs=0.03)


def test_level_crossing_rate():
    f_d, fs, dur = 50.0, 4000.0, 1.0
    sos = SumOfSinusoids(150, f_d, np.random.default_rng(3))
    env = np.abs(sos(np.arange(int(dur * fs)) / fs))
    for rho in (0.3, 1.0):
        up = np.sum((env[:, :-1] < rho) & (env[:, 1:] >= rho)) / (150 * dur)
        expected = np.sqrt(2 * np.pi) * f_d * rho * np.exp(-rho ** 2)
        assert up == pytest.approx(expected, rel=0.1)


def test_process_is_a_function_of_absolute_time():
    sos = SumOfSinusoids(6, 300.0, np.random.default_rng(4))
    t = np.arange(100) * 1e-4
    np.testing.assert_array_equal(np.concatenate([sos(t[:37]), sos(t[37:])], axis=1), sos(t))
    again = SumOfSinusoids(6, 300.0, np.random.default_rng(4))
    np.testing.assert_array_equal(again(t), sos(t))


def test_los_component_is_a_rotating_phasor():
    t = np.arange(10) * 1e-3
    g = los_component(t, 70.0, [0.5])
    np.testing.assert_allclose(np.abs(g), 1.0)
    np.testing.assert_allclose(np.angle(g[0, 1] / g[0, 0]), 2 * np.pi * 70.0 * 1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_doppler"):
        SumOfSinusoids(2, -1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="times"):
        SumOfSinusoids(2, 1.0, np.random.default_rng(0))([np.inf])

"""Tests of the TDL channel models (TR 38.901 §7.7.2-§7.7.6, TS 38.101-4 Annex B.2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from opennr.channel.multipath import apply_paths
from opennr.channel.tdl import TdlChannel, TdlConfig, parse_tdl_name, symbol_times, tdl_profile
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info
from opennr.ofdm import ofdm_demodulate, ofdm_modulate

# Spot values of TR 38.901 Tables 7.7.2-1..5 (normalised delay, power dB) of the last tap.
LAST_TAP = {"TDL-A": (9.6586, -29.7), "TDL-B": (4.7834, -11.3), "TDL-C": (8.6523, -22.8),
            "TDL-D": (12.525, -27.7), "TDL-E": (20.6519, -29.2)}
N_TAPS = {"TDL-A": 23, "TDL-B": 23, "TDL-C": 24, "TDL-D": 13, "TDL-E": 14}


def _rms_ds(delays, powers):
    p = np.asarray(powers) / np.sum(powers)
    m = np.sum(p * delays)
    return np.sqrt(np.sum(p * np.asarray(delays) ** 2) - m ** 2)


@pytest.mark.parametrize("model", list(LAST_TAP))
def test_profile_delays_powers_and_delay_spread(model):
    ds = 300e-9
    raw = tdl_profile(TdlConfig(model=model, delay_spread=ds, normalize_gains=False))
    assert len(raw.delays) == N_TAPS[model]
    tau, p_db = LAST_TAP[model]
    assert raw.delays[-1] == pytest.approx(tau * ds)
    assert 10 * np.log10(raw.powers[-1]) == pytest.approx(p_db)
    prof = tdl_profile(TdlConfig(model=model, delay_spread=ds))
    p = np.array(prof.powers)
    p[0] += prof.los_power
    assert p.sum() == pytest.approx(1.0)
    assert _rms_ds(prof.delays, p) == pytest.approx(ds, rel=0.01)


def test_k_factor_of_d_and_e_and_rescaling():
    assert tdl_profile(TdlConfig(model="TDL-D", delay_spread=1e-7)).k_first_tap_db \
        == pytest.approx(13.3)
    assert tdl_profile(TdlConfig(model="TDL-E", delay_spread=1e-7)).k_first_tap_db \
        == pytest.approx(22.0)
    for k in (0.0, 6.0, 20.0):
        prof = tdl_profile(TdlConfig(model="TDL-D", delay_spread=1e-7, k_factor=k))
        assert prof.k_factor_db == pytest.approx(k)
        p = np.array(prof.powers)
        p[0] += prof.los_power
        assert _rms_ds(prof.delays, p) == pytest.approx(1e-7, rel=1e-9)


def test_average_power_delay_profile_of_generated_gains():
    cfg = TdlConfig(model="TDL-C", delay_spread=100e-9, max_doppler=200.0, n_tx=2, n_rx=2)
    ch = TdlChannel(cfg, np.random.default_rng(5))
    g = ch.gains(np.linspace(0, 20.0, 1500))
    pdp = (np.abs(g) ** 2).mean(axis=(0, 1, 3))
    want = np.array(ch.profile.powers)
    np.testing.assert_allclose(pdp / want, 1.0, atol=0.25)
    assert pdp.sum() == pytest.approx(1.0, abs=0.1)


def test_rician_first_tap_k_factor_measured():
    cfg = TdlConfig(model="TDL-D", delay_spread=30e-9, max_doppler=100.0, n_rx=4)
    ch = TdlChannel(cfg, np.random.default_rng(6))
    t = np.linspace(0, 30.0, 4000)
    h = ch.gains(t)[:, 0, 0, :]                                       # (rx, n)
    los = (h * np.exp(-2j * np.pi * 70.0 * t)).mean(axis=1)           # f_LOS = 0.7 f_D
    k = np.abs(los) ** 2 / ((np.abs(h) ** 2).mean(axis=1) - np.abs(los) ** 2)
    np.testing.assert_allclose(10 * np.log10(k), 13.3, atol=1.0)


def test_spatial_correlation_of_generated_channels():
    cfg = TdlConfig(model="TDL-A", delay_spread=30e-9, max_doppler=300.0, n_tx=2, n_rx=2,
                    correlation="medium")
    ch = TdlChannel(cfg, np.random.default_rng(7))
    g = ch.gains(np.linspace(0, 10.0, 1500))                          # (2, 2, taps, n)
    g = g / np.sqrt(np.array(ch.profile.powers))[None, None, :, None]
    v = g.reshape(4, -1)
    est = v @ v.conj().T / v.shape[1]
    np.testing.assert_allclose(est, cfg.correlation_matrix(), atol=0.08)


def test_gains_are_continuous_across_calls_and_seeded():
    cfg = TdlConfig(model="TDL-B", delay_spread=100e-9, max_doppler=500.0, n_tx=2, n_rx=1)
    a = TdlChannel(cfg, np.random.default_rng(8))
    t = np.arange(200) * 1e-5
    whole = a.gains(t)
    np.testing.assert_array_equal(np.concatenate([a.gains(t[:80]), a.gains(t[80:])], axis=-1), whole)
    np.testing.assert_array_equal(TdlChannel(cfg, np.random.default_rng(8)).gains(t), whole)
    assert not np.array_equal(TdlChannel(cfg, np.random.default_rng(9)).gains(t), whole)


def test_time_and_frequency_domain_agree_for_ofdm():
    carrier = Carrier(scs=30, n_size_grid=24)
    info = ofdm_info(carrier)
    cfg = TdlConfig(model="TDL-C", delay_spread=30e-9, max_doppler=0.0, n_tx=2, n_rx=2)
    ch = TdlChannel(cfg, np.random.default_rng(10))
    rng = np.random.default_rng(11)
    k = carrier.n_subcarriers
    x = (rng.choice([-1, 1], (2, 14, k)) + 1j * rng.choice([-1, 1], (2, 14, k))) / np.sqrt(2)
    y = ofdm_demodulate(ch.apply(ofdm_modulate(x, carrier), info.sample_rate), carrier,
                        cp_fraction=0.5)
    h = ch.ofdm_response(carrier, 0)                                  # (rx, tx, 14, K)
    want = np.einsum("rtlk,tlk->rlk", h, x)
    err = np.abs(y - want)[..., 12:-12]
    assert np.sqrt(np.mean(err ** 2) / np.mean(np.abs(want) ** 2)) < 2e-3


def test_time_varying_apply_follows_the_gains():
    cfg = TdlConfig(model="TDL-A", delay_spread=10e-9, max_doppler=300.0)
    ch = TdlChannel(cfg, np.random.default_rng(12))
    fs = 1.92e6
    x = np.ones((1, 4000), np.complex64)
    t0 = 0.0123
    y = ch.apply(x, fs, t0=t0)
    # A constant input sees the sum of the path gains (all delays are far below a sample).
    want = ch.gains(t0 + np.arange(4000) / fs)[0, 0].sum(axis=0)
    np.testing.assert_allclose(y[0, 100:-100], want[100:-100], atol=2e-3)


def test_gain_grid_interpolation_error_is_within_the_stated_bound():
    """apply() interpolates the gains linearly from 128 points per Doppler period: the rms error
    against gains evaluated at every sample is at most (2π/128)²/8 = 3.0e-4 of the rms output."""
    cfg = TdlConfig(model="TDL-B", delay_spread=300e-9, max_doppler=500.0, n_rx=2)
    ch = TdlChannel(cfg, np.random.default_rng(13))
    fs, n, t0 = 1.92e6, 40000, 0.0371
    x = np.exp(2j * np.pi * np.random.default_rng(14).random((1, n))).astype(np.complex64)
    y = ch.apply(x, fs, t0=t0)
    exact = apply_paths(x, ch.delays, ch.gains(t0 + np.arange(n) / fs), fs)
    err = np.sqrt(np.mean(np.abs(y - exact) ** 2) / np.mean(np.abs(exact) ** 2))
    assert 1e-6 < err < (2 * np.pi / 128) ** 2 / 8


def test_symbol_times_and_fixed_profiles():
    carrier = Carrier(scs=30, n_size_grid=24)
    info = ofdm_info(carrier)
    t = symbol_times(carrier, 2)
    assert t[0] == pytest.approx((info.samples_per_slot * 2 + info.cp_lengths[0] + info.nfft / 2)
                                 / info.sample_rate)
    assert parse_tdl_name("TDLA30-10") == ("TDLA30", 30.0, 10.0)
    assert parse_tdl_name("TDLB100-400") == ("TDLB100", 100.0, 400.0)
    assert parse_tdl_name("tdlc300-100") == ("TDLC300", 300.0, 100.0)
    assert parse_tdl_name("TDLA30-75")[2] == 75.0
    prof = tdl_profile(TdlConfig(model="TDLC300", delay_spread=None, normalize_gains=False))
    assert prof.delays[-1] == pytest.approx(2595e-9) and len(prof.delays) == 12
    assert 10 * np.log10(prof.powers[0]) == pytest.approx(-6.9)


def test_bad_configurations():
    with pytest.raises(ConfigError, match="model"):
        TdlConfig(model="TDL-F")
    with pytest.raises(ConfigError, match="delay_spread"):
        TdlConfig(model="TDL-A", delay_spread=-30e-9)
    with pytest.raises(ConfigError, match="delay_spread"):
        TdlConfig(model="TDLA30", delay_spread=30e-9)
    with pytest.raises(ConfigError, match="k_factor"):
        TdlConfig(model="TDL-A", k_factor=3.0)
    with pytest.raises(ConfigError, match="max_doppler"):
        TdlConfig(max_doppler=-5.0)
    with pytest.raises(ConfigError, match="n_rx"):
        TdlConfig(n_rx=0)
    with pytest.raises(ConfigError, match="name"):
        parse_tdl_name("TDLE30-10")                     # no such conformance profile
    with pytest.raises(ConfigError, match="model"):
        TdlConfig(model="TDLD100", delay_spread=None)
    with pytest.raises(ConfigError, match="delay_spread"):
        TdlConfig(model="TDL-A", delay_spread=0.0)
    with pytest.raises(ConfigError, match="delay_spread"):
        TdlConfig(model="TDL-A", delay_spread=float("nan"))
    with pytest.raises(ConfigError, match="name"):
        parse_tdl_name("TDL-A")
    ch = TdlChannel(TdlConfig(max_doppler=5000.0), np.random.default_rng(0))
    with pytest.raises(ConfigError, match="max_doppler"):
        ch.apply(np.zeros((1, 100)), 1e5)                 # f_D above 1 % of the sample rate
    with pytest.raises(ConfigError, match="sample_rate"):
        ch.apply(np.zeros((1, 100)), -1e6)
    with pytest.raises(ConfigError, match="positive semi-definite"):
        TdlConfig(n_tx=2, n_rx=2, correlation=np.array([[1, 0.9, 0.9, 0], [0.9, 1, 0, 0.9],
                                                        [0.9, 0, 1, -0.9], [0, 0.9, -0.9, 1]]))
    with pytest.raises(ValueError, match="waveform"):
        ch.apply(np.zeros((2, 100)), 1e7)
    assert dataclasses.replace(TdlConfig(), n_rx=2).n_rx == 2


# Conformance profiles: (number of taps, nominal delay spread in ns, K1 in dB or None).
FIXED = {"TDLA30": (12, 30, None), "TDLB100": (12, 100, None), "TDLC300": (12, 300, None),
         "TDLC60": (12, 60, None), "TDLD30": (10, 30, 12.2), "TDLA10": (16, 10, None),
         "TDLD10": (10, 10, 12.2)}


@pytest.mark.parametrize("model", list(FIXED))
def test_fixed_profiles_have_their_nominal_delay_spread(model):
    # A transcription error in a delay or power of the tail would move the rms delay spread.
    n_taps, ds_ns, k1 = FIXED[model]
    prof = tdl_profile(TdlConfig(model=model, delay_spread=None))
    assert len(prof.delays) == n_taps
    p = np.array(prof.powers)
    p[0] += prof.los_power
    assert p.sum() == pytest.approx(1.0)
    assert _rms_ds(prof.delays, p) == pytest.approx(ds_ns * 1e-9, rel=0.01)
    assert prof.k_first_tap_db == (pytest.approx(k1) if k1 else -np.inf)
    assert parse_tdl_name(f"{model}-75") == (model, float(ds_ns), 75.0)


def _binned(model, ds_ns, grid_ns):
    """TR 38.901 profile scaled to ds_ns and summed on a grid_ns delay grid (LOS kept apart)."""
    raw = tdl_profile(TdlConfig(model=model, delay_spread=ds_ns * 1e-9, normalize_gains=False))
    bins = {}
    for tau, p in zip(raw.delays, raw.powers, strict=True):
        key = round(tau * 1e9 / grid_ns) * grid_ns
        bins[key] = bins.get(key, 0.0) + p
    delays = np.array(sorted(bins))
    return delays, 10 * np.log10([bins[d] for d in delays]), raw.los_power


@pytest.mark.parametrize(("fixed", "model", "ds", "grid", "n_checked"),
                         [("TDLD30", "TDL-D", 30, 5, 10), ("TDLD10", "TDL-D", 10, 2, 10),
                          ("TDLC60", "TDL-C", 60, 5, 8), ("TDLA10", "TDL-A", 10, 2, 15)])
def test_fixed_fr2_profiles_follow_from_the_scalable_ones(fixed, model, ds, grid, n_checked):
    """Single-source profiles checked by construction: the scalable TR 38.901 profile at the nominal
    delay spread, binned on the 3GPP delay grid, gives the tabulated delays and powers (0.1 dB)."""
    delays, p_db, los = _binned(model, ds, grid)
    tab = tdl_profile(TdlConfig(model=fixed, delay_spread=None, normalize_gains=False))
    tab_db = 10 * np.log10(tab.powers)
    if los:                     # Rician: powers relative to the LOS part, as tabulated
        assert 10 * np.log10(tab.los_power) == pytest.approx(10 * np.log10(los), abs=0.06)
    else:                       # Rayleigh: the strongest tap is 0 dB
        p_db = p_db - p_db.max()
    np.testing.assert_allclose(np.array(tab.delays[:n_checked]) * 1e9, delays[:n_checked])
    np.testing.assert_allclose(tab_db[:n_checked], p_db[:n_checked], atol=0.1 + 1e-9)


def test_k_factor_per_link_with_correlated_nlos():
    """TDLD30, 2x2 high correlation: the correlation acts on the Rayleigh part only, so every link
    keeps K1 = 12.2 dB; the correlation of the Rayleigh parts is the requested one."""
    cfg = TdlConfig(model="TDLD30", delay_spread=None, max_doppler=100.0, n_tx=2, n_rx=2,
                    correlation="high")
    ch = TdlChannel(cfg, np.random.default_rng(21))
    t = np.linspace(0, 30.0, 6000)
    h = ch.gains(t)[:, :, 0, :].reshape(4, -1)                         # tap 1 of every link
    los = (h * np.exp(-2j * np.pi * 70.0 * t)).mean(axis=1, keepdims=True)   # f_LOS = 0.7 f_D
    nlos = h - los * np.exp(2j * np.pi * 70.0 * t)
    k = 10 * np.log10(np.abs(los[:, 0]) ** 2 / (np.abs(nlos) ** 2).mean(axis=1))
    np.testing.assert_allclose(k, 12.2, atol=0.7)
    np.testing.assert_allclose(np.abs(los[:, 0]) ** 2, ch.profile.los_power, rtol=0.05)
    est = nlos @ nlos.conj().T / t.size / ch.profile.powers[0]
    np.testing.assert_allclose(est.real, cfg.correlation_matrix().real, atol=0.15)


def _ensemble_correlation(cfg, n_channels, seed):
    """Sample correlation of the links over independent channels and taps (one instant each)."""
    rng = np.random.default_rng(seed)
    v = []
    for _ in range(n_channels):
        ch = TdlChannel(cfg, rng)
        g = ch.gains(np.array([0.0]))[..., 0] / np.sqrt(np.array(ch.profile.powers))
        v.append(g.reshape(cfg.n_rx * cfg.n_tx, -1))
    v = np.concatenate(v, axis=1)
    return v @ v.conj().T / v.shape[1], v.shape[1]


@pytest.mark.parametrize(("n_tx", "n_rx", "level", "direction"),
                         [(1, 2, "high", "downlink"), (2, 2, "medium", "downlink"),
                          (2, 4, "high", "uplink"), (4, 4, "medium-A", "downlink")])
def test_cross_polarised_channels_have_the_requested_correlation(n_tx, n_rx, level, direction):
    """Every entry of the sample correlation of N independent unit-power complex Gaussian vectors
    has standard deviation at most 1/sqrt(N); the tolerance is five of them."""
    cfg = TdlConfig(model="TDL-C", delay_spread=100e-9, max_doppler=50.0, n_tx=n_tx, n_rx=n_rx,
                    correlation=level, direction=direction, polarization="cross-polar")
    est, n = _ensemble_correlation(cfg, 200, 30 + n_tx * n_rx)
    want = cfg.correlation_matrix()
    np.testing.assert_allclose(est, want, atol=5 / np.sqrt(n))
    # The cross-polarised matrix is not the co-polarised one (the test can tell them apart).
    co = TdlConfig(model="TDL-C", delay_spread=100e-9, n_tx=n_tx, n_rx=n_rx, correlation=level,
                   direction=direction).correlation_matrix()
    assert np.abs(co - want).max() > 10 / np.sqrt(n)

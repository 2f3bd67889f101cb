"""Tests of the TDL channel models (TR 38.901 §7.7.2-§7.7.6, TS 38.101-4 Annex B.2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

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
        parse_tdl_name("TDLD30-10")
    with pytest.raises(ConfigError, match="name"):
        parse_tdl_name("TDL-A")
    ch = TdlChannel(TdlConfig(max_doppler=5000.0), np.random.default_rng(0))
    with pytest.raises(ConfigError, match="max_doppler"):
        ch.apply(np.zeros((1, 100)), 1e5)
    with pytest.raises(ValueError, match="waveform"):
        ch.apply(np.zeros((2, 100)), 1e7)
    assert dataclasses.replace(TdlConfig(), n_rx=2).n_rx == 2

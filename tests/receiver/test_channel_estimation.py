"""DM-RS channel estimation (TS 38.211 §7.4.1.1): exact recovery of flat and linear channels
over the DM-RS layouts, CDM separation of the ports of a group, interpolation rules, noise
variance estimates, the Wiener estimator against LS on TDL channels, the noise covariance from
the DM-RS residuals (and IRC driven by it), the perfect-CSI mode and errors."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel import TdlChannel, TdlConfig
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import (
    PdschConfig,
    pdsch_bit_capacity,
    pdsch_grid,
    pdsch_indices,
    pdsch_plan,
)
from opennr.physical.pusch import (
    PuschConfig,
    pusch_bit_capacity,
    pusch_grid,
    pusch_precoding_matrix,
)
from opennr.receiver.channel_estimation import (
    ESTIMATORS,
    estimate_channel,
    ls_channel_estimate,
    perfect_channel_estimate,
    wiener_channel_estimate,
)
from opennr.receiver.equalization import equalize

CARRIER = Carrier(scs=30, n_size_grid=24, n_start_grid=3, n_cell_id=17)

LAYOUTS = [
    # (mapping, (S, L), DmrsConfig kwargs, layers, ports, PRBs)
    ("A", (0, 14), dict(additional_position=1), 4, None, tuple(range(2, 20))),
    ("A", (2, 12), dict(config_type=2, additional_position=3, n_cdm_groups_without_data=3), 6,
     None, None),
    ("A", (0, 14), dict(length=2, additional_position=1), 8, None, (0, 1, 2, 5, 6, 7, 20, 23)),
    ("A", (0, 14), dict(config_type=2, length=2, n_cdm_groups_without_data=3), 8,
     (0, 3, 4, 6, 7, 9, 10, 11), tuple(range(10))),
    ("B", (3, 7), dict(additional_position=1, n_cdm_groups_without_data=1), 2, None, (4, 5, 6)),
    ("A", (0, 14), dict(), 1, None, None),
]


def _config(mapping, alloc, dmrs_kw, n_layers, ports, prbs, modulation="QPSK"):
    return PdschConfig(mapping_type=mapping, symbol_allocation=alloc, prb_set=prbs,
                       n_layers=n_layers, dmrs=DmrsConfig(**dmrs_kw), dmrs_ports=ports,
                       modulation=modulation if n_layers <= 4 else (modulation, modulation))


def _tx_grid(config, rng, n_slot=0, carrier=CARRIER):
    g = pdsch_bit_capacity(carrier, config)
    cws = [rng.integers(0, 2, x, dtype=np.uint8) for x in g]
    return pdsch_grid(cws if len(cws) == 2 else cws[0], carrier, config, n_slot=n_slot)


def _alloc_mask(config, carrier=CARRIER):
    prbs = range(carrier.n_size_grid) if config.prb_set is None else config.prb_set
    k = (np.array(prbs)[:, None] * 12 + np.arange(12)).reshape(-1)
    s, n = config.symbol_allocation
    mask = np.zeros((carrier.symbols_per_slot, carrier.n_subcarriers), bool)
    mask[s:s + n, k] = True
    return mask


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


@pytest.mark.parametrize("estimator", ["ls", "wiener"])
@pytest.mark.parametrize("case", LAYOUTS, ids=lambda c: f"{c[0]}{c[1]}-{c[3]}L")
def test_flat_mimo_channel_is_recovered_exactly_and_ports_of_a_cdm_group_separate(case,
                                                                                  estimator, rng):
    config = _config(*case)
    tx = _tx_grid(config, rng, n_slot=5)
    n_rx = config.n_layers + 1
    h = _crandn(rng, n_rx, config.n_layers)
    y = np.einsum("rj,jlk->rlk", h, tx)
    est = estimate_channel(y, CARRIER, config, n_slot=5, estimator=estimator)
    mask = _alloc_mask(config)
    assert est.h.dtype == np.complex64
    assert est.h.shape == (n_rx, config.n_layers, 14, CARRIER.n_subcarriers)
    np.testing.assert_allclose(est.h[:, :, mask], np.broadcast_to(h[:, :, None],
                                                                  (*h.shape, mask.sum())),
                               atol=1e-4)
    assert not est.h[:, :, ~mask].any()
    assert est.noise_var < 1e-8


def test_wrong_slot_number_gives_a_wrong_estimate(rng):
    config = _config(*LAYOUTS[0])
    tx = _tx_grid(config, rng, n_slot=5)
    est = ls_channel_estimate(tx, CARRIER, config, n_slot=4)
    assert np.abs(est.h[0, 0][_alloc_mask(config)] - 1).mean() > 0.5


@pytest.mark.parametrize("dmrs_kw,ports", [(dict(additional_position=2), (0, 2)),
                                           (dict(config_type=2, additional_position=1,
                                                 n_cdm_groups_without_data=3), (0, 2, 4)),
                                           (dict(length=2, additional_position=1), (1,))])
def test_channel_linear_in_frequency_and_time_is_interpolated_exactly(dmrs_kw, ports, rng):
    # Ports in distinct CDM groups: despreading averages each k' pair to its midpoint, and
    # linear interpolation/extrapolation reproduces a linear channel; in time the estimate is
    # linear between the DM-RS symbol (groups) and held before the first and after the last.
    config = _config("A", (0, 14), dmrs_kw, len(ports), ports, (1, 2, 3, 4, 5, 6, 7, 8))
    tx = _tx_grid(config, rng)
    n_rx = 2
    a, b, c = _crandn(rng, 3, n_rx, len(ports))
    k = np.arange(CARRIER.n_subcarriers) / 100.0
    lsym = np.arange(14) / 10.0
    h = (a[..., None, None] + b[..., None, None] * k + c[..., None, None] * lsym[:, None])
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    est = ls_channel_estimate(y, CARRIER, config)
    dm = pdsch_plan(CARRIER, config).dmrs_symbols.reshape(-1, config.dmrs.length).mean(-1)
    t = np.clip(np.arange(14), dm[0], dm[-1]) / 10.0
    expect = a[..., None, None] + b[..., None, None] * k + c[..., None, None] * t[:, None]
    mask = _alloc_mask(config)
    np.testing.assert_allclose(est.h[:, :, mask], expect[:, :, mask], atol=2e-4)


def test_noise_variance_estimate_is_within_ten_percent(rng):
    carrier = Carrier(scs=30, n_size_grid=106)
    config = PdschConfig(n_layers=2, dmrs=DmrsConfig(additional_position=2))
    tx = _tx_grid(config, rng, carrier=carrier)
    n_rx, n0 = 4, 0.05
    h = _crandn(rng, n_rx, 2)
    y = np.einsum("rj,jlk->rlk", h, tx) + np.sqrt(n0) * _crandn(rng, n_rx, 14, 1272)
    est = ls_channel_estimate(y, carrier, config)
    assert abs(est.noise_var / n0 - 1) < 0.1
    # the estimation error of the despread, interpolated channel is about n0 / (β² · 2)
    err = np.mean(np.abs(est.h[:, :, 2:, :] - h[:, :, None, None]) ** 2)
    assert err < n0
    hh = np.broadcast_to(h[:, :, None, None], est.h.shape)
    perfect = perfect_channel_estimate(y, hh, carrier, config)
    assert abs(perfect.noise_var / n0 - 1) < 0.1
    np.testing.assert_allclose(perfect.h, hh, atol=1e-6)


def test_noise_estimate_is_not_fooled_by_a_frequency_selective_channel(rng):
    # A two-path channel with 0.3 µs delay: a large first difference, but the second
    # differences of a nearly linear phase stay small relative to the noise at 20 dB.
    carrier = Carrier(scs=30, n_size_grid=52)
    config = PdschConfig(n_layers=1, dmrs=DmrsConfig(additional_position=1))
    tx = _tx_grid(config, rng, carrier=carrier)
    f = np.arange(624) * 30e3
    h = (1 + 0.5 * np.exp(-2j * np.pi * f * 0.3e-6))[None, None, None, :] * np.ones((2, 1, 14, 1))
    n0 = 0.01
    y = np.einsum("rjlk,jlk->rlk", h, tx) + np.sqrt(n0) * _crandn(rng, 2, 14, 624)
    est = estimate_channel(y, carrier, config)
    assert 0.8 < est.noise_var / n0 < 1.5


def test_estimate_channel_dispatch_and_errors(rng):
    config = _config(*LAYOUTS[-1])
    tx = _tx_grid(config, rng)
    h = np.ones((1, 1, 14, CARRIER.n_subcarriers), np.complex64)
    assert estimate_channel(tx, CARRIER, config, estimator="perfect", h_true=h).noise_var < 1e-8
    with pytest.raises(ConfigError, match="estimator"):
        estimate_channel(tx, CARRIER, config, estimator="kalman")
    assert ESTIMATORS == ("ls", "wiener", "perfect")
    with pytest.raises(ValueError, match="h_true"):
        estimate_channel(tx, CARRIER, config, estimator="perfect")
    with pytest.raises(ValueError, match="h_true"):
        perfect_channel_estimate(tx, h[:, :, :7], CARRIER, config)
    with pytest.raises(ValueError, match="grid"):
        ls_channel_estimate(tx[:, :7], CARRIER, config)
    bad = tx.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        ls_channel_estimate(bad, CARRIER, config)
    with pytest.raises(ConfigError, match="n_slot"):
        ls_channel_estimate(tx, CARRIER, config, n_slot=20)


@pytest.mark.parametrize("kw", [
    dict(n_layers=2, n_antenna_ports=4, tpmi=3, modulation="16QAM",
         dmrs=DmrsConfig(additional_position=1)),
    dict(n_layers=2, transmission_scheme="non-codebook", dmrs_ports=(0, 3),
         dmrs=DmrsConfig(config_type=2, length=2, n_cdm_groups_without_data=2)),
    dict(transform_precoding=True, prb_set=tuple(range(3, 18)), modulation="pi/2-BPSK",
         group_hopping=True, dmrs=DmrsConfig(additional_position=2)),
], ids=["codebook-4port", "non-codebook-type2", "transform-precoding"])
def test_pusch_effective_channel_of_each_layer_is_recovered(kw, rng):
    # The PUSCH DM-RS is precoded with the data, so the estimate of layer j is the effective
    # channel H W[:, j]; the transform-precoding DM-RS is a low-PAPR sequence.
    config = PuschConfig(**kw)
    cw = rng.integers(0, 2, pusch_bit_capacity(CARRIER, config), dtype=np.uint8)
    tx = pusch_grid(cw, CARRIER, config, n_slot=7)                   # (ρ, 14, K)
    n_rx = 3
    h = _crandn(rng, n_rx, tx.shape[0])
    y = np.einsum("rp,plk->rlk", h, tx)
    w = pusch_precoding_matrix(config)                                # (ρ, ν)
    prbs = range(CARRIER.n_size_grid) if config.prb_set is None else config.prb_set
    k = (np.array(prbs)[:, None] * 12 + np.arange(12)).reshape(-1)
    eff = h @ w
    for estimator in ("ls", "wiener"):
        est = estimate_channel(y, CARRIER, config, n_slot=7, estimator=estimator)
        got = est.h[:, :, config.symbol_allocation[0]:, :][:, :, :, k]
        np.testing.assert_allclose(got, np.broadcast_to(eff[:, :, None, None], got.shape),
                                   atol=1e-4)
    wrong = ls_channel_estimate(y, CARRIER, config, n_slot=6)
    assert np.abs(wrong.h[:, :, 5, k] - eff[:, :, None]).mean() > 0.3


# --- Wiener estimator ---------------------------------------------------------------------------

def _tdl_mse(model, delay_spread, doppler, config, snrs, rng, n_rx=2, trials=2):
    """MSE (dB, relative to the channel power) of the LS and Wiener estimates per SNR."""
    carrier = Carrier(scs=30, n_size_grid=52)
    out = {}
    for snr in snrs:
        err = np.zeros(2)
        power = 0.0
        for _ in range(trials):
            tx = _tx_grid(config, rng, carrier=carrier)
            ch = TdlChannel(TdlConfig(model=model, delay_spread=delay_spread, max_doppler=doppler,
                                      n_tx=config.n_layers, n_rx=n_rx), rng)
            h = ch.ofdm_response(carrier, 0)
            n0 = 10.0 ** (-snr / 10)
            y = np.einsum("rjlk,jlk->rlk", h, tx) + np.sqrt(n0) * _crandn(rng, n_rx, *tx.shape[1:])
            for e, name in enumerate(("ls", "wiener")):
                est = estimate_channel(y, carrier, config, estimator=name)
                err[e] += np.sum(np.abs(est.h - h) ** 2)
            power += np.sum(np.abs(h) ** 2)
        out[snr] = 10 * np.log10(err / power)
    return out


@pytest.mark.parametrize("model,delay_spread,doppler,dmrs_kw,ports,gain_db", [
    ("TDL-C", 300e-9, 100.0, dict(additional_position=1), (0, 2), 3.0),
    ("TDL-C", 300e-9, 100.0, dict(config_type=2, length=2, additional_position=1,
                                  n_cdm_groups_without_data=3), (0, 2), 1.5),
    ("TDL-A", 30e-9, 10.0, dict(additional_position=1), (0, 1), 3.0),
], ids=["TDLC300-type1", "TDLC300-type2-double", "TDLA30-cdm"])
def test_wiener_beats_ls_at_low_snr_and_is_not_worse_at_high_snr(model, delay_spread, doppler,
                                                                  dmrs_kw, ports, gain_db, rng):
    # At 0 dB the Wiener filter averages many more pilots than linear interpolation (a
    # double-symbol type 2 DM-RS with 4.77 dB boost already averages four REs per pilot).
    config = PdschConfig(n_layers=len(ports), dmrs_ports=ports, dmrs=DmrsConfig(**dmrs_kw))
    mse = _tdl_mse(model, delay_spread, doppler, config, (0, 10, 30), rng)
    ls, wiener = np.array([mse[s] for s in (0, 10, 30)]).T
    assert ls[0] - wiener[0] >= gain_db
    assert ls[1] - wiener[1] >= 0.5
    assert wiener[2] <= ls[2] + 0.5


def test_wiener_noise_estimate_is_not_fooled_by_a_long_delay_spread(rng):
    # Type 2 pilots are 6 subcarriers apart: the second differences of a TDL-C 300 ns channel
    # are far above the noise at 30 dB, the residual of the model smoother is not.
    carrier = Carrier(scs=30, n_size_grid=52)
    config = PdschConfig(n_layers=1, dmrs=DmrsConfig(config_type=2, additional_position=1))
    tx = _tx_grid(config, rng, carrier=carrier)
    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, n_rx=4), rng)
    n0 = 1e-3
    y = np.einsum("rjlk,jlk->rlk", ch.ofdm_response(carrier, 0), tx) \
        + np.sqrt(n0) * _crandn(rng, 4, 14, 624)
    assert ls_channel_estimate(y, carrier, config).noise_var > 3 * n0
    est = wiener_channel_estimate(y, carrier, config)
    assert abs(est.noise_var / n0 - 1) < 0.15
    np.testing.assert_allclose(np.diagonal(est.noise_cov[0]).real, n0, rtol=0.2)


def test_wiener_options_are_validated_and_reachable_by_name(rng):
    config = _config(*LAYOUTS[0])
    tx = _tx_grid(config, rng)
    y = tx + 0.1 * _crandn(rng, *tx.shape)
    a = estimate_channel(y, CARRIER, config, estimator="wiener", delay_spread=1e-6,
                         max_doppler=500.0, pdp="uniform", window_prbs=3)
    b = wiener_channel_estimate(y, CARRIER, config, delay_spread=1e-6, max_doppler=500.0,
                                pdp="uniform", window_prbs=3)
    c = wiener_channel_estimate(y, CARRIER, config)
    np.testing.assert_array_equal(a.h, b.h)
    assert np.abs(a.h - c.h).max() > 1e-3
    for kw in (dict(delay_spread=-1e-9), dict(delay_spread=np.inf), dict(delay_spread=1.0),
               dict(max_doppler=-1.0), dict(pdp="gaussian"), dict(window_prbs=0),
               dict(cov_bundle_size=0)):
        with pytest.raises(ConfigError, match=next(iter(kw))):
            wiener_channel_estimate(y, CARRIER, config, **kw)
    with pytest.raises(ConfigError, match="cov_bundle_size"):
        ls_channel_estimate(y, CARRIER, config, cov_bundle_size=276)


# --- noise covariance ---------------------------------------------------------------------------

@pytest.mark.parametrize("estimator", ["ls", "wiener"])
@pytest.mark.parametrize("dmrs_kw,ports", [
    (dict(), (0, 1)),                                        # both codes of the group in use
    (dict(length=2, additional_position=1), (0, 1, 4)),
    (dict(config_type=2, additional_position=2, n_cdm_groups_without_data=3), (0, 2, 4)),
    (dict(config_type=2, length=2), (0, 1, 6)),
], ids=["type1-cdm", "type1-double", "type2", "type2-double"])
def test_covariance_of_white_noise_is_unbiased(estimator, dmrs_kw, ports, rng):
    # The residuals of a fit to the same DM-RS are smaller than the noise; the estimate
    # divides by the expected tr((I − P)(I − P)ᴴ) of the estimator P instead of the RE count
    # (which would give 1/8 of the noise with both codes of a type 1 group in use).
    carrier = Carrier(scs=30, n_size_grid=106)
    config = PdschConfig(n_layers=len(ports), dmrs_ports=ports, dmrs=DmrsConfig(**dmrs_kw))
    tx = _tx_grid(config, rng, carrier=carrier)
    n_rx, n0, n_slots = 2, 0.05, 6
    r = np.zeros((n_rx, n_rx), complex)
    for _ in range(n_slots):
        h = _crandn(rng, n_rx, config.n_layers)
        y = np.einsum("rj,jlk->rlk", h, tx) + np.sqrt(n0) * _crandn(rng, n_rx, 14, 1272)
        est = estimate_channel(y, carrier, config, estimator=estimator)
        assert np.array_equal(est.noise_cov, np.broadcast_to(est.noise_cov[0], est.noise_cov.shape))
        r += est.noise_cov[0] / n_slots
    np.testing.assert_allclose(np.diagonal(r).real, n0, rtol=0.05)
    assert abs(r[0, 1]) < 0.05 * n0


def _interfered_slot(rng, carrier, config, n_rx, n0, p_i, tdl=None):
    """PDSCH slot through a flat (or TDL) channel, plus one single-antenna interferer of random
    QPSK on every RE through a flat channel g, plus white noise; returns y, h, tx, R."""
    tx = _tx_grid(config, rng, carrier=carrier)
    if tdl is None:
        h = np.broadcast_to(_crandn(rng, n_rx, config.n_layers)[:, :, None, None],
                            (n_rx, config.n_layers, *tx.shape[1:]))
    else:
        h = TdlChannel(TdlConfig(model=tdl, delay_spread=100e-9, n_tx=config.n_layers,
                                 n_rx=n_rx), rng).ofdm_response(carrier, 0)
    g = _crandn(rng, n_rx, 1)
    s = (rng.choice([-1, 1], tx.shape[1:]) + 1j * rng.choice([-1, 1], tx.shape[1:])) / np.sqrt(2)
    y = np.einsum("rjlk,jlk->rlk", h, tx) + np.sqrt(p_i) * g[:, :, None] * s[None] \
        + np.sqrt(n0) * _crandn(rng, n_rx, *tx.shape[1:])
    r = n0 * np.eye(n_rx) + p_i * g @ g.conj().T
    return y, h, tx, r


@pytest.mark.parametrize("estimator", ["ls", "wiener", "perfect"])
def test_covariance_of_a_rank_one_interferer_converges_to_the_true_covariance(estimator, rng):
    carrier = Carrier(scs=30, n_size_grid=106)
    config = PdschConfig(n_layers=2, dmrs=DmrsConfig(additional_position=1))
    y, h, _, r = _interfered_slot(rng, carrier, config, 4, 0.01, 1.0)
    est = estimate_channel(y, carrier, config, estimator=estimator, h_true=h)
    err = np.linalg.norm(est.noise_cov[0] - r) / np.linalg.norm(r)
    assert err < 0.08


def test_covariance_bundles_are_aligned_to_crb_multiples(rng):
    carrier = Carrier(scs=30, n_size_grid=24, n_start_grid=3)
    config = PdschConfig(n_layers=1, prb_set=tuple(range(1, 21)), n_start_bwp=3, n_size_bwp=21)
    tx = _tx_grid(config, rng, carrier=carrier)
    y = tx + 0.1 * _crandn(rng, 2, *tx.shape[1:])
    est = ls_channel_estimate(y, carrier, config, cov_bundle_size=4)
    cov = est.noise_cov
    assert cov.shape == (24, 2, 2)
    # CRBs 4..23 allocated (grid PRBs 1..20); bundles are CRBs 4-7, 8-11, ..., 20-23
    assert not cov[0].any() and not cov[21:].any()
    for first in range(1, 21, 4):
        block = cov[first:first + 4]
        np.testing.assert_array_equal(block, np.broadcast_to(block[0], block.shape))
    assert not np.array_equal(cov[1], cov[5])
    whole = ls_channel_estimate(y, carrier, config).noise_cov
    np.testing.assert_allclose(cov[1:21].mean(axis=0), whole[1], rtol=0.05)


def test_irc_with_the_dmrs_covariance_rejects_the_interferer(rng):
    carrier = Carrier(scs=30, n_size_grid=52)
    config = PdschConfig(n_layers=1, dmrs=DmrsConfig(additional_position=1))
    y, _, tx, _ = _interfered_slot(rng, carrier, config, 4, 0.01, 3.0, tdl="TDL-A")
    est = wiener_channel_estimate(y, carrier, config, cov_bundle_size=4)
    idx = pdsch_indices(carrier, config)
    yd = y.reshape(4, -1)[:, idx]
    hd = est.h.reshape(4, 1, -1)[:, :, idx]
    xd = tx.reshape(-1)[idx]
    k = idx % carrier.n_subcarriers
    xm, _ = equalize(yd, hd, est.noise_var)
    xi, nvi = equalize(yd, hd, est.noise_var, method="irc", noise_cov=est.noise_cov,
                       cov_index=k // 12)
    err_m = np.mean(np.abs(xm[0] - xd) ** 2)
    err_i = np.mean(np.abs(xi[0] - xd) ** 2)
    assert 10 * np.log10(err_m / err_i) > 10.0
    # the post-detection SINR of IRC predicts its error
    assert 0.7 < err_i / np.mean(nvi) < 1.4

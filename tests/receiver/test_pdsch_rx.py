"""PDSCH reference receiver: noiseless round trips of every pdsch and pdsch_short vector
(identity and random flat MIMO channels, the hard decisions equal the stored codeword and the
transport block is recovered), two codewords, reserved REs, HARQ combining, noisy operation
with LS and perfect CSI, PT-RS phase tracking, and errors."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import pdsch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import PdschConfig, pdsch_bit_capacity, pdsch_grid, pdsch_symbols
from opennr.physical.ptrs import PtrsConfig
from opennr.receiver.pdsch_rx import pdsch_demodulate, pdsch_receive
from opennr.transport import HarqBuffer, SchConfig, sch_encode

PDSCH_FILES = vector_files("pdsch") + vector_files("pdsch_short")


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


@pytest.mark.parametrize("path", PDSCH_FILES, ids=lambda p: p.stem[:44])
def test_vectors_noiseless_round_trip(path, rng):
    c = pdsch_vector_case(path)
    carrier, config, sch, tb, rm, rvs, grid = c.carrier, c.config, c.sch, c.tb, c.rm, c.rvs, c.grid
    last = rm.shape[0] - 1
    # slot 0 through the identity channel (antenna r receives port r) is decoded
    res = pdsch_receive(grid[:, 0], carrier, config, sch_config=sch, rv=int(rvs[0]), n_slot=0)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    np.testing.assert_array_equal(res.demod.llrs[0] < 0, rm[0].astype(bool))
    # the last slot through a random flat MIMO channel with one more antenna than layers:
    # every hard decision is the stored codeword bit
    h = _crandn(rng, config.n_layers + 1, config.n_layers)
    y = np.einsum("rj,jlk->rlk", h, grid[:, last])
    demod = pdsch_demodulate(y, carrier, config, n_slot=last)
    np.testing.assert_array_equal(demod.llrs[0] < 0, rm[last].astype(bool))


def test_two_codewords_256qam_eight_layers_through_a_mimo_channel(rng):
    carrier = Carrier(scs=30, n_size_grid=20)
    config = PdschConfig(n_layers=8, modulation=("256QAM", "64QAM"), prb_set=tuple(range(3, 19)),
                         dmrs=DmrsConfig(length=2, additional_position=1))
    g = pdsch_bit_capacity(carrier, config)
    schs = [SchConfig(tbs=3000, target_code_rate=0.6, qm=8, n_layers=4),
            SchConfig(tbs=2000, target_code_rate=0.5, qm=6, n_layers=4)]
    tbs = [rng.integers(0, 2, s.tbs, dtype=np.uint8) for s in schs]
    cws = [sch_encode(t, s, g=gq, rv=0) for t, s, gq in zip(tbs, schs, g, strict=True)]
    tx = pdsch_grid(cws, carrier, config, n_slot=7)
    h = _crandn(rng, 8, 8)
    y = np.einsum("rj,jlk->rlk", h, tx)
    for eq in ("mmse", "zf"):
        res = pdsch_receive(y, carrier, config, sch_config=schs, n_slot=7, equalizer=eq)
        assert res.tb_crc_ok
        for r, t in zip(res.codewords, tbs, strict=True):
            np.testing.assert_array_equal(r.tb, t)


def _slot(carrier, config, sch, rng, rv=0, n_slot=0, reserved=None):
    g = pdsch_bit_capacity(carrier, config, reserved=reserved)[0]
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    return tb, pdsch_grid(sch_encode(tb, sch, g=g, rv=rv), carrier, config, n_slot=n_slot,
                          reserved=reserved)


def test_reserved_res_are_skipped(rng):
    carrier = Carrier(n_size_grid=12)
    config = PdschConfig(n_layers=2, modulation="16QAM")
    sch = SchConfig(tbs=1500, target_code_rate=0.5, qm=4, n_layers=2)
    reserved = np.arange(5 * 144 + 3, 5 * 144 + 100)
    tb, tx = _slot(carrier, config, sch, rng, reserved=reserved)
    res = pdsch_receive(tx, carrier, config, sch_config=sch, reserved=reserved)
    np.testing.assert_array_equal(res.tb, tb)
    assert not pdsch_receive(tx, carrier, config, sch_config=sch).tb_crc_ok


@pytest.mark.parametrize("estimator", ["ls", "perfect"])
def test_frequency_selective_noisy_channel_decodes(estimator, rng):
    carrier = Carrier(scs=30, n_size_grid=24)
    config = PdschConfig(n_layers=2, modulation="16QAM", dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=4000, target_code_rate=0.45, qm=4, n_layers=2)
    tb, tx = _slot(carrier, config, sch, rng, n_slot=3)
    n_rx = 4
    f = np.arange(carrier.n_subcarriers) * 30e3
    taps = _crandn(rng, n_rx, 2, 3) * np.sqrt([0.6, 0.3, 0.1])
    delays = np.array([0.0, 0.2e-6, 0.5e-6])
    h = np.einsum("rjp,pk->rjk", taps, np.exp(-2j * np.pi * delays[:, None] * f))
    h = np.broadcast_to(h[:, :, None, :], (n_rx, 2, 14, f.size))
    n0 = 0.02
    y = np.einsum("rjlk,jlk->rlk", h, tx) + np.sqrt(n0) * _crandn(rng, n_rx, 14, f.size)
    res = pdsch_receive(y, carrier, config, sch_config=sch, n_slot=3, estimator=estimator,
                        h_true=h)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    assert 0.7 < res.demod.estimate.noise_var / n0 < 1.4


def test_harq_combines_two_weak_transmissions(rng):
    carrier = Carrier(n_size_grid=10)
    config = PdschConfig(modulation="QPSK")
    sch = SchConfig(tbs=1500, target_code_rate=0.5, qm=2)
    g = pdsch_bit_capacity(carrier, config)[0]
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    harq = HarqBuffer()
    oks = []
    for tx_i, rv in enumerate((0, 2)):
        tx = pdsch_grid(sch_encode(tb, sch, g=g, rv=rv), carrier, config, n_slot=tx_i)
        y = tx + np.sqrt(0.8) * _crandn(rng, *tx.shape)      # 1 dB: one copy is not enough
        res = pdsch_receive(y, carrier, config, sch_config=sch, rv=rv, harq=harq, ndi=0,
                            n_slot=tx_i, noise_var=0.8)
        oks.append(res.tb_crc_ok)
    assert oks == [False, True]
    np.testing.assert_array_equal(res.tb, tb)
    assert harq.n_transmissions == 2


def test_errors(rng):
    carrier = Carrier(n_size_grid=6)
    config = PdschConfig()
    sch = SchConfig(tbs=200, target_code_rate=0.3, qm=2)
    _, tx = _slot(carrier, config, sch, rng)
    with pytest.raises(ValueError, match="sch_config"):
        pdsch_receive(tx, carrier, config, sch_config=[sch, sch])
    with pytest.raises(TypeError, match="sch_config"):
        pdsch_receive(tx, carrier, config, sch_config="x")
    with pytest.raises(ValueError, match="noise_var"):
        pdsch_receive(tx, carrier, config, sch_config=sch, noise_var=0.0)
    with pytest.raises(ConfigError, match="equalizer"):
        pdsch_receive(tx, carrier, config, sch_config=sch, equalizer="ml")
    with pytest.raises(ValueError, match="grid"):
        pdsch_receive(tx[:, :3], carrier, config, sch_config=sch)
    with pytest.raises(ValueError, match="h_true"):
        pdsch_receive(tx, carrier, config, sch_config=sch, estimator="perfect")


def _phase_slot(rng, ptrs, n_layers=2, n_rx=3, phase=None, n_slot=3):
    carrier = Carrier(scs=30, n_size_grid=24, n_cell_id=11)
    config = PdschConfig(n_layers=n_layers, modulation="256QAM", n_rnti=0x1234,
                         dmrs=DmrsConfig(additional_position=1),
                         ptrs=PtrsConfig(**ptrs) if ptrs is not None else None)
    (g,) = pdsch_bit_capacity(carrier, config)
    sch = SchConfig(tbs=g * 3 // 4, target_code_rate=0.75, qm=8, n_layers=n_layers)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    cw = sch_encode(tb, sch, g=g, rv=0)
    tx = pdsch_grid(cw, carrier, config, n_slot=n_slot)
    h = _crandn(rng, n_rx, n_layers)
    y = np.einsum("rj,jlk->rlk", h, tx)
    y = y * np.exp(1j * phase)[None, :, None]
    return carrier, config, sch, tb, cw, y.astype(np.complex64)


def _evm(demod, carrier, config, cw, n_slot):
    ref = pdsch_symbols(cw, carrier, config)
    return float(np.sqrt(np.mean(np.abs(demod.symbols - ref) ** 2) / np.mean(np.abs(ref) ** 2)))


_RAMP = 0.1 * np.arange(14) + 0.02 * np.arange(14) ** 1.5
# a phase excursion between the DM-RS symbols 2 and 11, which the DM-RS cannot see
_BUMP = np.where((np.arange(14) > 2) & (np.arange(14) < 11),
                 0.5 * np.sin(np.pi * (np.arange(14) - 2) / 9), 0.0)


@pytest.mark.parametrize("ptrs,theta", [
    (dict(time_density=1, frequency_density=2), _RAMP),
    (dict(time_density=2, frequency_density=4, re_offset="11"), _RAMP),
    (dict(time_density=4, frequency_density=2, port=1), _BUMP),
])
def test_ptrs_tracks_a_phase_ramp(ptrs, theta, rng):
    # noiseless 256QAM at rate 3/4 with a common phase per OFDM symbol: a drift that grows
    # faster than linearly (the DM-RS at 2 and 11 see 0.26 and 1.83 rad; the interpolated
    # estimate is wrong elsewhere), or a bump between the DM-RS symbols (L_PT-RS = 4: PT-RS
    # at 6 and 10 only); the PT-RS measures what the DM-RS cannot
    carrier, config, sch, tb, cw, y = _phase_slot(rng, ptrs, phase=theta)
    res = pdsch_receive(y, carrier, config, sch_config=sch, n_slot=3)
    off = pdsch_receive(y, carrier, config, sch_config=sch, n_slot=3, phase_tracking=False)
    evm_on = _evm(res.demod, carrier, config, cw, 3)
    evm_off = _evm(off.demod, carrier, config, cw, 3)
    assert res.tb_crc_ok and np.array_equal(res.tb, tb)
    assert not off.tb_crc_ok
    assert evm_off > 5 * evm_on
    # with L_PT-RS = 1 every data symbol is measured: before the first and after the last
    # DM-RS (where the estimate is that of the DM-RS symbol) the correction is the phase drift
    # from that DM-RS symbol, and the slot is recovered exactly
    if ptrs["time_density"] == 1:
        c = res.demod.phase
        np.testing.assert_allclose(np.angle(c[[0, 1]]), theta[[0, 1]] - theta[2], atol=1e-4)
        np.testing.assert_allclose(np.angle(c[[12, 13]]), theta[[12, 13]] - theta[11], atol=1e-4)
        np.testing.assert_allclose(np.abs(c[[0, 1, 12, 13]]), 1.0, atol=1e-4)
        assert evm_on < 1e-3 and not off.tb_crc_ok


def test_ptrs_random_walk_phase_noise_improves_evm(rng):
    theta = np.cumsum(rng.normal(0.0, 0.15, 14))
    carrier, config, _, _, cw, y = _phase_slot(rng, dict(time_density=1, frequency_density=2),
                                               phase=theta, n_layers=1, n_rx=2)
    on = pdsch_demodulate(y, carrier, config, n_slot=3)
    off = pdsch_demodulate(y, carrier, config, n_slot=3, phase_tracking=False)
    assert _evm(on, carrier, config, cw, 3) < 1e-3 < _evm(off, carrier, config, cw, 3)
    # without phase error the tracking changes nothing measurable
    carrier, config, _, _, cw, y = _phase_slot(rng, dict(time_density=2), phase=np.zeros(14))
    on = pdsch_demodulate(y, carrier, config, n_slot=3)
    np.testing.assert_allclose(on.phase, 1.0, atol=1e-5)
    assert _evm(on, carrier, config, cw, 3) < 1e-4


def test_interleaved_vrbs_with_ptrs_and_reserved_res_round_trip(rng):
    carrier = Carrier(scs=30, n_size_grid=40, n_start_grid=3, n_cell_id=9)
    config = PdschConfig(n_layers=2, modulation="64QAM", prb_set=tuple(range(4, 30)),
                         n_start_bwp=5, n_size_bwp=33, vrb_bundle_size=2,
                         dmrs=DmrsConfig(additional_position=1),
                         ptrs=PtrsConfig(time_density=2, frequency_density=2, port=1))
    reserved = np.arange(6 * carrier.n_subcarriers + 100, 6 * carrier.n_subcarriers + 160)
    (g,) = pdsch_bit_capacity(carrier, config, reserved=reserved)
    sch = SchConfig(tbs=g // 3, target_code_rate=0.5, qm=6, n_layers=2)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    tx = pdsch_grid(sch_encode(tb, sch, g=g, rv=0), carrier, config, n_slot=5, reserved=reserved)
    y = np.einsum("rj,jlk->rlk", _crandn(rng, 2, 2), tx) * np.exp(0.05j * np.arange(14))[:, None]
    res = pdsch_receive(y, carrier, config, sch_config=sch, n_slot=5, reserved=reserved)
    assert res.tb_crc_ok and np.array_equal(res.tb, tb)


def test_irc_rejects_a_strong_interferer_that_defeats_mmse(rng):
    # One layer on 2 Rx and a rank-1 interferer 10 dB above the signal on other REs' DM-RS and
    # data alike: the per-PRB covariance from the DM-RS lets IRC null it, MMSE cannot.
    carrier = Carrier(scs=30, n_size_grid=24)
    config = PdschConfig(modulation="16QAM", dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=3000, target_code_rate=0.4, qm=4)
    tb, tx = _slot(carrier, config, sch, rng)
    h = _crandn(rng, 2, 1)
    g = _crandn(rng, 2, 1) * np.sqrt(10.0)
    interferer = _crandn(rng, 1, 14, carrier.n_subcarriers)
    y = (np.einsum("rj,jlk->rlk", h, tx) + np.einsum("rj,jlk->rlk", g, interferer)
         + np.sqrt(0.01) * _crandn(rng, 2, 14, carrier.n_subcarriers))
    irc = pdsch_receive(y, carrier, config, sch_config=sch, equalizer="irc")
    mmse = pdsch_receive(y, carrier, config, sch_config=sch, equalizer="mmse")
    assert irc.tb_crc_ok and np.array_equal(irc.tb, tb)
    assert not mmse.tb_crc_ok

"""PUCCH receivers: noiseless round trips of every copied vector, format 1 round trips, DTX
false alarms on noise alone, user separation by cyclic shift and cover code, noisy decoding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import pucch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.pucch import PucchConfig, pucch_bit_capacity, pucch_grid
from opennr.receiver.pucch_rx import (
    pucch0_detect,
    pucch1_detect,
    pucch_demodulate,
    pucch_dtx_threshold,
    pucch_receive,
)

F0_FILES = vector_files("pucch_f0")
UCI_FILES = [p for fam in ("pucch_f2", "pucch_f3", "pucch_f4") for p in vector_files(fam)]


def _noise(rng, shape, n0):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * np.sqrt(n0 / 2)


@pytest.mark.parametrize("path", F0_FILES, ids=lambda p: p.stem[:48])
def test_format0_vectors_round_trip(path):
    """The HARQ-ACK bits and SR of every slot of the MATLAB grid; DTX where nothing was sent."""
    case = pucch_vector_case(path)
    n_ack = int(case.v["NumUCIBits"])
    for s in range(case.grid.shape[0]):
        ack, sr = case.codewords[s, :n_ack], bool(case.codewords[s, n_ack])
        det = pucch0_detect(case.grid[s], case.carrier, case.config, n_ack=n_ack, sr=True, n_slot=s)
        if n_ack == 0 and not sr:
            assert det.dtx
        else:
            assert not det.dtx and det.metric > 0.99
            np.testing.assert_array_equal(det.ack, ack)
            assert det.sr == sr


@pytest.mark.parametrize("path", UCI_FILES, ids=lambda p: p.stem[:48])
def test_uci_vectors_round_trip(path):
    """Formats 2..4: the UCI payload of every slot decoded from the MATLAB grid."""
    case = pucch_vector_case(path)
    a = case.uci.shape[1]
    for s in range(case.grid.shape[0]):
        res = pucch_receive(case.grid[s], case.carrier, case.config, a, n_slot=s)
        assert res.crc_ok
        np.testing.assert_array_equal(res.bits, case.uci[s])
        np.testing.assert_array_equal(res.demod.llrs < 0, case.codewords[s] == 1)


FORMAT1 = [
    {"symbol_allocation": (0, 4)},
    {"symbol_allocation": (3, 11), "occ_index": 4},
    {"symbol_allocation": (0, 14), "occ_index": 6, "group_hopping": "enable"},
    {"symbol_allocation": (0, 14), "second_hop_prb": 20, "occ_index": 2, "group_hopping": "disable"},
    {"symbol_allocation": (2, 5), "second_hop_prb": 20},
    {"symbol_allocation": (1, 9), "second_hop_prb": 0, "occ_index": 1, "initial_cyclic_shift": 11},
]


@pytest.mark.parametrize("kwargs", FORMAT1, ids=str)
def test_format1_round_trip(kwargs, rng):
    carrier = Carrier(scs=30, n_size_grid=24, n_cell_id=301, n_slot=7)
    cfg = PucchConfig(format=1, start_prb=5, hopping_id=None, **kwargs)
    h = np.array([0.8 * np.exp(0.5j), 0.3 * np.exp(-2j)])[:, None, None]
    for bits in ([0], [1], [0, 0], [0, 1], [1, 0], [1, 1]):
        rx = h * pucch_grid(carrier, cfg, ack=bits)[0]
        det = pucch1_detect(rx, carrier, cfg, n_bits=len(bits))
        assert not det.dtx
        np.testing.assert_array_equal(det.ack, bits)
        noisy = rx + _noise(rng, rx.shape, 0.1)
        np.testing.assert_array_equal(pucch1_detect(noisy, carrier, cfg, n_bits=len(bits)).ack, bits)


def test_users_separated_by_cyclic_shift_and_cover():
    """Two format 1 users on one PRB differ only in timeDomainOCC, two format 0 users only in
    initialCyclicShift: each receiver sees its own user alone."""
    carrier = Carrier(scs=15, n_size_grid=25, n_cell_id=9)
    a = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=3, occ_index=2)
    b = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=3, occ_index=5)
    rx = pucch_grid(carrier, a, ack=[1, 0]) + 2 * pucch_grid(carrier, b, ack=[0, 1])
    assert pucch1_detect(rx, carrier, a, n_bits=2).ack.tolist() == [1, 0]
    assert pucch1_detect(rx, carrier, b, n_bits=2).ack.tolist() == [0, 1]
    # the OCC of a user, not of the other, is what counts
    silent = pucch1_detect(2 * pucch_grid(carrier, b, ack=[0, 1]), carrier, a, n_bits=2)
    assert silent.dtx and silent.metric < 1e-6
    c = PucchConfig(format=0, symbol_allocation=(12, 2), start_prb=3, initial_cyclic_shift=0)
    d = PucchConfig(format=0, symbol_allocation=(12, 2), start_prb=3, initial_cyclic_shift=1)
    rx = pucch_grid(carrier, c, ack=[1]) + pucch_grid(carrier, d, ack=[0])
    assert pucch0_detect(rx, carrier, c, n_ack=1).ack.tolist() == [1]
    assert pucch0_detect(rx, carrier, d, n_ack=1).ack.tolist() == [0]


@pytest.mark.parametrize("fmt,kwargs", [
    (0, {"n_ack": 1}),
    (0, {"n_ack": 2, "sr": True}),
    (0, {"n_ack": 0, "sr": True}),
    (1, {"n_bits": 2}),
])
def test_dtx_false_alarm_on_noise(fmt, kwargs, rng):
    """On noise alone the detectors declare something in at most the target 1 % of slots
    (3000 slots; binomial 99.9 % bound 1.6 %)."""
    carrier = Carrier(scs=15, n_size_grid=6)
    if fmt == 0:
        cfg = PucchConfig(format=0, symbol_allocation=(12, 2), start_prb=2, second_hop_prb=4)
        detect = pucch0_detect
    else:
        cfg = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=2, second_hop_prb=4)
        detect = pucch1_detect
    trials = 3000
    noise = _noise(rng, (trials, 2, 14, 72), 1.0)
    alarms = sum(not detect(noise[t], carrier, cfg, **kwargs).dtx for t in range(trials))
    assert alarms / trials < 0.016
    assert alarms > 0                            # the threshold is not needlessly high
    # and a clear transmission passes the same threshold
    tx = pucch_grid(carrier, cfg, ack=[1] * kwargs.get("n_ack", kwargs.get("n_bits", 1)),
                    sr=bool(kwargs.get("sr", False)) if fmt == 0 else False)
    assert not detect(tx + noise[0] * 0.3, carrier, cfg, **kwargs).dtx


def test_format1_false_alarm_matches_target_with_four_antennas(rng):
    """The format 1 statistic with 4 antennas is Beta(2 H R, 12 N R − 2 H R) on noise: 4000
    noise-only slots at a 5 % target give 5 % ± 1.2 % (about 3.5 binomial sigmas)."""
    carrier = Carrier(scs=15, n_size_grid=4)
    cfg = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=0, second_hop_prb=3)
    trials = 4000
    alarms = sum(not pucch1_detect(_noise(rng, (4, 14, 48), 2.0), carrier, cfg, n_bits=2,
                                   false_alarm=0.05).dtx for _ in range(trials))
    assert alarms / trials == pytest.approx(0.05, abs=0.012)


def test_format1_marginal_soft_value_is_not_ack(rng):
    """With a clear DM-RS but no energy in the data direction, the normalised soft value is
    N(0, 1): without margin half the bits come out ACK, with the margin only Q(γ) of them; a
    data symbol at half a standard deviation towards ACK is reported as NACK."""
    GAMMA = 1.0
    carrier = Carrier(scs=15, n_size_grid=4)
    cfg = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=0, second_hop_prb=3)
    g1, g0 = pucch_grid(carrier, cfg, ack=[1])[0], pucch_grid(carrier, cfg, ack=[0])[0]
    dmrs_only, data_ack = (g1 + g0) / 2, (g1 - g0) / 2
    trials, n0 = 1500, 0.5
    acks = {0.0: 0, GAMMA: 0}
    for _ in range(trials):
        y = dmrs_only + _noise(rng, (2, *g1.shape), n0)
        for margin in acks:
            det = pucch1_detect(y, carrier, cfg, n_bits=1, ack_margin=margin)
            assert not det.dtx
            acks[margin] += int(det.ack[0])
    assert acks[0.0] / trials == pytest.approx(0.5, abs=0.05)
    q = 0.5 * math.erfc(GAMMA / math.sqrt(2))
    assert acks[GAMMA] / trials == pytest.approx(q, abs=0.04)
    # a small ACK component: soft value about 0.5 σ (σ² = n0 · 2 · 12 · N_data per real axis,
    # with |h_est| = 1 on 2 antennas)
    n_data = 7
    eps = 0.5 * math.sqrt(n0 * 2 * 12 * n_data / 2) / (2 * 12 * n_data) * math.sqrt(2)
    ups = 0
    for _ in range(200):
        y = dmrs_only + eps * data_ack + _noise(rng, (2, *g1.shape), n0)
        ups += int(pucch1_detect(y, carrier, cfg, n_bits=1, ack_margin=GAMMA).ack[0])
    assert ups / 200 < 0.5


def test_dtx_threshold_is_the_beta_quantile(rng):
    """The energy share of one cyclic shift in noise is Beta(R L, 11 R L): the threshold for
    5 % is exceeded in about 5 % of draws."""
    thr = pucch_dtx_threshold(2, 24, 1, 0.05)
    y = _noise(rng, (20000, 24), 1.0)
    share = np.abs(y[:, 0]) ** 2 + np.abs(y[:, 1]) ** 2
    share /= np.sum(np.abs(y) ** 2, axis=1)
    assert np.mean(share > thr) == pytest.approx(0.05, abs=0.006)


@pytest.mark.parametrize("fmt,kwargs", [
    (2, {"symbol_allocation": (12, 2), "n_prb": 3}),
    (2, {"symbol_allocation": (12, 2), "n_prb": 2, "second_hop_prb": 40}),
    (3, {"symbol_allocation": (0, 14), "n_prb": 4, "modulation": "pi/2-BPSK", "second_hop_prb": 30}),
    (3, {"symbol_allocation": (2, 10), "n_prb": 3, "additional_dmrs": True}),
    (4, {"symbol_allocation": (0, 12), "spreading_factor": 4, "occ_index": 3}),
    (4, {"symbol_allocation": (0, 14), "spreading_factor": 2, "occ_index": 1, "modulation": "pi/2-BPSK",
         "second_hop_prb": 40}),
])
def test_uci_noisy_round_trip(fmt, kwargs, rng):
    """At 10 dB SNR on a static frequency-selective channel the payload decodes, and the noise
    variance estimated from the DM-RS is within 25 % of the truth."""
    carrier = Carrier(scs=30, n_size_grid=51, n_cell_id=500, n_slot=11)
    cfg = PucchConfig(format=fmt, start_prb=1, n_rnti=4660, **kwargs)
    a = min(40, pucch_bit_capacity(carrier, cfg) // 3)
    k = np.arange(carrier.n_subcarriers)
    # two paths 0.5 µs apart, different on each antenna
    h = np.stack([1 + 0.5 * np.exp(-2j * np.pi * k * 30e3 * 0.5e-6),
                  0.7j - 0.4 * np.exp(-2j * np.pi * k * 30e3 * 0.3e-6)])[:, None, :]
    n0 = 0.1
    estimates = []
    for _ in range(10):
        uci = rng.integers(0, 2, a, dtype=np.uint8)
        rx = h * pucch_grid(carrier, cfg, uci=uci)[0]
        rx = rx + _noise(rng, rx.shape, n0)
        res = pucch_receive(rx, carrier, cfg, a)
        assert res.crc_ok
        np.testing.assert_array_equal(res.bits, uci)
        estimates.append(res.demod.noise_var)
    assert np.mean(estimates) == pytest.approx(n0, rel=0.25)
    perfect = pucch_demodulate(rx, carrier, cfg, channel=np.broadcast_to(h, rx.shape), noise_var=n0)
    assert perfect.llrs.size == pucch_bit_capacity(carrier, cfg)


def test_receiver_errors():
    carrier = Carrier(scs=15, n_size_grid=25)
    grid = np.zeros((2, 14, 300), np.complex64)
    f2 = PucchConfig(format=2, symbol_allocation=(13, 1), n_prb=1)
    with pytest.raises(ConfigError) as err:
        pucch_receive(grid, carrier, f2, 20)
    assert err.value.field == "n_uci_bits"
    with pytest.raises(ConfigError):
        pucch_receive(grid, carrier, PucchConfig(format=0), 3)
    with pytest.raises(ConfigError):
        pucch0_detect(grid, carrier, f2, n_ack=1)
    with pytest.raises(ConfigError):
        pucch0_detect(grid, carrier, PucchConfig(format=0), n_ack=0)
    with pytest.raises(ValueError, match="rx_grid"):
        pucch0_detect(grid[:, :13], carrier, PucchConfig(format=0), n_ack=1)
    with pytest.raises(ValueError, match="noise_var"):
        pucch_demodulate(grid, carrier, f2, channel=grid)


def test_format1_channel_smoothing_keeps_delays_within_cp(rng):
    """The channel of a format 1 hop is smoothed across the PRB for delays up to the cyclic
    prefix: a pure delay of 0.9 CP (a phase ramp of 0.76 turns over the 12 subcarriers, which a
    flat average across the PRB would mostly cancel) still decodes at -6 dB per RE (threshold 0:
    the DTX statistic, coherent across the PRB, is not what is tested here)."""
    carrier = Carrier(scs=15, n_size_grid=25, n_cell_id=17)
    cfg = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=4, second_hop_prb=20,
                      occ_index=1)
    tau = 0.9 * 144 / 2048 * 1e-3 / 15                           # seconds
    k = np.arange(carrier.n_size_grid * 12)
    ramp = np.exp(-2j * np.pi * k * 15e3 * tau)
    h = np.array([np.exp(0.4j), 0.9 * np.exp(2.1j)])[:, None, None] * ramp[None, None, :]
    n0 = 10 ** 0.6
    errors = 0
    for _ in range(200):
        bits = rng.integers(0, 2, 2).tolist()
        rx = h * pucch_grid(carrier, cfg, ack=bits)[0]
        det = pucch1_detect(rx + _noise(rng, rx.shape, n0), carrier, cfg, n_bits=2, threshold=0.0)
        errors += int(det.dtx or det.ack.tolist() != bits)
    assert errors <= 4

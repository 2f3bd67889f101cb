"""PUSCH PT-RS (TS 38.211 §6.4.1.2): the DFT-s-OFDM sample positions of Table 6.4.1.2.2.2-1 and
group patterns of TS 38.214 Table 6.2.3.2-1 worked by hand, the sequence against the formula
of §6.4.1.2.1.2, the CP-OFDM PT-RS in the slot grid, the bit capacity around the PT-RS,
configuration errors, and phase tracking in the receiver."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.modulation import modulate
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.ptrs import PtrsConfig, ptrs_values
from opennr.physical.pusch import (
    PuschConfig,
    pusch_bit_capacity,
    pusch_grid,
    pusch_plan,
    pusch_ptrs,
    pusch_scramble,
    pusch_tp_ptrs,
)
from opennr.physical.pusch_ptrs import (
    TpPtrsConfig,
    ptrs_tp_group_pattern,
    ptrs_tp_positions,
    ptrs_tp_values,
)
from opennr.physical.scrambling import scrambling_c_init
from opennr.receiver.pusch_rx import pusch_receive
from opennr.sequences.gold import gold_sequence
from opennr.transport import SchConfig, sch_encode


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


@pytest.mark.parametrize(("pattern", "expected"), [
    # M = 144: s⌊M/4⌋ + k − 1 (s = 1, 3); k and M − 4 + k; ⌊sM/8⌋ + k − 1 (s = 1, 3, 5, 7);
    # sM/4 + ⌊M/8⌋ + k − 2; ⌊sM/8⌋ + ⌊M/16⌋ + k − 2 (s = 1 .. 6)
    ((2, 2), [35, 36, 107, 108]),
    ((2, 4), [0, 1, 2, 3, 140, 141, 142, 143]),
    ((4, 2), [17, 18, 53, 54, 89, 90, 125, 126]),
    ((4, 4), [0, 1, 2, 3, 52, 53, 54, 55, 88, 89, 90, 91, 140, 141, 142, 143]),
    ((8, 4), [0, 1, 2, 3] + [v for s in range(1, 7) for v in range(18 * s + 7, 18 * s + 11)]
     + [140, 141, 142, 143]),
])
def test_tp_sample_positions(pattern, expected):
    np.testing.assert_array_equal(ptrs_tp_positions(*pattern, 144), expected)


def test_tp_group_pattern_from_the_scheduled_bandwidth():
    t = (10, 20, 30, 40, 50)
    got = [ptrs_tp_group_pattern(n, t) for n in (5, 10, 19, 25, 35, 45, 50, 275)]
    assert got == [None, (2, 2), (2, 2), (2, 4), (4, 2), (4, 4), (8, 4), (8, 4)]
    with pytest.raises(ConfigError, match="n_rb_thresholds"):
        ptrs_tp_group_pattern(10, (1, 2, 3, 4))
    with pytest.raises(ConfigError, match="non-decreasing"):
        ptrs_tp_group_pattern(10, (1, 2, 3, 5, 4))


@pytest.mark.parametrize(("n_rnti", "modulation", "beta"), [
    (6, "QPSK", 1.0), (7, "16QAM", 3 / math.sqrt(5)), (13, "64QAM", 7 / math.sqrt(21)),
    (2, "256QAM", 15 / math.sqrt(85)),
])
def test_tp_values_follow_the_formula(n_rnti, modulation, beta):
    ptrs = TpPtrsConfig(n_groups=4, n_samples=4)
    v = ptrs_tp_values(ptrs, m_sc=96, modulation=modulation, n_rnti=n_rnti, n_id=77,
                       n_symb_slot=14, n_s=3, l=1)
    m = ptrs_tp_positions(4, 4, 96)
    covers = {0: [1, 1, 1, 1], 1: [1, -1, 1, -1], 2: [1, 1, -1, -1], 3: [1, -1, -1, 1]}
    w = np.tile(covers[n_rnti % 4], 4)
    c = gold_sequence(((1 << 17) * (14 * 3 + 1 + 1) * (2 * 77 + 1) + 2 * 77) % (1 << 31), 16)
    ref = [beta * w[i] * 1j ** (m[i] % 2) * (1 - 2 * int(c[i])) * (1 + 1j) / math.sqrt(2)
           for i in range(16)]
    np.testing.assert_allclose(v, ref, atol=1e-6)


def test_tp_ptrs_inserted_before_the_dft():
    carrier = Carrier(n_size_grid=16)
    cfg = PuschConfig(prb_set=tuple(range(1, 13)), transform_precoding=True, modulation="16QAM",
                      ptrs=TpPtrsConfig(time_density=2, n_groups=2, n_samples=4), n_rnti=9,
                      dmrs=DmrsConfig(additional_position=1))
    plan = pusch_plan(carrier, cfg)
    # L_PT-RS = 2 restarted at the DM-RS symbols 2 and 11: symbols 0, 4, 6, 8, 10, 13
    np.testing.assert_array_equal(plan.ptrs_symbols, [0, 4, 6, 8, 10, 13])
    g = pusch_bit_capacity(carrier, cfg)
    assert g == (12 * 144 - 6 * 8) * 4
    cw = np.random.default_rng(1).integers(0, 2, g)
    grid = pusch_grid(cw, carrier, cfg, n_slot=6)
    d = modulate(pusch_scramble(cw, scrambling_c_init(9, carrier.n_cell_id)), "16QAM")
    blocks = np.fft.ifft(grid[0][plan.data_symbols][:, 12:156], axis=-1, norm="ortho")
    m = ptrs_tp_positions(2, 4, 144)
    rows = np.isin(plan.data_symbols, plan.ptrs_symbols)
    ptrs = pusch_tp_ptrs(carrier, cfg, n_slot=6).reshape(-1, 8)
    np.testing.assert_allclose(blocks[rows][:, m], ptrs, atol=1e-5)
    # the PT-RS sequence is that of the first PT-RS symbol (l = 0), repeated
    first = ptrs_tp_values(cfg.ptrs, m_sc=144, modulation="16QAM", n_rnti=9,
                           n_id=carrier.n_cell_id, n_symb_slot=14, n_s=6, l=0)
    np.testing.assert_allclose(ptrs, np.tile(first, (6, 1)), atol=1e-6)
    mask = np.ones(blocks.shape, bool)
    mask[np.ix_(rows, m)] = False
    np.testing.assert_allclose(blocks[mask], d, atol=1e-5)


def test_cp_ofdm_ptrs_in_the_grid():
    carrier = Carrier(n_size_grid=20)
    cfg = PuschConfig(prb_set=tuple(range(2, 15)), n_layers=2, n_antenna_ports=2,
                      transmission_scheme="non-codebook", modulation="QPSK", n_rnti=6,
                      dmrs=DmrsConfig(additional_position=1, n_id=5),
                      ptrs=PtrsConfig(time_density=1, frequency_density=4, re_offset="01",
                                      port=1, power_db=3.0))
    plan = pusch_plan(carrier, cfg)
    assert plan.ptrs_layer == 1
    # 13 PRBs, K = 4: k_ref^RB = 6 mod (13 mod 4) = 0; k_ref^RE (port 1, offset 01) = 4
    k = np.array([0, 4, 8, 12]) * 12 + 4 + 2 * 12
    syms = [s for s in range(14) if s not in (2, 11)]
    np.testing.assert_array_equal(plan.ptrs_symbols, syms)
    idx, val = pusch_ptrs(carrier, cfg, n_slot=2)
    np.testing.assert_array_equal(idx, (np.array(syms)[:, None] * 240 + k).reshape(-1))
    ref = ptrs_values(1, 1, k, l0=2, n_symb_slot=14, n_s=2, n_id=5, n_scid=0,
                      beta=10 ** (3 / 20))
    np.testing.assert_allclose(val, np.tile(ref, len(syms)), atol=1e-6)
    # data skips the PT-RS REs on both layers; G counts them out
    assert not np.isin(plan.data_indices, idx).any()
    g = pusch_bit_capacity(carrier, cfg)
    assert g == (12 * 156 - 12 * 4) * 2 * 2
    grid = pusch_grid(np.zeros(g, np.uint8), carrier, cfg, n_slot=2)
    np.testing.assert_allclose(grid[1].reshape(-1)[idx], val, atol=1e-6)
    assert np.all(grid[0].reshape(-1)[idx] == 0)


@pytest.mark.parametrize(("kw", "match"), [
    ({"transform_precoding": True, "ptrs": PtrsConfig()}, "TpPtrsConfig"),
    ({"ptrs": TpPtrsConfig()}, "PtrsConfig"),
    ({"ptrs": PtrsConfig(port=1)}, "ptrs.port"),
    ({"modulation": "pi/2-BPSK", "ptrs": PtrsConfig()}, "pi/2-BPSK"),
    # a PT-RS is associated with DM-RS ports 0 .. 3 of type 1 (Table 6.4.1.2.2.1-1)
    ({"dmrs": DmrsConfig(length=2), "dmrs_ports": (4,), "ptrs": PtrsConfig(port=4)},
     "associated"),
])
def test_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match):
        PuschConfig(**kw)


@pytest.mark.parametrize(("kw", "match"), [
    ({"n_groups": 8, "n_samples": 2}, "n_samples"),
    ({"time_density": 4}, "time_density"),
    ({"n_groups": 3}, "n_groups"),
    ({"n_id": 1008}, "n_id"),
])
def test_tp_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match):
        TpPtrsConfig(**kw)


@pytest.mark.parametrize("tp", [False, True], ids=["cp-ofdm", "dft-s-ofdm"])
def test_receiver_tracks_a_common_phase_drift(tp, rng):
    # a phase drift of 0.2 rad per symbol: one DM-RS symbol cannot follow it, the PT-RS can
    carrier = Carrier(n_size_grid=16)
    base = PuschConfig(prb_set=tuple(range(12)), modulation="16QAM", transform_precoding=tp)
    ptrs = TpPtrsConfig(n_groups=4, n_samples=4) if tp else PtrsConfig()
    drift = np.exp(0.2j * np.arange(14))[None, :, None]
    ok = {}
    for name, cfg in (("without", base), ("with", dataclasses.replace(base, ptrs=ptrs))):
        sch = SchConfig(tbs=2000, target_code_rate=0.5, qm=4)
        tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
        tx = pusch_grid(sch_encode(tb, sch, g=pusch_bit_capacity(carrier, cfg), rv=0), carrier,
                        cfg, n_slot=3)
        y = tx * drift + np.sqrt(1e-3) * _crandn(rng, *tx.shape)
        res = pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=3)
        ok[name] = res.tb_crc_ok and np.array_equal(res.tb, tb)
    assert ok == {"without": False, "with": True}

"""Tests of the PDSCH transmitter (TS 38.211 §7.3.1 with the DM-RS of §7.4.1.1) against the
pdsch and pdsch_short MATLAB vectors, and its resource-element layout and validation."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, pdsch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.modulation import demodulate
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig, dmrs_cdm_subcarriers
from opennr.physical.layermap import layer_demap
from opennr.physical.pdsch import (
    PdschConfig,
    pdsch_bit_capacity,
    pdsch_dmrs,
    pdsch_grid,
    pdsch_indices,
    pdsch_plan,
    pdsch_ptrs,
    pdsch_symbols,
)
from opennr.physical.ptrs import PtrsConfig
from opennr.physical.scrambling import scramble, scrambling_c_init
from opennr.transport import SchConfig, sch_encode

PDSCH_FILES = vector_files("pdsch") + vector_files("pdsch_short")


@pytest.mark.parametrize("path", PDSCH_FILES, ids=lambda p: p.stem[:44])
def test_vectors_layer_mapping_and_slot_grid(path):
    case = pdsch_vector_case(path)
    v, carrier, config, rm, grid = case.v, case.carrier, case.config, case.rm, case.grid
    n_layers = config.n_layers
    layers = np.atleast_2d(v["layermap_out"])
    tb = np.atleast_1d(as_int(v["trblk_out"])).astype(np.uint8)
    sch = SchConfig(tbs=tb.size, target_code_rate=float(v["TargetCodeRateby1024"]) / 1024,
                    qm=int(v["Qm"]), n_layers=n_layers)
    rvs = np.atleast_1d(as_int(v["rv_out"]))
    g = np.atleast_1d(as_int(v["G_out"]))
    for s in range(rm.shape[0]):
        assert pdsch_bit_capacity(carrier, config) == (int(g[s]),)
        # scrambling, modulation and layer mapping of the stored codeword
        x = pdsch_symbols(rm[s].astype(np.uint8), carrier, config)
        np.testing.assert_allclose(x, layers[s * n_layers:(s + 1) * n_layers], atol=1e-4)
        # the whole transmitter: transport block -> DL-SCH -> PDSCH + DM-RS slot grid
        cw = sch_encode(tb, sch, g=int(g[s]), rv=int(rvs[s]))
        np.testing.assert_array_equal(cw, rm[s])
        out = pdsch_grid(cw, carrier, config, n_slot=s)
        assert out.dtype == np.complex64 and out.shape == grid[:, s].shape
        np.testing.assert_allclose(out, grid[:, s], atol=1e-4)


def _dmrs_mask(carrier, config, n_slot=0):
    idx, _ = pdsch_dmrs(carrier, config, n_slot)
    mask = np.zeros((config.n_layers, carrier.symbols_per_slot * carrier.n_subcarriers), bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


LAYOUTS = [
    # (mapping type, (S, L), DmrsConfig kwargs, n_layers, ports)
    ("A", (0, 14), dict(config_type=2, additional_position=2, n_cdm_groups_without_data=3), 6,
     None),
    ("A", (1, 12), dict(config_type=1, length=2, additional_position=1), 8, None),
    ("A", (0, 14), dict(config_type=2, length=2, n_cdm_groups_without_data=3), 8,
     (0, 3, 4, 6, 7, 9, 10, 11)),
    ("B", (3, 7), dict(config_type=1, additional_position=1, n_cdm_groups_without_data=1), 2,
     None),
    ("B", (4, 9), dict(config_type=2, additional_position=3, n_cdm_groups_without_data=2), 4,
     None),
    ("B", (1, 12), dict(config_type=1, length=2, additional_position=1), 5, (0, 2, 4, 6, 7)),
    ("A", (2, 11), dict(type_a_position=3, additional_position=3, config_type=1), 1, (3,)),
]


@pytest.mark.parametrize("mapping,alloc,dmrs_kw,n_layers,ports", LAYOUTS)
def test_layout_re_counts_and_disjointness(mapping, alloc, dmrs_kw, n_layers, ports):
    if dmrs_kw.get("type_a_position") == 3 and dmrs_kw.get("additional_position") == 3:
        with pytest.raises(ConfigError, match="pos3"):
            PdschConfig(mapping_type=mapping, symbol_allocation=alloc,
                        dmrs=DmrsConfig(**dmrs_kw), n_layers=n_layers, dmrs_ports=ports)
        return
    carrier = Carrier(n_size_grid=24, n_start_grid=5)
    dmrs = DmrsConfig(**dmrs_kw)
    prbs = (0, 1, 2, 7, 8, 20)
    config = PdschConfig(mapping_type=mapping, symbol_allocation=alloc, prb_set=prbs,
                         n_layers=n_layers, dmrs=dmrs, dmrs_ports=ports,
                         modulation="16QAM" if n_layers <= 4 else ("16QAM", "64QAM"))
    idx = pdsch_indices(carrier, config)
    k_sc = carrier.n_subcarriers
    sym, k = np.divmod(idx, k_sc)
    s, n = alloc
    assert np.all((sym >= s) & (sym < s + n))
    assert np.all(np.isin(k // 12, prbs))
    assert np.all(np.diff(idx) > 0)  # frequency first, then symbol
    # RE count: 12 per PRB per symbol, minus the CDM groups without data in DM-RS symbols
    _, vals = pdsch_dmrs(carrier, config)
    n_dmrs_symb = vals.shape[1] // (len(prbs) * (6 if dmrs.config_type == 1 else 4))
    per_group = 6 if dmrs.config_type == 1 else 4
    blocked = per_group * dmrs.n_cdm_groups_without_data
    assert idx.size == len(prbs) * (12 * n - n_dmrs_symb * blocked)
    # DM-RS REs of every port avoid the data REs; ports of one CDM group share REs
    mask = _dmrs_mask(carrier, config)
    assert not mask[:, idx].any()
    assert np.allclose(np.abs(vals), dmrs.beta)
    g = pdsch_bit_capacity(carrier, config)
    bits = [np.random.default_rng(q).integers(0, 2, gq, dtype=np.uint8) for q, gq in
            enumerate(g)]
    grid = pdsch_grid(bits if len(g) == 2 else bits[0], carrier, config)
    flat = grid.reshape(n_layers, -1)
    occupied = np.zeros_like(mask)
    occupied[:, idx] = True
    occupied |= mask
    assert np.all(flat[~occupied] == 0)
    assert np.all(np.abs(flat[occupied]) > 0)


def test_two_codeword_round_trip():
    carrier = Carrier(n_size_grid=20, n_cell_id=77)
    config = PdschConfig(symbol_allocation=(2, 12), n_layers=7, modulation=("64QAM", "16QAM"),
                         n_rnti=4660, prb_set=tuple(range(3, 17)),
                         dmrs=DmrsConfig(length=2, additional_position=1))
    g = pdsch_bit_capacity(carrier, config)
    assert g[0] // 6 // 3 == g[1] // 4 // 4
    rng = np.random.default_rng(5)
    bits = [rng.integers(0, 2, gq, dtype=np.uint8) for gq in g]
    grid = pdsch_grid(bits, carrier, config)
    idx = pdsch_indices(carrier, config)
    layers = grid.reshape(7, -1)[:, idx]
    cw = layer_demap(layers, 2)
    for q, (d, m) in enumerate(zip(cw, ("64QAM", "16QAM"), strict=True)):
        llr = demodulate(d, m, 1.0)
        hard = (llr < 0).astype(np.uint8)
        np.testing.assert_array_equal(hard, scramble(bits[q], scrambling_c_init(4660, 77, q)))


def test_reserved_res_are_skipped():
    carrier = Carrier(n_size_grid=10)
    config = PdschConfig(symbol_allocation=(0, 14), dmrs=DmrsConfig(n_cdm_groups_without_data=1))
    full = pdsch_indices(carrier, config)
    reserved = full[::7]
    part = pdsch_indices(carrier, config, reserved=reserved)
    assert part.size == full.size - reserved.size
    assert not np.isin(part, reserved).any()
    (g,) = pdsch_bit_capacity(carrier, config, reserved=reserved)
    grid = pdsch_grid(np.zeros(g, np.uint8), carrier, config, reserved=reserved)
    assert np.all(grid.reshape(-1)[reserved] == 0)
    with pytest.raises(ValueError, match="reserved"):
        pdsch_indices(carrier, config, reserved=[10**7])


def test_data_in_dmrs_symbols_uses_the_free_cdm_group():
    carrier = Carrier(n_size_grid=4)
    config = PdschConfig(symbol_allocation=(0, 14), prb_set=(1,),
                         dmrs=DmrsConfig(n_cdm_groups_without_data=1))
    idx = pdsch_indices(carrier, config)
    sym, k = np.divmod(idx, carrier.n_subcarriers)
    in_dmrs = k[sym == 2]
    np.testing.assert_array_equal(in_dmrs, 12 + dmrs_cdm_subcarriers(1, 1))


def test_config_errors():
    with pytest.raises(ConfigError, match="mapping_type"):
        PdschConfig(mapping_type="C")
    with pytest.raises(ConfigError, match="type A needs"):
        PdschConfig(symbol_allocation=(2, 2))
    with pytest.raises(ConfigError, match="type B needs"):
        PdschConfig(mapping_type="B", symbol_allocation=(0, 14))
    with pytest.raises(ConfigError, match="dmrs-TypeA-Position 3"):
        PdschConfig(symbol_allocation=(3, 10))
    with pytest.raises(ConfigError, match="inside the allocation"):
        PdschConfig(symbol_allocation=(3, 10), dmrs=DmrsConfig(type_a_position=2),
                    strict_time_allocation=False)
    with pytest.raises(ConfigError, match="S \\+ L"):
        PdschConfig(symbol_allocation=(4, 11))
    with pytest.raises(ConfigError, match="n_layers"):
        PdschConfig(n_layers=9)
    with pytest.raises(ConfigError, match="modulation"):
        PdschConfig(n_layers=6, modulation=("QPSK",))
    with pytest.raises(ConfigError, match="modulation"):
        PdschConfig(modulation="BPSK")
    with pytest.raises(ConfigError, match="CDM group"):
        PdschConfig(n_layers=3, dmrs=DmrsConfig(n_cdm_groups_without_data=1))
    with pytest.raises(ConfigError, match="dmrs_ports"):
        PdschConfig(n_layers=5)  # ports 4.. need double-symbol DM-RS with type 1
    with pytest.raises(ConfigError, match="distinct"):
        PdschConfig(n_layers=2, dmrs_ports=(1, 1))
    with pytest.raises(ConfigError, match="prb_set"):
        PdschConfig(prb_set=(3, 3))
    with pytest.raises(ConfigError, match="n_rnti"):
        PdschConfig(n_rnti=70000)
    carrier = Carrier(n_size_grid=10)
    with pytest.raises(ConfigError, match="prb_set"):
        pdsch_indices(carrier, PdschConfig(prb_set=(9, 10)))
    with pytest.raises(ConfigError, match="n_size_bwp"):
        pdsch_indices(carrier, PdschConfig(n_start_bwp=5, n_size_bwp=6))
    ext = Carrier(scs=60, cyclic_prefix="extended", n_size_grid=10)
    with pytest.raises(ConfigError, match="12 symbols"):
        pdsch_indices(ext, PdschConfig(symbol_allocation=(0, 13)))


def test_array_errors():
    carrier = Carrier(n_size_grid=10)
    config = PdschConfig(prb_set=(0, 1))
    (g,) = pdsch_bit_capacity(carrier, config)
    with pytest.raises(ValueError, match="bit capacity"):
        pdsch_grid(np.zeros(g - 2, np.uint8), carrier, config)
    with pytest.raises(ValueError, match="0 or 1"):
        pdsch_grid(np.full(g, 2, np.uint8), carrier, config)
    with pytest.raises(ValueError, match="codeword"):
        pdsch_symbols([np.zeros(8, np.uint8)] * 2, carrier, config)
    with pytest.raises(ValueError, match="multiple"):
        pdsch_symbols(np.zeros(7, np.uint8), carrier, config)
    with pytest.raises(ConfigError, match="n_slot"):
        pdsch_dmrs(carrier, config, n_slot=10)


def test_bwp_offsets_prbs():
    carrier = Carrier(n_size_grid=30, n_start_grid=4)
    a = PdschConfig(prb_set=(0, 1), n_start_bwp=10, n_size_bwp=8)
    b = PdschConfig(prb_set=(6, 7))
    np.testing.assert_array_equal(pdsch_indices(carrier, a), pdsch_indices(carrier, b))
    np.testing.assert_array_equal(pdsch_dmrs(carrier, a)[1], pdsch_dmrs(carrier, b)[1])


PTRS_LAYOUTS = [
    # (carrier RBs, PdschConfig kwargs, PT-RS symbols worked from §7.4.1.2.2)
    # type A, DM-RS 2 + 11 (pos1, L = 14), L_PT-RS = 2: 0, 4, 6, 8, 10, 13
    (52, dict(dmrs=DmrsConfig(additional_position=1), n_layers=2,
              ptrs=PtrsConfig(time_density=2, frequency_density=2, re_offset="01")),
     (0, 4, 6, 8, 10, 13)),
    # type A S = 2 (no PT-RS before the DM-RS at 2), L_PT-RS = 4: 6, 10
    (25, dict(symbol_allocation=(2, 12), prb_set=tuple(range(3, 22)), n_layers=4,
              dmrs=DmrsConfig(config_type=2, n_cdm_groups_without_data=3),
              dmrs_ports=(4, 1, 2, 3), modulation="256QAM",
              ptrs=PtrsConfig(time_density=4, frequency_density=4, re_offset="11")),
     (6, 10)),
    # double-symbol DM-RS at 2, 3: L_PT-RS = 1 restarts after symbol 3
    (11, dict(dmrs=DmrsConfig(length=2), n_layers=1, dmrs_ports=(1,), n_rnti=7,
              ptrs=PtrsConfig(time_density=1, frequency_density=4)),
     (0, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)),
    # type B S = 5, L = 7, DM-RS at 5 and 9: L_PT-RS = 1 -> 6, 7, 8, 10, 11
    (30, dict(mapping_type="B", symbol_allocation=(5, 7), n_layers=2,
              prb_set=(0, 1, 2, 7, 8, 9, 20), dmrs=DmrsConfig(additional_position=1),
              ptrs=PtrsConfig(time_density=1, frequency_density=2, port=1)),
     (6, 7, 8, 10, 11)),
]


@pytest.mark.parametrize("n_rb,kw,symbols", PTRS_LAYOUTS)
def test_ptrs_layout_counts_and_disjointness(n_rb, kw, symbols):
    carrier = Carrier(n_size_grid=n_rb, n_cell_id=3)
    config = PdschConfig(**kw)
    no_ptrs = PdschConfig(**{**kw, "ptrs": None})
    plan = pdsch_plan(carrier, config)
    p = config.ptrs
    assert p.port == (kw["ptrs"].port if kw["ptrs"].port is not None
                      else min(config.dmrs_ports))
    assert plan.ptrs_layer == config.dmrs_ports.index(p.port)
    assert tuple(plan.ptrs.symbols.tolist()) == symbols
    # count: every PT-RS symbol x ceil((N_RB - k_ref^RB) / K) scheduled RBs
    n_alloc = plan.crbs.size
    k_rb = config.n_rnti % p.frequency_density if n_alloc % p.frequency_density == 0 \
        else config.n_rnti % (n_alloc % p.frequency_density)
    n_f = -(-(n_alloc - k_rb) // p.frequency_density)
    idx, val = pdsch_ptrs(carrier, config, 4)
    assert idx.size == val.size == len(symbols) * n_f
    # the bit capacity drops by the PT-RS REs on every layer
    g0 = pdsch_bit_capacity(carrier, no_ptrs)
    g1 = pdsch_bit_capacity(carrier, config)
    qm = {"QPSK": 2, "256QAM": 8}[config.modulation]
    assert g0[0] - g1[0] == idx.size * config.n_layers * qm
    # PT-RS, DM-RS and data REs are disjoint; PT-RS REs were data REs without PT-RS
    data = pdsch_indices(carrier, config)
    d_idx, _ = pdsch_dmrs(carrier, config, 4)
    assert not np.intersect1d(idx, data).size
    assert not np.intersect1d(idx, d_idx.reshape(-1)).size
    assert np.all(np.isin(idx, pdsch_indices(carrier, no_ptrs)))
    # PT-RS subcarriers: k_ref^RE (Table 7.4.1.2.2-1) in every K-th scheduled RB
    k = idx % carrier.n_subcarriers
    rb_pos = np.searchsorted(plan.crbs, k // 12)
    assert np.all((rb_pos - k_rb) % p.frequency_density == 0)
    assert len(set((k % 12).tolist())) == 1
    # the grid: PT-RS on its layer only, β_PT-RS of Table 4.1-2 on unit-modulus values
    g = pdsch_bit_capacity(carrier, config)
    bits = [np.random.default_rng(2).integers(0, 2, x, dtype=np.uint8) for x in g]
    grid = pdsch_grid(bits, carrier, config, n_slot=4).reshape(config.n_layers, -1)
    np.testing.assert_array_equal(grid[plan.ptrs_layer, idx], val)
    others = [j for j in range(config.n_layers) if j != plan.ptrs_layer]
    assert np.all(grid[others][:, idx] == 0)
    np.testing.assert_allclose(np.abs(val), p.beta(config.n_layers), rtol=1e-6)
    # the data still round-trip through the grid
    x = grid[:, data]
    np.testing.assert_allclose(x, pdsch_symbols(bits, carrier, config), atol=1e-6)


def test_ptrs_config_errors():
    with pytest.raises(ConfigError) as e:
        PdschConfig(n_layers=2, ptrs=PtrsConfig(port=2))
    assert e.value.field == "ptrs.port" and "5.1.6.3" in e.value.clause
    with pytest.raises(ConfigError, match=r"Table 7\.4\.1\.2\.2-1"):
        PdschConfig(n_layers=1, dmrs_ports=(4,), dmrs=DmrsConfig(length=2), ptrs=PtrsConfig())
    with pytest.raises(ConfigError, match=r"Table 4\.1-2"):
        PdschConfig(n_layers=7, dmrs=DmrsConfig(length=2), ptrs=PtrsConfig())
    assert PdschConfig(n_layers=7, dmrs=DmrsConfig(length=2),
                       ptrs=PtrsConfig(power_db=0.0)).ptrs.port == 0
    with pytest.raises(ConfigError, match="ptrs"):
        PdschConfig(ptrs="yes")
    # without PT-RS: nothing
    idx, val = pdsch_ptrs(Carrier(n_size_grid=5), PdschConfig())
    assert idx.size == val.size == 0

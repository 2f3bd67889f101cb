"""Tests of the PUSCH transmitter (TS 38.211 §6.3.1) and its DM-RS (§6.4.1.1): the ulsch_uci
MATLAB vectors from the multiplexed codeword to the precoded port symbols, the bit capacity of
the allocation, the DM-RS sequences and layout, the transmitter from transport block and UCI
payloads (the same vectors from their bits), the multiplexing resources of hopping and PT-RS
allocations, and validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import PUSCH_VECTOR_IDS, as_int, load_vector, pusch_vector_config, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig, dmrs_re_values
from opennr.physical.precoding import pusch_codebook
from opennr.physical.pusch import (
    PLACEHOLDER_X,
    PLACEHOLDER_Y,
    PuschConfig,
    pusch_bit_capacity,
    pusch_codeword,
    pusch_dmrs,
    pusch_grid,
    pusch_indices,
    pusch_layers,
    pusch_mux_plan,
    pusch_plan,
    pusch_precoding_matrix,
    pusch_scramble,
    pusch_symbols,
    pusch_transmit,
)
from opennr.physical.pusch_dmrs import (
    low_papr_group_sequence,
    pusch_dmrs_hop_positions,
    pusch_dmrs_symbol_positions,
    pusch_tp_dmrs_sequence,
)
from opennr.physical.pusch_ptrs import TpPtrsConfig
from opennr.physical.scrambling import scramble, scrambling_c_init
from opennr.sequences.gold import gold_sequence
from opennr.sequences.lowpapr import low_papr_sequence
from opennr.transport.sch import SchConfig, sch_encode
from opennr.transport.uci_pusch import UciPuschConfig

FILES = vector_files("ulsch_uci")
N_RNTI, N_ID, NID0, N_PUSCH_ID = (PUSCH_VECTOR_IDS[k] for k in ("n_rnti", "n_id", "nid0", "n_id_rs"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[27:60])
def test_ulsch_uci_vectors(path):
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    cw = np.atleast_2d(as_int(v["codeword_out"]))
    ref = np.atleast_2d(v["layermap_out"])
    ports = cfg.n_antenna_ports
    # the codeword length G is the bit capacity of the allocation
    assert pusch_bit_capacity(carrier, cfg) == cw.shape[1]
    g_parts = sum(int(np.atleast_1d(v[k])[0])
                  for k in ("GULSCH_out", "GACK_out", "GCSI1_out", "GCSI2_out"))
    ack_punctures = int(v["EnableACK"]) and int(v["NumACKBits"]) <= 2
    if int(v["EnableULSCH"]) and not ack_punctures:
        assert g_parts == cw.shape[1]
    elif int(v["EnableULSCH"]):
        assert g_parts >= cw.shape[1]
    else:
        assert g_parts <= cw.shape[1]
    y = pusch_symbols(cw, carrier, cfg)  # all slots as a batch
    assert y.shape == (cw.shape[0], ports, ref.shape[1]) and y.dtype == np.complex64
    np.testing.assert_allclose(y.reshape(-1, ref.shape[1]), ref, atol=1e-4, rtol=0)
    # the slot grid carries the same symbols at the data REs of each port
    grid = pusch_grid(cw[0], carrier, cfg, n_slot=0)
    flat = grid.reshape(ports, -1)[:, pusch_indices(carrier, cfg)]
    np.testing.assert_allclose(flat, ref[:ports], atol=1e-4, rtol=0)


# --- scrambling with placeholders (§6.3.1.1) ------------------------------------------------

def _scramble_oracle(b, c_init):
    c = gold_sequence(c_init, len(b))
    out = []
    for i, bit in enumerate(b):
        if bit == -1:
            out.append(1)
        elif bit == -2:
            out.append(out[i - 1])
        else:
            out.append((bit + int(c[i])) % 2)
    return np.array(out, dtype=np.uint8)


def test_scramble_placeholders(rng):
    for qm in (1, 2, 4, 6, 8):
        b = rng.integers(0, 2, 40 * qm)
        # 1-bit ACK pattern [a, y, x, x, ...] and 2-bit pattern [a0, a1, x, ...] per symbol
        for s in range(0, b.size, 3 * qm):
            b[s + 1:s + qm] = PLACEHOLDER_X
            if qm > 1:
                b[s + 1] = PLACEHOLDER_Y
        c_init = scrambling_c_init(N_RNTI, 17)
        out = pusch_scramble(b, c_init)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, _scramble_oracle(b, c_init))


def test_scramble_without_placeholders_is_codeword_scrambling(rng):
    b = rng.integers(0, 2, (3, 500)).astype(np.uint8)
    c = np.array([[5], [70000], [1 << 20]])
    np.testing.assert_array_equal(pusch_scramble(b, c), scramble(b, c))


@pytest.mark.parametrize(("bits", "match"), [
    (np.array([0, 1, 2]), "values"),
    (np.array([0, -3]), "values"),
    (np.array([-2, 1]), "first bit"),
    (np.array([0.0, 1.0]), "integers"),
    (np.int8(1), "scalar"),
])
def test_scramble_errors(bits, match):
    with pytest.raises(ValueError, match=match):
        pusch_scramble(bits, 1)


# --- DM-RS positions (Tables 6.4.1.1.3-3/4) -----------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    # type A, l0 = 2, l_d = 14: pos0 .. pos3
    (("A", 0, 14, 2, 0, 1), (2,)),
    (("A", 0, 14, 2, 1, 1), (2, 11)),
    (("A", 0, 14, 2, 2, 1), (2, 7, 11)),
    (("A", 0, 12, 2, 3, 1), (2, 5, 8, 11)),
    (("A", 0, 9, 3, 1, 1), (3, 7)),
    (("A", 0, 4, 2, 3, 1), (2,)),
    # type B differs from the PDSCH table (l_d = 8, 10, 12, 14 and short allocations)
    (("B", 2, 8, 2, 1, 1), (2, 8)),
    (("B", 1, 10, 2, 2, 1), (1, 5, 9)),
    (("B", 0, 14, 2, 1, 1), (0, 10)),
    (("B", 0, 14, 2, 2, 1), (0, 5, 10)),
    (("B", 0, 14, 2, 3, 1), (0, 3, 6, 9)),
    (("B", 5, 1, 2, 3, 1), (5,)),
    (("B", 3, 4, 2, 2, 1), (3,)),
    # double symbol, Table 6.4.1.1.3-4
    (("A", 0, 14, 2, 1, 2), (2, 10)),
    (("A", 0, 12, 2, 1, 2), (2, 8)),
    (("B", 0, 12, 2, 1, 2), (0, 9)),
    (("B", 4, 8, 2, 1, 2), (4, 9)),
])
def test_dmrs_positions(args, expected):
    m, s, n, l0, pos, length = args
    assert pusch_dmrs_symbol_positions(m, s, n, type_a_position=l0, additional_position=pos,
                                       dmrs_length=length) == expected


@pytest.mark.parametrize(("args", "match"), [
    (("A", 0, 3, 2, 0, 1), "no PUSCH DM-RS"),
    (("B", 0, 4, 2, 0, 2), "no PUSCH DM-RS"),
    (("A", 0, 14, 3, 3, 1), "pos3"),
    (("A", 0, 14, 2, 2, 2), "additional_position"),
])
def test_dmrs_position_errors(args, match):
    m, s, n, l0, pos, length = args
    with pytest.raises(ConfigError, match=match):
        pusch_dmrs_symbol_positions(m, s, n, type_a_position=l0, additional_position=pos,
                                    dmrs_length=length)


# --- transform-precoding DM-RS (§6.4.1.1.1.2) --------------------------------------------

def test_group_hopping_formula():
    n_id_rs = 30 * 17 + 4
    c = gold_sequence(n_id_rs // 30, 8 * 14 * 20)
    for n_s in (0, 3, 19):
        for l in (0, 2, 11):
            base = 8 * (14 * n_s + l)
            f_gh = sum(int(c[base + m]) << m for m in range(8)) % 30
            assert low_papr_group_sequence(n_id_rs, 36, n_symb_slot=14, n_s=n_s, l=l,
                                           group_hopping=True) == ((f_gh + n_id_rs) % 30, 0)


def test_sequence_hopping_formula():
    n_id_rs = 1000
    c = gold_sequence(n_id_rs, 14 * 20)
    vs = set()
    for n_s in range(20):
        for l in (2, 7):
            u, v = low_papr_group_sequence(n_id_rs, 72, n_symb_slot=14, n_s=n_s, l=l,
                                           sequence_hopping=True)
            assert (u, v) == (n_id_rs % 30, int(c[14 * n_s + l]))
            vs.add(v)
            # below 6 RBs of DM-RS subcarriers there is no sequence hopping
            assert low_papr_group_sequence(n_id_rs, 66, n_symb_slot=14, n_s=n_s, l=l,
                                           sequence_hopping=True) == (n_id_rs % 30, 0)
    assert vs == {0, 1}
    assert low_papr_group_sequence(n_id_rs, 72, n_symb_slot=14, n_s=4, l=2) == (10, 0)
    with pytest.raises(ConfigError, match="both"):
        low_papr_group_sequence(1, 72, n_symb_slot=14, n_s=0, l=0, group_hopping=True,
                                sequence_hopping=True)


def test_tp_dmrs_sequence_is_the_low_papr_sequence():
    r = pusch_tp_dmrs_sequence(300, n_id_rs=30, n_symb_slot=14, n_s=2, l=2, group_hopping=True)
    u, v = low_papr_group_sequence(30, 150, n_symb_slot=14, n_s=2, l=2, group_hopping=True)
    np.testing.assert_array_equal(r, low_papr_sequence(u, v, 0.0, 150))
    np.testing.assert_allclose(np.abs(r), 1.0, atol=1e-6)


def _papr_db(x):
    p = np.abs(x) ** 2
    return 10 * np.log10(p.max() / p.mean())


def test_tp_dmrs_has_low_papr():
    carrier = Carrier(n_size_grid=52)
    base = PuschConfig(prb_set=tuple(range(3, 3 + 25)), n_id_rs=N_PUSCH_ID,
                       dmrs=DmrsConfig(additional_position=2, n_id=NID0))
    papr = {}
    for tp in (True, False):
        cfg = dataclasses.replace(base, transform_precoding=tp, group_hopping=tp)
        values = []
        for n_slot in range(10):
            grid = np.zeros((14, carrier.n_subcarriers), np.complex64)
            idx, val = pusch_dmrs(carrier, cfg, n_slot)
            grid.reshape(-1)[idx[0]] = val[0]
            for l in pusch_plan(carrier, cfg).dmrs_symbols:
                sym = np.zeros(4096, np.complex128)  # oversampled by 4096 / 624
                sym[:carrier.n_subcarriers] = grid[l]
                values.append(_papr_db(np.fft.ifft(sym)))
        papr[tp] = np.array(values)
    assert papr[True].max() < 7.0
    assert papr[True].mean() < papr[False].mean() - 2.0


def test_tp_dmrs_layout():
    carrier = Carrier(n_size_grid=30)
    cfg = PuschConfig(prb_set=tuple(range(5, 20)), transform_precoding=True, modulation="16QAM",
                      n_id_rs=7, sequence_hopping=True,
                      dmrs=DmrsConfig(additional_position=1, power_db=0.0))
    idx, val = pusch_dmrs(carrier, cfg, 6)
    plan = pusch_plan(carrier, cfg)
    k = idx[0] % carrier.n_subcarriers
    l = idx[0] // carrier.n_subcarriers
    for sym in plan.dmrs_symbols:
        ks = k[l == sym]
        np.testing.assert_array_equal(ks, 60 + 2 * np.arange(90))  # even subcarriers, Δ = 0
        r = pusch_tp_dmrs_sequence(180, n_id_rs=7, n_symb_slot=14, n_s=6, l=int(sym),
                                   sequence_hopping=True)
        np.testing.assert_allclose(val[0][l == sym], r, atol=1e-6)
    # no data in the DM-RS symbols with transform precoding
    data_syms = np.unique(plan.data_indices // carrier.n_subcarriers)
    assert not set(data_syms.tolist()) & set(plan.dmrs_symbols.tolist())


# --- CP-OFDM DM-RS ---------------------------------------------------------------------------

def test_cp_ofdm_dmrs_uses_nid_and_cdm_codes():
    carrier = Carrier(n_size_grid=24)
    cfg = PuschConfig(prb_set=tuple(range(2, 12)), n_layers=2, transmission_scheme="non-codebook",
                      dmrs=DmrsConfig(additional_position=1, n_id=NID0, power_db=0.0))
    idx, val = pusch_dmrs(carrier, cfg, 5)
    plan = pusch_plan(carrier, cfg)
    # ports 0 and 1 share the CDM group 0 REs; w_f makes them orthogonal on each pair k' = 0, 1
    np.testing.assert_array_equal(idx[0], idx[1])
    pairs = (val[0] * np.conj(val[1])).reshape(-1, 2).sum(axis=1)
    np.testing.assert_allclose(pairs, 0, atol=1e-6)
    # first symbol: r(m) of the Gold sequence with the c_init of §6.4.1.1.1.1 (N_ID = NID0)
    l = int(plan.dmrs_symbols[0])
    c_init = ((1 << 17) * (14 * 5 + l + 1) * (2 * NID0 + 1) + 2 * NID0) % (1 << 31)
    c = gold_sequence(c_init, 2 * 3 * 12 * 2).astype(float)
    r = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2])) / np.sqrt(2)
    m = np.arange(2 * 3 * 2, 2 * 3 * 12)  # CRBs 2..11, 6 values per CRB
    np.testing.assert_allclose(val[0][:60], r[m], atol=1e-6)
    _k, expected = dmrs_re_values(1, 1, plan.crbs, plan.dmrs_symbols, plan.dmrs_l_prime,
                                 n_symb_slot=14, n_s=5, n_id=NID0, n_scid=0)
    np.testing.assert_allclose(val[1], expected.reshape(-1), atol=1e-6)


# --- grid layout --------------------------------------------------------------------------------

@pytest.mark.parametrize(("dmrs", "layers", "tp", "n_prb"), [
    (DmrsConfig(additional_position=1, n_cdm_groups_without_data=1), 1, False, 10),
    (DmrsConfig(additional_position=3, n_cdm_groups_without_data=2), 2, False, 7),
    (DmrsConfig(config_type=2, additional_position=1, n_cdm_groups_without_data=3), 4, False, 5),
    (DmrsConfig(length=2, additional_position=1, n_cdm_groups_without_data=2), 3, False, 6),
    (DmrsConfig(additional_position=2, n_cdm_groups_without_data=2), 1, True, 12),
])
def test_grid_layout(rng, dmrs, layers, tp, n_prb):
    carrier = Carrier(n_size_grid=20)
    ports = 4 if layers > 2 else 2
    cfg = PuschConfig(prb_set=tuple(range(3, 3 + n_prb)), n_layers=layers, dmrs=dmrs,
                      transform_precoding=tp, n_antenna_ports=ports, tpmi=1, n_id_rs=3)
    plan = pusch_plan(carrier, cfg)
    n_dmrs_sym = plan.dmrs_symbols.size
    per_rb = {1: 6, 2: 4}[dmrs.config_type]
    data_per_rb_in_dmrs = 12 - per_rb * dmrs.n_cdm_groups_without_data
    n_re = 12 * n_prb * (14 - n_dmrs_sym) + data_per_rb_in_dmrs * n_prb * n_dmrs_sym
    assert plan.data_indices.size == n_re
    qm = 2
    assert pusch_bit_capacity(carrier, cfg) == n_re * layers * qm
    cw = rng.integers(0, 2, n_re * layers * qm)
    grid = pusch_grid(cw, carrier, cfg, n_slot=1)
    assert grid.shape == (ports, 14, 240) and grid.dtype == np.complex64
    # the grid is W times the layer grid: data + DM-RS of each layer
    layers_grid = np.zeros((layers, 14 * 240), np.complex64)
    layers_grid[:, plan.data_indices] = pusch_layers(cw, carrier, cfg)
    idx, val = pusch_dmrs(carrier, cfg, 1)
    assert not np.isin(idx, plan.data_indices).any()
    for j in range(layers):
        layers_grid[j, idx[j]] = val[j]
    w = pusch_precoding_matrix(cfg)
    np.testing.assert_allclose(grid.reshape(ports, -1), w @ layers_grid, atol=1e-6)
    # nothing outside the allocated PRBs
    outside = np.ones(240, bool)
    outside[36:36 + 12 * n_prb] = False
    assert not grid[:, :, outside].any()


def test_non_codebook_is_identity():
    cfg = PuschConfig(n_layers=3, transmission_scheme="non-codebook")
    np.testing.assert_array_equal(pusch_precoding_matrix(cfg), np.eye(3))
    assert cfg.n_antenna_ports == 3
    cfg = PuschConfig(n_layers=2, n_antenna_ports=4, tpmi=21)
    np.testing.assert_array_equal(pusch_precoding_matrix(cfg), pusch_codebook(2, 4, 21))


# --- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize(("kw", "match"), [
    ({"transform_precoding": True, "n_layers": 2, "n_antenna_ports": 2}, "single layer"),
    ({"transform_precoding": True, "prb_set": tuple(range(7))}, "2\\^a"),
    ({"transform_precoding": True, "prb_set": (0, 1, 3)}, "contiguous"),
    ({"transform_precoding": True, "dmrs": DmrsConfig(n_cdm_groups_without_data=1)},
     "n_cdm_groups"),
    ({"transform_precoding": True, "dmrs": DmrsConfig(config_type=2)}, "config_type"),
    ({"modulation": "pi/2-BPSK"}, "transform precoding"),
    ({"modulation": "1024QAM"}, "modulation"),
    ({"n_layers": 2, "n_antenna_ports": 4, "tpmi": 22}, "tpmi"),
    ({"n_layers": 1, "n_antenna_ports": 4, "tpmi": 28, "transform_precoding": True}, "tpmi"),
    ({"n_layers": 1, "n_antenna_ports": 2, "tpmi": 6}, "tpmi"),
    ({"n_layers": 3, "n_antenna_ports": 2}, "no codebook"),
    ({"n_layers": 2, "n_antenna_ports": 4, "transmission_scheme": "non-codebook"},
     "n_antenna_ports"),
    ({"n_layers": 5}, "n_layers"),
    ({"group_hopping": True, "sequence_hopping": True}, "both"),
    ({"mapping_type": "A", "symbol_allocation": (2, 10)}, "type A"),
    ({"mapping_type": "A", "symbol_allocation": (0, 3)}, "type A"),
    ({"mapping_type": "B", "symbol_allocation": (10, 5)}, "S \\+ L"),
    ({"n_layers": 2, "n_antenna_ports": 2,
      "dmrs": DmrsConfig(n_cdm_groups_without_data=1), "dmrs_ports": (0, 2)}, "CDM group"),
    ({"n_id": 1024}, "n_id"),
    ({"n_id_rs": 1008}, "n_id_rs"),
    ({"transform_precoding": 1}, "bool"),
])
def test_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match):
        PuschConfig(**kw)


def test_plan_and_input_errors():
    carrier = Carrier(n_size_grid=14)
    cfg = PuschConfig(transform_precoding=True)  # the whole 14-PRB grid: 14 = 2 * 7
    with pytest.raises(ConfigError, match="2\\^a"):
        pusch_plan(carrier, cfg)
    with pytest.raises(ConfigError, match="prb_set"):
        pusch_plan(carrier, PuschConfig(prb_set=(13, 14)))
    with pytest.raises(TypeError, match="config"):
        pusch_plan(carrier, DmrsConfig())
    cfg = PuschConfig(prb_set=(0, 1))
    g = pusch_bit_capacity(carrier, cfg)
    with pytest.raises(ValueError, match="bit capacity"):
        pusch_grid(np.zeros(g - 2, np.int8), carrier, cfg)
    with pytest.raises(ValueError, match="multiple"):
        pusch_symbols(np.zeros(7, np.int8), carrier, cfg)
    tp = PuschConfig(prb_set=(0, 1), transform_precoding=True)
    with pytest.raises(ValueError, match="M_sc"):
        pusch_symbols(np.zeros(2 * 24 + 2, np.int8), carrier, tp)


@pytest.mark.parametrize("path", vector_files("ulsch"), ids=lambda p: p.name[28:60])
def test_bit_capacity_of_ulsch_vectors(path):
    # G of TS 38.212 §6.2.7 from the allocation equals the stored codeword length
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    assert pusch_bit_capacity(carrier, cfg) == np.atleast_2d(v["codeword_out"]).shape[1]


# --- intra-slot frequency hopping (TS 38.214 §6.3, TS 38.211 Table 6.4.1.1.3-6) -------------

@pytest.mark.parametrize(("args", "expected"), [
    # (mapping, S, L, l0, additional position) -> (first hop l̄, second hop l̄), worked by hand:
    # first hop ⌊L/2⌋ symbols from S, the table gives positions relative to each hop's start
    (("A", 0, 14, 2, 1), ((2, 6), (7, 11))),     # l_d = 7 and 7
    (("A", 0, 14, 2, 0), ((2,), (7,))),
    (("A", 0, 14, 3, 1), ((3,), (7, 11))),       # l0 = 3: no additional DM-RS in hop 1
    (("A", 0, 10, 3, 2), ((3,), (5, 9))),        # pos2 is taken as pos1; l_d = 5 and 5
    (("A", 0, 9, 2, 1), ((2,), (4, 8))),         # l_d = 4 and 5
    (("A", 0, 8, 2, 3), ((2,), (4,))),           # l_d = 4 and 4
    (("B", 2, 12, 2, 1), ((2, 6), (8, 12))),     # type B: l0 = 0 of each hop
    (("B", 4, 9, 2, 3), ((4,), (8, 12))),        # l_d = 4 and 5
    (("B", 10, 3, 2, 1), ((10,), (11,))),        # l_d = 1 and 2
])
def test_dmrs_positions_per_hop(args, expected):
    mapping, s, n, l0, pos = args
    assert pusch_dmrs_hop_positions(mapping, s, n, type_a_position=l0,
                                    additional_position=pos) == expected
    cfg = PuschConfig(mapping_type=mapping, symbol_allocation=(s, n), prb_set=tuple(range(4)),
                      frequency_hopping="intra-slot", rb_offset=10,
                      dmrs=DmrsConfig(type_a_position=l0, additional_position=pos))
    plan = pusch_plan(Carrier(n_size_grid=20), cfg)
    assert tuple(plan.dmrs_symbols.tolist()) == expected[0] + expected[1]
    assert plan.hop_symbols == (s, s + n // 2)


def test_hopping_allocation_and_dmrs():
    carrier = Carrier(n_size_grid=50)
    base = PuschConfig(prb_set=tuple(range(3, 13)), dmrs=DmrsConfig(additional_position=1,
                                                                   n_id=NID0))
    cfg = dataclasses.replace(base, frequency_hopping="intra-slot", rb_offset=30)
    plan = pusch_plan(carrier, cfg)
    np.testing.assert_array_equal(plan.hop_crbs[1], np.arange(33, 43))
    # data REs: symbols 0..6 in PRBs 3..12, symbols 7..13 in PRBs 33..42, none on DM-RS
    sym, k = np.divmod(pusch_indices(carrier, cfg), carrier.n_subcarriers)
    first = sym < 7
    assert set(np.unique(k[first] // 12)) == set(range(3, 13))
    assert set(np.unique(k[~first] // 12)) == set(range(33, 43))
    assert not set(sym.tolist()) & {2, 6, 7, 11}
    assert pusch_bit_capacity(carrier, cfg) == (14 - 4) * 120 * 2
    # the DM-RS of each hop is the Gold DM-RS of its own subcarriers: that of an unhopped PUSCH
    # on the same PRBs in the same symbol
    idx, val = pusch_dmrs(carrier, cfg, n_slot=3)
    for prbs, syms in ((range(3, 13), (2, 6)), (range(33, 43), (7, 11))):
        ref_cfg = dataclasses.replace(base, prb_set=tuple(prbs), symbol_allocation=(0, 14))
        ri, rv = pusch_dmrs(carrier, ref_cfg, n_slot=3)
        for s in syms:
            sel = (idx[0] // carrier.n_subcarriers) == s
            rsel = (ri[0] // carrier.n_subcarriers) == s
            if rsel.any():
                np.testing.assert_array_equal(idx[0][sel], ri[0][rsel])
                np.testing.assert_allclose(val[0][sel], rv[0][rsel])
            else:
                k_ref = (idx[0][sel] % carrier.n_subcarriers) // 12
                assert set(k_ref.tolist()) == set(prbs)
    # the grid carries the DM-RS of each hop in its own PRBs
    grid = pusch_grid(np.zeros(pusch_bit_capacity(carrier, cfg), np.int8), carrier, cfg)
    assert np.all(grid[0, 11, 33 * 12:43 * 12:2] != 0) and np.all(grid[0, 11, 36:156] == 0)
    # the second hop wraps around the bandwidth part: (3 + 47) mod 50 = 0
    wrap = dataclasses.replace(cfg, rb_offset=47)
    np.testing.assert_array_equal(pusch_plan(carrier, wrap).hop_crbs[1], np.arange(10))
    # a hop view holds one hop
    h1 = pusch_plan(carrier, dataclasses.replace(cfg, hop=1))
    assert tuple(h1.dmrs_symbols.tolist()) == (7, 11) and h1.crbs[0] == 33
    np.testing.assert_array_equal(np.concatenate(
        [pusch_plan(carrier, dataclasses.replace(cfg, hop=h)).data_indices for h in (0, 1)]),
        plan.data_indices)


def test_hopping_transform_precoding_dmrs_moves_with_the_hop():
    carrier = Carrier(n_size_grid=40)
    cfg = PuschConfig(prb_set=tuple(range(0, 12)), transform_precoding=True,
                      frequency_hopping="intra-slot", rb_offset=20, n_id_rs=N_PUSCH_ID)
    idx, val = pusch_dmrs(carrier, cfg, n_slot=0)
    sym, k = np.divmod(idx[0], carrier.n_subcarriers)
    assert tuple(np.unique(sym).tolist()) == (2, 7)
    np.testing.assert_array_equal(k[sym == 7] - 240, k[sym == 2])
    # the low-PAPR sequence of the symbol, on the even subcarriers of the hop
    r = pusch_tp_dmrs_sequence(144, n_id_rs=N_PUSCH_ID, n_symb_slot=14, n_s=0, l=7)
    np.testing.assert_allclose(val[0][sym == 7], cfg.dmrs.beta * r, atol=1e-5)


@pytest.mark.parametrize(("kw", "match"), [
    ({"frequency_hopping": "inter-slot"}, "frequency_hopping"),
    ({"frequency_hopping": "intra-slot", "dmrs": DmrsConfig(length=2)}, "dmrs.length"),
    ({"frequency_hopping": "intra-slot", "prb_set": (0, 1, 3)}, "contiguous"),
    ({"frequency_hopping": "intra-slot", "symbol_allocation": (0, 6)}, "l_d=3"),
    ({"frequency_hopping": "intra-slot", "mapping_type": "B", "symbol_allocation": (3, 1)},
     "L >= 2"),
    ({"hop": 1}, "hop"),
    ({"frequency_hopping": "intra-slot", "hop": 2}, "hop"),
    ({"frequency_hopping": "intra-slot", "rb_offset": -1}, "rb_offset"),
])
def test_hopping_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match):
        PuschConfig(**kw)


def test_hopping_second_hop_outside_the_bandwidth_part():
    cfg = PuschConfig(prb_set=tuple(range(3, 13)), frequency_hopping="intra-slot", rb_offset=45)
    with pytest.raises(ConfigError, match="rb_offset"):
        pusch_plan(Carrier(n_size_grid=50), cfg)


# --- the PUSCH transmitter with UL-SCH and UCI (TS 38.212 §6.2, §6.3.2, §6.2.7) -----------

def _vector_uci(v):
    def on(name):
        return int(v["Enable" + name])

    uci = UciPuschConfig(o_ack=on("ACK") * int(v["NumACKBits"]),
                         o_csi1=on("CSI1") * int(v["NumCSI1Bits"]),
                         o_csi2=on("CSI2") * int(v["NumCSI2Bits"]),
                         beta_offset_ack=float(v["BetaOffsetACK"]),
                         beta_offset_csi1=float(v["BetaOffsetCSI1"]),
                         beta_offset_csi2=float(v["BetaOffsetCSI2"]), alpha=float(v["UCIScaling"]))
    return uci, bool(on("ULSCH"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[27:60])
def test_ulsch_uci_vectors_from_payloads(path):
    # transport block and UCI payloads -> precoded port symbols, through one call
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    uci, has_ulsch = _vector_uci(v)
    r = float(v["TargetCodeRateby1024"]) / 1024
    tb = np.atleast_1d(as_int(v["trblk_out"])).astype(np.uint8)
    cw = np.atleast_2d(as_int(v["codeword_out"]))
    ref = np.atleast_2d(v["layermap_out"])
    rv = np.atleast_1d(as_int(v["rv_out"]))
    n_slots, ports = cw.shape[0], cfg.n_antenna_ports
    idx = pusch_indices(carrier, cfg)
    for s in range(n_slots):
        payload = {name: as_int(v[key]).reshape(n_slots, -1)[s].astype(np.uint8)
                   for name, key in (("ack", "effACK_out"), ("csi1", "csi1_out"),
                                     ("csi2", "csi2_out")) if getattr(uci, "o_" + name)}
        args = {}
        if has_ulsch:
            args = dict(tb=tb, sch=SchConfig(tbs=tb.size, target_code_rate=r, qm=cfg.qm,
                                             n_layers=cfg.n_layers))
        np.testing.assert_array_equal(
            pusch_codeword(carrier, cfg, rv=int(rv[s]), uci=uci, target_code_rate=r, **args,
                           **payload), cw[s])
        grid = pusch_transmit(carrier, cfg, rv=int(rv[s]), uci=uci, target_code_rate=r, n_slot=0,
                              **args, **payload)
        np.testing.assert_allclose(grid.reshape(ports, -1)[:, idx], ref[s * ports:(s + 1) * ports],
                                   atol=1e-4, rtol=0)


def test_codeword_without_uci_is_the_ulsch_codeword(rng):
    carrier = Carrier(n_size_grid=20)
    cfg = PuschConfig(prb_set=tuple(range(5, 15)), modulation="16QAM")
    sch = SchConfig(tbs=1500, target_code_rate=0.5, qm=4)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    g = pusch_bit_capacity(carrier, cfg)
    np.testing.assert_array_equal(pusch_codeword(carrier, cfg, tb=tb, sch=sch, rv=2),
                                  sch_encode(tb, sch, g=g, rv=2))
    # UCI sizes all 0: the reserved REs are computed but the UL-SCH keeps all G bits
    np.testing.assert_array_equal(pusch_codeword(carrier, cfg, tb=tb, sch=sch, rv=2,
                                                 uci=UciPuschConfig()),
                                  sch_encode(tb, sch, g=g, rv=2))


def test_mux_plan_resources_with_hopping_and_ptrs():
    carrier = Carrier(n_size_grid=40)
    # intra-slot hopping, type A, 14 symbols: hops of 7 symbols with their own DM-RS
    cfg = PuschConfig(prb_set=tuple(range(4)), frequency_hopping="intra-slot", rb_offset=20,
                      dmrs=DmrsConfig(additional_position=1))
    plan = pusch_mux_plan(carrier, cfg, UciPuschConfig(o_ack=3), sch=SchConfig(
        tbs=500, target_code_rate=0.5, qm=2))
    res = plan.resources
    assert res.n_symb_hop == 7 and res.g == pusch_bit_capacity(carrier, cfg)
    dmrs = tuple(int(x) for x in pusch_plan(carrier, cfg).dmrs_symbols)
    assert res.dmrs == tuple(l in dmrs for l in range(14))
    assert res.l_ack == (dmrs[0] + 1, dmrs[-2] + 1)
    with pytest.raises(ConfigError, match="hop"):
        pusch_mux_plan(carrier, dataclasses.replace(cfg, hop=1), UciPuschConfig(o_ack=3),
                       target_code_rate=0.5)
    # transform precoding with PT-RS: the PT-RS samples are not data REs
    tp = PuschConfig(prb_set=tuple(range(4)), transform_precoding=True,
                     ptrs=TpPtrsConfig(time_density=2, n_groups=2, n_samples=2))
    pplan = pusch_plan(carrier, tp)
    res = pusch_mux_plan(carrier, tp, UciPuschConfig(o_csi1=20), target_code_rate=0.5).resources
    assert res.g == pusch_bit_capacity(carrier, tp)
    for l in range(14):
        expected = 0 if res.dmrs[l] else 48 - (4 if l in pplan.ptrs_symbols else 0)
        assert res.m_sc[l] == expected


def test_transmit_errors(rng):
    carrier = Carrier(n_size_grid=10)
    cfg = PuschConfig(prb_set=tuple(range(10)))
    sch = SchConfig(tbs=400, target_code_rate=0.5, qm=2)
    tb = np.zeros(400, np.uint8)
    with pytest.raises(ValueError, match="UL-SCH, UCI or both"):
        pusch_transmit(carrier, cfg)
    with pytest.raises(ValueError, match="tb and sch"):
        pusch_transmit(carrier, cfg, tb=tb)
    with pytest.raises(ValueError, match="without a UciPuschConfig"):
        pusch_transmit(carrier, cfg, tb=tb, sch=sch, ack=np.ones(1, np.uint8))
    with pytest.raises(ConfigError, match="sch"):
        pusch_transmit(carrier, cfg, tb=tb, sch=SchConfig(tbs=400, target_code_rate=0.5, qm=4))
    with pytest.raises(ValueError, match="ack: required"):
        pusch_transmit(carrier, cfg, tb=tb, sch=sch, uci=UciPuschConfig(o_ack=2))
    with pytest.raises(ValueError, match="ack: last dimension"):
        pusch_transmit(carrier, cfg, tb=tb, sch=sch, uci=UciPuschConfig(o_ack=2),
                       ack=np.ones(3, np.uint8))
    with pytest.raises(ConfigError, match="target_code_rate"):
        pusch_transmit(carrier, cfg, uci=UciPuschConfig(o_ack=2, o_csi1=10), ack=np.ones(2, np.uint8),
                       csi1=np.ones(10, np.uint8))

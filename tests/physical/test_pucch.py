"""PUCCH formats 0-4 (TS 38.211 §6.3.2, §6.4.1.3): MATLAB vectors, hand-worked values from the
spec for format 1, tables, and validation."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import pucch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.modulation import modulate
from opennr.numerology import Carrier
from opennr.physical.pucch import (
    PucchConfig,
    pucch0_cyclic_shift_index,
    pucch_bit_capacity,
    pucch_dmrs,
    pucch_dmrs_indices,
    pucch_grid,
    pucch_indices,
    pucch_plan,
    pucch_symbols,
    pucch_uci_codeword,
)
from opennr.physical.pucch_dmrs import PUCCH3_DMRS_POSITIONS, pucch2_dmrs_c_init
from opennr.physical.pucch_sequences import (
    PUCCH1_DMRS_SPREADING_FACTORS,
    PUCCH1_OCC_PHASES,
    PUCCH1_SPREADING_FACTORS,
    PUCCH4_OCC,
    pucch1_occ,
    pucch4_occ,
    pucch_cyclic_shift,
    pucch_group_sequence,
)
from opennr.sequences.gold import gold_sequence
from opennr.sequences.lowpapr import low_papr_sequence

FAMILIES = ("pucch_f0", "pucch_f2", "pucch_f3", "pucch_f4")
FILES = [p for fam in FAMILIES for p in vector_files(fam)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[:48])
def test_vectors(path):
    """Symbols and slot grids of every copied vector, slot by slot."""
    case = pucch_vector_case(path)
    cfg, sym = case.config, np.atleast_2d(case.v["symbols_out"])
    n_ack = int(case.v["NumUCIBits"]) if cfg.format == 0 else 0
    for s in range(case.grid.shape[0]):
        if cfg.format == 0:
            ack, sr = case.codewords[s, :n_ack], bool(case.codewords[s, n_ack])
            kw = {"ack": ack, "sr": sr}
            x = pucch_symbols(case.carrier, cfg, n_slot=s, **kw)
            if x.size == 0:           # negative SR alone: nothing is sent
                assert not sr and n_ack == 0 and sym.size == 0
            else:
                np.testing.assert_allclose(x, sym[s], atol=1e-4)
        else:
            kw = {"codeword": case.codewords[s]}
            np.testing.assert_allclose(pucch_symbols(case.carrier, cfg, n_slot=s, **kw), sym[s],
                                       atol=1e-4)
        grid = pucch_grid(case.carrier, cfg, n_slot=s, **kw)
        np.testing.assert_allclose(grid[0], case.grid[s], atol=1e-4)


@pytest.mark.parametrize("path", [p for fam in FAMILIES[1:] for p in vector_files(fam)],
                         ids=lambda p: p.stem[:48])
def test_vectors_from_uci_payload(path):
    """The whole chain UCI payload -> codeword -> slot grid (TS 38.212 §6.3.1, TS 38.211 §6.3.2)."""
    case = pucch_vector_case(path)
    for s in range(case.grid.shape[0]):
        cw = pucch_uci_codeword(case.uci[s], case.carrier, case.config)
        np.testing.assert_array_equal(cw, case.codewords[s])
        grid = pucch_grid(case.carrier, case.config, uci=case.uci[s], n_slot=s)
        np.testing.assert_allclose(grid[0], case.grid[s], atol=1e-4)


def _f_gh(n_id, n_s, n_hop):
    c = gold_sequence(n_id // 30, 8 * (2 * n_s + n_hop) + 8)[-8:]
    return sum(int(c[m]) << m for m in range(8)) % 30


@pytest.mark.parametrize("n_id,n_s,n_hop", [(0, 0, 0), (511, 7, 1), (1023, 19, 0), (45, 3, 1)])
def test_group_and_sequence_hopping(n_id, n_s, n_hop):
    """§6.3.2.2.1 worked from the Gold sequence: f_ss = n_ID mod 30, f_gh from c(8(2n_s+n_hop)+m),
    v = c(2n_s + n_hop) with c_init = 2^5 floor(n_ID/30) + n_ID mod 30."""
    assert pucch_group_sequence("neither", n_id, n_s, n_hop) == (n_id % 30, 0)
    assert pucch_group_sequence("enable", n_id, n_s, n_hop) == ((_f_gh(n_id, n_s, n_hop) + n_id) % 30, 0)
    c = gold_sequence(32 * (n_id // 30) + n_id % 30, 2 * n_s + n_hop + 1)
    assert pucch_group_sequence("disable", n_id, n_s, n_hop) == (n_id % 30, int(c[-1]))


def test_cyclic_shift_hopping():
    """§6.3.2.2.2: α = 2π/12 ((m0 + m_cs + n_cs(n_s, l + l')) mod 12), c_init = n_ID."""
    n_id, n_s, l, lp = 300, 5, 3, 4
    c = gold_sequence(n_id, 8 * 14 * n_s + 8 * (l + lp) + 8)[-8:]
    n_cs = sum(int(c[m]) << m for m in range(8))
    alpha = pucch_cyclic_shift(n_id, 14, n_s, l, lp, m0=7, m_cs=9)
    assert alpha == pytest.approx(2 * np.pi / 12 * ((7 + 9 + n_cs) % 12))


def test_format0_cyclic_shifts():
    """TS 38.213 Tables 9.2.3-3/-4 and 9.2.5-1/-2; no transmission for a negative SR alone."""
    assert [pucch0_cyclic_shift_index([b]) for b in (0, 1)] == [0, 6]
    assert [pucch0_cyclic_shift_index(b) for b in ([0, 0], [0, 1], [1, 1], [1, 0])] == [0, 3, 6, 9]
    assert [pucch0_cyclic_shift_index([b], True) for b in (0, 1)] == [3, 9]
    assert [pucch0_cyclic_shift_index(b, True) for b in ([0, 0], [0, 1], [1, 1], [1, 0])] == [1, 4, 7, 10]
    assert pucch0_cyclic_shift_index([], True) == 0
    assert pucch0_cyclic_shift_index([], False) is None


def test_format1_spreading_tables():
    """Tables 6.3.2.4.1-1 and 6.4.1.3.1.1-1 against the counts of odd (UCI) and even (DM-RS)
    symbols in each hop of floor(L/2) and L - floor(L/2) symbols; the rows of Table 6.3.2.4.1-2
    are orthogonal."""
    for length in range(4, 15):
        odd = [l for l in range(length) if l % 2]
        even = [l for l in range(length) if l % 2 == 0]
        h = length // 2
        assert PUCCH1_SPREADING_FACTORS[length] == (len(odd), sum(l < h for l in odd),
                                                    sum(l >= h for l in odd))
        assert PUCCH1_DMRS_SPREADING_FACTORS[length] == (len(even), sum(l < h for l in even),
                                                         sum(l >= h for l in even))
    for n_sf, rows in PUCCH1_OCC_PHASES.items():
        w = np.array([pucch1_occ(n_sf, i) for i in range(len(rows))])
        np.testing.assert_allclose(w @ w.conj().T, n_sf * np.eye(n_sf), atol=1e-12)
    for n_sf in PUCCH4_OCC:
        w = np.array([pucch4_occ(n_sf, n) for n in range(n_sf)])
        # w_n spreads d over N_SF blocks of 12/N_SF subcarriers: the block patterns are orthogonal
        blocks = w[:, :: 12 // n_sf]
        np.testing.assert_allclose(blocks @ blocks.conj().T, n_sf * np.eye(n_sf), atol=1e-12)


@pytest.mark.parametrize("hop", [None, 30])
@pytest.mark.parametrize("bits", [[1], [0, 1]])
def test_format1_worked_example(hop, bits):
    """A format 1 slot built by hand from §6.3.2.4 and §6.4.1.3.1: no group hopping (u = n_ID
    mod 30), 14 symbols from symbol 0, m0 = 5, timeDomainOCC 1."""
    n_id, n_s = 77, 3
    carrier = Carrier(scs=15, n_size_grid=52, n_cell_id=1, n_slot=n_s)
    cfg = PucchConfig(format=1, symbol_allocation=(0, 14), start_prb=7, second_hop_prb=hop,
                      hopping_id=n_id, initial_cyclic_shift=5, occ_index=1)
    d0 = modulate(np.array(bits, np.uint8), "BPSK" if len(bits) == 1 else "QPSK")[0]
    u = n_id % 30
    expected = np.zeros((14, 52 * 12), complex)
    hops = [range(0, 7), range(7, 14)] if hop is not None else [range(14)]
    for h, symbols in enumerate(hops):
        prb = 7 if h == 0 else hop
        for kind in (0, 1):                      # 0: DM-RS on even symbols, 1: UCI on odd ones
            ls = [l for l in symbols if l % 2 == kind]
            n_sf = len(ls)
            phi = PUCCH1_OCC_PHASES[n_sf][1]
            for m, l in enumerate(ls):
                c = gold_sequence(n_id, 8 * 14 * n_s + 8 * l + 8)[-8:]
                alpha = 2 * np.pi / 12 * ((5 + sum(int(c[i]) << i for i in range(8))) % 12)
                r = low_papr_sequence(u, 0, alpha, 12)
                w = np.exp(2j * np.pi * phi[m] / n_sf)
                expected[l, 12 * prb: 12 * prb + 12] = w * r * (d0 if kind else 1)
    grid = pucch_grid(carrier, cfg, ack=bits)
    np.testing.assert_allclose(grid[0], expected, atol=1e-5)


def test_format2_dmrs_c_init():
    """§6.4.1.3.2.1 worked by hand."""
    n_id0, n_s, l = 4321, 6, 12
    assert pucch2_dmrs_c_init(n_id0, 14, n_s, l) == \
        ((2 ** 17) * (14 * n_s + l + 1) * (2 * n_id0 + 1) + 2 * n_id0) % 2 ** 31


def test_format3_dmrs_positions_split_by_hops():
    """Table 6.4.1.3.3.2-1: with hopping, every hop of floor(L/2) and L - floor(L/2) symbols
    holds a DM-RS symbol; additional DM-RS only from 10 symbols on."""
    for length, row in PUCCH3_DMRS_POSITIONS.items():
        for pos in row:
            assert all(0 <= p < length for p in pos) and list(pos) == sorted(set(pos))
        for pos in (row[1], row[3]):
            assert any(p < length // 2 for p in pos) and any(p >= length // 2 for p in pos)
        assert (row[2] == row[0]) == (length < 10)


def test_plan_resource_elements():
    """Format 2 data skips subcarriers 1, 4, 7, 10 of each PRB; hopping moves the second symbol;
    the capacity is 16 N_PRB N_symb bits (TS 38.212 Table 6.3.1.4-1)."""
    carrier = Carrier(scs=30, n_size_grid=51, n_start_grid=3)
    cfg = PucchConfig(format=2, symbol_allocation=(12, 2), start_prb=2, n_prb=3, second_hop_prb=40,
                      n_start_bwp=5, n_size_bwp=46)
    idx, dm = pucch_indices(carrier, cfg), pucch_dmrs_indices(carrier, cfg)
    k_sc = carrier.n_subcarriers
    l, k = np.divmod(idx, k_sc)
    assert idx.size == 2 * 3 * 8 and dm.size == 2 * 3 * 4
    assert set(l) == {12, 13}
    assert np.all(k[l == 12] // 12 == np.repeat([4, 5, 6], 8))      # CRB 7.. minus grid start 3
    assert np.all(k[l == 13] // 12 == np.repeat([42, 43, 44], 8))
    assert np.all(k % 12 % 3 != 1) and np.all(dm % k_sc % 12 % 3 == 1)
    assert pucch_bit_capacity(carrier, cfg) == 96
    f3 = PucchConfig(format=3, symbol_allocation=(0, 14), n_prb=2, additional_dmrs=True,
                     modulation="pi/2-BPSK")
    assert pucch_bit_capacity(carrier, f3) == 10 * 24
    f4 = PucchConfig(format=4, symbol_allocation=(0, 14), spreading_factor=4, occ_index=3)
    assert pucch_bit_capacity(carrier, f4) == 12 * 12 // 4 * 2
    assert pucch_plan(carrier, f4).dmrs_symbols == (3, 10)


def test_format4_occ_separates_users():
    """Two format 4 users on the same PRB with different occ-Index are orthogonal after the
    DFT is undone: the despread data of one carries nothing of the other (Tables 6.3.2.6.3-1/-2,
    Table 6.4.1.3.3.1-1 for their DM-RS cyclic shifts)."""
    carrier = Carrier(scs=15, n_size_grid=25)
    rng = np.random.default_rng(3)
    a = PucchConfig(format=4, symbol_allocation=(0, 14), spreading_factor=4, occ_index=1)
    b = PucchConfig(format=4, symbol_allocation=(0, 14), spreading_factor=4, occ_index=2)
    ga = pucch_grid(carrier, a, codeword=rng.integers(0, 2, pucch_bit_capacity(carrier, a)))
    gb = pucch_grid(carrier, b, codeword=rng.integers(0, 2, pucch_bit_capacity(carrier, b)))
    wa = pucch4_occ(4, 1)
    for l in pucch_plan(carrier, a).data_symbols:
        yb = np.fft.ifft(gb[0, l, :12], norm="ortho")
        ya = np.fft.ifft(ga[0, l, :12], norm="ortho")
        np.testing.assert_allclose((yb * wa.conj()).reshape(4, 3).sum(axis=0), 0, atol=1e-5)
        assert np.abs((ya * wa.conj()).reshape(4, 3).sum(axis=0)).min() > 1
    da = pucch_dmrs(carrier, a).reshape(2, 12)
    db = pucch_dmrs(carrier, b).reshape(2, 12)
    np.testing.assert_allclose(np.sum(da * db.conj(), axis=1), 0, atol=1e-5)


@pytest.mark.parametrize("kwargs,field", [
    ({"format": 5}, "format"),
    ({"format": 0, "symbol_allocation": (12, 3)}, "symbol_allocation[1]"),
    ({"format": 1, "symbol_allocation": (0, 3)}, "symbol_allocation[1]"),
    ({"format": 3, "symbol_allocation": (6, 10)}, "symbol_allocation"),
    ({"format": 2, "n_prb": 17}, "n_prb"),
    ({"format": 3, "symbol_allocation": (0, 4), "n_prb": 7}, "n_prb"),
    ({"format": 0, "n_prb": 2}, "n_prb"),
    ({"format": 4, "symbol_allocation": (0, 4), "n_prb": 2}, "n_prb"),
    ({"group_hopping": "both"}, "group_hopping"),
    ({"hopping_id": 1024}, "hopping_id"),
    ({"second_hop_prb": 275}, "second_hop_prb"),
    ({"format": 1, "symbol_allocation": (0, 14), "second_hop_prb": 9, "occ_index": 3}, "occ_index"),
    ({"format": 1, "symbol_allocation": (0, 5), "second_hop_prb": 9, "occ_index": 1}, "occ_index"),
    ({"format": 1, "symbol_allocation": (0, 4), "occ_index": 2}, "occ_index"),
    ({"format": 4, "symbol_allocation": (0, 4), "spreading_factor": 2, "occ_index": 2}, "occ_index"),
    ({"format": 4, "symbol_allocation": (0, 4), "spreading_factor": 3}, "spreading_factor"),
    ({"format": 3, "symbol_allocation": (0, 4), "modulation": "16QAM"}, "modulation"),
    ({"format": 2, "modulation": "pi/2-BPSK"}, "modulation"),
    ({"format": 0, "initial_cyclic_shift": 12}, "initial_cyclic_shift"),
    ({"n_id_0": 65536}, "n_id_0"),
])
def test_config_errors(kwargs, field):
    with pytest.raises(ConfigError) as err:
        PucchConfig(**kwargs)
    assert err.value.field == field and err.value.clause


def test_plan_errors():
    """Hops outside the bandwidth part, and a PUCCH past the 12 symbols of an extended-CP slot."""
    carrier = Carrier(scs=15, n_size_grid=25)
    with pytest.raises(ConfigError) as err:
        pucch_plan(carrier, PucchConfig(format=2, start_prb=20, n_prb=6))
    assert err.value.field == "start_prb"
    with pytest.raises(ConfigError) as err:
        pucch_plan(carrier, PucchConfig(format=1, symbol_allocation=(0, 14), second_hop_prb=25))
    assert err.value.field == "second_hop_prb"
    with pytest.raises(ConfigError) as err:
        pucch_plan(carrier, PucchConfig(format=2, start_prb=0, n_start_bwp=5, n_size_bwp=10,
                                        second_hop_prb=9, symbol_allocation=(12, 2), n_prb=2))
    assert err.value.field == "second_hop_prb"
    ext = Carrier(scs=60, cyclic_prefix="extended", n_size_grid=25)
    with pytest.raises(ConfigError) as err:
        pucch_plan(ext, PucchConfig(format=0, symbol_allocation=(12, 1)))
    assert err.value.field == "symbol_allocation"


def test_payload_errors():
    carrier = Carrier(scs=15, n_size_grid=25)
    f2 = PucchConfig(format=2, symbol_allocation=(13, 1), n_prb=1)      # E = 16
    with pytest.raises(ConfigError) as err:
        pucch_uci_codeword(np.ones(12, np.uint8), carrier, f2)           # needs K + n_PC = 21
    assert err.value.field == "uci" and "too large" in err.value.rule
    with pytest.raises(ConfigError) as err:
        pucch_uci_codeword([1, 0], carrier, f2)
    assert err.value.field == "uci"
    with pytest.raises(ConfigError) as err:
        pucch_symbols(carrier, PucchConfig(format=0), ack=[1, 0, 1])
    assert err.value.field == "ack"
    with pytest.raises(ConfigError) as err:
        pucch_symbols(carrier, PucchConfig(format=1, symbol_allocation=(0, 4)), ack=[1, 0, 1])
    assert err.value.field == "ack"
    with pytest.raises(ValueError, match="bit capacity"):
        pucch_symbols(carrier, f2, codeword=np.zeros(15, np.uint8))
    with pytest.raises(ConfigError):
        pucch_bit_capacity(carrier, PucchConfig(format=1, symbol_allocation=(0, 4)))

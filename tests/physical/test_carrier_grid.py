"""Tests of the carrier-level downlink slot grid (SS/PBCH blocks, PDCCHs, rate-matched PDSCHs,
CSI-RS in one grid; RE collisions), and of the layout and reference signals of the MATLAB NR-FR1
test models rebuilt with it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import load_vector, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.ofdm import ofdm_demodulate, ofdm_modulate
from opennr.physical.carrier_grid import DownlinkSlot
from opennr.physical.coreset import CoresetConfig
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdcch import PdcchConfig, pdcch_grid
from opennr.physical.pdsch import PdschConfig, pdsch_bit_capacity, pdsch_grid
from opennr.physical.ptrs import PtrsConfig
from opennr.physical.reserved import coreset_reserved, re_list_reserved, reserved_union, ssb_reserved
from opennr.physical.search_space import SearchSpaceConfig, candidate_cces
from opennr.physical.ssb import SsBurstConfig, ss_burst_grid
from opennr.transport.dci_coding import dci_encode
from opennr.transport.sch import SchConfig, sch_encode

K = 52 * 12
RNTI = 0x4601


def _carrier(**kw):
    return Carrier(scs=15, n_size_grid=52, n_cell_id=17, **kw)


def _burst(c, transmitted=(0, 1, 0, 0), **kw):
    # case A, L_max 4: candidate blocks at symbols 2, 8, 16, 22 of the half frame; subcarriers
    # 120 .. 359 (CRBs 10 .. 29).
    return SsBurstConfig(carrier=c, case="A", l_max=4, transmitted=transmitted, n_crb_ssb=10,
                         n_cell_id=17, **kw)


def _coreset(**kw):
    kw.setdefault("frequency_resources", (1, 1, 1, 1, 1, 1))
    kw.setdefault("duration", 2)
    return CoresetConfig(coreset_id=1, **kw)


def _pdcch(cs, level=4, candidate=1, rnti=RNTI, start_symbol=0, counts=(0, 2, 2, 1, 0)):
    ss = SearchSpaceConfig(start_symbol=start_symbol, num_candidates=counts)
    return PdcchConfig(coreset=cs, search_space=ss, aggregation_level=level, candidate=candidate,
                       rnti=rnti)


def _pdsch(**kw):
    kw.setdefault("symbol_allocation", (2, 12))
    kw.setdefault("prb_set", tuple(range(52)))
    kw.setdefault("modulation", "16QAM")
    return PdschConfig(n_rnti=RNTI, **kw)


def _pbch_source(sfn, n_hf, i_ssb):
    # Bits that differ with the timing of every block, to check which block lands where.
    return np.random.default_rng(1000 * sfn + 10 * n_hf + i_ssb).integers(0, 2, 864, dtype=np.uint8)


def test_grid_is_the_sum_of_the_channel_grids(rng):
    c = _carrier()
    burst, cs = _burst(c), _coreset()
    pdcch, pdsch = _pdcch(cs), _pdsch()
    dci = rng.integers(0, 2, 39, dtype=np.uint8)
    reserved = reserved_union(coreset_reserved(c, cs, 0), ssb_reserved(c, burst))
    g = pdsch_bit_capacity(c, pdsch, reserved=reserved)[0]
    cw = rng.integers(0, 2, g, dtype=np.uint8)

    slot = DownlinkSlot(c).add_ssb(burst, _pbch_source).add_pdcch(dci, pdcch).add_pdsch(pdsch, codewords=cw)
    grid = slot.grid()

    expected = ss_burst_grid(burst, _pbch_source, n_half_frames=1)[:, :14]
    expected = expected + pdcch_grid(dci_encode(dci, RNTI, 432), c, pdcch)
    expected = expected + pdsch_grid(cw, c, pdsch, reserved=reserved)
    assert grid.shape == (1, 14, K) and grid.dtype == np.complex64
    np.testing.assert_allclose(grid, expected, atol=1e-6)
    # The PDSCH data avoid the SS/PBCH PRBs (CRBs 10 .. 29) in symbols 8 .. 11 only.
    pd = next(ch for ch in slot.channels if ch.kind == "PDSCH")
    l, k = np.divmod(pd.parts["data"], K)
    in_ssb_prbs = (k >= 120) & (k < 360)
    assert not np.any(in_ssb_prbs & (l >= 8) & (l <= 11))
    assert np.any(in_ssb_prbs & (l == 7)) and np.any(in_ssb_prbs & (l == 12))
    assert np.array_equal(pd.reserved, reserved)


def test_order_of_addition_does_not_matter(rng):
    c = _carrier()
    burst, cs = _burst(c), _coreset(duration=3)
    pdsch = _pdsch(symbol_allocation=(3, 11), dmrs=DmrsConfig(type_a_position=3))
    dci = rng.integers(0, 2, 41, dtype=np.uint8)
    tb = rng.integers(0, 2, 3752, dtype=np.uint8)
    sch = SchConfig(tbs=3752, target_code_rate=0.5, qm=4)
    a = DownlinkSlot(c).add_pdsch(pdsch, tb=tb, sch=sch).add_pdcch(dci, _pdcch(cs))
    a.add_ssb(burst, _pbch_source)
    b = DownlinkSlot(c).add_ssb(burst, _pbch_source).add_pdcch(dci, _pdcch(cs))
    b.add_pdsch(pdsch, tb=tb, sch=sch)
    np.testing.assert_array_equal(a.grid(), b.grid())
    # The transport block went through DL-SCH coding with G after rate matching.
    g = b.pdsch_bit_capacity(pdsch)[0]
    reserved = reserved_union(coreset_reserved(c, cs, 0), ssb_reserved(c, burst))
    assert g == pdsch_bit_capacity(c, pdsch, reserved=reserved)[0]
    ref = pdsch_grid(sch_encode(tb, sch, g=g, rv=0), c, pdsch, reserved=reserved)[0]
    mask = ref != 0
    np.testing.assert_array_equal(b.grid()[0][mask], ref[mask])


def test_ssb_blocks_follow_the_slot_and_frame(rng):
    # Period 20 ms: bursts in the first half frame of even frames. Blocks 0, 1 in slot 0 and
    # 2, 3 in slot 1; frame 1 and slots of the second half frame have none.
    c0 = _carrier()
    burst = _burst(c0, transmitted=(1, 1, 1, 1), period=20)
    frame = ss_burst_grid(dataclasses.replace(burst, carrier=_carrier(n_frame=2)), _pbch_source,
                          n_half_frames=1)[0]
    for n_slot in (0, 1, 2):
        c = _carrier(n_slot=n_slot, n_frame=2)
        slot = DownlinkSlot(c).add_ssb(dataclasses.replace(burst, carrier=c), _pbch_source)
        np.testing.assert_array_equal(slot.grid()[0], frame[14 * n_slot:14 * (n_slot + 1)])
        names = sorted(ch.name for ch in slot.channels)
        assert names == {0: ["SS/PBCH block i_SSB=0", "SS/PBCH block i_SSB=1"],
                         1: ["SS/PBCH block i_SSB=2", "SS/PBCH block i_SSB=3"], 2: []}[n_slot]
    for n_frame, n_slot in ((1, 0), (2, 5)):
        c = _carrier(n_slot=n_slot, n_frame=n_frame)
        slot = DownlinkSlot(c).add_ssb(dataclasses.replace(burst, carrier=c), _pbch_source)
        assert not slot.grid().any() and not slot.channels
        assert slot.pdsch_reserved().size == 0


def test_pdcch_on_given_cces_equals_the_search_space_candidate(rng):
    c = _carrier(n_slot=3)
    cs = _coreset(cce_reg_mapping="interleaved", reg_bundle_size=2, interleaver_size=2)
    pdcch = dataclasses.replace(_pdcch(cs), search_space=SearchSpaceConfig(
        start_symbol=1, num_candidates=(0, 2, 2, 1, 0)))
    cces = candidate_cces(cs, pdcch.search_space, 4, 1, 3, RNTI)
    dci = rng.integers(0, 2, 45, dtype=np.uint8)
    a = DownlinkSlot(c).add_pdcch(dci, pdcch).grid()
    b = DownlinkSlot(c).add_pdcch_cces(dci, cs, start_symbol=1, aggregation_level=4,
                                       cce_index=int(cces[0]), rnti=RNTI).grid()
    np.testing.assert_array_equal(a, b)
    assert np.count_nonzero(a) == 4 * 6 * 12
    # A UE-specific scrambling identity changes the scrambling (n_RNTI = C-RNTI) and the DM-RS.
    d = DownlinkSlot(c).add_pdcch_cces(dci, cs, start_symbol=1, aggregation_level=4,
                                       cce_index=int(cces[0]), rnti=RNTI, n_id=500).grid()
    e = DownlinkSlot(c).add_pdcch(dci, dataclasses.replace(pdcch, n_id=500)).grid()
    np.testing.assert_array_equal(d, e)
    assert not np.allclose(d, a)
    with pytest.raises(ConfigError, match="multiple of the aggregation level"):
        DownlinkSlot(c).add_pdcch_cces(dci, cs, start_symbol=1, aggregation_level=4, cce_index=2,
                                       rnti=RNTI)


def test_overlapping_pdcchs_are_an_error_naming_both(rng):
    c = _carrier()
    cs = _coreset()
    dci = rng.integers(0, 2, 39, dtype=np.uint8)
    slot = DownlinkSlot(c).add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=4, cce_index=4,
                                          rnti=RNTI, name="DCI A")
    with pytest.raises(ConfigError) as err:
        slot.add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=2, cce_index=6, rnti=RNTI + 1,
                            name="DCI B")
    msg = str(err.value)
    assert "'DCI A'" in msg and "'DCI B'" in msg and "symbol 0" in msg
    # CCEs 6, 7 sit in RBs 18 .. 23 (non-interleaved, 2 symbols: 3 RBs per CCE).
    l, k = err.value.value
    assert l in (0, 1) and 18 * 12 <= k < 24 * 12
    # The failed PDCCH left nothing behind: the neighbouring CCEs are still free.
    slot.add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=2, cce_index=8, rnti=RNTI + 1,
                        name="DCI B")
    assert [ch.name for ch in slot.channels] == ["DCI A", "DCI B"]


def test_pdcchs_of_one_coreset_share_the_all_contiguous_rbs_dmrs(rng):
    c = _carrier()
    cs = _coreset(precoder_granularity="allContiguousRBs")
    dci = rng.integers(0, 2, 39, dtype=np.uint8)
    slot = DownlinkSlot(c)
    slot.add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=2, cce_index=0, rnti=1)
    slot.add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=2, cce_index=4, rnti=2)
    # Both PDCCHs carry DM-RS on every RB of the CORESET: 36 RBs x 3 x 2 symbols.
    a, b = slot.channels
    assert np.array_equal(a.parts["dmrs"], b.parts["dmrs"]) and a.parts["dmrs"].size == 216
    assert np.count_nonzero(slot.grid()) == 216 + 2 * 2 * 54
    # A different DM-RS scrambling identity gives other values on those REs: an error.
    with pytest.raises(ConfigError, match="also used by PDCCH"):
        slot.add_pdcch_cces(dci, cs, start_symbol=0, aggregation_level=2, cce_index=8, rnti=3, n_id=9)


def test_pdcch_on_an_ssb_is_an_error():
    c = _carrier()
    cs = _coreset(duration=1)
    slot = DownlinkSlot(c).add_ssb(_burst(c, transmitted=(1, 0, 0, 0)), _pbch_source)
    dci = np.zeros(39, np.uint8)
    with pytest.raises(ConfigError, match=r"SS/PBCH block 'SS/PBCH block i_SSB=0'.*TS 38.213 §10.1"):
        slot.add_pdcch_cces(dci, cs, start_symbol=2, aggregation_level=4, cce_index=0, rnti=RNTI)
    # Symbol 1 is free of the block.
    slot.add_pdcch_cces(dci, cs, start_symbol=1, aggregation_level=4, cce_index=0, rnti=RNTI)


def test_pdsch_dmrs_on_an_ssb_or_on_a_coreset_is_an_error(rng):
    c = _carrier()
    # Block 0 in symbols 2 .. 5: the type A DM-RS in symbol 2 of the SS/PBCH PRBs collides.
    slot = DownlinkSlot(c).add_ssb(_burst(c, transmitted=(1, 0, 0, 0)), _pbch_source)
    pdsch = _pdsch()
    slot.add_pdsch(pdsch, codewords=np.zeros(slot.pdsch_bit_capacity(pdsch)[0], np.uint8), name="data")
    with pytest.raises(ConfigError) as err:
        slot.grid()
    assert "PDSCH 'data'" in str(err.value) and "SS/PBCH block" in str(err.value)
    assert err.value.value[0] == 2 and 120 <= err.value.value[1] < 360
    # Outside the SS/PBCH PRBs the same PDSCH is fine.
    ok = _pdsch(prb_set=tuple(range(30, 52)))
    g = DownlinkSlot(c).add_ssb(_burst(c, transmitted=(1, 0, 0, 0)), _pbch_source).pdsch_bit_capacity(ok)
    DownlinkSlot(c).add_ssb(_burst(c, transmitted=(1, 0, 0, 0)), _pbch_source) \
        .add_pdsch(ok, codewords=np.zeros(g[0], np.uint8)).grid()
    # A PDSCH starting in the CORESET: its DM-RS (type A, symbol 2) is not rate-matched.
    cs = _coreset(duration=3)
    slot = DownlinkSlot(c).add_pdcch(np.zeros(39, np.uint8), _pdcch(cs), name="dci")
    slot.add_pdsch(pdsch, codewords=np.zeros(slot.pdsch_bit_capacity(pdsch)[0], np.uint8))
    with pytest.raises(ConfigError, match=r"PDSCH 'PDSCH 0'.*PDCCH 'dci'.*TS 38.214 §5.1.4"):
        slot.grid()


def test_rate_matching_can_be_turned_off_then_overlaps_fail(rng):
    c = _carrier()
    cs = _coreset(duration=1)
    pdsch = _pdsch(symbol_allocation=(0, 14), dmrs=DmrsConfig(type_a_position=2))
    pdcch = _pdcch(cs, candidate=0, counts=(0, 0, 1, 0, 0))
    slot = DownlinkSlot(c).add_pdcch(rng.integers(0, 2, 39, dtype=np.uint8), pdcch)
    g_rm = slot.pdsch_bit_capacity(pdsch)[0]
    g_all = slot.pdsch_bit_capacity(pdsch, rate_match=False)[0]
    assert g_all - g_rm == 36 * 12 * 4          # the CORESET's 36 RBs in symbol 0, 16QAM
    slot.add_pdsch(pdsch, codewords=rng.integers(0, 2, g_all, dtype=np.uint8), rate_match=False)
    with pytest.raises(ConfigError, match="PDSCH 'PDSCH 0'"):
        slot.grid()
    ok = DownlinkSlot(c).add_pdcch(rng.integers(0, 2, 39, dtype=np.uint8), pdcch)
    ok.add_pdsch(pdsch, codewords=rng.integers(0, 2, g_rm, dtype=np.uint8))
    grid = ok.grid()
    # The whole CORESET is reserved, not only the REGs of the PDCCH: symbol 0 carries the
    # PDCCH only, and the CORESET RBs outside the candidate stay empty.
    assert np.count_nonzero(grid[0, 0, :36 * 12]) == 4 * 6 * 12
    assert np.count_nonzero(grid[0, 0, 36 * 12:]) == 16 * 12
    # Around the PDCCH only (its 4 CCEs = 24 RBs with their DM-RS), the PDSCH fills the rest of
    # the CORESET.
    g_pdcch = ok.pdsch_bit_capacity(pdsch, around_pdcch="pdcch")[0]
    assert g_pdcch - g_rm == 12 * 12 * 4
    tight = DownlinkSlot(c).add_pdcch(rng.integers(0, 2, 39, dtype=np.uint8), pdcch)
    tight.add_pdsch(pdsch, codewords=rng.integers(0, 2, g_pdcch, dtype=np.uint8), around_pdcch="pdcch")
    assert np.count_nonzero(tight.grid()[0, 0]) == K
    assert np.array_equal(tight.channels[-1].reserved, tight.channels[0].indices)


def test_csi_rs_is_rate_matched_and_zero_power_stays_empty(rng):
    c = _carrier()
    pdsch = _pdsch(ptrs=PtrsConfig(time_density=1, frequency_density=2))
    # One RE per RB in symbols 5 and 12, subcarrier 3 of every RB; NZP on ports 0 and 1.
    sym = np.repeat([5, 12], 52)
    sc = np.tile(np.arange(52) * 12 + 3, 2)
    vals = np.exp(1j * rng.uniform(0, 2 * np.pi, sym.size)).astype(np.complex64)
    slot = DownlinkSlot(c, n_ports=2).add_csi_rs(sym, sc, vals, ports=(0, 1), name="nzp")
    zp_sym, zp_sc = np.full(52, 9), np.arange(52) * 12 + 7
    slot.add_csi_rs(zp_sym, zp_sc, name="zp")
    g = slot.pdsch_bit_capacity(pdsch)[0]
    slot.add_pdsch(pdsch, codewords=rng.integers(0, 2, g, dtype=np.uint8))
    grid = slot.grid()
    np.testing.assert_array_equal(grid[0, sym, sc], vals)
    np.testing.assert_array_equal(grid[1, sym, sc], vals)
    assert not grid[:, zp_sym, zp_sc].any()
    reserved = reserved_union(re_list_reserved(c, sym, sc), re_list_reserved(c, zp_sym, zp_sc))
    assert g == pdsch_bit_capacity(c, pdsch, reserved=reserved)[0]
    pd = slot.channels[-1]
    assert not np.isin(pd.parts["data"], reserved).any()
    assert not np.isin(pd.parts["ptrs"], reserved).any() and pd.parts["ptrs"].size > 0
    # A CSI-RS on a DM-RS RE of the PDSCH is an error.
    bad = DownlinkSlot(c).add_csi_rs([2], [0], [1.0])
    bad.add_pdsch(pdsch, codewords=np.zeros(bad.pdsch_bit_capacity(pdsch)[0], np.uint8))
    with pytest.raises(ConfigError, match="CSI-RS 'CSI-RS 0'"):
        bad.grid()


def test_layers_go_to_the_given_ports_with_power_offsets(rng):
    c = _carrier()
    pdsch = _pdsch(n_layers=2, prb_set=tuple(range(30, 52)))
    burst = _burst(c, transmitted=(1, 0, 0, 0))
    slot = DownlinkSlot(c, n_ports=3).add_ssb(burst, _pbch_source, port=0)
    g = slot.pdsch_bit_capacity(pdsch)[0]
    cw = rng.integers(0, 2, g, dtype=np.uint8)
    slot.add_pdsch(pdsch, codewords=cw, ports=(2, 1), power_db=-3.0)
    grid = slot.grid()
    ref = pdsch_grid(cw, c, pdsch, reserved=ssb_reserved(c, burst)) * 10 ** (-3 / 20)
    np.testing.assert_allclose(grid[2], ref[0], atol=1e-6)
    np.testing.assert_allclose(grid[1], ref[1], atol=1e-6)
    assert not grid[0, :, 360:].any() and grid[0, 2:6, 120:360].any()


def test_waveform_is_the_ofdm_of_the_grid(rng):
    c = _carrier(n_slot=7)
    cs = _coreset()
    slot = DownlinkSlot(c).add_pdcch(rng.integers(0, 2, 39, dtype=np.uint8), _pdcch(cs))
    x = slot.waveform()
    np.testing.assert_allclose(x, ofdm_modulate(slot.grid(), c, n_slot=7), atol=1e-7)
    np.testing.assert_allclose(ofdm_demodulate(x, c, n_slot=7), slot.grid(), atol=1e-4)
    y = slot.waveform(carrier_frequency=3.5e9)
    np.testing.assert_allclose(ofdm_demodulate(y, c, n_slot=7, carrier_frequency=3.5e9), slot.grid(),
                               atol=1e-4)


def test_validation(rng):
    c = _carrier()
    pdsch = _pdsch()
    slot = DownlinkSlot(c, n_ports=2)
    with pytest.raises(ConfigError, match="ports"):
        slot.add_pdsch(pdsch, codewords=np.zeros(10, np.uint8), ports=(2,))
    with pytest.raises(ValueError, match="exactly one"):
        slot.add_pdsch(pdsch)
    with pytest.raises(ConfigError, match="sch"):
        slot.add_pdsch(pdsch, tb=np.zeros(100, np.uint8))
    with pytest.raises(ConfigError, match=r"sch\.tbs"):
        slot.add_pdsch(pdsch, tb=np.zeros(100, np.uint8),
                       sch=SchConfig(tbs=200, target_code_rate=0.5, qm=4))
    with pytest.raises(ConfigError, match="Q_m"):
        slot.add_pdsch(pdsch, tb=np.zeros(100, np.uint8),
                       sch=SchConfig(tbs=100, target_code_rate=0.5, qm=2))
    with pytest.raises(ConfigError, match="port"):
        slot.add_csi_rs([3], [3], ports=(5,))
    slot.add_csi_rs([3], [3], name="x")
    with pytest.raises(ConfigError, match="already used"):
        slot.add_csi_rs([4], [3], name="x")
    with pytest.raises(ConfigError, match="carrier grid"):
        DownlinkSlot(c).add_ssb(_burst(Carrier(scs=15, n_size_grid=106, n_cell_id=17)), _pbch_source)
    slot.add_pdsch(pdsch, codewords=np.zeros(12, np.uint8))
    with pytest.raises(ConfigError, match="must have G ="):
        slot.grid()


# ---------------------------------------------------------------------------------------------
# MATLAB NR-FR1 test models (TS 38.141-1 §4.9.2): structure and reference signals.

#: N_RB of the channel bandwidths of the stored test models (TS 38.104 Table 5.3.2-1).
_TM_N_RB = {(15, 5): 25, (15, 15): 79, (15, 35): 188, (30, 25): 65}
#: Modulation of the imcs_list values (TS 38.214 Table 5.1.3.1-2, the 256QAM table).
_TM_MODULATION = {0: "QPSK", 11: "64QAM", 20: "256QAM"}


def _tm_slot(c, model, n_dl_symbols, modulation):
    """One slot of an NR-FR1 test model: a PDCCH of one CCE on RBs 0 .. 2 of a 2-symbol CORESET
    and a PDSCH (type A, DM-RS in symbol 2 plus one additional position, one CDM group without
    data), rate-matched around the PDCCH (TS 38.141-1 §4.9.2). The full-band models fill the
    CORESET symbols outside the PDCCH with PDSCH; the one-PRB model TM2 starts in symbol 2."""
    n_rb = c.n_size_grid
    cs = CoresetConfig(coreset_id=1, frequency_resources=(1,) * (n_rb // 6), duration=2)
    slot = DownlinkSlot(c).add_pdcch_cces(np.zeros(12, np.uint8), cs, start_symbol=0,
                                          aggregation_level=1, cce_index=0, rnti=0, name="PDCCH")
    if model == "NR-FR1-TM2":    # one PRB, moving over the band from slot to slot
        prbs, first = ((0, n_rb // 2, n_rb - 1)[c.n_slot % 3],), 2
    else:
        prbs, first = tuple(range(n_rb)), 0
    pdsch = PdschConfig(symbol_allocation=(first, n_dl_symbols - first), prb_set=prbs,
                        modulation=modulation, n_rnti=0,
                        dmrs=DmrsConfig(additional_position=1, n_cdm_groups_without_data=1))
    g = slot.pdsch_bit_capacity(pdsch, around_pdcch="pdcch")[0]
    slot.add_pdsch(pdsch, codewords=np.zeros(g, np.uint8), around_pdcch="pdcch", name="PDSCH")
    return slot


@pytest.mark.parametrize("path", vector_files("testmodel"), ids=lambda p: p.name[18:])
def test_matlab_test_model_layout_and_reference_signals(path):
    from opennr.modulation import modulate

    v = load_vector(path)
    scs, bw, model = int(v["Scs"]), int(v["BW"]), str(v["dlnrref"])
    n_rb = _TM_N_RB[(scs, bw)]
    mod = _TM_MODULATION[int(np.atleast_1d(v["imcs_list"])[0])]
    ref = np.asarray(v["fd_slot_data"]).reshape(-1, 14, 12 * n_rb)
    points = modulate(np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1)[:, 8 - {
        "QPSK": 2, "64QAM": 6, "256QAM": 8}[mod]:].reshape(-1), mod)
    qpsk = modulate(np.array([0, 0, 0, 1, 1, 0, 1, 1], np.uint8), "QPSK")
    tdd = str(v["dm"]) == "TDD"
    for n in range(ref.shape[0]):
        c = Carrier(scs=scs, n_size_grid=n_rb, n_cell_id=int(v["ncellid"]),
                    n_slot=n % (10 * scs // 15), n_frame=n // (10 * scs // 15))
        # TDD: DDDSU at 15 kHz, the special slot with 10 downlink symbols.
        kind = "D" if not tdd else "DDDSU"[n % 5]
        if kind == "U":
            assert not ref[n].any()
            continue
        slot = _tm_slot(c, model, 14 if kind == "D" else 10, mod)
        grid = slot.grid()[0]
        # Every RE the model uses, and no other.
        np.testing.assert_array_equal(grid != 0, np.abs(ref[n]) > 1e-6, err_msg=f"slot {n}")
        flat = ref[n].reshape(-1)
        pdcch, pdsch = slot.channels
        # Reference signals symbol-exact: PDCCH DM-RS (N_ID = N_ID^cell) and PDSCH DM-RS.
        for ch in (pdcch, pdsch):
            idx = ch.parts["dmrs"]
            np.testing.assert_allclose(flat[idx], grid.reshape(-1)[idx], atol=1e-4, err_msg=f"slot {n}")
        # Data on the constellations: QPSK on the PDCCH, the model's modulation on the PDSCH.
        for ch, pts in ((pdcch, qpsk), (pdsch, points)):
            d = flat[ch.parts["data"]]
            assert np.abs(d[:, None] - pts[None, :]).min(axis=1).max() < 1e-4
        if n == 0:
            assert set(np.unique(pdsch.parts["dmrs"] // (12 * n_rb))) == {2, 11}

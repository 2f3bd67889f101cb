"""End-to-end downlink: a slot with SS/PBCH blocks, PDCCHs (DCI 1_1) and a PDSCH rate-matched
around them, OFDM-modulated, through a TDL channel with noise to two receive antennas, then
blind decoding of the DCI, the PDSCH it schedules, and cell search on a multi-slot burst."""

from __future__ import annotations

import dataclasses

import numpy as np

from opennr.channel.tdl import TdlChannel, TdlConfig
from opennr.numerology import Bwp, Carrier, ofdm_info
from opennr.ofdm import ofdm_demodulate
from opennr.physical.carrier_grid import DownlinkSlot
from opennr.physical.coreset import CoresetConfig
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdcch import PdcchConfig
from opennr.physical.pdsch import PdschConfig
from opennr.physical.reserved import coreset_reserved, reserved_union, ssb_reserved
from opennr.physical.scheduling import default_tda_table, pdsch_dci_fields, pdsch_grant_from_dci
from opennr.physical.search_space import SearchSpaceConfig, candidate_cces, search_space_candidates
from opennr.physical.ssb import SsBurstConfig
from opennr.receiver.cellsearch import cell_search
from opennr.receiver.pdcch_rx import MonitoredSearchSpace, pdcch_blind_decode
from opennr.receiver.pdsch_rx import pdsch_receive
from opennr.transport.bch import Mib, bch_bit_source
from opennr.transport.dci import DciConfig, dci_format

CELL = 17
RNTI, OTHER_RNTI = 0x4601, 0x1234
BWP = Bwp(n_start_bwp=0, n_size_bwp=52)
MIB = Mib(subcarrier_spacing_common=15, dmrs_type_a_position=2, pdcch_config_sib1=0x44)


def _carrier(n_slot=0):
    return Carrier(scs=15, n_size_grid=52, n_cell_id=CELL, n_slot=n_slot, n_frame=0)


def _burst(c, transmitted):
    # Case A, L_max = 4: blocks at symbols 2, 8 (slot 0) and 2, 8 (slot 1), CRBs 10 .. 29.
    return SsBurstConfig(carrier=c, case="A", l_max=4, transmitted=transmitted, n_crb_ssb=10,
                         n_cell_id=CELL, period=20)


def _noisy(x, snr_db, rng):
    p = float(np.mean(np.abs(x) ** 2))
    n = rng.standard_normal((*x.shape, 2)).astype(np.float32) @ np.array([1, 1j], np.complex64)
    return (x + np.sqrt(p * 10 ** (-snr_db / 10) / 2) * n).astype(np.complex64)


def test_dci_scheduled_pdsch_through_a_tdl_channel(rng):
    c = _carrier()
    info = ofdm_info(c)
    # Transmitter: block i_SSB = 1 in symbols 8 .. 11; a 2-symbol CORESET; the PDSCH in
    # symbols 2 .. 13 over CRBs 4 .. 47, its data rate-matched around the block's PRBs.
    burst = _burst(c, (0, 1, 0, 0))
    cs = CoresetConfig(coreset_id=1, frequency_resources=(1, 1, 1, 1, 1, 1), duration=2)
    ss = SearchSpaceConfig(search_space_id=2, start_symbol=0, num_candidates=(0, 2, 2, 1, 0))
    fmt = dci_format("1_1", DciConfig(n_size_bwp_dl=52, n_size_bwp_ul=52))
    tda = default_tda_table(2)
    base = PdschConfig(n_id=300, dmrs=DmrsConfig(n_id=511))
    pdsch = dataclasses.replace(base, symbol_allocation=(2, 12), prb_set=tuple(range(4, 48)),
                                n_start_bwp=0, n_size_bwp=52, modulation="16QAM", n_rnti=RNTI)
    fields = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=13, ndi=1, rv=0, harq_process=5,
                              pdsch_to_harq_feedback_timing=2)
    tx = pdsch_grant_from_dci(fields, fmt, rnti=RNTI, bwp=BWP, tda_table=tda, base=base)
    assert tx.pdsch == pdsch
    tb = rng.integers(0, 2, tx.sch.tbs, dtype=np.uint8)

    slot = DownlinkSlot(c)
    slot.add_ssb(burst, bch_bit_source(MIB, 0, 4, CELL))
    ours = PdcchConfig(coreset=cs, search_space=ss, aggregation_level=4, candidate=1, rnti=RNTI)
    slot.add_pdcch(fmt.pack(fields), ours, name="DCI to the UE")
    # A DCI for another UE in the same CORESET, on a level-2 candidate of its own search space
    # beside ours.
    used = set(candidate_cces(cs, ss, 4, 1, 0, RNTI).tolist())
    m, cces = next((m, cc) for lv, m, cc in search_space_candidates(cs, ss, 0, OTHER_RNTI)
                   if lv == 2 and not used & set(cc.tolist()))
    other = fmt.pack(pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=13, harq_process=1))
    slot.add_pdcch(other, dataclasses.replace(ours, aggregation_level=2, candidate=m, rnti=OTHER_RNTI))
    slot.add_pdsch(pdsch, tb=tb, sch=tx.sch, rv=0)
    x = slot.waveform()

    # Channel: TDL-C 300 ns, 10 Hz Doppler, 1 x 2 antennas; 24 dB SNR per sample.
    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=10.0, n_tx=1, n_rx=2), rng)
    y = _noisy(ch.apply(x, info.sample_rate), 24.0, rng)
    grid = ofdm_demodulate(y, c)
    assert grid.shape == (2, 14, 624)

    # Receiver: blind decoding finds exactly the UE's DCI, which gives the PDSCH.
    mon = MonitoredSearchSpace(coreset=cs, search_space=ss, dci_formats=(fmt,))
    found = pdcch_blind_decode(grid, c, [mon], rnti=RNTI)
    assert len(found) == 1
    det = found[0]
    assert (det.format, det.aggregation_level, det.candidate, det.rnti) == ("1_1", 4, 1, RNTI)
    assert dict(det.fields.values) == dict(fmt.unpack(fmt.pack(fields)).values)
    grant = pdsch_grant_from_dci(det.fields, fmt, rnti=det.rnti, bwp=BWP, tda_table=tda, base=base)
    assert grant == tx
    # The UE knows the CORESET and the SS/PBCH blocks of the slot: the same reserved REs.
    reserved = reserved_union(coreset_reserved(c, cs, ss.start_symbol), ssb_reserved(c, burst))
    assert np.array_equal(reserved, slot.channels[-1].reserved)
    rx = pdsch_receive(grid, c, grant.pdsch, sch_config=grant.sch, rv=grant.rv, reserved=reserved)
    assert rx.tb_crc_ok
    np.testing.assert_array_equal(rx.tb, tb)
    # Without the rate matching the receiver reads the wrong REs and the block fails.
    bad = pdsch_receive(grid, c, grant.pdsch, sch_config=grant.sch, rv=grant.rv,
                        reserved=coreset_reserved(c, cs, 0))
    assert not bad.tb_crc_ok

    # The other UE finds its own DCI and not the first one.
    theirs = pdcch_blind_decode(grid, c, [dataclasses.replace(mon, rnti=OTHER_RNTI)])
    assert [(d.cces, d.rnti, d.fields["harq_process_number"]) for d in theirs] == \
        [(tuple(cces.tolist()), OTHER_RNTI, 1)]


def test_cell_search_finds_the_cell_in_a_multi_slot_burst(rng):
    # Slots 0 .. 2 of frame 0 with the four blocks of a burst and a PDSCH beside them.
    source = bch_bit_source(MIB, 0, 4, CELL)
    waves = []
    for n_slot in range(3):
        c = _carrier(n_slot)
        slot = DownlinkSlot(c).add_ssb(_burst(c, (1, 1, 1, 1)), source)
        pdsch = PdschConfig(symbol_allocation=(2, 12), prb_set=tuple(range(32, 52)), n_rnti=RNTI)
        g = slot.pdsch_bit_capacity(pdsch)[0]
        slot.add_pdsch(pdsch, codewords=rng.integers(0, 2, g, dtype=np.uint8))
        waves.append(slot.waveform())
    x = np.concatenate(waves, axis=-1)[0]
    rate = ofdm_info(_carrier()).sample_rate
    y = _noisy(x, 10.0, rng)
    # Block centre: subcarrier 120 + 120 of the 624, relative to the carrier centre (312).
    centre = (240 - 312) * 15e3
    cells = cell_search(y, rate, ssb_scs=15, ssb_frequency=centre, l_max=4)
    assert sorted(cl.ssb_index for cl in cells) == [0, 1, 2, 3]
    for cl in cells:
        assert (cl.n_cell_id, cl.sfn, cl.half_frame, cl.k_ssb, cl.case) == (CELL, 0, 0, 0, "A")
        assert cl.mib.pdcch_config_sib1 == 0x44
        assert cl.frame_start == 0

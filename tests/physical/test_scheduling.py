"""Tests of the DCI 1_0 / 1_1 scheduling fields of a PDSCH and their inverse (TS 38.214 §5.1.2,
§5.1.3, §5.1.6.2)."""

from __future__ import annotations

import dataclasses

import pytest

from opennr.errors import ConfigError
from opennr.numerology import Bwp, Carrier
from opennr.physical.coreset import CoresetConfig
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import PdschConfig, pdsch_plan
from opennr.physical.ptrs import PtrsConfig
from opennr.physical.scheduling import (
    TdaEntry,
    default_tda_table,
    pdsch_dci_fields,
    pdsch_grant_from_dci,
    sliv_decode,
    sliv_encode,
)
from opennr.transport.dci import DciConfig, dci_format
from opennr.transport.sch import SchConfig
from opennr.transport.tbs import transport_block_size

RNTI = 0x4601
BWP = Bwp(n_start_bwp=10, n_size_bwp=40)


def _fmt(name="1_1", ss="ue", **kw):
    cfg = DciConfig(n_size_bwp_dl=BWP.n_size_bwp, n_start_bwp_dl=BWP.n_start_bwp,
                    n_size_bwp_ul=BWP.n_size_bwp, **kw)
    return dci_format(name, cfg, ss)


def _pdsch(**kw):
    kw.setdefault("symbol_allocation", (2, 12))
    kw.setdefault("prb_set", tuple(range(4, 20)))
    kw.setdefault("modulation", "16QAM")
    return PdschConfig(n_start_bwp=BWP.n_start_bwp, n_size_bwp=BWP.n_size_bwp, n_rnti=RNTI, **kw)


def test_sliv_matches_the_formula_and_round_trips():
    # SLIV = 14 (L - 1) + S for L - 1 <= 7, else 14 (14 - L + 1) + (14 - 1 - S).
    assert sliv_encode(0, 14) == 27
    assert sliv_encode(2, 12) == 53
    assert sliv_encode(1, 2) == 15
    seen = set()
    for s in range(14):
        for n in range(1, 15 - s):
            v = sliv_encode(s, n)
            assert sliv_decode(v) == (s, n)
            seen.add(v)
    assert len(seen) == 105 and max(seen) == 104
    with pytest.raises(ConfigError):
        sliv_encode(3, 12)
    assert TdaEntry.from_sliv(53, mapping_type="A") == TdaEntry(mapping_type="A", start_symbol=2, length=12)


def test_default_table_a_rows():
    # TS 38.214 Table 5.1.2.1.1-2: rows 1, 6, 7 depend on dmrs-TypeA-Position, 12 does not.
    t2, t3 = default_tda_table(2), default_tda_table(3)
    assert len(t2) == len(t3) == 16
    assert (t2[0].mapping_type, t2[0].start_symbol, t2[0].length) == ("A", 2, 12)
    assert (t3[0].mapping_type, t3[0].start_symbol, t3[0].length) == ("A", 3, 11)
    assert (t2[5].mapping_type, t2[5].start_symbol, t2[5].length) == ("B", 9, 4)
    assert (t3[5].start_symbol, t3[6].start_symbol) == (10, 6)
    assert t2[11] == t3[11] == TdaEntry(mapping_type="A", start_symbol=1, length=13)
    assert all(r.k0 == 0 for r in t2 + t3)
    # Every row is a valid PDSCH allocation with its dmrs-TypeA-Position.
    for pos, table in ((2, t2), (3, t3)):
        for r in table:
            PdschConfig(mapping_type=r.mapping_type, symbol_allocation=(r.start_symbol, r.length),
                        dmrs=DmrsConfig(type_a_position=pos), strict_time_allocation=False)


def test_fields_of_a_1_1_and_back():
    fmt = _fmt()
    pdsch = _pdsch()
    tda = default_tda_table(2)
    fields = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=12, ndi=1, rv=2, harq_process=9,
                              pdsch_to_harq_feedback_timing=3)
    # RIV for N = 40, RB_start = 4, L = 16: L - 1 <= 20, so 40 * 15 + 4.
    assert fields["frequency_domain_resource_assignment"] == 604
    assert fields["time_domain_resource_assignment"] == 0
    assert (fields["mcs_1"], fields["ndi_1"], fields["rv_1"], fields["harq_process_number"]) == (12, 1, 2, 9)
    # Table 7.3.1.2.2-1: port 0 with 2 CDM groups without data is value 3.
    assert fields["antenna_ports"] == 3
    bits = fmt.pack(fields)
    grant = pdsch_grant_from_dci(fmt.unpack(bits), fmt, rnti=RNTI, bwp=BWP, tda_table=tda)
    assert grant.pdsch == pdsch
    assert (grant.mcs, grant.ndi, grant.rv, grant.harq_process, grant.k0, grant.tda_index) == \
        (12, 1, 2, 9, 0, 0)
    # MCS 12 of the 64QAM table: Q_m = 4, R = 434/1024; one DM-RS symbol, 2 CDM groups: 12 REs/PRB.
    assert grant.sch == SchConfig(tbs=transport_block_size(
        n_prb=16, n_symb_sh=12, n_dmrs_prb=12, target_code_rate=434 / 1024, qm=4, n_layers=1),
        target_code_rate=434 / 1024, qm=4, n_layers=1)


@pytest.mark.parametrize("kw", [
    dict(prb_set=tuple(range(0, 40))),
    dict(prb_set=tuple(range(30, 40)), n_layers=2, dmrs_ports=(0, 1)),
    dict(prb_set=(7,), n_layers=1, dmrs_ports=(2,), modulation="64QAM"),
    dict(prb_set=tuple(range(3, 23)), vrb_bundle_size=4, modulation="QPSK"),
    dict(symbol_allocation=(4, 7), mapping_type="B", modulation="QPSK",
         dmrs=DmrsConfig(additional_position=1, n_cdm_groups_without_data=1)),
    dict(dmrs=DmrsConfig(additional_position=2, n_scid=1, n_id=77), n_id=300,
         ptrs=PtrsConfig(frequency_density=4)),
])
def test_1_1_round_trips(kw):
    fmt = _fmt(vrb_to_prb_interleaved=True)
    pdsch = _pdsch(**kw)
    mcs = {"QPSK": 5, "16QAM": 13, "64QAM": 20}[pdsch.modulation]
    tda = default_tda_table(2)
    fields = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=mcs)
    base = PdschConfig(dmrs=dataclasses.replace(pdsch.dmrs, n_cdm_groups_without_data=2, n_scid=0),
                       n_id=pdsch.n_id, ptrs=pdsch.ptrs)
    grant = pdsch_grant_from_dci(fmt.unpack(fmt.pack(fields)), fmt, rnti=RNTI, bwp=BWP, tda_table=tda,
                                 base=base, vrb_bundle_size=4)
    assert grant.pdsch == pdsch
    # The TBS counts the DM-RS symbols and CDM groups of the allocation.
    c = Carrier(n_size_grid=60)
    plan = pdsch_plan(c, pdsch)
    n_dmrs = plan.dmrs_symbols.size * pdsch.dmrs.n_cdm_groups_without_data * 6
    n = pdsch.symbol_allocation[1]
    assert grant.sch.tbs == transport_block_size(
        n_prb=len(pdsch.prb_set), n_symb_sh=n, n_dmrs_prb=n_dmrs, target_code_rate=grant.sch.target_code_rate,
        qm=grant.sch.qm, n_layers=pdsch.n_layers)


def test_1_0_in_a_common_search_space_counts_rbs_from_the_coreset():
    # CORESET from CRB 18 (6 ceil(10 / 6) + 6 for the second group); the RIV numbers RBs from
    # there, over N = the initial BWP size.
    cs = CoresetConfig(frequency_resources=(0, 1, 1), duration=2, n_start_bwp=BWP.n_start_bwp)
    assert cs.crbs[0] == 18
    fmt = _fmt("1_0", "common", n_size_initial_bwp_dl=24)
    pdsch = _pdsch(prb_set=tuple(range(8, 20)), modulation="QPSK", symbol_allocation=(2, 9))
    tda = default_tda_table(2)
    fields = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=4, coreset=cs)
    # RB_start = 8 - (18 - 10) = 0, L = 12 over N = 24: RIV = 24 * 11 + 0.
    assert fields["frequency_domain_resource_assignment"] == 264
    assert fields["time_domain_resource_assignment"] == 2
    grant = pdsch_grant_from_dci(fmt.unpack(fmt.pack(fields)), fmt, rnti=0xFFFF, bwp=BWP, tda_table=tda,
                                 coreset=cs)
    assert grant.pdsch == dataclasses.replace(pdsch, n_rnti=0xFFFF)
    with pytest.raises(ConfigError, match="CORESET"):
        pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=4)


def test_1_0_uses_port_1000_and_the_cdm_groups_of_the_duration():
    fmt = _fmt("1_0", "ue")
    tda = default_tda_table(3)
    # Row 9 (type B, S = 5, L = 2): one CDM group without data; other rows: two.
    two = _pdsch(mapping_type="B", symbol_allocation=(5, 2), modulation="QPSK",
                 dmrs=DmrsConfig(type_a_position=3, n_cdm_groups_without_data=1))
    f = pdsch_dci_fields(fmt, two, bwp=BWP, tda_table=tda, mcs=0)
    assert f["time_domain_resource_assignment"] == 8
    base = PdschConfig(dmrs=DmrsConfig(type_a_position=3))
    g = pdsch_grant_from_dci(fmt.unpack(fmt.pack(f)), fmt, rnti=RNTI, bwp=BWP, tda_table=tda, base=base)
    assert g.pdsch == two
    wrong = dataclasses.replace(two, dmrs=DmrsConfig(type_a_position=3, n_cdm_groups_without_data=2))
    with pytest.raises(ConfigError, match="CDM group"):
        pdsch_dci_fields(fmt, wrong, bwp=BWP, tda_table=tda, mcs=0)


def test_configured_table_and_k0():
    tda = (TdaEntry(k0=1, mapping_type="A", start_symbol=2, length=12),
           TdaEntry(k0=0, mapping_type="A", start_symbol=2, length=12))
    fmt = _fmt(n_tda_dl=2)
    pdsch = _pdsch()
    f = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=10)
    assert f["time_domain_resource_assignment"] == 1
    f = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=10, k0=1)
    assert f["time_domain_resource_assignment"] == 0
    assert pdsch_grant_from_dci(f, fmt, rnti=RNTI, bwp=BWP, tda_table=tda).k0 == 1


def test_retransmission_with_a_reserved_mcs_keeps_the_initial_tb():
    fmt = _fmt()
    tda = default_tda_table(2)
    pdsch = _pdsch()
    first = pdsch_grant_from_dci(pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=15), fmt,
                                 rnti=RNTI, bwp=BWP, tda_table=tda)
    f = pdsch_dci_fields(fmt, pdsch, bwp=BWP, tda_table=tda, mcs=30, rv=2)   # reserved, Q_m = 4
    with pytest.raises(ConfigError, match="initial"):
        pdsch_grant_from_dci(f, fmt, rnti=RNTI, bwp=BWP, tda_table=tda)
    again = pdsch_grant_from_dci(f, fmt, rnti=RNTI, bwp=BWP, tda_table=tda, initial_sch=first.sch)
    assert again.sch == first.sch and again.rv == 2 and again.pdsch == pdsch


def test_pdschs_a_dci_cannot_schedule():
    fmt = _fmt()
    tda = default_tda_table(2)
    with pytest.raises(ConfigError, match="contiguous"):
        pdsch_dci_fields(fmt, _pdsch(prb_set=(1, 2, 4)), bwp=BWP, tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="no row"):
        pdsch_dci_fields(fmt, _pdsch(symbol_allocation=(2, 11)), bwp=BWP, tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="row 3"):
        pdsch_dci_fields(fmt, _pdsch(), bwp=BWP, tda_table=tda, mcs=10, tda_index=2)
    with pytest.raises(ConfigError, match="Q_m"):
        pdsch_dci_fields(fmt, _pdsch(), bwp=BWP, tda_table=tda, mcs=20)
    with pytest.raises(ConfigError, match="VRB-to-PRB"):
        pdsch_dci_fields(fmt, _pdsch(vrb_bundle_size=2), bwp=BWP, tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="bandwidth part"):
        pdsch_dci_fields(fmt, _pdsch(), bwp=Bwp(n_start_bwp=0, n_size_bwp=40), tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="entry of the table"):
        pdsch_dci_fields(fmt, _pdsch(n_layers=2, dmrs_ports=(1, 2)), bwp=BWP, tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="type 1"):
        pdsch_dci_fields(_fmt(resource_allocation_dl="type0"), _pdsch(), bwp=BWP, tda_table=tda, mcs=10)
    with pytest.raises(ConfigError, match="reserved value"):
        pdsch_grant_from_dci({**pdsch_dci_fields(fmt, _pdsch(), bwp=BWP, tda_table=tda, mcs=10),
                              "antenna_ports": 13}, fmt, rnti=RNTI, bwp=BWP, tda_table=tda)
    with pytest.raises(ConfigError, match="format 1_0 or 1_1"):
        pdsch_dci_fields(_fmt("0_1"), _pdsch(), bwp=BWP, tda_table=tda, mcs=10)
    # A RIV beyond N (N + 1) / 2 is rejected.
    with pytest.raises(ConfigError, match="RIV"):
        pdsch_grant_from_dci({**pdsch_dci_fields(fmt, _pdsch(), bwp=BWP, tda_table=tda, mcs=10),
                              "frequency_domain_resource_assignment": 820}, fmt, rnti=RNTI, bwp=BWP,
                             tda_table=tda)

"""The UE's PDSCH requirement rows (TS 38.101-4 §5.2): FRC table integrity, the cases, a tiny run."""

from __future__ import annotations

import dataclasses
import math

import pytest
from typer.testing import CliRunner

from opennr.cli.main import app
from opennr.conformance import ConformanceOptions, case_status, run_case, select_cases
from opennr.conformance.pdsch import (
    PDSCH_CASE_TABLE,
    PDSCH_FRC_TABLE,
    PdschCase,
    load_pdsch_cases,
    load_pdsch_frcs,
)
from opennr.errors import ConfigError
from opennr.sim.links import build_link
from opennr.sim.scenario import parse_scenario
from opennr.sim.store import ResultsStore

#: The FRCs' period: 2 frames of 15 kHz slots, slot 0 carrying the SS/PBCH block and no PDSCH.
SLOTS, SCHEDULED, PERIOD_S = 20, 19, 0.020


def test_tables_name_their_sources():
    for path in (PDSCH_FRC_TABLE, PDSCH_CASE_TABLE):
        header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True)
                         if line.startswith("#"))
        assert "itecspec.com" in header and "TS 38.521-4" in header
        assert "not established" in header.lower() or "NOT established" in header
    for frc in load_pdsch_frcs().values():
        assert frc.annex_table.startswith("A.3.2") and frc.spec


@pytest.mark.parametrize("name", sorted(load_pdsch_frcs()))
def test_tbs_and_channel_bits_reproduce_the_published_frc(name):
    f = load_pdsch_frcs()[name]
    # TS 38.214 §5.1.3.2 with the FRC's N_DMRS^PRB: the published payload of slots 1..19.
    assert f.transport_block_size() == f.payload
    # G without CSI-RS: the allocated REs less the DM-RS REs.
    assert f.channel_bits() == f.g_bits
    # Slots 10, 11: two tracking CSI-RS resources of density 3 take 2 x 3 REs of every PRB.
    qm = {"QPSK": 2, "16QAM": 4, "64QAM": 6, "256QAM": 8}[f.modulation]
    assert f.g_bits - f.g_bits_csirs == 2 * 3 * f.n_prb * qm * f.layers
    # Published maximum throughput: the payload of 19 of 20 slots over 2 frames.
    assert f.payload * SCHEDULED / PERIOD_S / 1e6 == pytest.approx(f.max_tput_mbps, abs=5e-4)
    # One code block, TB CRC 16 bits up to 3824 payload bits (TS 38.212 §7.2.1).
    assert f.code_blocks == 1 and f.tb_crc == (16 if f.payload <= 3824 else 24)
    assert f.dmrs_additional_positions == f.n_dmrs_re // 6 - 1


def test_cases_are_selectable_and_list_what_they_need():
    cases = load_pdsch_cases()
    assert [c.case for c in cases] == ["5.2.2.1.1-t1-1", "5.2.2.1.1-t1-2"]
    assert select_cases(["R.PDSCH.1-1.2"]) == [cases[1]]
    assert select_cases(["5.2.2.1.1-t1-*"]) == list(cases)
    for c in cases:
        assert c.link == "pdsch" and c.n_rx == 2 and c.fraction == 0.7
        assert math.isnan(c.snr_db) and not c.channel
        assert case_status(c).startswith("needs the required SNR")
    out = CliRunner().invoke(app, ["conformance", "list", "5.2.2.1.1-t1-*"], terminal_width=250)
    assert out.exit_code == 0 and "R.PDSCH.1-1.1" in out.output and "R.PDSCH.1-1.2" in out.output


def _established(case: PdschCase, channel: str, snr_db: float) -> PdschCase:
    return dataclasses.replace(case, channel=channel, correlation="low", snr_db=snr_db,
                               requires=())


def test_scenario_has_the_frc_allocation():
    c1, c2 = load_pdsch_cases()
    link = build_link(parse_scenario(_established(c1, "TDLA30-10", 0.0).scenario_dict([0.0]))
                      .points[0].link)
    plan = link.config.plan()
    assert link.config.pdsch.symbol_allocation == (2, 12)
    assert link.sch.tbs == 3904 and link.config.harq and link.config.max_transmissions == 4
    assert link.config.estimator != "perfect"
    # Three DM-RS symbols (dmrs-AdditionalPosition 2) from symbol 2, one CDM group without data.
    assert plan.n_dmrs_prb == 3 * 6 and link.config.pdsch.dmrs.n_cdm_groups_without_data == 1
    link2 = build_link(parse_scenario(_established(c2, "awgn", 0.0).scenario_dict([0.0]))
                       .points[0].link)
    assert list(link2.config.plan().crbs) == list(range(23, 29)) and link2.sch.tbs == 480
    with pytest.raises(ConfigError, match="propagation condition"):
        c1.scenario_dict([0.0])


@pytest.mark.parametrize("index", [0, 1])
def test_link_reproduces_the_frc_payload_and_channel_bits(index):
    # The link computes its own TBS (TS 38.214 §5.1.3.2) and G (TS 38.212 §7.2.5) from the
    # allocation: both must be the published figures of the FRC (R.PDSCH.1-1.1: 3904 bits on
    # 13104 channel bits, 18 DM-RS REs per PRB).
    case = load_pdsch_cases()[index]
    f = case.frc
    link = build_link(parse_scenario(_established(case, "awgn", 0.0).scenario_dict([0.0]))
                      .points[0].link)
    plan = link.config.plan()
    g = plan.data_indices.shape[-1] * link.sch.qm * link.sch.n_layers
    assert (link.sch.tbs, g, plan.n_dmrs_prb) == (f.payload, f.g_bits, f.n_dmrs_re)
    if f.name == "R.PDSCH.1-1.1":
        assert (link.sch.tbs, g, plan.n_dmrs_prb) == (3904, 13104, 18)


def test_tiny_run_passes_at_high_snr_and_fails_at_low(tmp_path):
    case = load_pdsch_cases()[1]
    options = ConformanceOptions(quick=True, max_slots=80, min_batches=20)
    with ResultsStore(tmp_path / "c.db") as db:
        good = run_case(db, _established(case, "awgn", 15.0), options)
        bad = run_case(db, _established(case, "awgn", -12.0), options)
    assert good.verdict == "pass" and good.points[0]["throughput"] == 1.0
    assert bad.verdict == "fail" and bad.points[0]["throughput"] < 0.7

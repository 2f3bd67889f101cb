"""TS 38.104 §8.3 PUCCH cases: the table (rows, identifiers, bandwidths, criteria), the link of a
case, selection among all cases, the runner hook, verdicts, runs into the results store and
their report rows."""

from __future__ import annotations

import dataclasses
import html
from collections import Counter

import pytest

from opennr.conformance import (
    ConformanceOptions,
    case_status,
    load_cases,
    report_rows,
    run_cases,
    select_cases,
    write_report,
)
from opennr.conformance.cases import all_cases
from opennr.conformance.pucch import (
    RUNNER_FEATURE,
    PucchStop,
    load_pucch_cases,
    pucch_bounds,
    pucch_verdict,
    run_pucch_case,
)
from opennr.sim.links import build_link
from opennr.sim.scenario import parse_scenario
from opennr.sim.store import ResultsStore

#: TS 38.104 Table 5.3.2-1: PRBs of each channel bandwidth (MHz) per subcarrier spacing.
N_RB = {15: {5: 25, 10: 52, 20: 106}, 30: {10: 24, 20: 51, 40: 106, 100: 273}}


def test_table_rows_and_identifiers():
    cases = load_pucch_cases()
    ids = [c.case for c in cases]
    assert len(ids) == len(set(ids)) == 189
    per_table = Counter(c.table for c in cases)
    assert per_table == {
        "8.3.2.2-1": 12, "8.3.2.2-2": 16,
        "8.3.3.1.2-1": 6, "8.3.3.1.2-2": 8, "8.3.3.2.2-1": 6, "8.3.3.2.2-2": 8,
        "8.3.4.1.2-1": 6, "8.3.4.1.2-2": 8, "8.3.4.2.2-1": 6, "8.3.4.2.2-2": 8,
        "8.3.5.2-1": 27, "8.3.5.2-2": 36, "8.3.6.2-1": 18, "8.3.6.2-2": 24}
    for c in cases:
        assert c.case == f"{c.table}-r{c.row}" and c.table.startswith(c.clause)
        assert N_RB[c.scs][c.bandwidth_mhz] == c.n_prb
        assert c.scs == (15 if c.table.endswith("-1") else 30)
        assert (c.channel, c.correlation, c.n_tx) == ("TDLC300-100", "low", 1)
        assert c.n_rx in (2, 4, 8) and -10.0 < c.snr_db < 12.0
        fmt = {"8.3.2": 0, "8.3.3": 1, "8.3.4": 2, "8.3.5": 3, "8.3.6": 4}[c.clause[:5]]
        assert c.format == fmt


def test_criteria_follow_the_clauses():
    for c in load_pucch_cases():
        crit = dict(c.criteria)
        if c.format == 0 or c.clause == "8.3.3.2":
            assert crit == {"ack_missed": 0.01, "dtx_to_ack": 0.01}
        elif c.clause == "8.3.3.1":
            assert crit == {"nack_to_ack": 0.001, "dtx_to_ack": 0.01} and c.payload == "nack"
        elif c.clause == "8.3.4.1":
            assert crit == {"bler": 0.01, "dtx_detection": 0.01} and c.bits == 4
        else:
            assert crit == {"bler": 0.01} and c.bits in (16, 22)


def test_every_case_builds_its_link():
    for c in load_pucch_cases():
        sc = parse_scenario(c.scenario_dict([c.snr_db]))
        assert sc.points[0].tbs == c.bits
    c = next(c for c in load_pucch_cases() if c.case == "8.3.5.2-2-r25")    # test 2, 3 PRB
    lk = build_link(parse_scenario(c.scenario_dict([c.snr_db])).points[0].link).config
    assert (lk.pucch.format, lk.pucch.n_prb, lk.pucch.symbol_allocation) == (3, 3, (0, 4))
    assert lk.pucch.second_hop_prb == c.n_prb - 3 and lk.n_rx == c.n_rx and lk.n_bits == 16
    with pytest.raises(Exception, match="perfect"):
        c.scenario_dict([0.0], estimator="perfect")


def test_selection_among_all_cases():
    assert [c for c in all_cases() if c.link == "pucch"] == list(load_pucch_cases())
    assert len(load_cases()) and all(c.link != "pucch" for c in load_cases())
    assert [c.case for c in select_cases(["8.3.2.2-1-r1"])] == ["8.3.2.2-1-r1"]
    assert len(select_cases(["8.3.6.2-?-r1"])) == 2
    assert {c.format for c in select_cases(["PUCCH-F1-nack_to_ack"])} == {1}
    # The default set: the PUSCH rows flagged default, and the flagged rows of the short formats.
    default = select_cases([])
    assert [c for c in default if c.link == "pusch"] == [c for c in load_cases() if c.default]
    pucch = [c for c in default if c.link == "pucch"]
    assert pucch and {c.format for c in pucch} == {0, 2} and all(c.default for c in pucch)
    assert {c.case for c in load_pucch_cases() if c.default and c.format in (0, 2)} \
        == {c.case for c in pucch}
    assert not any(c.link == "pdsch" for c in default)


def test_cases_wait_for_the_runner_hook(monkeypatch):
    from opennr.conformance import runner

    assert runner.RUNS_PUCCH is True
    assert all(case_status(c) == "runnable" for c in load_pucch_cases())
    monkeypatch.setattr(runner, "RUNS_PUCCH", False)
    case = load_pucch_cases()[0]
    assert case_status(dataclasses.replace(case, requires=None)) == f"needs {RUNNER_FEATURE}"


def test_run_cases_dispatches_pucch_and_reports_its_criteria(tmp_path):
    base = next(c for c in load_pucch_cases() if c.case == "8.3.2.2-2-r1")
    noise = dataclasses.replace(base, snr_db=-15.0)        # far below the requirement
    clean = dataclasses.replace(base, case="8.3.2.2-2-r1-hi", snr_db=30.0)
    seen = []
    with ResultsStore(tmp_path / "s.db") as store:
        results = run_cases(store, [noise, clean], ConformanceOptions(quick=False, max_slots=150),
                            on_result=seen.append)
        runs = store.runs()
    bad, good = results
    assert seen == results and len(runs) == 2
    # 150 slots: a single checkpoint, two criteria, each bound at level 0.05 / 2.
    assert bad.alpha == good.alpha == pytest.approx(0.025)
    assert bad.verdict == "fail" and bad.figures["ack_missed"][1] > 0.01      # lower bound
    assert good.slots == 150 and good.figures["ack_missed"][0] == 0.0
    # Random HARQ-ACK bits: about half of the 150 slots carry an ACK; no missed one among them
    # still leaves the upper bound 1 - 0.025^(1/n) above 1 %.
    n_ack = good.counts["ack_bits"]
    assert 40 < n_ack < 110 and good.counts["dtx_slots"] == 150
    assert good.verdict == "undecided"
    high = 1 - 0.025 ** (1 / n_ack)
    assert good.figures["ack_missed"][2] == pytest.approx(high) and high > 0.01
    rows = report_rows(results)
    assert rows[0]["criterion"] == "ack_missed ≤ 1.0% and dtx_to_ack ≤ 1.0%"
    assert rows[0]["verdict"].startswith("fail") and rows[1]["verdict"].startswith("undecided")
    assert f"ack_missed 0.00% [0.00%, {high:.2%}] (limit 1.0%)" in rows[1]["measured at required SNR"]
    assert rows[1]["FRC"] == "PUCCH-F0-ack_missed" and rows[1]["BW/SCS"] == "10 MHz / 30 kHz"
    md, page = write_report(results, tmp_path / "rep")
    text = md.read_text()
    assert "0 pass, 1 fail, 1 undecided" in text and "TS 38.104 §8.3" in text
    assert "Clopper-Pearson" in text and "betting" not in text      # no throughput case
    assert good.line() in text and html.escape(good.line()) in page.read_text()
    assert not list((tmp_path / "rep").glob("*.png"))


def test_bounds_and_verdicts():
    lo, hi = pucch_bounds(0, 1000, 0.05)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.05 ** (1 / 1000))
    case = next(c for c in load_pucch_cases() if c.format == 0)
    good = {"ack_missed": 1, "ack_bits": 2000, "dtx_false_ack": 2, "dtx_slots": 2000}
    assert pucch_verdict(good, case, alpha=0.01)[0] == "pass"
    bad_dtx = dict(good, dtx_false_ack=60)
    assert pucch_verdict(bad_dtx, case, alpha=0.01)[0] == "fail"
    few = {"ack_missed": 0, "ack_bits": 100, "dtx_false_ack": 0, "dtx_slots": 100}
    verdict, figures = pucch_verdict(few, case, alpha=0.01)
    assert verdict == "undecided" and figures["ack_missed"][2] > 0.01


def test_stop_rule_decides_only_at_checkpoints():
    case = next(c for c in load_pucch_cases() if c.format == 4)
    stop = PucchStop(case=case, max_slots=4000, min_slots=500)
    assert stop.checkpoints == [500, 1000, 2000, 4000]
    assert stop.alpha == pytest.approx(0.05 / 4)
    clean = {"blocks": 999, "block_errors": 0}
    assert not stop.done(clean)
    assert stop.done({"blocks": 1000, "block_errors": 0})
    assert stop.done({"blocks": 4000, "block_errors": 30})   # the slot limit


def test_run_into_the_store_and_resume(tmp_path):
    case = dataclasses.replace(
        next(c for c in load_pucch_cases() if c.case == "8.3.2.2-2-r1"), snr_db=-15.0)
    with ResultsStore(tmp_path / "s.db") as store:
        r = run_pucch_case(store, case, max_slots=400, min_slots=100)
        assert r.verdict == "fail" and r.slots == 100      # decided at the first checkpoint
        assert r.figures["ack_missed"][0] > 0.5
        again = run_pucch_case(store, case, max_slots=400, min_slots=100, resume=True)
        assert again.run_id == r.run_id and again.counts == r.counts

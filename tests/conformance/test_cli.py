"""``opennr conformance list`` and ``run``: the case table, errors, needs-feature cases, reports."""

from __future__ import annotations

import dataclasses
import re

import pytest
from typer.testing import CliRunner

import opennr.conformance
import opennr.conformance.cases
from opennr.cli.main import app
from opennr.sim.store import ResultsStore

runner = CliRunner()


def test_list_shows_every_case_with_its_status():
    result = runner.invoke(app, ["conformance", "list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for text in ("8.2.1.2-1-r1", "G-FR1-A3-8", "TDLB100-400", "-2.3", "8.2.1.2-7-r3", "13",
                 "G-FR1-A3-31", "runnable"):
        assert text in result.output
    one = runner.invoke(app, ["conformance", "list", "G-FR1-A5-14"], terminal_width=200)
    assert one.exit_code == 0 and "8.2.1.2-7-r3" in one.output and "8.2.1.2-1-r1" not in one.output


def test_list_shows_the_pucch_and_pdsch_rows():
    result = runner.invoke(app, ["conformance", "list"], terminal_width=250)
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [f.strip() for f in line.split("│")[2:-1]]
            for line in result.output.splitlines() if line.count("│") > 5}
    links = {}
    for case, fields in rows.items():
        if case:
            links.setdefault(fields[0], []).append(case)
    assert {k: len(v) for k, v in links.items()} == {"PUSCH": 80, "PUCCH": 189, "PDSCH": 2}
    f0 = rows["8.3.2.2-1-r1"]
    assert f0 == ["PUCCH", "PUCCH-F0-ack_missed", "5/15", "1x2 F0", "TDLC300-100 low", "9.4",
                  "", "runnable"]                       # not in the default run set
    pdsch = rows["5.2.2.1.1-t1-1"]
    assert pdsch[:6] == ["PDSCH", "R.PDSCH.1-1.1", "10/15", "1x2 1L", "-", "-"]
    assert pdsch[7].startswith("needs")
    assert rows["8.2.1.2-1-r1"][6] == rows["8.3.2.2-2-r2"][6] == "yes"
    assert rows["8.3.6.2-2-r2"][6] == ""           # flagged, but format 4 is not in the quick set


def test_run_a_pucch_case_reports_its_criteria(tmp_path):
    store, out = tmp_path / "c.db", tmp_path / "rep"
    result = runner.invoke(app, ["conformance", "run", "8.3.4.2.2-2-r1", "--quick", "--max-slots",
                                 "60", "--store", str(store), "-o", str(out)], terminal_width=250)
    assert result.exit_code == 0, result.output
    assert "PUCCH at the required SNR, max 60 slots" in result.output
    required = opennr.conformance.select_cases(["8.3.4.2.2-2-r1"])[0].snr_db
    said = re.search(r"  (\w+): bler ([\d.]+)% \[([\d.]+)%, ([\d.]+)%\] \(limit 1\.0%\) at "
                     rf"{required:g} dB, .* over 60 independent slots", result.output)
    assert said is not None, result.output
    # 60 slots cannot show a 1 % BLER met: the upper bound stays above the limit (one checkpoint,
    # one criterion: the bound at level 0.05, 1 - 0.05^(1/60) without errors).
    assert said[1] in ("undecided", "fail") and float(said[4]) > 1.0
    if float(said[2]) == 0:
        assert float(said[4]) == pytest.approx(100 * (1 - 0.05 ** (1 / 60)), abs=0.006)
    md = (out / "report.md").read_text()
    row = next(s for s in md.splitlines() if s.startswith("| 8.3.4.2.2-2-r1"))
    assert "PUCCH-F2-uci_bler" in row and "bler ≤ 1.0%" in row and f"{said[1]} (" in row
    with ResultsStore(store, readonly=True) as db:
        runs = db.runs()
    assert len(runs) == 1 and runs[0]["kind"] == "pucch" and runs[0]["status"] == "done"


def test_unknown_case_is_an_error():
    for command in ("list", "run"):
        result = runner.invoke(app, ["conformance", command, "8.2.1.2-1-r1", "G-FR9-Z"])
        assert result.exit_code == 2
        assert "G-FR9-Z" in result.output and "matches no conformance case" in result.output


def _with_needing_case(monkeypatch):
    cases = opennr.conformance.cases.load_cases()
    extra = dataclasses.replace(cases[0], case="8.2.1.2-1-r99", requires=("dm-rs-8-rx",))
    patched = (*cases, extra)
    monkeypatch.setattr(opennr.conformance.cases, "load_cases", lambda *a: patched)
    monkeypatch.setattr(opennr.conformance, "load_cases", lambda *a: patched)


def test_cases_needing_a_feature_are_listed_not_hidden(monkeypatch):
    _with_needing_case(monkeypatch)
    result = runner.invoke(app, ["conformance", "list"], terminal_width=200)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    at = next(i for i, s in enumerate(lines) if "8.2.1.2-1-r99" in s)
    status = " ".join(s.split("│")[-2].strip() for s in lines[at:at + 3] if s.count("│") > 2)
    assert "needs dm-rs-8-rx" in status


def test_run_writes_store_and_reports(tmp_path, monkeypatch):
    _with_needing_case(monkeypatch)
    store, out = tmp_path / "c.db", tmp_path / "rep"
    result = runner.invoke(app, ["conformance", "run", "8.2.1.2-4-r1", "8.2.1.2-1-r99", "--quick",
                                 "--max-slots", "4", "--min-batches", "4", "--store", str(store),
                                 "-o", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "needs dm-rs-8-rx" in result.output
    # Four one-block batches cannot decide: the slot limit gives "undecided", never "pass".
    assert "undecided: throughput" in result.output
    said = re.search(r"over (\d+) independent batches \((\d+) blocks, (\d+) slots\)", result.output)
    assert said is not None and said[1] == said[2] and int(said[3]) >= 4
    assert "1 case(s): 1 undecided" in result.output
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert (out / "8.2.1.2-4-r1.png").stat().st_size > 1000
    for text in ("8.2.1.2-4-r1", "G-FR1-A3-11", "-2.3", "10 MHz / 30 kHz"):
        assert text in md and text in page
    row = next(s for s in md.splitlines() if s.startswith("| 8.2.1.2-4-r1"))
    assert f"undecided (95% one-sided, {said[1]} independent batches)" in row
    assert f"({said[1]} batches, {said[3]} slots)" in row
    assert "0 pass, 0 fail, 1 undecided" in md and "betting confidence sequence" in md
    assert "8.2.1.2-1-r99 (needs dm-rs-8-rx)" in md
    assert "data:image/png;base64," in page
    with ResultsStore(store, readonly=True) as db:
        runs = db.runs()
    assert len(runs) == 1 and runs[0]["status"] == "done"
    with ResultsStore(store, readonly=True) as db:
        stored = db.batches(runs[0]["id"])[0]
    assert len(stored) == int(said[1]) and sum(c["transmissions"] for c in stored) == int(said[3])
    assert runs[0]["config"]["receiver"]["estimator"] != "perfect"
    again = runner.invoke(app, ["conformance", "run", "8.2.1.2-4-r1", "--quick", "--max-slots", "4",
                                "--min-batches", "4", "--store", str(store), "-o", str(out),
                                "--resume"])
    assert again.exit_code == 0, again.output
    with ResultsStore(store, readonly=True) as db:
        assert len(db.runs()) == 1


def test_perfect_csi_and_bad_options_are_refused(tmp_path):
    result = runner.invoke(app, ["conformance", "run", "8.2.1.2-4-r1", "--estimator", "perfect",
                                 "--store", str(tmp_path / "c.db")])
    assert result.exit_code == 2 and "practical" in result.output
    result = runner.invoke(app, ["conformance", "run", "8.2.1.2-4-r1", "--max-slots", "0",
                                 "--store", str(tmp_path / "c.db")])
    assert result.exit_code == 2 and "max_slots" in result.output


def test_full_sweep_prints_intervals_and_the_crossing(tmp_path):
    store, out = tmp_path / "c.db", tmp_path / "rep"
    result = runner.invoke(app, ["conformance", "run", "8.2.1.2-4-r1", "--span", "1", "--step", "1",
                                 "--max-slots", "6", "--batch-size", "2", "--store", str(store),
                                 "-o", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = [s for s in result.output.splitlines() if " dB: throughput " in s]
    assert [s.split(" dB:")[0].strip() for s in lines] == ["-3.3", "-2.3", "-1.3"]
    assert all("over 3 batches" in s for s in lines)
    assert "% range), margin " in result.output
    md = (out / "report.md").read_text()
    assert "two-sided interval per point" in md
    row = next(s for s in md.splitlines() if s.startswith("| 8.2.1.2-4-r1"))
    assert row.count("[") >= 3           # throughput, achieved SNR and margin ranges
    with ResultsStore(store, readonly=True) as db:
        batches = db.batches(db.runs()[0]["id"])
    assert all(len(b) == 3 and all(c["blocks"] == 2 for c in b) for b in batches.values())

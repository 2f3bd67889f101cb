"""The command line: simulate, resume, bench and their error messages."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from opennr import __version__
from opennr.cli.main import app, parse_snrs
from opennr.sim import ResultsStore

runner = CliRunner()

SMALL = ["--mcs", "4", "--prb", "4", "--snr", "-4,10", "--min-errors", "5", "--max-blocks", "64",
         "--batch", "16", "--seed", "3"]


def test_simulate_writes_the_store_and_prints_json(tmp_path):
    store = tmp_path / "r.db"
    result = runner.invoke(app, ["simulate", *SMALL, "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["version"] == __version__ and out["seed"] == 3
    assert out["config"]["mcs_index"] == 4 and out["config"]["n_prb"] == 4
    low, high = out["points"]
    assert low["bler"] == 1.0 and low["blocks"] >= 5
    assert high["bler"] == 0.0 and high["blocks"] == 64
    with ResultsStore(store) as db:
        (run,) = db.runs()
        assert run["status"] == "done"
        stored = db.batches(run["id"])
        assert sum(c["blocks"] for c in stored[1]) == 64


def test_resume_continues_an_unfinished_run_to_the_same_result(tmp_path):
    store = tmp_path / "r.db"
    full = json.loads(runner.invoke(app, ["simulate", *SMALL, "--store", str(tmp_path / "f.db"),
                                          "--json"]).output)
    # An interrupted run: the run record and its first batch are stored, then nothing more.
    from opennr.cli.main import stop_as_dict
    from opennr.link import DlschAwgnConfig, DlschAwgnLink
    from opennr.sim import StopRule, batch_rng

    config = DlschAwgnConfig(mcs_index=4, n_prb=4)
    stop = StopRule(min_errors=5, max_blocks=64, batch_size=16)
    with ResultsStore(store) as db:
        run_id = db.new_run("dlsch-awgn", {"link": config.as_dict(), "stop": stop_as_dict(stop)},
                            [-4.0, 10.0], 3)
        db.add_batch(run_id, 0, 0, -4.0, DlschAwgnLink(config).run_batch(-4.0, 16, batch_rng(3, 0, 0)))
    result = runner.invoke(app, ["simulate", "--resume", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    resumed = json.loads(result.output)
    assert resumed["run"] == run_id
    assert resumed["points"] == full["points"]


def test_resume_without_an_unfinished_run_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["simulate", "--resume", "--store", str(tmp_path / "r.db")])
    assert result.exit_code == 2
    assert "no unfinished run" in result.output


def test_bad_options_name_the_field(tmp_path):
    result = runner.invoke(app, ["simulate", "--mcs", "31", "--store", str(tmp_path / "r.db")])
    assert result.exit_code == 2 and "reserved" in result.output
    result = runner.invoke(app, ["simulate", "--snr", "5:1:1", "--store", str(tmp_path / "r.db")])
    assert result.exit_code == 2 and "snr" in result.output


def test_corrupt_store_is_refused_and_left_untouched(tmp_path):
    store = tmp_path / "r.db"
    store.write_bytes(b"not a database" * 64)
    result = runner.invoke(app, ["simulate", *SMALL, "--store", str(store)])
    assert result.exit_code == 2 and "not a readable" in result.output
    assert store.read_bytes() == b"not a database" * 64


def test_parse_snrs():
    assert parse_snrs("0:1:0.25") == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert parse_snrs("3, -1.5") == [3.0, -1.5]


def test_bench_unknown_benchmark_is_a_clear_error():
    result = runner.invoke(app, ["bench", "--only", "nonexistent"])
    assert result.exit_code == 2 and "unknown benchmark" in result.output

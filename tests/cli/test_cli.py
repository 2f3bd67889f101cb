"""The command line: simulate, resume after kill -9 and Ctrl-C, results, and error messages."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from opennr import __version__
from opennr.cli.main import app
from opennr.sim import ResultsStore

runner = CliRunner()

TINY = """
[link]
kind = "dlsch-awgn"
n_prb = 4
mcs_index = 4

[receiver]
harq = false

[sweep]
snr = [-6.0, -3.0, 6.0, 9.0]

[stop]
min_errors = 5
max_blocks = 64
bler_floor = 0.01

[run]
seed = 3
batch_size = 16
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_simulate_writes_the_store_and_prints_json(tmp_path, tiny):
    store = tmp_path / "r.db"
    result = invoke("simulate", tiny, "--store", store, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["version"] == __version__ and out["seed"] == 3 and out["status"] == "done"
    assert out["config"]["link"]["mcs_index"] == 4 and out["config"]["receiver"]["decoder"] == "nms"
    low, _, high, skipped = out["points"]
    assert low["bler"] == 1.0 and 5 <= low["blocks"] <= 16
    assert high["bler"] == 0.0 and high["blocks"] == 64 and high["throughput"] == 1.0
    assert skipped["status"] == "skipped" and skipped["bler"] is None
    assert out["curves"][0]["snr_70"] is not None
    with ResultsStore(store) as db:
        (run,) = db.runs()
        assert run["status"] == "done" and run["seed"] == 3
        assert sum(c["blocks"] for c in db.batches(run["id"])[2]) == 64


PUCCH_TINY = """
[link]
kind = "pucch"
n_prb = 11
n_rx = 2

[link.pucch]
format = 0
symbols = [13, 1]
bits = 1
dtx = true

[sweep]
snr = [-20.0, 20.0]

[stop]
min_errors = 1000
max_blocks = 40

[run]
seed = 2
batch_size = 20
"""


def test_a_pucch_run_prints_the_detection_rates_not_transport_block_figures(tmp_path):
    path = tmp_path / "pucch.toml"
    path.write_text(PUCCH_TINY)
    result = invoke("simulate", path, "--store", tmp_path / "r.db", "--quiet")
    assert result.exit_code == 0, result.output
    assert "ACK missed" in result.output and "DTX->ACK" in result.output
    assert "iterations" not in result.output and "70 %" not in result.output
    out = json.loads(invoke("simulate", path, "--store", tmp_path / "j.db", "--json").output)
    low, high = out["points"]
    assert low["ack_missed"] > 0.3 and high["ack_missed"] == 0.0


@pytest.mark.parametrize("text,words", [
    ("[link\nkind = 'pdsch'", "not valid TOML"),
    ("[link]\nkind = 'pdcch'\n[sweep]\nsnr = [0.0]", "link.kind='pdcch': must be one of"),
    ("[link]\nkind = 'pdsch'\n[channel]\nmodel = 'TDLX1-1'\n[sweep]\nsnr = [0.0]", "channel.model"),
    ("[link]\nkind = 'dlsch-awgn'\nmcs_index = 99\n[sweep]\nsnr = [0.0]", "link.mcs_index=99"),
    ("[link]\nkind = 'dlsch-awgn'\n[receiver]\nequaliser = 'zf'\n[sweep]\nsnr = [0.0]",
     "receiver.equaliser"),
    ("[link]\nkind = 'dlsch-awgn'", "sweep=None: is required"),
])
def test_bad_scenarios_exit_non_zero_naming_the_key(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    store = tmp_path / "r.db"
    result = invoke("simulate", path, "--store", store)
    assert result.exit_code == 2
    assert words in " ".join(result.output.split())
    assert not store.exists()                        # nothing was started


def test_bad_options(tmp_path, tiny):
    result = invoke("simulate", tiny, "--workers", 2, "--dask", "local:2", "--store",
                    tmp_path / "r.db")
    assert result.exit_code == 2 and "cannot be combined with --dask" in result.output
    result = invoke("simulate", tmp_path / "nothing.toml", "--store", tmp_path / "r.db")
    assert result.exit_code == 2 and "cannot be read" in result.output


def test_unreachable_scheduler_leaves_the_store_alone(tmp_path, tiny):
    store = tmp_path / "r.db"
    assert invoke("simulate", tiny, "--store", store, "--quiet").exit_code == 0
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    result = invoke("simulate", tiny, "--store", store, "--dask", "tcp://127.0.0.1:9",
                    "--dask-timeout", 0.5)
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


def test_resume_without_an_unfinished_run_is_a_clear_error(tmp_path, tiny):
    result = invoke("simulate", tiny, "--resume", "--store", tmp_path / "r.db")
    assert result.exit_code == 2 and "no unfinished run" in result.output


def test_corrupt_store_is_refused_and_left_untouched(tmp_path, tiny):
    store = tmp_path / "r.db"
    store.write_bytes(b"not a database" * 64)
    result = invoke("simulate", tiny, "--store", store)
    assert result.exit_code == 2 and "not a readable" in result.output
    assert store.read_bytes() == b"not a database" * 64


def test_results_list_show_export_plot(tmp_path, tiny):
    store = tmp_path / "r.db"
    for seed in (3, 4):
        text = TINY.replace("seed = 3", f"seed = {seed}")
        tiny.write_text(text)
        assert invoke("simulate", tiny, "--store", store, "--quiet").exit_code == 0
    result = invoke("results", "list", "--store", store)
    assert result.exit_code == 0 and result.output.count("dlsch-awgn") == 2
    result = invoke("results", "show", 2, "--store", store)
    assert result.exit_code == 0 and "seed 4" in result.output and "70 %" in result.output
    result = invoke("results", "export", 1, "--csv", "--store", store)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [float(r["snr_db"]) for r in rows] == [-6.0, -3.0, 6.0, 9.0]
    assert rows[2]["blocks"] == "64" and rows[3]["status"] == "skipped"
    out = tmp_path / "run1.json"
    assert invoke("results", "export", 1, "--json", "-o", out, "--store", store).exit_code == 0
    assert json.loads(out.read_text())["points"][2]["blocks"] == 64
    png = tmp_path / "p.png"
    result = invoke("results", "plot", 1, 2, "-o", png, "--reference", 1.5, "--store", store)
    assert result.exit_code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    result = invoke("results", "show", 9, "--store", store)
    assert result.exit_code == 2 and "no run 9" in result.output
    result = invoke("results", "list", "--store", tmp_path / "none.db")
    assert result.exit_code == 2 and "no such results store" in result.output


LONG = """
[link]
kind = "dlsch-awgn"
n_prb = 4
mcs_index = 4

[receiver]
harq = true
max_transmissions = 2

[sweep]
snr = [-7.0, -5.0, -3.0]

[stop]
min_errors = 100000
max_blocks = 160
bler_floor = 0.0

[run]
seed = 11
batch_size = 4
"""


def stored_batches(store):
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM batches").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def start(scenario, store, *extra):
    cmd = [sys.executable, "-c", "from opennr.cli.main import app; app()", "simulate",
           str(scenario), "--store", str(store), "--quiet", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop_after(proc, store, n_batches, sig):
    deadline = time.monotonic() + 120
    while stored_batches(store) < n_batches:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(60)
    return proc


def test_kill_and_interrupt_then_resume_equals_an_uninterrupted_run(tmp_path, monkeypatch):
    scenario = tmp_path / "long.toml"
    scenario.write_text(LONG)
    full = invoke("simulate", scenario, "--store", tmp_path / "full.db", "--json")
    assert full.exit_code == 0, full.output
    total = sum(p["batches"] for p in json.loads(full.output)["points"])   # 120 batches

    # kill -9 of a process in the middle of the sweep.
    store = tmp_path / "r.db"
    proc = stop_after(start(scenario, store), store, 20, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    killed_at = stored_batches(store)
    assert killed_at < total
    with ResultsStore(store) as db:
        assert db.runs()[0]["status"] == "running"

    # Ctrl-C in the resumed run, 20 batches later.
    added = []
    original = ResultsStore.add_batch

    def add_batch(self, *args):
        original(self, *args)
        added.append(args)
        if len(added) == 20:
            raise KeyboardInterrupt

    monkeypatch.setattr(ResultsStore, "add_batch", add_batch)
    result = invoke("simulate", scenario, "--store", store, "--resume")
    assert result.exit_code == 130 and "--resume" in result.output
    monkeypatch.undo()
    with ResultsStore(store) as db:
        assert db.runs()[0]["status"] == "interrupted"
    assert stored_batches(store) == killed_at + 20

    resumed = invoke("simulate", scenario, "--store", store, "--resume", "--json")
    assert resumed.exit_code == 0, resumed.output
    a, b = json.loads(full.output), json.loads(resumed.output)
    assert b["run"] == 1 and b["status"] == "done"
    assert a["points"] == b["points"]
    with ResultsStore(store) as db, ResultsStore(tmp_path / "full.db") as ref:
        assert db.batches(1) == ref.batches(1)
        assert len(db.runs()) == 1 and db.batch_count(1) == total


def test_bench_unknown_benchmark_is_a_clear_error():
    result = runner.invoke(app, ["bench", "--only", "nonexistent"])
    assert result.exit_code == 2 and "unknown benchmark" in result.output

"""One process, a pool of two spawned processes and a Dask LocalCluster of two worker processes
give bit-identical counters, batch by batch, for the same scenario and seed."""

from __future__ import annotations

import json

import pytest

from opennr.sim import ResultsStore, parse_scenario
from opennr.sim.executors import DaskExecutor, ExecutorError, ProcessExecutor, make_executor
from opennr.sim.runner import execute_run, start_run

TINY = {"link": {"kind": "dlsch-awgn", "n_prb": 4, "mcs_index": 4},
        "receiver": {"harq": True, "max_transmissions": 2},
        "sweep": {"snr": [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0], "iterations": [4, 8]},
        "stop": {"min_errors": 12, "max_blocks": 64, "bler_floor": 0.05},
        "run": {"seed": 5, "batch_size": 8}}


def run(tmp_path, name, executor):
    scenario = parse_scenario(TINY)
    with ResultsStore(tmp_path / f"{name}.db") as db:
        handle = start_run(db, scenario, resume=False)
        with executor:
            summary = execute_run(db, handle, executor)
        stored = db.batches(handle.run_id)
    return summary, stored


def test_one_process_two_processes_and_dask_agree(tmp_path):
    ref_summary, ref = run(tmp_path, "inline", make_executor())
    # A sweep that exercises every rule: errors, max blocks and the BLER floor.
    statuses = [p["status"] for p in ref_summary["points"]]
    assert "skipped" in statuses and statuses.count("done") >= 4
    assert any(p["blocks"] == 64 for p in ref_summary["points"])
    pool_summary, pool = run(tmp_path, "pool", ProcessExecutor(2))
    dask_summary, dask = run(tmp_path, "dask", DaskExecutor("local:2"))
    assert pool == ref and dask == ref
    assert json.dumps(pool_summary["points"]) == json.dumps(ref_summary["points"])
    assert json.dumps(dask_summary["points"]) == json.dumps(ref_summary["points"])


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ExecutorError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=0.5)
    with pytest.raises(ExecutorError, match="local:N"):
        DaskExecutor("local:zero")

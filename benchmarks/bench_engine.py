"""Benchmark of the simulation engine: its overhead per batch, and the scaling of a sweep point
from one to two worker processes.

Overhead: the engine's own work per batch (random stream keyed by (seed, point, batch),
dispatch, in-order counting, stop rule, the SQLite commit of the batch) measured with a link that
does nothing, compared with the processing time of one slot of the built-in scenario's PDSCH
(52 PRB, 64QAM-table MCS 16, TDLC300-100, 1x2, LS estimation, MMSE, LDPC). Target: below 2 % of
one slot, i.e. a slot takes at least 50 times the overhead of a batch.

Scaling: blocks per second of one PDSCH point (a fixed number of blocks) on a pool of one and of
two spawned worker processes, after the workers have warmed up. On a machine shared with other
jobs the two-worker figure is pessimistic.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from _timing import best_time  # noqa: E402
from opennr.link.metrics import TB_COUNTERS  # noqa: E402
from opennr.sim.engine import StopRule, SweepPoint, batch_rng, run_points  # noqa: E402
from opennr.sim.executors import ProcessExecutor  # noqa: E402
from opennr.sim.links import build_link  # noqa: E402
from opennr.sim.scenario import DEFAULT_SCENARIO, load_scenario  # noqa: E402
from opennr.sim.store import ResultsStore  # noqa: E402


class _NullLink:
    counters = TB_COUNTERS

    def run_batch(self, snr_db, n_blocks, rng):
        return {"blocks": n_blocks, "block_errors": 0, "first_tx_errors": 1, "transmissions": n_blocks,
                "delivered_bits": 1000 * n_blocks, "bits": 1000 * n_blocks, "bit_errors": 0,
                "code_blocks": n_blocks, "iterations": 5 * n_blocks, "evm_error": 12345,
                "evm_reference": 1000000, "errors_after_tx2": 0}


def _overhead_per_batch(n_batches: int) -> float:
    """Seconds of engine work per batch, with the store commit of each batch."""
    stop = StopRule(min_errors=1, max_blocks=16 * n_batches, batch_size=16)
    with tempfile.TemporaryDirectory() as tmp, ResultsStore(Path(tmp) / "r.db") as db:
        run_id = db.new_run("null", {}, [{}], 1)
        t0 = time.perf_counter()
        run_points([SweepPoint(0.0, 0, _NullLink())], stop, 1, counters=TB_COUNTERS,
                   on_batch=lambda p, b, s, c: db.add_batch(run_id, p, b, s, c))
        return (time.perf_counter() - t0) / n_batches


def _scaling(points: list, stop: StopRule, workers: int) -> float:
    """Blocks per second of ``points`` on ``workers`` processes (after a warm-up point)."""
    with ProcessExecutor(workers) as pool:
        warm = StopRule(min_errors=10**9, max_blocks=workers * stop.batch_size,
                        batch_size=stop.batch_size)
        run_points(points[:1], warm, 99, executor=pool, counters=TB_COUNTERS)
        t0 = time.perf_counter()
        res = run_points(points, stop, 1, executor=pool, counters=TB_COUNTERS)
        elapsed = time.perf_counter() - t0
    return sum(r.counts["blocks"] for r in res) / elapsed


def run(quick: bool = False) -> list[dict]:
    scenario = load_scenario(DEFAULT_SCENARIO)
    point = next(p for p in scenario.points if p.snr_db == 10.0)
    link = build_link(point.link)
    n_slots = 4 if quick else 16
    slot = best_time(lambda: link.run_batch(point.snr_db, n_slots, batch_rng(1, 0, 0)),
                     1 if quick else 3) / n_slots
    overhead = min(_overhead_per_batch(200 if quick else 1000) for _ in range(3))
    blocks = 64 if quick else 256
    stop = StopRule(min_errors=10**9, max_blocks=blocks, batch_size=8)
    points = [SweepPoint(point.snr_db, 0, point.link)]
    one = _scaling(points, stop, 1)
    two = _scaling(points, stop, 2)
    return [
        {"name": "PDSCH slot of the built-in scenario (52 PRB, TDLC300-100 1x2), ms",
         "value": slot * 1e3, "unit": "ms", "target": None},
        {"name": "engine overhead per batch (dispatch, counting, stop rule, SQLite commit)",
         "value": overhead * 1e6, "unit": "us", "target": None},
        {"name": "engine overhead per batch relative to one PDSCH slot",
         "value": 100 * overhead / slot, "unit": "%", "target": None},
        {"name": "PDSCH slot time over the engine overhead per batch (>= 50: < 2 %)",
         "value": slot / overhead, "unit": "x", "target": 50},
        {"name": "PDSCH point on 1 worker process", "value": one, "unit": "blocks/s",
         "target": None},
        {"name": "PDSCH point on 2 worker processes (shared machine: pessimistic)", "value": two,
         "unit": "blocks/s", "target": None},
        {"name": "scaling from 1 to 2 worker processes", "value": two / one, "unit": "x",
         "target": None},
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.3g} {row['unit']} (target {row['target']})")

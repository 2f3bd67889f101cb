"""Running a scenario into a results store: new runs, resumed runs, progress reports.

:func:`start_run` records a new run (or finds the unfinished run to resume) and
:func:`execute_run` simulates it, committing every batch as the engine counts it. A run that is
interrupted keeps the status ``running``/``interrupted`` and its committed batches; resuming it
replays those and continues with the next batch of each point.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from opennr.sim.engine import PointResult, SweepPoint, run_points
from opennr.sim.links import build_link
from opennr.sim.report import summarize_run
from opennr.sim.scenario import Scenario, parse_scenario
from opennr.sim.store import ResultsStore, StoreError

__all__ = ["RunHandle", "execute_run", "find_run", "run_into_store", "start_run"]


@dataclass(frozen=True, slots=True)
class RunHandle:
    """A run in a store with its scenario; ``resumed`` when it continues an earlier run."""

    run_id: int
    scenario: Scenario
    resumed: bool


def start_run(store: ResultsStore, scenario: Scenario | None, *, resume: bool) -> RunHandle:
    """Record a new run of ``scenario``, or find the run to resume.

    With ``resume``, the latest unfinished run with the same effective configuration as
    ``scenario`` is continued; without a scenario, the latest unfinished run of the store.

    Raises
    ------
    StoreError
        Nothing to resume.
    """
    if resume:
        run_id = store.latest_unfinished(None if scenario is None else scenario.config)
        if run_id is None:
            which = "" if scenario is None else " of this scenario"
            raise StoreError(f"{store.path}: no unfinished run{which} to resume")
        if scenario is None:
            scenario = parse_scenario(store.run(run_id)["config"])
        return RunHandle(run_id, scenario, True)
    if scenario is None:
        raise ValueError("a scenario is needed to start a run")
    run_id = store.new_run(scenario.kind, scenario.config, [p.as_dict() for p in scenario.points],
                           scenario.seed, name=scenario.name)
    return RunHandle(run_id, scenario, False)


def execute_run(store: ResultsStore, handle: RunHandle, executor=None, *,
                on_progress: Callable[[int, PointResult], None] | None = None,
                on_point_done: Callable[[int, PointResult], None] | None = None) -> dict:
    """Simulate the run's remaining batches, committing each, and return its summary
    (:func:`~opennr.sim.report.summarize_run`).

    An exception (KeyboardInterrupt included) marks the run ``interrupted`` and propagates; the
    committed batches stay and ``--resume`` continues from them.
    """
    scenario = handle.scenario
    points = [SweepPoint(p.snr_db, p.curve, p.link) for p in scenario.points]
    # the counters of the scenario's link kind (the stop rule and the BLER floor read them)
    counters = build_link(scenario.points[0].link).counters
    run_into_store(store, handle.run_id, points, scenario.stop_rule(), scenario.seed,
                   executor=executor, counters=counters, on_progress=on_progress,
                   on_point_done=on_point_done)
    return summarize_run(store.run(handle.run_id), store.batches(handle.run_id))


def find_run(store: ResultsStore, config: dict, resume: bool) -> tuple[int | None, bool]:
    """With ``resume``, a finished run of the same effective configuration to reuse
    (``(id, True)``) or else the latest unfinished one to continue (``(id, False)``);
    ``(None, False)`` when there is none or without ``resume``."""
    if not resume:
        return None, False
    same = json.loads(json.dumps(config))
    for rec in reversed(store.runs()):
        if rec["status"] == "done" and rec["config"] == same:
            return rec["id"], True
    return store.latest_unfinished(config), False


def run_into_store(store: ResultsStore, run_id: int, points: list[SweepPoint], stop, seed: int, *,
                   executor=None, counters, on_progress=None, on_point_done=None) -> None:
    """Simulate the batches of run ``run_id`` not yet in ``store``, committing each as the engine
    counts it (:func:`~opennr.sim.engine.run_points`), and mark the run done. An exception
    (KeyboardInterrupt included) marks it ``interrupted`` and propagates."""
    store.set_status(run_id, "running")
    try:
        run_points(points, stop, seed, executor=executor, counters=counters,
                   done=store.batches(run_id),
                   on_batch=lambda p, b, s, c: store.add_batch(run_id, p, b, s, c),
                   on_progress=on_progress, on_point_done=on_point_done)
    except BaseException:
        store.set_status(run_id, "interrupted")
        raise
    store.finish(run_id)

"""Running conformance cases through the simulation engine (TS 38.104 §8.2.1, §8.2.2).

Each case is one run in the results store (so ``--resume`` continues it and ``opennr results``
shows it). Two methods:

* **quick**: only the required SNR, simulated until a one-sided Clopper-Pearson bound on the
  throughput fraction (delivered transport blocks per transmission, i.e. per slot) decides it
  against the criterion (0.7) at the stated confidence, or until ``max_slots`` slots; the verdict
  is ``pass`` (lower bound ≥ 0.7), ``fail`` (upper bound < 0.7) or, at the slot limit,
  ``undecided`` with the point estimate.
* **full**: an SNR sweep around the requirement (required − span .. + span), each point
  simulated until the two-sided Clopper-Pearson interval of its throughput is narrower than
  ``2 · precision``; the SNR at which the throughput crosses the criterion is interpolated
  (:func:`opennr.sim.stats.crossing_snr`) and the margin is required − achieved.

The decisions are taken after whole batches, in batch order, so that the verdicts and the store
are the same on one process, a pool or a Dask cluster. (Testing after every batch makes the
overall error a little larger than 1 − confidence; the bound is reported with the verdict.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scipy.stats import beta

from opennr.conformance.cases import ConformanceCase
from opennr.errors import ConfigError
from opennr.sim.engine import SweepPoint, run_points
from opennr.sim.report import summarize_run
from opennr.sim.scenario import parse_scenario
from opennr.sim.stats import crossing_snr
from opennr.sim.store import ResultsStore

__all__ = ["CaseResult", "ConformanceOptions", "ThroughputStop", "clopper_pearson", "run_case",
           "run_cases"]


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95, *,
                    sided: str = "two") -> tuple[float, float]:
    """Clopper-Pearson (exact binomial) bounds on a proportion ``successes / trials``.

    With ``sided="one"`` each bound is one-sided at ``confidence`` (the lower bound L satisfies
    P(p < L) ≤ 1 − confidence, likewise the upper); with ``"two"`` the pair is the two-sided
    interval. ``(0, 1)`` without trials.
    """
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"successes={successes}, trials={trials}: need 0 <= successes <= trials")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: must lie in (0, 1)")
    if trials == 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence if sided == "one" else (1.0 - confidence) / 2.0
    lo = 0.0 if successes == 0 else float(beta.ppf(alpha, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(beta.ppf(1 - alpha, successes + 1,
                                                         trials - successes))
    return lo, hi


def _delivered(counts: dict[str, int]) -> tuple[int, int]:
    """(delivered blocks, transmissions) of summed counters; the TBS is bits / blocks."""
    blocks = counts.get("blocks", 0)
    if not blocks:
        return 0, 0
    tbs = counts["bits"] // blocks
    return counts.get("delivered_bits", 0) // tbs, counts.get("transmissions", 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThroughputStop:
    """Stop rule on the throughput fraction, for :func:`opennr.sim.engine.run_points` (the same
    interface as :class:`~opennr.sim.engine.StopRule`).

    ``precision=None`` (quick): after at least ``min_slots`` transmissions, stop once the
    one-sided bounds at ``confidence`` put the throughput on one side of ``criterion``.
    Otherwise (full sweep): stop once the two-sided interval's half width is at most
    ``precision``. Always stop at ``max_slots`` transmissions.
    """

    max_slots: int
    batch_size: int = 8
    criterion: float = 0.7
    confidence: float = 0.95
    precision: float | None = None
    min_slots: int = 0
    bler_floor: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.max_slots, bool) or not isinstance(self.max_slots, int) \
                or self.max_slots < 1:
            raise ConfigError("max_slots", self.max_slots, "must be an integer >= 1")
        if not 0.5 <= self.confidence < 1.0:
            raise ConfigError("confidence", self.confidence, "must lie in [0.5, 1)")
        if self.precision is not None and not 0.0 < self.precision < 0.5:
            raise ConfigError("precision", self.precision, "must lie in (0, 0.5)")

    @property
    def max_blocks(self) -> int:
        return self.max_slots          # a block takes at least one slot

    @property
    def min_errors(self) -> int:
        return self.max_slots

    def batch_blocks(self, batch: int) -> int:
        return max(0, min(self.batch_size, self.max_blocks - batch * self.batch_size))

    def done(self, counts: dict[str, int]) -> bool:
        k, n = _delivered(counts)
        if n >= self.max_slots or counts.get("blocks", 0) >= self.max_blocks:
            return True
        if n < self.min_slots:
            return False
        if self.precision is None:
            lo, hi = clopper_pearson(k, n, self.confidence, sided="one")
            return lo >= self.criterion or hi < self.criterion
        lo, hi = clopper_pearson(k, n, self.confidence)
        return (hi - lo) / 2.0 <= self.precision

    def below_floor(self, counts: dict[str, int]) -> bool:
        return False

    def as_dict(self) -> dict:
        return {"max_slots": self.max_slots, "batch_size": self.batch_size,
                "criterion": self.criterion, "confidence": self.confidence,
                "precision": self.precision, "min_slots": self.min_slots}


@dataclass(frozen=True, slots=True, kw_only=True)
class ConformanceOptions:
    """How the cases are run.

    Parameters
    ----------
    quick : bool
        Quick verdict at the required SNR (else the full sweep).
    max_slots : int or None
        Slot (transmission) limit per SNR point; default 3000 (quick) or 1500 (full).
    min_slots : int
        Quick: slots simulated before a verdict may be taken (a guard against deciding on the
        first few, correlated, slots of one channel realisation); capped at ``max_slots``.
    confidence : float
        Confidence of the bounds.
    span, step : float
        Full sweep: required − span .. required + span in steps of ``step`` dB.
    precision : float
        Full sweep: half width of the 95 % interval of each point's throughput.
    estimator : str or None
        Channel estimator (default: the best practical one).
    seed, batch_size : int
    """

    quick: bool = True
    max_slots: int | None = None
    min_slots: int = 200
    confidence: float = 0.95
    span: float = 3.0
    step: float = 1.0
    precision: float = 0.05
    estimator: str | None = None
    seed: int = 1
    batch_size: int = 8

    def stop(self) -> ThroughputStop:
        slots = self.max_slots
        if slots is None:
            slots = 3000 if self.quick else 1500
        return ThroughputStop(max_slots=slots, batch_size=self.batch_size,
                              confidence=self.confidence, min_slots=min(self.min_slots, slots),
                              precision=None if self.quick else self.precision)

    def snrs(self, case: ConformanceCase) -> list[float]:
        if self.quick:
            return [case.snr_db]
        if not (0 < self.step <= self.span <= 20):
            raise ConfigError("step", self.step, "needs 0 < step <= span <= 20 dB")
        n = math.floor(2 * self.span / self.step + 1e-9)
        return [round(case.snr_db - self.span + i * self.step, 3) for i in range(n + 1)]

    def label(self) -> str:
        s = self.stop()
        if self.quick:
            return f"quick c={s.confidence:g} slots={s.min_slots}..{s.max_slots}"
        return (f"full span={self.span:g} step={self.step:g} precision={self.precision:g} "
                f"max_slots={s.max_slots}")


@dataclass(slots=True, kw_only=True)
class CaseResult:
    """What a run established about one case.

    ``points``: per SNR its ``snr_db``, ``throughput``, ``delivered``, ``transmissions``, the
    one-sided bounds ``low``/``high`` at the run's confidence. ``verdict``: ``pass``, ``fail`` or
    ``undecided`` (quick), ``pass``/``fail`` (full, on the achieved SNR against the required one).
    ``achieved_snr`` and ``margin`` (required − achieved, dB) in full mode; ``margin_bound`` says
    when the crossing lies outside the sweep (``">"`` or ``"<"``).
    """

    case: ConformanceCase
    quick: bool
    run_id: int
    points: list[dict]
    verdict: str
    confidence: float
    estimator: str
    achieved_snr: float | None = None
    margin: float | None = None
    margin_bound: str = ""
    summary: dict = field(default_factory=dict)


def _points(store: ResultsStore, run_id: int, confidence: float) -> list[dict]:
    record = store.run(run_id)
    batches = store.batches(run_id)
    out = []
    for meta in record["points"]:
        counts: dict[str, int] = {}
        for c in batches.get(meta["index"], []):
            for key, v in c.items():
                counts[key] = counts.get(key, 0) + int(v)
        k, n = _delivered(counts)
        lo, hi = clopper_pearson(k, n, confidence, sided="one")
        out.append({"snr_db": meta["snr_db"], "delivered": k, "transmissions": n,
                    "blocks": counts.get("blocks", 0),
                    "throughput": k / n if n else float("nan"), "low": lo, "high": hi})
    return out


def _find_run(store: ResultsStore, config: dict, resume: bool) -> tuple[int | None, bool]:
    """A finished run of the same configuration to reuse, or an unfinished one to continue."""
    if not resume:
        return None, False
    import json

    same = json.loads(json.dumps(config))
    for rec in reversed(store.runs()):
        if rec["status"] == "done" and rec["config"] == same:
            return rec["id"], True
    return store.latest_unfinished(config), False


def run_case(store: ResultsStore, case: ConformanceCase, options: ConformanceOptions, *,
             executor=None, resume: bool = False,
             on_progress: Callable[[int, object], None] | None = None) -> CaseResult:
    """Simulate one case (TS 38.104 §8.2.1.1: throughput at the required SNR ≥ 70 % of the
    maximum) into ``store`` and judge it.

    Raises
    ------
    ConfigError
        The case cannot run (see :func:`~opennr.conformance.cases.case_status`).
    """
    from opennr.link.metrics import TB_COUNTERS

    stop = options.stop()
    scenario = parse_scenario(case.scenario_dict(
        options.snrs(case), estimator=options.estimator, seed=options.seed,
        batch_size=options.batch_size, max_blocks=stop.max_blocks,
        name=f"conformance {case.case} {case.frc.name} {options.label()}"))
    run_id, finished = _find_run(store, scenario.config, resume)
    if run_id is None:
        run_id = store.new_run(scenario.kind, scenario.config,
                               [p.as_dict() for p in scenario.points], scenario.seed,
                               name=scenario.name)
    if not finished:
        store.set_status(run_id, "running")
        points = [SweepPoint(p.snr_db, p.curve, p.link) for p in scenario.points]
        try:
            run_points(points, stop, scenario.seed, executor=executor, counters=TB_COUNTERS,
                       done=store.batches(run_id),
                       on_batch=lambda p, b, s, c: store.add_batch(run_id, p, b, s, c),
                       on_progress=on_progress)
        except BaseException:
            store.set_status(run_id, "interrupted")
            raise
        store.finish(run_id)
    pts = _points(store, run_id, options.confidence)
    summary = summarize_run(store.run(run_id), store.batches(run_id))
    result = CaseResult(case=case, quick=options.quick, run_id=run_id, points=pts, verdict="",
                        confidence=options.confidence,
                        estimator=scenario.config["receiver"]["estimator"], summary=summary)
    _judge(result, case.fraction)
    return result


def _judge(result: CaseResult, criterion: float) -> None:
    pts = result.points
    if result.quick:
        p = pts[0]
        if p["low"] >= criterion:
            result.verdict = "pass"
        elif p["high"] < criterion:
            result.verdict = "fail"
        else:
            result.verdict = "undecided"
        return
    done = [p for p in pts if p["transmissions"]]
    snrs = [p["snr_db"] for p in done]
    tput = [p["throughput"] for p in done]
    achieved = crossing_snr(snrs, tput, criterion)
    required = result.case.snr_db
    if achieved is None and done and tput[0] >= criterion:
        achieved, result.margin_bound = None, ">"
        result.margin = required - snrs[0]
    elif achieved is None:
        result.margin_bound = "<"
        result.margin = required - snrs[-1] if snrs else None
    else:
        result.achieved_snr = achieved
        result.margin = required - achieved
    result.verdict = "pass" if result.margin is not None and result.margin >= 0 and \
        result.margin_bound != "<" else "fail"


def run_cases(store: ResultsStore, cases: Sequence[ConformanceCase], options: ConformanceOptions,
              *, executor=None, resume: bool = False,
              on_case: Callable[[ConformanceCase], None] | None = None,
              on_result: Callable[[CaseResult], None] | None = None,
              on_progress: Callable[[int, object], None] | None = None) -> list[CaseResult]:
    """:func:`run_case` for each case in turn."""
    results = []
    for case in cases:
        if on_case:
            on_case(case)
        r = run_case(store, case, options, executor=executor, resume=resume,
                     on_progress=on_progress)
        results.append(r)
        if on_result:
            on_result(r)
    return results

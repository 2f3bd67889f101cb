"""Running conformance cases through the simulation engine (TS 38.104 §8.2.1, §8.2.2).

Each case is one run in the results store (so ``--resume`` continues it and ``opennr results``
shows it). The statistics rest on independent batches, not on slots: the blocks of one batch
share one slowly fading channel realisation, while every batch draws its own (see
:mod:`opennr.conformance.stats`, which also says why short independent segments estimate the
throughput of the standard's long continuous run). A batch is ``batch_size`` transport blocks
(one by default) with their HARQ retransmissions, 1 to 4 slots per block. Two methods:

* **quick**: only the required SNR, simulated until the one-sided betting bound of
  :func:`~opennr.conformance.stats.throughput_bounds` on the throughput fraction (delivered
  blocks over slots) decides it against the criterion (0.7) at the stated confidence, after at
  least ``min_batches`` batches, or until ``max_slots`` slots; the verdict is ``pass`` (lower
  bound ≥ 0.7), ``fail`` (upper bound < 0.7) or, at the slot limit, ``undecided``.
* **full**: an SNR sweep around the requirement (required − span .. + span), each point
  simulated until the two-sided interval of its throughput is at most ``2 · precision`` wide
  (or ``max_slots``); the SNR at which the throughput crosses the criterion is interpolated
  (:func:`opennr.sim.stats.crossing_snr`), the margin is required − achieved, and the crossings
  of the upper and lower bounds give an interval of the achieved SNR.

The bounds hold uniformly over the number of batches (a confidence sequence), so deciding after
every batch keeps the stated confidence. The decisions are taken after whole batches, in batch
order, so that the verdicts and the store are the same on one process, a pool or a Dask
cluster.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import beta

from opennr.conformance.cases import MAX_TRANSMISSIONS, ConformanceCase
from opennr.conformance.stats import (
    batch_outcome,
    outcome_counts,
    outcome_key,
    throughput_bounds,
    throughput_wealth,
)
from opennr.errors import ConfigError
from opennr.sim.engine import SweepPoint
from opennr.sim.report import summarize_run
from opennr.sim.runner import find_run, run_into_store
from opennr.sim.scenario import parse_scenario
from opennr.sim.stats import crossing_snr
from opennr.sim.store import ResultsStore

__all__ = ["PUCCH_MAX_SLOTS", "PUCCH_MIN_SLOTS", "RUNS_PUCCH", "BatchOutcomeLink", "CaseResult",
           "ConformanceOptions", "ThroughputStop", "clopper_pearson", "run_case", "run_cases",
           "throughput_verdict"]

#: The PUCCH rows of TS 38.104 §8.3 run here with their own criteria
#: (:func:`opennr.conformance.pucch.run_pucch_case`).
RUNS_PUCCH = True
#: Slot limit of a PUCCH case without ``max_slots`` (one slot per independent batch): enough for
#: the bounds to show a 1 % limit met when the true rate is about half of it.
PUCCH_MAX_SLOTS = 20_000
#: First checkpoint of a PUCCH case (:class:`opennr.conformance.pucch.PucchStop`).
PUCCH_MIN_SLOTS = 500


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95, *,
                    sided: str = "two") -> tuple[float, float]:
    """Clopper-Pearson (exact binomial) bounds on a proportion ``successes / trials``.

    Valid only for independent trials: the slots of one fading channel realisation are not, so
    the conformance verdicts use :func:`~opennr.conformance.stats.throughput_bounds` on
    independent batches instead. With ``sided="one"`` each bound is one-sided at
    ``confidence`` (the lower bound L satisfies P(p < L) ≤ 1 − confidence, likewise the upper);
    with ``"two"`` the pair is the two-sided interval. ``(0, 1)`` without trials.
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


def throughput_verdict(outcomes, *, blocks: int, max_transmissions: int = MAX_TRANSMISSIONS,
                       criterion: float = 0.7, confidence: float = 0.95) -> str:
    """``pass`` when the batch outcomes reject "throughput ≤ criterion" at ``confidence``,
    ``fail`` when they reject "throughput ≥ criterion", else ``undecided`` (TS 38.104 §8.2.1.1;
    the betting test of :mod:`opennr.conformance.stats`, valid at any stopping batch).

    Parameters
    ----------
    outcomes : mapping or iterable
        ``{(K, N): batches}`` or (K, N) per batch: delivered blocks and slots.
    blocks, max_transmissions : int
        Blocks per batch and transmissions per block at most.
    """
    level = math.log(1.0 / (1.0 - confidence))
    kw = {"blocks": blocks, "max_transmissions": max_transmissions}
    if throughput_wealth(outcomes, criterion, side="pass", **kw) >= level:
        return "pass"
    if throughput_wealth(outcomes, criterion, side="fail", **kw) >= level:
        return "fail"
    return "undecided"


@dataclass(frozen=True, slots=True)
class BatchOutcomeLink:
    """A link whose batches also count their outcome, for the throughput bounds of the
    TS 38.104 §8.2.1.1 verdicts: the counter :func:`~opennr.conformance.stats.outcome_key`
    (K delivered blocks, N slots) is 1, so that the summed counters of a point hold the
    histogram of its batch outcomes, which the stop rule's bounds need. Picklable; ``link`` is a
    link or what :func:`opennr.sim.links.build_link` builds one from (in the worker)."""

    link: Any

    def run_batch(self, snr_db: float, n_blocks: int, rng) -> dict[str, int]:
        link = self.link
        if not hasattr(link, "run_batch"):
            from opennr.sim.links import build_link

            link = build_link(link)
        counts = dict(link.run_batch(snr_db, n_blocks, rng))
        _, k, n = batch_outcome(counts)
        counts[outcome_key(k, n)] = 1
        return counts


@dataclass(frozen=True, slots=True, kw_only=True)
class ThroughputStop:
    """Stop rule on the throughput fraction (TS 38.104 §8.2.1.1) for
    :func:`opennr.sim.engine.run_points` (the interface of :class:`~opennr.sim.engine.StopRule`),
    on the batch outcomes that :class:`BatchOutcomeLink` counts.

    ``precision=None`` (quick): after at least ``min_batches`` batches, stop once
    :func:`throughput_verdict` decides at ``confidence``. Otherwise (full sweep): stop once the
    two-sided interval's half width is at most ``precision``. Always stop at ``max_slots``
    transmissions. Every batch has ``batch_size`` blocks (the block limit is a whole number of
    batches).
    """

    max_slots: int
    batch_size: int = 1
    max_transmissions: int = MAX_TRANSMISSIONS
    criterion: float = 0.7
    confidence: float = 0.95
    precision: float | None = None
    min_batches: int = 0
    bler_floor: float = 0.0

    def __post_init__(self) -> None:
        for name in ("max_slots", "batch_size", "max_transmissions"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(name, v, "must be an integer >= 1")
        if isinstance(self.min_batches, bool) or not isinstance(self.min_batches, int) \
                or self.min_batches < 0:
            raise ConfigError("min_batches", self.min_batches, "must be an integer >= 0")
        if not 0.5 <= self.confidence < 1.0:
            raise ConfigError("confidence", self.confidence, "must lie in [0.5, 1)")
        if not 0.0 < self.criterion < 1.0:
            raise ConfigError("criterion", self.criterion, "must lie in (0, 1)")
        if self.precision is not None and not 0.0 < self.precision < 0.5:
            raise ConfigError("precision", self.precision, "must lie in (0, 0.5)")

    @property
    def max_blocks(self) -> int:
        """A block takes at least one slot; rounded up to whole batches."""
        return -(-self.max_slots // self.batch_size) * self.batch_size

    @property
    def min_errors(self) -> int:
        return self.max_blocks

    def batch_blocks(self, batch: int) -> int:
        return max(0, min(self.batch_size, self.max_blocks - batch * self.batch_size))

    def verdict(self, counts: dict[str, int]) -> str:
        """:func:`throughput_verdict` of summed counters."""
        return throughput_verdict(outcome_counts(counts), blocks=self.batch_size,
                                  max_transmissions=self.max_transmissions,
                                  criterion=self.criterion, confidence=self.confidence)

    def done(self, counts: dict[str, int]) -> bool:
        if counts.get("transmissions", 0) >= self.max_slots \
                or counts.get("blocks", 0) >= self.max_blocks:
            return True
        outcomes = outcome_counts(counts)
        if sum(outcomes.values()) < max(1, self.min_batches):
            return False
        if self.precision is None:
            return self.verdict(counts) != "undecided"
        lo, hi = throughput_bounds(outcomes, blocks=self.batch_size,
                                   max_transmissions=self.max_transmissions,
                                   confidence=self.confidence, sided="two")
        return (hi - lo) / 2.0 <= self.precision

    def below_floor(self, counts: dict[str, int]) -> bool:
        return False

    def as_dict(self) -> dict:
        return {"max_slots": self.max_slots, "batch_size": self.batch_size,
                "max_transmissions": self.max_transmissions, "criterion": self.criterion,
                "confidence": self.confidence, "precision": self.precision,
                "min_batches": self.min_batches}


@dataclass(frozen=True, slots=True, kw_only=True)
class ConformanceOptions:
    """How the cases are run.

    Parameters
    ----------
    quick : bool
        Quick verdict at the required SNR (else the full sweep).
    max_slots : int or None
        Slot (transmission) limit per SNR point; default 3000 (quick) or 1500 (full).
    min_batches : int
        Quick: batches simulated before a verdict may be taken (the bound is valid at any batch;
        this only guards against deciding on a handful of channel realisations); capped at the
        batches ``max_slots`` allows.
    confidence : float
        Confidence of the bounds (quick: one-sided; full: the two-sided interval of each point).
    span, step : float
        Full sweep: required − span .. required + span in steps of ``step`` dB.
    precision : float
        Full sweep: half width of the interval of each point's throughput.
    estimator : str or None
        Channel estimator (default: the best practical one).
    seed : int
    batch_size : int
        Transport blocks per batch, each batch an independent channel realisation. One block
        (1 to 4 slots with its retransmissions) gives the most independent samples per slot
        simulated, which is what the bounds need (:mod:`opennr.conformance.stats`).
    """

    quick: bool = True
    max_slots: int | None = None
    min_batches: int = 20
    confidence: float = 0.95
    span: float = 3.0
    step: float = 1.0
    precision: float = 0.05
    estimator: str | None = None
    seed: int = 1
    batch_size: int = 1

    def stop(self) -> ThroughputStop:
        slots = self.max_slots
        if slots is None:
            slots = 3000 if self.quick else 1500
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) \
                or not 1 <= self.batch_size <= 64:
            raise ConfigError("batch_size", self.batch_size, "must be an integer in 1 .. 64")
        if isinstance(slots, int) and not isinstance(slots, bool) and slots >= 1:
            min_batches = min(self.min_batches, -(-slots // self.batch_size))
        else:
            min_batches = self.min_batches
        return ThroughputStop(max_slots=slots, batch_size=self.batch_size,
                              confidence=self.confidence, min_batches=min_batches,
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
            return (f"quick c={s.confidence:g} batches of {s.batch_size} TB, "
                    f"min {s.min_batches} batches, max {s.max_slots} slots")
        return (f"full span={self.span:g} step={self.step:g} precision={self.precision:g} "
                f"batches of {s.batch_size} TB, max {s.max_slots} slots")


@dataclass(slots=True, kw_only=True)
class CaseResult:
    """What a run established about one case.

    ``points``: per SNR its ``snr_db``, ``throughput`` (delivered blocks over slots),
    ``delivered``, ``transmissions`` (slots), ``blocks``, ``batches`` (independent channel
    realisations), ``batch_size``, and the bounds ``low``/``high`` from the batches (quick:
    one-sided at the run's confidence; full: the two-sided interval). ``verdict``: ``pass``,
    ``fail`` or ``undecided`` (quick), ``pass``/``fail`` (full, on the achieved SNR against the
    required one). In full mode ``achieved_snr`` and ``margin`` (required − achieved, dB), with
    ``margin_bound`` when the crossing lies outside the sweep (``">"`` or ``"<"``), and
    ``achieved_range``: the SNRs at which the upper and the lower throughput bounds cross the
    criterion (interpolated like the point estimate; −inf or +inf when a bound crosses it
    below or above the sweep).
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
    achieved_range: tuple[float, float] | None = None
    summary: dict = field(default_factory=dict)

    @property
    def margin_range(self) -> tuple[float, float] | None:
        """(low, high) margin from :attr:`achieved_range` (required − achieved)."""
        if self.achieved_range is None:
            return None
        lo, hi = self.achieved_range
        return self.case.snr_db - hi, self.case.snr_db - lo


def _points(store: ResultsStore, run_id: int, confidence: float, quick: bool) -> list[dict]:
    record = store.run(run_id)
    batches = store.batches(run_id)
    out = []
    for meta in record["points"]:
        per_batch = [batch_outcome(c) for c in batches.get(meta["index"], [])]
        per_batch = [o for o in per_batch if o[0]]
        size = per_batch[0][0] if per_batch else 0
        # Every batch has the same size (ThroughputStop.max_blocks); any other is left out.
        outcomes: dict[tuple[int, int], int] = {}
        for b, k, n in per_batch:
            if b == size:
                outcomes[k, n] = outcomes.get((k, n), 0) + 1
        k_sum = sum(k for _, k, _ in per_batch)
        n_sum = sum(n for _, _, n in per_batch)
        if outcomes:
            lo, hi = throughput_bounds(outcomes, blocks=size, max_transmissions=MAX_TRANSMISSIONS,
                                       confidence=confidence, sided="one" if quick else "two")
        else:
            lo, hi = 0.0, 1.0
        out.append({"snr_db": meta["snr_db"], "delivered": k_sum, "transmissions": n_sum,
                    "blocks": sum(b for b, _, _ in per_batch), "batches": sum(outcomes.values()),
                    "batch_size": size, "outcomes": outcomes,
                    "throughput": k_sum / n_sum if n_sum else float("nan"), "low": lo, "high": hi})
    return out


def run_case(store: ResultsStore, case: ConformanceCase, options: ConformanceOptions, *,
             executor=None, resume: bool = False,
             on_progress: Callable[[int, object], None] | None = None):
    """Simulate one case into ``store`` and judge it.

    A PUSCH or PDSCH case (TS 38.104 §8.2.1.1, TS 38.101-4 §5.2: throughput at the required SNR
    ≥ 70 % of the maximum) gives a :class:`CaseResult`. A PUCCH case (TS 38.104 §8.3, ``link``
    ``"pucch"``) runs at its required SNR with its own criteria, whatever ``options.quick``, by
    :func:`opennr.conformance.pucch.run_pucch_case` (``options.max_slots`` or
    :data:`PUCCH_MAX_SLOTS` slots at most, first checkpoint at :data:`PUCCH_MIN_SLOTS` or the
    slot limit, ``options.confidence`` and ``options.seed``) and gives its
    :class:`~opennr.conformance.pucch.PucchCaseResult` (``figures`` per criterion).

    Raises
    ------
    ConfigError
        The case cannot run (see :func:`~opennr.conformance.cases.case_status`).
    """
    if case.link == "pucch":
        return _run_pucch(store, case, options, executor=executor, resume=resume,
                          on_progress=on_progress)
    from opennr.link.metrics import TB_COUNTERS

    stop = dataclasses.replace(options.stop(), criterion=case.fraction)
    scenario = parse_scenario(case.scenario_dict(
        options.snrs(case), estimator=options.estimator, seed=options.seed,
        batch_size=options.batch_size, max_blocks=stop.max_blocks,
        name=f"conformance {case.case} {case.frc.name} {options.label()}"))
    run_id, finished = find_run(store, scenario.config, resume)
    if run_id is None:
        run_id = store.new_run(scenario.kind, scenario.config,
                               [p.as_dict() for p in scenario.points], scenario.seed,
                               name=scenario.name)
    if not finished:
        points = [SweepPoint(p.snr_db, p.curve, BatchOutcomeLink(p.link))
                  for p in scenario.points]
        run_into_store(store, run_id, points, stop, scenario.seed, executor=executor,
                       counters=TB_COUNTERS, on_progress=on_progress)
    pts = _points(store, run_id, options.confidence, options.quick)
    summary = summarize_run(store.run(run_id), store.batches(run_id))
    for row, p in zip(summary["points"], pts, strict=True):
        # The plot's throughput bars: the bounds from the independent batches.
        if p["transmissions"]:
            row["throughput_low"], row["throughput_high"] = p["low"], p["high"]
    result = CaseResult(case=case, quick=options.quick, run_id=run_id, points=pts, verdict="",
                        confidence=options.confidence,
                        estimator=scenario.config["receiver"]["estimator"], summary=summary)
    _judge(result, case.fraction)
    return result


def _run_pucch(store: ResultsStore, case, options: ConformanceOptions, *, executor, resume,
               on_progress):
    from opennr.conformance.pucch import run_pucch_case

    slots = PUCCH_MAX_SLOTS if options.max_slots is None else options.max_slots
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
        raise ConfigError("max_slots", slots, "must be an integer >= 1")
    return run_pucch_case(store, case, max_slots=slots, min_slots=min(PUCCH_MIN_SLOTS, slots),
                          confidence=options.confidence, seed=options.seed, executor=executor,
                          resume=resume, on_progress=on_progress)


def _crossing(snrs: list[float], values: list[float], criterion: float) -> float:
    """:func:`crossing_snr`, with −inf when the values start at or above the criterion and +inf
    when they never reach it (the crossing lies outside the sweep)."""
    s = crossing_snr(snrs, values, criterion)
    if s is not None:
        return s
    return -math.inf if values and values[0] >= criterion else math.inf


def _judge(result: CaseResult, criterion: float) -> None:
    pts = result.points
    if result.quick:
        p = pts[0]
        if p["batches"]:
            result.verdict = throughput_verdict(p["outcomes"], blocks=p["batch_size"],
                                                criterion=criterion,
                                                confidence=result.confidence)
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
    # The upper bounds cross the criterion first (the optimistic end), the lower ones last.
    result.achieved_range = (_crossing(snrs, [p["high"] for p in done], criterion),
                             _crossing(snrs, [p["low"] for p in done], criterion))
    result.verdict = "pass" if result.margin is not None and result.margin >= 0 and \
        result.margin_bound != "<" else "fail"


def run_cases(store: ResultsStore, cases: Sequence[ConformanceCase], options: ConformanceOptions,
              *, executor=None, resume: bool = False,
              on_case: Callable[[ConformanceCase], None] | None = None,
              on_result: Callable[[Any], None] | None = None,
              on_progress: Callable[[int, object], None] | None = None) -> list:
    """:func:`run_case` for each case in turn (PUSCH, PDSCH and PUCCH cases alike)."""
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

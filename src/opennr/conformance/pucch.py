"""TS 38.104 §8.3 — the PUCCH performance requirements of the base station as test cases.

The requirement rows (formats 0 to 4, Tables 8.3.2.2-1 .. 8.3.6.2-2) are transcribed once, as the
CSV file ``data/pucch_requirements.csv`` (its header names the source). A :class:`PucchCase`
turns a row into a scenario of :mod:`opennr.sim.scenario` (the ``pucch`` link with the stated
resource, antennas and channel) and carries its criterion as data: a probability (``metric``,
one of :data:`opennr.link.pucch.PUCCH_RATES`) that must not exceed ``limit`` at the required
SNR, and for the ACK tests a second one on noise alone (``dtx_metric`` ≤ ``dtx_limit``).

Verdicts (:func:`pucch_verdict`). Every batch is one slot on its own channel realisation, so the
slots are independent trials. Each criterion is judged on exact (Clopper-Pearson) one-sided
bounds: ``pass`` when the upper bound of every probability is at most its limit, ``fail`` when
the lower bound of one exceeds its limit, ``undecided`` otherwise. The decisions are taken only at
the checkpoints ``min_slots``, 2 ``min_slots``, 4 ``min_slots`` ... up to ``max_slots``, each at
the level (1 − confidence) divided by the number of checkpoints and criteria (Bonferroni), so
that stopping at the first decision keeps the stated confidence. The per-bit probabilities of
two-bit payloads count both bits of a slot, which share its channel: their bounds treat the bits
as independent trials and are slightly optimistic there.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from scipy.stats import beta

from opennr.errors import ConfigError

__all__ = ["PUCCH_CASE_TABLE", "PucchCase", "PucchCaseResult", "PucchResource", "PucchStop",
           "load_pucch_cases", "pucch_bounds", "pucch_verdict", "run_pucch_case",
           "run_pucch_cases"]

#: The requirement rows of TS 38.104 §8.3.
PUCCH_CASE_TABLE = Path(__file__).with_name("data") / "pucch_requirements.csv"

#: The counters (numerator, trials) of each probability a criterion may name
#: (:data:`opennr.link.pucch.PUCCH_RATES`).
_RATES = {
    "bler": ("block_errors", "blocks"),
    "ack_missed": ("ack_missed", "ack_bits"),
    "nack_to_ack": ("nack_to_ack", "nack_bits"),
    "dtx_to_ack": ("dtx_false_ack", "dtx_slots"),
    "dtx_detection": ("dtx_detections", "dtx_slots"),
}

#: What the conformance runner must provide before it runs these cases: their criteria, by handing
#: them to :func:`run_pucch_case` (its attribute ``RUNS_PUCCH`` set to True once it does). Until
#: then the cases list as ``needs pucch-runner`` and ``opennr conformance run`` leaves them out.
RUNNER_FEATURE = "pucch-runner"

#: False-alarm target of the receiver's DTX thresholds in the cases: below the 1 % DTX-to-ACK limit
#: of TS 38.104 §8.3, so that a bound from a few thousand slots can show the limit is met.
DTX_FALSE_ALARM = 0.002


class PucchResource(NamedTuple):
    """What identifies the PUCCH set-up of a case in listings (in the place of a PUSCH FRC)."""

    name: str
    bandwidth_mhz: int
    scs: int


def _runner_runs_pucch() -> bool:
    from opennr.conformance import runner

    return bool(getattr(runner, "RUNS_PUCCH", False))


@dataclass(frozen=True, slots=True, kw_only=True)
class PucchCase:
    """One requirement row of TS 38.104 §8.3 (the columns of ``pucch_requirements.csv``).

    Attributes
    ----------
    case : str
        Identifier ``<table>-r<row>``, e.g. ``8.3.2.2-1-r1``.
    clause, table : str
    row : int
    format : int
        PUCCH format.
    test : str
        ``ack_missed``, ``nack_to_ack``, ``uci_bler``, ``uci_bler_test1`` / ``_test2``.
    metric, limit : str, float
        The probability (:data:`opennr.link.pucch.PUCCH_RATES`) and its largest allowed value at
        the required SNR.
    dtx_metric, dtx_limit : str, float or None
        The probability on noise alone and its limit; ``""``/``None`` without one.
    payload : str
        HARQ-ACK bits sent: ``random``, ``ack``, ``nack``.
    scs, bandwidth_mhz, n_prb : int
        Subcarrier spacing (kHz), channel bandwidth (MHz) and carrier PRBs.
    n_rx : int
    channel, correlation : str
    first_symbol, n_symbols, pucch_prbs : int
    hopping, additional_dmrs : bool
    bits : int
        HARQ-ACK bits (formats 0, 1) or UCI bits (formats 2-4).
    snr_db : float
        Required SNR.
    spec : str
    default : bool
        In the quick default set.
    """

    case: str
    clause: str
    table: str
    row: int
    format: int
    test: str
    metric: str
    limit: float
    dtx_metric: str
    dtx_limit: float | None
    payload: str
    scs: int
    bandwidth_mhz: int
    n_prb: int
    n_rx: int
    channel: str
    correlation: str
    first_symbol: int
    n_symbols: int
    pucch_prbs: int
    hopping: bool
    bits: int
    additional_dmrs: bool
    snr_db: float
    spec: str
    default: bool
    link: str = "pucch"
    n_tx: int = 1
    layers: int = 1
    requires: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.requires is None:
            object.__setattr__(self, "requires",
                               () if _runner_runs_pucch() else (RUNNER_FEATURE,))
        if self.metric not in _RATES or (self.dtx_metric and self.dtx_metric not in _RATES):
            raise ValueError(f"{self.case}: unknown criterion {self.metric!r}/{self.dtx_metric!r}")

    @property
    def frc(self) -> PucchResource:
        """The PUCCH set-up in the place of a PUSCH FRC (listings select by its name)."""
        return PucchResource(f"PUCCH-F{self.format}-{self.test}", self.bandwidth_mhz, self.scs)

    @property
    def fraction(self) -> float:
        """Payloads to deliver, 1 − ``limit`` (the throughput form of the criterion)."""
        return 1.0 - self.limit

    @property
    def source(self) -> str:
        return f"{self.spec} §{self.clause} Table {self.table} row {self.row}"

    @property
    def criteria(self) -> tuple[tuple[str, float], ...]:
        """(probability, limit) pairs the case must meet."""
        out = ((self.metric, self.limit),)
        if self.dtx_metric:
            out += ((self.dtx_metric, float(self.dtx_limit)),)
        return out

    def describe(self) -> str:
        hop = ", hopping" if self.hopping else ""
        dmrs = ", additional DM-RS" if self.additional_dmrs else ""
        crit = " and ".join(f"{m} <= {lim:g}" for m, lim in self.criteria)
        return (f"{self.case} PUCCH format {self.format} {self.test}: {self.bits} bit(s), "
                f"{self.pucch_prbs} PRB, {self.n_symbols} symbol(s){hop}{dmrs}, 1x{self.n_rx} "
                f"{self.channel} {self.correlation}, {self.bandwidth_mhz} MHz / {self.scs} kHz, "
                f"{crit} at {self.snr_db:g} dB")

    def scenario_dict(self, snrs: Sequence[float], *, estimator: str | None = None, seed: int = 1,
                      batch_size: int = 1, max_blocks: int = 10_000, name: str = "") -> dict:
        """The scenario that simulates the case at ``snrs``: the PUCCH resource of TS 38.104
        §8.3 (group hopping neither, hoppingId 0, m_0 = 0, OCC 0, N_SF = 2, QPSK, second hop on
        the last PRBs of the carrier), N_ID^cell = 0, DM-RS channel estimation (never perfect
        CSI), DTX slots for the criteria on noise alone with thresholds for
        :data:`DTX_FALSE_ALARM`."""
        if estimator == "perfect":
            raise ConfigError("estimator", estimator, "a conformance test uses a practical channel "
                              "estimator, not perfect CSI", "TS 38.104 §8.1")
        pucch = {"format": self.format, "symbols": [self.first_symbol, self.n_symbols],
                 "start_prb": 0, "n_prb": self.pucch_prbs, "hopping": self.hopping,
                 "bits": self.bits, "payload": self.payload, "initial_cyclic_shift": 0,
                 "occ_index": 0, "spreading_factor": 2, "modulation": "QPSK",
                 "additional_dmrs": self.additional_dmrs, "group_hopping": "neither",
                 "hopping_id": 0, "false_alarm": DTX_FALSE_ALARM, "dtx": bool(self.dtx_metric),
                 "estimator": "dmrs"}
        return {
            "link": {"kind": "pucch", "scs": self.scs, "n_prb": self.n_prb, "n_cell_id": 0,
                     "n_rx": self.n_rx, "n_rnti": 1, "pucch": pucch},
            "channel": {"model": self.channel, "correlation": self.correlation},
            "sweep": {"snr": [float(s) for s in snrs]},
            "stop": {"min_errors": max_blocks, "max_blocks": max_blocks, "bler_floor": 0.0},
            "run": {"seed": seed, "batch_size": batch_size,
                    "name": name or f"conformance {self.case} {self.frc.name}"},
        }


def _flag(v: str) -> bool:
    if v not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got {v!r}")
    return v == "1"


@cache
def load_pucch_cases(path: Path = PUCCH_CASE_TABLE) -> tuple[PucchCase, ...]:
    """Every requirement row of ``pucch_requirements.csv``, in table order."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    out = []
    for r in rows:
        out.append(PucchCase(
            case=r["case"], clause=r["clause"], table=r["table"], row=int(r["row"]),
            format=int(r["format"]), test=r["test"], metric=r["metric"], limit=float(r["limit"]),
            dtx_metric=r["dtx_metric"],
            dtx_limit=float(r["dtx_limit"]) if r["dtx_limit"] else None, payload=r["payload"],
            scs=int(r["scs"]), bandwidth_mhz=int(r["bandwidth_mhz"]), n_prb=int(r["n_prb"]),
            n_rx=int(r["n_rx"]), channel=r["channel"], correlation=r["correlation"],
            first_symbol=int(r["first_symbol"]), n_symbols=int(r["n_symbols"]),
            pucch_prbs=int(r["pucch_prbs"]), hopping=_flag(r["hopping"]), bits=int(r["bits"]),
            additional_dmrs=_flag(r["additional_dmrs"]), snr_db=float(r["snr_db"]),
            spec=r["spec"], default=_flag(r["default"])))
    return tuple(out)


def pucch_bounds(errors: int, trials: int, alpha: float) -> tuple[float, float]:
    """One-sided Clopper-Pearson bounds (each at level ``alpha``) on a probability."""
    errors = min(errors, trials)
    if trials == 0:
        return 0.0, 1.0
    lo = 0.0 if errors == 0 else float(beta.ppf(alpha, errors, trials - errors + 1))
    hi = 1.0 if errors == trials else float(beta.ppf(1 - alpha, errors + 1, trials - errors))
    return lo, hi


def _checkpoints(min_slots: int, max_slots: int) -> list[int]:
    out, n = [], max(1, min_slots)
    while n < max_slots:
        out.append(n)
        n *= 2
    return [*out, max_slots]


def pucch_verdict(counts: dict[str, int], case: PucchCase, *, alpha: float) -> tuple[str, dict]:
    """``pass``, ``fail`` or ``undecided`` for summed link counters, each criterion judged on
    its one-sided bounds at level ``alpha``; also the estimate and bounds of every criterion,
    ``{metric: (estimate, low, high, limit)}``."""
    figures = {}
    verdicts = []
    for metric, limit in case.criteria:
        num, den = _RATES[metric]
        k, n = int(counts.get(num, 0)), int(counts.get(den, 0))
        lo, hi = pucch_bounds(k, n, alpha)
        figures[metric] = (k / n if n else float("nan"), lo, hi, limit)
        verdicts.append("pass" if hi <= limit else "fail" if lo > limit else "undecided")
    if "fail" in verdicts:
        return "fail", figures
    return ("pass" if all(v == "pass" for v in verdicts) else "undecided"), figures


@dataclass(frozen=True, slots=True, kw_only=True)
class PucchStop:
    """Stop rule of a PUCCH case for :func:`opennr.sim.engine.run_points` (the interface of
    :class:`~opennr.sim.engine.StopRule`): one-slot batches, decisions at the checkpoints of the
    module docstring, at most ``max_slots`` slots."""

    case: PucchCase
    max_slots: int = 20_000
    min_slots: int = 500
    confidence: float = 0.95
    batch_size: int = 1
    bler_floor: float = 0.0

    def __post_init__(self) -> None:
        for name in ("max_slots", "min_slots", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(name, v, "must be an integer >= 1")
        if not 0.5 <= self.confidence < 1.0:
            raise ConfigError("confidence", self.confidence, "must lie in [0.5, 1)")

    @property
    def checkpoints(self) -> list[int]:
        return _checkpoints(self.min_slots, self.max_slots)

    @property
    def alpha(self) -> float:
        """Level of each bound: 1 − confidence over the checkpoints and criteria."""
        return (1.0 - self.confidence) / (len(self.checkpoints) * len(self.case.criteria))

    @property
    def max_blocks(self) -> int:
        return self.max_slots

    @property
    def min_errors(self) -> int:
        return self.max_slots

    def batch_blocks(self, batch: int) -> int:
        return max(0, min(self.batch_size, self.max_slots - batch * self.batch_size))

    def done(self, counts: dict[str, int]) -> bool:
        slots = counts.get("blocks", 0)
        if slots >= self.max_slots:
            return True
        if slots not in self.checkpoints:
            return False
        return pucch_verdict(counts, self.case, alpha=self.alpha)[0] != "undecided"

    def below_floor(self, counts: dict[str, int]) -> bool:
        return False

    def as_dict(self) -> dict:
        return {"max_slots": self.max_slots, "min_slots": self.min_slots,
                "confidence": self.confidence, "batch_size": self.batch_size}


@dataclass(slots=True, kw_only=True)
class PucchCaseResult:
    """What a run established about one PUCCH case (TS 38.104 §8.3): the verdict, the slots
    simulated and, per criterion, ``(estimate, low, high, limit)`` with the bounds at level
    ``alpha``; ``confidence`` is the run's overall confidence, ``estimator`` the receiver's."""

    case: PucchCase
    run_id: int
    verdict: str
    slots: int
    counts: dict[str, int]
    figures: dict[str, tuple[float, float, float, float]]
    alpha: float
    confidence: float = 0.95
    estimator: str = "dmrs"
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)

    def line(self) -> str:
        """One line for a console or a report."""
        parts = [f"{m} {est:.4f} [{lo:.4f}, {hi:.4f}] (limit {lim:g})"
                 for m, (est, lo, hi, lim) in self.figures.items()]
        return (f"{self.case.case} {self.verdict}: " + "; ".join(parts)
                + f" over {self.slots} slots at {self.case.snr_db:g} dB")


def run_pucch_case(store, case: PucchCase, *, max_slots: int = 20_000, min_slots: int = 500,
                   confidence: float = 0.95, seed: int = 1, executor=None, resume: bool = False,
                   on_progress: Callable[[int, Any], None] | None = None) -> PucchCaseResult:
    """Simulate one PUCCH case at its required SNR into ``store`` (a
    :class:`~opennr.sim.store.ResultsStore`) and judge it (module docstring).

    Raises
    ------
    ConfigError
        The case's scenario is invalid.
    """
    import time

    from opennr.link.pucch import PUCCH_COUNTERS
    from opennr.sim.engine import SweepPoint
    from opennr.sim.report import summarize_run
    from opennr.sim.runner import find_run, run_into_store
    from opennr.sim.scenario import parse_scenario

    stop = PucchStop(case=case, max_slots=max_slots, min_slots=min_slots, confidence=confidence)
    scenario = parse_scenario(case.scenario_dict(
        [case.snr_db], seed=seed, batch_size=1, max_blocks=max_slots,
        name=f"conformance {case.case} {case.frc.name} slots {min_slots}..{max_slots} "
             f"c={confidence:g}"))
    t0 = time.perf_counter()
    run_id, finished = find_run(store, scenario.config, resume)
    if run_id is None:
        run_id = store.new_run(scenario.kind, scenario.config,
                               [p.as_dict() for p in scenario.points], scenario.seed,
                               name=scenario.name)
    if not finished:
        points = [SweepPoint(p.snr_db, p.curve, p.link) for p in scenario.points]
        run_into_store(store, run_id, points, stop, scenario.seed, executor=executor,
                       counters=PUCCH_COUNTERS, on_progress=on_progress)
    counts: dict[str, int] = {}
    for c in store.batches(run_id).get(0, []):
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + int(v)
    verdict, figures = pucch_verdict(counts, case, alpha=stop.alpha)
    return PucchCaseResult(case=case, run_id=run_id, verdict=verdict,
                           slots=int(counts.get("blocks", 0)), counts=counts, figures=figures,
                           alpha=stop.alpha, confidence=confidence,
                           estimator=scenario.config["link"]["pucch"]["estimator"],
                           seconds=time.perf_counter() - t0,
                           summary=summarize_run(store.run(run_id), store.batches(run_id)))


def run_pucch_cases(store, cases: Sequence[PucchCase], *,
                    on_result: Callable[[PucchCaseResult], None] | None = None,
                    **kwargs) -> list[PucchCaseResult]:
    """:func:`run_pucch_case` for each case in turn."""
    out = []
    for case in cases:
        r = run_pucch_case(store, case, **kwargs)
        out.append(r)
        if on_result:
            on_result(r)
    return out


def _check_table(cases: Sequence[PucchCase]) -> None:
    """Raise if two rows share an identifier (used by the tests and at load)."""
    seen = set()
    for c in cases:
        if c.case in seen:
            raise ValueError(f"duplicate PUCCH case {c.case}")
        seen.add(c.case)


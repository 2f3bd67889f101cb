"""The Monte-Carlo engine: points of a sweep, batches, stop rules, reproducible randomness.

Every batch draws its random numbers from a stream keyed by ``(seed, point, batch)`` through
``numpy.random.SeedSequence``, and the size of batch ``b`` depends only on ``b`` and the stop rule,
never on results. The engine keeps a fixed window of batches in flight, consumes their results in
the order they were dispatched (so the batches of a point are counted in batch order), decides
after each counted batch whether the point is done, and discards the batches dispatched past that
decision without counting them. The counts, the stop decisions and the results store are
therefore the same on one process, on a pool of processes or on a cluster, and a run resumed from
the store continues exactly where it stopped.

Points are grouped in curves (one SNR sweep per combination of the other swept parameters).
Curves are independent; within a curve the points run in increasing SNR, and once a point ends
below the BLER floor the rest of its curve is skipped.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.sim.stats import relative_width, wilson_interval


class Link(Protocol):
    """A link that can simulate a batch of transport blocks at one SNR."""

    counters: tuple[str, ...]
    """Names of the integer counters ``run_batch`` returns; must include ``blocks`` and
    ``block_errors``."""

    def run_batch(self, snr_db: float, n_blocks: int, rng: np.random.Generator) -> dict[str, int]:
        """Simulate ``n_blocks`` independent blocks and return the counters."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StopRule:
    """When to stop simulating one SNR point, and when to skip the rest of its curve.

    A point stops after the batch in which it has counted ``min_errors`` block errors, or
    ``max_blocks`` blocks, or (with ``ci_width``) once the 95 % Wilson interval of its BLER is
    narrower than ``ci_width`` times the BLER, whichever comes first. Once a point ends with a
    BLER below ``bler_floor``, the higher SNR points of its curve are skipped; with HARQ (a link
    that counts ``first_tx_errors``) that is the BLER of the first transmission, since the
    throughput still grows with the SNR while retransmissions are needed.
    """

    min_errors: int = 100
    max_blocks: int = 10_000
    batch_size: int = 32
    bler_floor: float = 0.0
    ci_width: float | None = None

    def __post_init__(self) -> None:
        check_int("min_errors", self.min_errors, 1)
        check_int("max_blocks", self.max_blocks, 1)
        check_int("batch_size", self.batch_size, 1)
        if isinstance(self.bler_floor, bool) or not isinstance(self.bler_floor, (int, float)) \
                or not 0.0 <= self.bler_floor < 1.0:
            raise ConfigError("bler_floor", self.bler_floor, "must be a number in [0, 1)")
        if self.ci_width is not None and (
                isinstance(self.ci_width, bool) or not isinstance(self.ci_width, (int, float))
                or not 0.0 < self.ci_width <= 10.0):
            raise ConfigError("ci_width", self.ci_width, "must be a number in (0, 10] (the Wilson "
                              "interval's width relative to the BLER), or absent")

    def batch_blocks(self, batch: int) -> int:
        """Blocks of batch ``batch`` of a point: ``batch_size``, the last one cut at
        ``max_blocks`` (0 past it)."""
        return max(0, min(self.batch_size, self.max_blocks - batch * self.batch_size))

    def done(self, counts: dict[str, int]) -> bool:
        errors, blocks = counts["block_errors"], counts["blocks"]
        if errors >= self.min_errors or blocks >= self.max_blocks:
            return True
        return self.ci_width is not None and relative_width(errors, blocks) <= self.ci_width

    def below_floor(self, counts: dict[str, int]) -> bool:
        errors = counts.get("first_tx_errors", counts["block_errors"])
        return errors < self.bler_floor * counts["blocks"]

    def as_dict(self) -> dict:
        return {"min_errors": self.min_errors, "max_blocks": self.max_blocks,
                "batch_size": self.batch_size, "bler_floor": self.bler_floor,
                "ci_width": self.ci_width}


@dataclass(slots=True)
class PointResult:
    """Counters accumulated at one SNR point, with the derived rates."""

    snr_db: float
    counts: dict[str, int]
    batches: int = 0
    skipped: bool = False
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def bler(self) -> float:
        blocks = self.counts.get("blocks", 0)
        return self.counts.get("block_errors", 0) / blocks if blocks else float("nan")

    @property
    def bler_interval(self) -> tuple[float, float]:
        return wilson_interval(self.counts.get("block_errors", 0), self.counts.get("blocks", 0))


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """One point of a sweep.

    Attributes
    ----------
    snr_db : float
        The SNR of the point.
    curve : int
        The curve it belongs to; the points of a curve run in the order given.
    link : object
        What :func:`simulate_batch` simulates: a :class:`Link`, or a picklable description that
        ``opennr.sim.links.build_link`` turns into one inside the worker (for process pools and
        clusters).
    """

    snr_db: float
    curve: int = 0
    link: Any = None


def batch_rng(seed: int, point: int, batch: int) -> np.random.Generator:
    """The random stream of batch ``batch`` of point ``point`` in a run seeded with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(point, batch)))


def simulate_batch(link: Any, snr_db: float, n_blocks: int, seed: int, point: int,
                   batch: int) -> dict[str, int]:
    """Run one batch: the task that executors run, locally or on a worker."""
    if not hasattr(link, "run_batch"):
        from opennr.sim.links import build_link

        link = build_link(link)
    counts = link.run_batch(float(snr_db), int(n_blocks), batch_rng(seed, point, batch))
    return {k: int(v) for k, v in counts.items()}


class Future(Protocol):
    def result(self) -> dict[str, int]: ...

    def cancel(self) -> bool: ...


class Executor(Protocol):
    """Where batches run: :class:`InlineExecutor`, or the pools of :mod:`opennr.sim.executors`."""

    workers: int

    def submit(self, fn: Callable[..., dict[str, int]], *args: Any) -> Future: ...


class _Deferred:
    """A batch run in the calling process when its result is asked for."""

    __slots__ = ("args", "fn", "value")

    def __init__(self, fn, args):
        self.fn, self.args, self.value = fn, args, None

    def result(self):
        if self.value is None:
            self.value = self.fn(*self.args)
        return self.value

    def cancel(self) -> bool:
        return True


class InlineExecutor:
    """Batches run one at a time in this process."""

    workers = 1

    def submit(self, fn, *args):
        return _Deferred(fn, args)


ProgressCallback = Callable[[int, PointResult], None]
BatchCallback = Callable[[int, int, float, dict[str, int]], None]


class _PointState:
    __slots__ = ("dispatched", "in_flight", "result", "started", "stopped")

    def __init__(self, result: PointResult):
        self.result = result
        self.dispatched = 0       # batches dispatched or taken from the store
        self.in_flight = 0
        self.stopped = False
        self.started = None


def run_points(points: Sequence[SweepPoint], stop: StopRule, seed: int, *,
               executor: Executor | None = None, window: int | None = None,
               counters: Sequence[str] = ("blocks", "block_errors"),
               done: dict[int, list[dict[str, int]]] | None = None,
               on_batch: BatchCallback | None = None,
               on_progress: ProgressCallback | None = None,
               on_point_done: ProgressCallback | None = None) -> list[PointResult]:
    """Simulate every point of a sweep until ``stop`` holds at each.

    Parameters
    ----------
    points : sequence of SweepPoint
        The points; point ``p`` (its index here) uses the streams ``batch_rng(seed, p, b)``.
    stop : StopRule
        The per-point stop rule and the BLER floor below which the rest of a curve is skipped.
    seed : int
        The run's seed.
    executor : Executor, optional
        Where batches run (default: in this process, one at a time).
    window : int, optional
        Batches in flight at once (default: twice the executor's workers). It changes the
        speed, never the counts.
    counters : sequence of str
        Counter names the results start from (with 0).
    done : dict, optional
        Counters of batches already simulated (from a results store), by point, in batch order:
        they are counted again without being simulated again.
    on_batch : callable, optional
        ``on_batch(point, batch, snr_db, counts)`` for every new batch counted, in the order
        counted (the results store commits there).
    on_progress : callable, optional
        ``on_progress(point, result)`` after every batch counted, new or resumed.
    on_point_done : callable, optional
        ``on_point_done(point, result)`` when a point stops or is skipped.

    Returns
    -------
    list of PointResult, one per point (points past the BLER floor are marked ``skipped``).
    """
    check_int("seed", seed, 0)
    executor = executor or InlineExecutor()
    window = max(1, window if window is not None else 2 * executor.workers)
    done = done or {}
    states = [_PointState(PointResult(float(p.snr_db), dict.fromkeys(counters, 0)))
              for p in points]
    curves: dict[int, list[int]] = {}
    for i, p in enumerate(points):
        curves.setdefault(p.curve, []).append(i)
    cursor = {c: 0 for c in curves}           # position of each curve's current point

    def finish_point(i: int) -> None:
        st = states[i]
        st.stopped = True
        if on_point_done:
            on_point_done(i, st.result)
        members = curves[points[i].curve]
        pos = members.index(i)
        if stop.bler_floor > 0 and st.result.counts["blocks"] and stop.below_floor(st.result.counts):
            for j in members[pos + 1:]:
                if not states[j].stopped:
                    states[j].result.skipped = True
                    states[j].stopped = True
                    if on_point_done:
                        on_point_done(j, states[j].result)
            cursor[points[i].curve] = len(members)
        else:
            cursor[points[i].curve] = pos + 1

    def count(i: int, counts: dict[str, int]) -> None:
        st = states[i]
        _accumulate(st.result, counts)
        if on_progress:
            on_progress(i, st.result)
        if stop.done(st.result.counts):
            finish_point(i)

    # Batches already in the store, replayed in curve order exactly as they were counted.
    for members in curves.values():
        for i in members:
            if states[i].stopped:
                continue
            for counts in done.get(i, []):
                states[i].dispatched += 1
                count(i, counts)
                if states[i].stopped:
                    break
            if not states[i].stopped:
                break

    fifo: deque[tuple[int, int, Future]] = deque()

    def candidate() -> int | None:
        # The first point of each curve that can still take a batch: the current one, or the
        # next one once every batch of the current one has been dispatched (speculatively: its
        # batches are discarded if the floor skips it).
        best = None
        for c, members in curves.items():
            for pos in range(cursor[c], min(cursor[c] + 2, len(members))):
                st = states[members[pos]]
                if st.stopped or stop.batch_blocks(st.dispatched) == 0:
                    continue
                if best is None or st.in_flight < states[best].in_flight:
                    best = members[pos]
                break
        return best

    try:
        while True:
            while len(fifo) < window:
                i = candidate()
                if i is None:
                    break
                st = states[i]
                if st.started is None:
                    st.started = time.perf_counter()
                b = st.dispatched
                fifo.append((i, b, executor.submit(simulate_batch, points[i].link, points[i].snr_db,
                                                   stop.batch_blocks(b), seed, i, b)))
                st.dispatched += 1
                st.in_flight += 1
            if not fifo:
                break
            i, b, fut = fifo.popleft()
            st = states[i]
            st.in_flight -= 1
            if st.stopped:
                fut.cancel()
                continue
            counts = fut.result()
            if on_batch:
                on_batch(i, b, float(points[i].snr_db), counts)
            count(i, counts)
    finally:
        for _, _, fut in fifo:
            fut.cancel()
    for st in states:
        if not st.stopped:      # cannot happen: every point ends stopped or skipped
            raise RuntimeError("a point was left unfinished")
    return [st.result for st in states]


def run_sweep(link: Link, snrs: Sequence[float], stop: StopRule, seed: int, *,
              done: dict[int, list[dict[str, int]]] | None = None,
              on_batch: BatchCallback | None = None,
              on_progress: ProgressCallback | None = None,
              executor: Executor | None = None) -> list[PointResult]:
    """Simulate ``link`` at every SNR of ``snrs`` (one curve, in the order given) until ``stop``
    holds at each point; see :func:`run_points`."""
    points = [SweepPoint(float(s), 0, link) for s in snrs]
    return run_points(points, stop, seed, executor=executor, counters=link.counters, done=done,
                      on_batch=on_batch, on_progress=on_progress)


def expected_blocks(stop: StopRule, counts: dict[str, int]) -> int:
    """Blocks a point will probably need, from its counts so far (for progress and ETA)."""
    errors, blocks = counts.get("block_errors", 0), counts.get("blocks", 0)
    if errors == 0 or blocks == 0:
        return stop.max_blocks
    need = math.ceil(stop.min_errors * blocks / errors)
    return int(min(stop.max_blocks, max(blocks, need)))


def _accumulate(result: PointResult, counts: dict[str, int]) -> None:
    for key, value in counts.items():
        result.counts[key] = result.counts.get(key, 0) + int(value)
    result.batches += 1

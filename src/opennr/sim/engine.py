"""The Monte-Carlo engine: points of a sweep, batches, stop rules, reproducible randomness.

Every batch draws its random numbers from a stream keyed by ``(seed, point, batch)`` through
``numpy.random.SeedSequence``, so a sweep gives the same counts however its batches are scheduled,
and a run resumed from the results store continues exactly where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.sim.stats import wilson_interval


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
    """When to stop simulating one SNR point, and when to skip the rest of the sweep.

    A point stops after the batch in which it has counted ``min_errors`` block errors or
    ``max_blocks`` blocks, whichever comes first. Once a point ends with a BLER below
    ``bler_floor``, the higher SNR points are skipped; with HARQ (a link that counts
    ``first_tx_errors``) that is the BLER of the first transmission, since the throughput still
    grows with the SNR while retransmissions are needed.
    """

    min_errors: int = 100
    max_blocks: int = 10_000
    batch_size: int = 32
    bler_floor: float = 0.0

    def __post_init__(self) -> None:
        check_int("min_errors", self.min_errors, 1)
        check_int("max_blocks", self.max_blocks, 1)
        check_int("batch_size", self.batch_size, 1)
        if not 0.0 <= self.bler_floor < 1.0:
            raise ConfigError("bler_floor", self.bler_floor, "must lie in [0, 1)")

    def done(self, counts: dict[str, int]) -> bool:
        return counts["block_errors"] >= self.min_errors or counts["blocks"] >= self.max_blocks


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


def batch_rng(seed: int, point: int, batch: int) -> np.random.Generator:
    """The random stream of batch ``batch`` of point ``point`` in a run seeded with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(point, batch)))


ProgressCallback = Callable[[int, PointResult], None]
BatchCallback = Callable[[int, int, float, dict[str, int]], None]


def run_sweep(link: Link, snrs: Sequence[float], stop: StopRule, seed: int, *,
              done: dict[int, list[dict[str, int]]] | None = None,
              on_batch: BatchCallback | None = None,
              on_progress: ProgressCallback | None = None) -> list[PointResult]:
    """Simulate ``link`` at every SNR of ``snrs`` until ``stop`` holds at each point.

    Parameters
    ----------
    link : Link
        What to simulate.
    snrs : sequence of float
        SNR points in dB, in the order they are simulated (normally increasing).
    stop : StopRule
        The per-point stop rule and the BLER floor below which the sweep ends.
    seed : int
        The run's seed; batch ``b`` of point ``p`` uses ``batch_rng(seed, p, b)``.
    done : dict, optional
        Counters of batches already simulated (from a results store), by point index, in batch
        order: they are counted again without being simulated again.
    on_batch : callable, optional
        Called as ``on_batch(point, batch, snr_db, counts)`` after every new batch, before the
        next one starts (the results store commits there).
    on_progress : callable, optional
        Called as ``on_progress(point, result)`` after every batch, new or resumed.

    Returns
    -------
    list of PointResult, one per SNR (points after the BLER floor are marked ``skipped``).
    """
    check_int("seed", seed, 0)
    done = done or {}
    results: list[PointResult] = []
    below_floor = False
    for p, snr in enumerate(snrs):
        result = PointResult(float(snr), dict.fromkeys(link.counters, 0))
        if below_floor:
            result.skipped = True
            results.append(result)
            continue
        for counts in done.get(p, []):
            _accumulate(result, counts)
            if on_progress:
                on_progress(p, result)
        while not stop.done(result.counts):
            n = min(stop.batch_size, stop.max_blocks - result.counts["blocks"])
            counts = link.run_batch(float(snr), n, batch_rng(seed, p, result.batches))
            if on_batch:
                on_batch(p, result.batches, float(snr), counts)
            _accumulate(result, counts)
            if on_progress:
                on_progress(p, result)
        results.append(result)
        floor_errors = result.counts.get("first_tx_errors", result.counts["block_errors"])
        below_floor = floor_errors < stop.bler_floor * result.counts["blocks"]
    return results


def _accumulate(result: PointResult, counts: dict[str, int]) -> None:
    for key, value in counts.items():
        result.counts[key] = result.counts.get(key, 0) + int(value)
    result.batches += 1

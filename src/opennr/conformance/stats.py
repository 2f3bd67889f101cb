"""Confidence bounds on the throughput of a conformance test (TS 38.104 §8.2.1.1: throughput
≥ 70 % of the maximum at the required SNR) from independent batches.

Why batches, not slots. The transport blocks of one batch share one fading channel realisation,
which evolves slowly over the batch (TDLA30-10: 10 Hz Doppler, a coherence time of tens of
slots), so their outcomes are strongly correlated and a bound that treats every slot as an
independent trial (Clopper-Pearson on delivered blocks per slot) states a confidence it does not
have. Each batch, however, draws its own channel from its own random stream
(:func:`opennr.sim.engine.batch_rng`, a new :class:`~opennr.channel.TdlChannel` per batch in
:func:`opennr.link._common.run_tb_batch`), so the batches are independent and identically
distributed, and the statistics here rest on them alone.

What is estimated. The standard measures the throughput over one long continuous run of a
slowly varying channel: delivered blocks over slots, Σ K / Σ N. The channel being stationary,
every transport block sees the same distribution of channel paths over its own transmissions
wherever it lies in the run, so independent short segments (batches of B blocks with their HARQ
retransmissions P slots apart, as in the continuous run) estimate the same long-run (ergodic)
throughput r = E[K] / E[N], where K is the number of blocks a batch delivers and N the slots it
uses; the batch size changes only the spread of the batch outcomes, not r. Note that r is a
ratio of means: the mean of the per-batch fractions K/N would give too little weight to the
batches of a bad channel, which take more slots (retransmissions), and overstate the throughput.

The bound. "r ≤ c" is "E[Z_c] ≤ 0" for the per-batch Z_c = K − c·N, a bounded variable:
K ∈ [0, B] and N ∈ [B, T·B] (T transmissions at most) give Z_c ∈ [−c·T·B, (1 − c)·B]. For a
bounded variable a test by betting (Waudby-Smith and Ramdas, "Estimating means of bounded random
variables by betting", J. R. Stat. Soc. B 86, 2024) is both valid without any distributional
assumption and tight: the wealth

    W⁺_n(c) = Σ_j w_j Π_{i≤n} (1 + u_j Z_i / (c·T·B)),    0 < u_j < 1,

of a gambler who bets the fractions u_j against "r ≤ c" is, under that hypothesis, a
non-negative supermartingale starting at 1, so by Ville's inequality it ever reaches 1/α with
probability at most α. Rejecting "r ≤ c" when it does is therefore valid at whatever batch the
run stops, even though the stop rule looks after every batch (a fixed-sample bound such as
Student's t or empirical Bernstein, re-evaluated after every batch, would not keep its level,
and Student's t on a few dozen skewed batch values is not exact either). The mixture over a
grid of constant bets (the "diversified Kelly" bet of the paper) makes the wealth a function of
the multiset of batch outcomes, so that it can be computed from summed counters
(:func:`outcome_key`), and costs only log(len(grid)) against the best single bet. Likewise
W⁻_n(c) = Σ_j w_j Π (1 − u_j Z_i / ((1 − c)·B)) against "r ≥ c". W⁺ decreases and W⁻ increases
with c, so the values of c not rejected form an interval: the one-sided lower bound is the
largest c at which W⁺ reaches 1/α, the upper bound the smallest c at which W⁻ does, and both
hold simultaneously over all batch counts (a confidence sequence).

Tightness. Betting cannot bet more than the range allows: a batch in which every block fails
T times (Z = −c·T·B) must not ruin the gambler, so a run whose throughput is well above 70 %
still needs about log(len(grid)/α) / E[Z / (c·T·B)] batches to pass — some 50-80 batches for a
throughput of 85-95 %. The number of batches, not of blocks, is what counts, hence the small
batches of the conformance runs (one block each by default: 1 to T slots).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["BET_FRACTIONS", "OUTCOME_PREFIX", "batch_outcome", "outcome_counts", "outcome_key",
           "throughput_bounds", "throughput_wealth"]

#: The fractions u_j of the largest safe bet that the gambler's wealth mixes with equal weights
#: (a geometric grid: the large bets win quickly when the throughput is far from the criterion,
#: the small ones when it is close).
BET_FRACTIONS = (0.95, 0.475, 0.2375, 0.119, 0.059, 0.03)

#: Prefix of the counters that histogram the batch outcomes: ``outcome:<K>:<N>`` counts the
#: batches that delivered K blocks in N slots.
OUTCOME_PREFIX = "outcome:"

_BISECTIONS = 40


def outcome_key(delivered: int, transmissions: int) -> str:
    """The counter name of a batch that delivered ``delivered`` blocks in ``transmissions``
    slots (the two terms of the TS 38.104 §8.2.1.1 throughput)."""
    return f"{OUTCOME_PREFIX}{int(delivered)}:{int(transmissions)}"


def batch_outcome(counts: Mapping[str, int]) -> tuple[int, int, int]:
    """(blocks B, delivered blocks K, slots N) of one batch's counters (those of
    :data:`opennr.link.metrics.TB_COUNTERS`: the TBS is ``bits / blocks``)."""
    blocks = int(counts.get("blocks", 0))
    if not blocks:
        return 0, 0, 0
    tbs = int(counts["bits"]) // blocks
    return blocks, int(counts.get("delivered_bits", 0)) // tbs, int(counts.get("transmissions", 0))


def outcome_counts(counts: Mapping[str, int]) -> dict[tuple[int, int], int]:
    """The histogram ``{(K, N): batches}`` of summed counters that carry :func:`outcome_key`
    counters."""
    out: dict[tuple[int, int], int] = {}
    for key, m in counts.items():
        if key.startswith(OUTCOME_PREFIX) and m:
            k, n = key[len(OUTCOME_PREFIX):].split(":")
            out[int(k), int(n)] = out.get((int(k), int(n)), 0) + int(m)
    return out


def _arrays(outcomes: Mapping[tuple[int, int], int] | Iterable[tuple[int, int]], blocks: int,
            max_transmissions: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(outcomes, Mapping):
        items = [(k, n, m) for (k, n), m in outcomes.items() if m]
    else:
        hist: dict[tuple[int, int], int] = {}
        for k, n in outcomes:
            hist[k, n] = hist.get((k, n), 0) + 1
        items = [(k, n, m) for (k, n), m in hist.items()]
    if blocks < 1 or max_transmissions < 1:
        raise ValueError(f"blocks={blocks}, max_transmissions={max_transmissions}: must be >= 1")
    for k, n, m in items:
        if not (0 <= k <= blocks and blocks <= n <= max_transmissions * blocks and m > 0):
            raise ValueError(f"batch outcome K={k}, N={n} (x{m}) impossible with B={blocks} "
                             f"blocks of at most T={max_transmissions} transmissions")
    a = np.array(items, dtype=np.float64).reshape(-1, 3)
    return a[:, 0], a[:, 1], a[:, 2]


def _log_wealth(k: np.ndarray, n: np.ndarray, m: np.ndarray, c: float, blocks: int,
                max_transmissions: int, side: str) -> float:
    u = np.asarray(BET_FRACTIONS)[:, None]
    z = k - c * n                                   # Z_c of each outcome
    if side == "pass":                              # against r <= c
        x = u * z / (c * max_transmissions * blocks)
    else:                                           # against r >= c
        x = -u * z / ((1.0 - c) * blocks)
    logs = (np.log1p(x) * m).sum(axis=1)
    top = logs.max()
    return float(top + math.log(np.exp(logs - top).mean()))


def throughput_wealth(outcomes, c: float, *, blocks: int, max_transmissions: int,
                      side: str = "pass") -> float:
    """Log of the betting wealth W⁺_n(c) (``side="pass"``, against "r ≤ c") or W⁻_n(c)
    (``side="fail"``, against "r ≥ c") of the batch outcomes (module docstring).

    Parameters
    ----------
    outcomes : mapping or iterable
        ``{(K, N): batches}`` (:func:`outcome_counts`) or an iterable of (K, N) per batch.
    c : float
        The throughput level tested, in (0, 1).
    blocks, max_transmissions : int
        B blocks per batch and T transmissions per block at most.
    side : {"pass", "fail"}

    Returns
    -------
    float
        log W; the hypothesis is rejected at level α once it reaches log(1/α).
    """
    if not 0.0 < c < 1.0:
        raise ValueError(f"c={c!r}: must lie in (0, 1)")
    if side not in ("pass", "fail"):
        raise ValueError(f"side={side!r}: 'pass' or 'fail'")
    k, n, m = _arrays(outcomes, blocks, max_transmissions)
    if not m.size:
        return 0.0
    return _log_wealth(k, n, m, c, blocks, max_transmissions, side)


def throughput_bounds(outcomes, *, blocks: int, max_transmissions: int,
                      confidence: float = 0.95, sided: str = "one") -> tuple[float, float]:
    """Bounds on the long-run throughput fraction r = E[K] / E[N] from independent batches
    (TS 38.104 §8.2.1.1; the betting confidence sequence of the module docstring).

    Parameters
    ----------
    outcomes : mapping or iterable
        ``{(K, N): batches}`` or (K, N) per batch.
    blocks, max_transmissions : int
        B blocks per batch and T transmissions per block at most.
    confidence : float
        With ``sided="one"`` each bound holds on its own with this probability (L ≤ r, r ≤ U),
        with ``"two"`` the pair does; in both cases uniformly over the number of batches.

    Returns
    -------
    (low, high)
        ``(0, 1)`` without batches.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: must lie in (0, 1)")
    if sided not in ("one", "two"):
        raise ValueError(f"sided={sided!r}: 'one' or 'two'")
    alpha = 1.0 - confidence if sided == "one" else (1.0 - confidence) / 2.0
    k, n, m = _arrays(outcomes, blocks, max_transmissions)
    if not m.size:
        return 0.0, 1.0
    level = math.log(1.0 / alpha)

    def wealth(c: float, side: str) -> float:
        return _log_wealth(k, n, m, c, blocks, max_transmissions, side)

    # W+ decreases with c: low = sup {c : W+(c) >= 1/alpha}.
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if wealth(mid, "pass") >= level:
            lo = mid
        else:
            hi = mid
    low = lo
    # W- increases with c: high = inf {c : W-(c) >= 1/alpha}.
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if wealth(mid, "fail") >= level:
            hi = mid
        else:
            lo = mid
    return low, hi

"""Throughput bounds from independent batches: validity under correlated slots, the ratio of
means, tightness against the exact binomial bound, the stop rule on the batch histogram."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from opennr.conformance import (
    BatchOutcomeLink,
    ThroughputStop,
    clopper_pearson,
    throughput_bounds,
    throughput_verdict,
    throughput_wealth,
)
from opennr.conformance.stats import outcome_counts, outcome_key


def _slot_pass(k: int, n: int) -> bool:
    """The former rule: every slot an independent trial, one-sided Clopper-Pearson at 95 %."""
    return clopper_pearson(k, n, 0.95, sided="one")[0] >= 0.7


def test_correlated_slots_pass_the_slot_bound_wrongly_not_the_batch_bound():
    # Each batch is one channel realisation: 8 blocks all delivered at the first transmission
    # (8 slots of success) or, on a bad channel, all lost after 4 transmissions (32 slots of
    # failure): blocks of identical per-slot outcomes. P(good) = 0.88 gives a long-run throughput
    # of 8p / (8p + 32(1 - p)) = 0.647 < 0.7: a run that passes is a wrong verdict.
    rng = np.random.default_rng(7)
    p_good, blocks, runs, max_batches = 0.88, 8, 200, 60
    r = 8 * p_good / (8 * p_good + 32 * (1 - p_good))
    assert r < 0.66
    slot_wrong = batch_wrong = batch_fail = 0
    for _ in range(runs):
        good = rng.random(max_batches) < p_good
        k = np.where(good, 8, 0).cumsum()
        n = np.where(good, 8, 32).cumsum()
        # Slot level, tested after every batch from 20 slots on.
        slot_wrong += any(_slot_pass(int(k[i]), int(n[i])) for i in range(max_batches)
                          if n[i] >= 20)
        stop = ThroughputStop(max_slots=10**6, batch_size=blocks, min_batches=1)
        counts: dict[str, int] = {}
        verdict = "undecided"
        for g in good:
            key = outcome_key(8, 8) if g else outcome_key(0, 32)
            counts[key] = counts.get(key, 0) + 1
            if stop.done(counts):
                verdict = stop.verdict(counts)
                break
        batch_wrong += verdict == "pass"
        batch_fail += verdict == "fail"
    assert slot_wrong / runs > 0.5          # the slot-level bound passes most such runs
    assert batch_wrong / runs <= 0.05       # the batch bound keeps its 95 %
    assert batch_fail > 0                   # and fails some of them outright


def test_bound_keeps_its_level_when_tested_after_every_batch():
    # One block per batch, throughput exactly at the criterion: (1, 1) w.p. q, (1, 2) otherwise,
    # with 1 / (2 - q) = 0.7. A fixed-sample bound re-evaluated after every batch would reject
    # "r <= 0.7" far more often than 5 %; the confidence sequence must not.
    rng = np.random.default_rng(3)
    q = 2 - 1 / 0.7
    runs, n_batches = 150, 200
    rejected = 0
    level = np.log(20)
    for _ in range(runs):
        first = rng.random(n_batches) < q
        hist: dict[tuple[int, int], int] = {}
        for f in first:
            o = (1, 1) if f else (1, 2)
            hist[o] = hist.get(o, 0) + 1
            if throughput_wealth(hist, 0.7, blocks=1, max_transmissions=4) >= level:
                rejected += 1
                break
    assert rejected / runs <= 0.05


def test_throughput_is_the_ratio_of_means_not_the_mean_of_ratios():
    # 70 % of the batches deliver their block at once (K/N = 1), 30 % lose it after 4 slots
    # (K/N = 0): the mean of the per-batch fractions is 0.7, but the throughput, delivered blocks
    # over slots, is 0.7 / (0.7 + 1.2) = 0.37.
    outcomes = {(1, 1): 700, (0, 4): 300}
    lo, hi = throughput_bounds(outcomes, blocks=1, max_transmissions=4, sided="two")
    assert lo < 0.7 / 1.9 < hi < 0.45
    assert throughput_verdict(outcomes, blocks=1) == "fail"


def test_bounds_are_close_to_the_exact_binomial_for_independent_trials():
    # One block and one transmission per batch: Bernoulli trials, for which Clopper-Pearson is
    # exact; the betting bound is valid for any bounded variable and at any stopping time, so it
    # is wider, but not by much.
    for k, n, slack in ((850, 1000, 0.02), (300, 400, 0.035), (60, 80, 0.08)):
        outcomes = {(1, 1): k, (0, 1): n - k}
        lo, hi = throughput_bounds(outcomes, blocks=1, max_transmissions=1)
        cp_lo, cp_hi = clopper_pearson(k, n, 0.95, sided="one")
        assert lo < cp_lo < k / n < cp_hi < hi
        assert cp_lo - lo < slack and hi - cp_hi < slack


def test_bounds_shrink_and_order_with_more_batches():
    base = {(1, 1): 9, (1, 2): 1}
    widths = []
    for scale in (2, 10, 50):
        outcomes = {o: m * scale for o, m in base.items()}
        lo, hi = throughput_bounds(outcomes, blocks=1, max_transmissions=4)
        two = throughput_bounds(outcomes, blocks=1, max_transmissions=4, sided="two")
        assert lo <= 10 / 11 <= hi and two[0] <= lo and hi <= two[1]
        widths.append(hi - lo)
    assert widths[0] > widths[1] > widths[2]
    assert throughput_bounds({}, blocks=1, max_transmissions=4) == (0.0, 1.0)
    # The verdict agrees with the bounds: pass exactly when the lower bound reaches 0.7.
    for scale in (2, 5, 8, 50):
        outcomes = {o: m * scale for o, m in base.items()}
        lo, _ = throughput_bounds(outcomes, blocks=1, max_transmissions=4)
        assert (throughput_verdict(outcomes, blocks=1) == "pass") == (lo >= 0.7 - 1e-9)


def test_impossible_outcomes_are_refused():
    with pytest.raises(ValueError, match="impossible"):
        throughput_bounds({(2, 2): 1}, blocks=1, max_transmissions=4)      # K > B
    with pytest.raises(ValueError, match="impossible"):
        throughput_bounds({(1, 5): 1}, blocks=1, max_transmissions=4)      # N > T B
    with pytest.raises(ValueError):
        throughput_wealth({(1, 1): 1}, 1.0, blocks=1, max_transmissions=4)


class _FakeLink:
    counters = ("blocks", "bits", "delivered_bits", "transmissions")

    def run_batch(self, snr_db, n_blocks, rng):
        return {"blocks": n_blocks, "bits": 100 * n_blocks, "delivered_bits": 100 * (n_blocks - 1),
                "transmissions": n_blocks + 3}


def test_batch_outcome_link_counts_the_histogram():
    link = BatchOutcomeLink(_FakeLink())
    counts = link.run_batch(0.0, 3, np.random.default_rng(0))
    assert counts[outcome_key(2, 6)] == 1 and counts["blocks"] == 3
    total: dict[str, int] = {}
    for _ in range(4):
        for key, v in link.run_batch(0.0, 3, None).items():
            total[key] = total.get(key, 0) + v
    assert outcome_counts(total) == {(2, 6): 4}
    assert pickle.loads(pickle.dumps(link)).run_batch(0.0, 2, None)[outcome_key(1, 5)] == 1


def test_stop_rule_waits_for_batches_and_stops_at_the_slot_limit():
    stop = ThroughputStop(max_slots=1000, batch_size=1, min_batches=30)
    good = {"blocks": 25, "transmissions": 25, outcome_key(1, 1): 25}
    assert not stop.done(good)                               # 25 < 30 batches
    many = {"blocks": 100, "transmissions": 100, outcome_key(1, 1): 100}
    assert stop.done(many) and stop.verdict(many) == "pass"
    even = {"blocks": 300, "transmissions": 430, outcome_key(1, 1): 170, outcome_key(1, 2): 130}
    assert not stop.done(even) and stop.verdict(even) == "undecided"   # 300 / 430 = 0.698
    assert stop.done({**even, "transmissions": 1000})        # the slot limit
    # The block limit is a whole number of equal batches.
    s3 = ThroughputStop(max_slots=10, batch_size=3)
    assert s3.max_blocks == 12 and [s3.batch_blocks(b) for b in range(5)] == [3, 3, 3, 3, 0]
    full = ThroughputStop(max_slots=10**6, precision=0.05)
    wide = {"blocks": 40, "transmissions": 60, outcome_key(1, 1): 20, outcome_key(1, 2): 20}
    narrow = {k: 40 * v for k, v in wide.items()}
    assert not full.done(wide) and full.done(narrow)

"""The sweep engine: stop rules, reproducibility, the BLER floor, resuming from the store."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.sim import (
    InlineExecutor,
    ResultsStore,
    StopRule,
    SweepPoint,
    relative_width,
    run_points,
    run_sweep,
    wilson_interval,
)
from opennr.sim.store import StoreError


class CoinLink:
    """A link whose blocks fail independently with probability 10**(-snr/10)."""

    counters = ("blocks", "block_errors")

    def __init__(self):
        self.calls = 0

    def run_batch(self, snr_db, n_blocks, rng):
        self.calls += 1
        errors = int((rng.random(n_blocks) < 10 ** (-snr_db / 10)).sum())
        return {"blocks": n_blocks, "block_errors": errors}


def test_stop_on_errors_and_on_blocks():
    stop = StopRule(min_errors=50, max_blocks=1000, batch_size=16)
    res = run_sweep(CoinLink(), [3.0, 30.0], stop, seed=7)
    # At 3 dB (p = 0.5) the error count stops the point in the batch that reaches 50.
    assert 50 <= res[0].counts["block_errors"] < 50 + 16
    # At 30 dB (p = 0.001) the block count stops it, exactly at max_blocks.
    assert res[1].counts["blocks"] == 1000


def test_bler_estimate_within_confidence_interval():
    stop = StopRule(min_errors=400, max_blocks=100_000, batch_size=256)
    (res,) = run_sweep(CoinLink(), [10.0], stop, seed=3)
    lo, hi = wilson_interval(res.counts["block_errors"], res.counts["blocks"], 0.999)
    assert lo <= 0.1 <= hi
    assert hi - lo < 0.05


def test_same_seed_same_counts_different_seed_different_counts():
    stop = StopRule(min_errors=30, max_blocks=500, batch_size=8)
    a = run_sweep(CoinLink(), [5.0, 8.0], stop, seed=11)
    b = run_sweep(CoinLink(), [5.0, 8.0], stop, seed=11)
    c = run_sweep(CoinLink(), [5.0, 8.0], stop, seed=12)
    assert [r.counts for r in a] == [r.counts for r in b]
    assert [r.counts for r in a] != [r.counts for r in c]


def test_points_below_floor_skip_the_rest():
    stop = StopRule(min_errors=10, max_blocks=200, batch_size=50, bler_floor=0.02)
    res = run_sweep(CoinLink(), [0.0, 20.0, 25.0, 30.0], stop, seed=1)
    assert [r.skipped for r in res] == [False, False, True, True]
    assert res[2].counts["blocks"] == 0


def test_floor_uses_first_transmission_bler_when_counted():
    class HarqCoin(CoinLink):
        counters = ("blocks", "block_errors", "first_tx_errors")

        def run_batch(self, snr_db, n_blocks, rng):
            first = rng.random(n_blocks) < 10 ** (-snr_db / 10)
            return {"blocks": n_blocks, "block_errors": 0, "first_tx_errors": int(first.sum())}

    stop = StopRule(min_errors=10, max_blocks=200, batch_size=50, bler_floor=0.02)
    res = run_sweep(HarqCoin(), [3.0, 10.0, 30.0, 40.0], stop, seed=1)
    # Residual BLER is 0 everywhere, but the first transmissions still fail at 3 and 10 dB.
    assert [r.skipped for r in res] == [False, False, False, True]


def test_resume_from_store_equals_uninterrupted_run(tmp_path):
    stop = StopRule(min_errors=40, max_blocks=400, batch_size=10)
    snrs = [4.0, 7.0, 10.0]
    full = run_sweep(CoinLink(), snrs, stop, seed=5)

    class Interrupt(Exception):
        pass

    db = ResultsStore(tmp_path / "r.db")
    run_id = db.new_run("coin", {"stop": "x"}, [{"snr_db": s} for s in snrs], 5)
    seen = []

    def on_batch(p, b, s, c):
        db.add_batch(run_id, p, b, s, c)
        seen.append(p)
        if p == 1 and len(seen) > 7:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_sweep(CoinLink(), snrs, stop, 5, on_batch=on_batch)
    db.close()

    db = ResultsStore(tmp_path / "r.db")
    assert db.latest_unfinished() == run_id
    done = db.batches(run_id)
    link = CoinLink()
    resumed = run_sweep(link, snrs, stop, 5, done=done,
                        on_batch=lambda p, b, s, c: db.add_batch(run_id, p, b, s, c))
    assert [r.counts for r in resumed] == [r.counts for r in full]
    stored_batches = sum(len(v) for v in done.values())
    assert link.calls == sum(r.batches for r in full) - stored_batches
    with pytest.raises(StoreError, match="already stored"):
        db.add_batch(run_id, 0, 0, 4.0, {"blocks": 1, "block_errors": 0})


@pytest.mark.parametrize("field,value", [("min_errors", 0), ("max_blocks", -1),
                                         ("batch_size", 0), ("bler_floor", 1.5),
                                         ("ci_width", 0.0), ("ci_width", "narrow")])
def test_stop_rule_validation(field, value):
    with pytest.raises(ConfigError, match=field):
        StopRule(**{field: value})


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(0, 100)
    assert lo == 0.0 and hi == pytest.approx(0.037, abs=1e-3)
    lo, hi = wilson_interval(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-3)
    assert np.isclose(sum(wilson_interval(5, 10)), 1.0)


def test_stop_on_confidence_interval_width():
    # p = 0.5: a relative width of 0.3 needs about 170 blocks, long before 1000 errors.
    stop = StopRule(min_errors=1000, max_blocks=100_000, batch_size=10, ci_width=0.3)
    (res,) = run_sweep(CoinLink(), [3.0], stop, seed=2)
    c = res.counts
    assert relative_width(c["block_errors"], c["blocks"]) <= 0.3
    # ... and it stopped in the first batch where that held (the same streams, one batch less).
    shorter = StopRule(min_errors=1000, max_blocks=c["blocks"] - 10, batch_size=10, ci_width=0.3)
    (prev,) = run_sweep(CoinLink(), [3.0], shorter, seed=2)
    assert relative_width(prev.counts["block_errors"], prev.counts["blocks"]) > 0.3
    assert 100 < c["blocks"] < 400


def test_batch_sizes_do_not_depend_on_results():
    stop = StopRule(min_errors=10, max_blocks=70, batch_size=32)
    assert [stop.batch_blocks(b) for b in range(4)] == [32, 32, 6, 0]


class Pool:
    """A thread pool that completes batches in random order."""

    def __init__(self, workers):
        from concurrent.futures import ThreadPoolExecutor

        self.workers = workers
        self.pool = ThreadPoolExecutor(workers)
        self.submitted = 0

    def submit(self, fn, *args):
        self.submitted += 1
        return self.pool.submit(fn, *args)


class SlowCoin(CoinLink):
    def run_batch(self, snr_db, n_blocks, rng):
        import time

        time.sleep(float(np.random.default_rng().uniform(0, 0.003)))
        return super().run_batch(snr_db, n_blocks, rng)


@pytest.mark.parametrize("window", [1, 3, 16])
def test_windowed_out_of_order_execution_counts_the_same(window):
    stop = StopRule(min_errors=20, max_blocks=300, batch_size=8, bler_floor=0.05)
    snrs = [3.0, 6.0, 9.0, 12.0, 15.0, 20.0]
    reference = run_sweep(CoinLink(), snrs, stop, seed=9)
    pool = Pool(4)
    points = [SweepPoint(s, curve, SlowCoin()) for curve in (0, 1) for s in snrs]
    committed = []
    res = run_points(points, stop, 9, executor=pool, window=window,
                     counters=("blocks", "block_errors"),
                     on_batch=lambda p, b, s, c: committed.append((p, b)))
    # Curve 1 has other point indices (other streams): compare curve 0 with the plain sweep.
    assert [r.counts for r in res[:6]] == [r.counts for r in reference]
    assert [r.skipped for r in res[:6]] == [r.skipped for r in reference]
    # Batches are committed once each, in batch order per point, and only those counted.
    assert len(set(committed)) == len(committed) == sum(r.batches for r in res)
    for p in range(len(points)):
        assert [b for q, b in committed if q == p] == list(range(res[p].batches))
    assert pool.submitted >= len(committed)


def test_over_dispatched_batches_are_discarded():
    stop = StopRule(min_errors=5, max_blocks=1000, batch_size=10)
    pool = Pool(2)
    (res,) = run_points([SweepPoint(0.0, 0, CoinLink())], stop, 1, executor=pool, window=8,
                        counters=("blocks", "block_errors"))
    # At p = 1 the first batch stops the point; the other seven in flight are not counted.
    assert res.counts == {"blocks": 10, "block_errors": 10} and res.batches == 1
    assert pool.submitted == 8


def test_inline_executor_never_runs_discarded_batches():
    link = CoinLink()
    stop = StopRule(min_errors=5, max_blocks=1000, batch_size=10)
    run_points([SweepPoint(0.0, 0, link)], stop, 1, executor=InlineExecutor(), window=8,
               counters=("blocks", "block_errors"))
    assert link.calls == 1

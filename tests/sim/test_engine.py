"""The sweep engine: stop rules, reproducibility, the BLER floor, resuming from the store."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.sim import ResultsStore, StopRule, run_sweep, wilson_interval
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
    run_id = db.new_run("coin", {"stop": "x"}, snrs, 5)
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


def test_store_rejects_corrupt_and_newer_files(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable"):
        ResultsStore(bad)
    newer = tmp_path / "newer.db"
    db = ResultsStore(newer)
    db._db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db._db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        ResultsStore(newer)


@pytest.mark.parametrize("field,value", [("min_errors", 0), ("max_blocks", -1),
                                         ("batch_size", 0), ("bler_floor", 1.5)])
def test_stop_rule_validation(field, value):
    with pytest.raises(ConfigError, match=field):
        StopRule(**{field: value})


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(0, 100)
    assert lo == 0.0 and hi == pytest.approx(0.037, abs=1e-3)
    lo, hi = wilson_interval(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-3)
    assert np.isclose(sum(wilson_interval(5, 10)), 1.0)

"""Conformance runs: the throughput bounds, the stop rule, verdicts, margins and resumption."""

from __future__ import annotations

import dataclasses
import math

import pytest
from scipy.stats import binomtest

from opennr.conformance import (
    ConformanceOptions,
    ThroughputStop,
    clopper_pearson,
    run_case,
    select_cases,
)
from opennr.conformance.runner import CaseResult, _judge
from opennr.conformance.stats import outcome_key
from opennr.errors import ConfigError
from opennr.sim.store import ResultsStore


@pytest.mark.parametrize(("k", "n"), [(0, 10), (7, 10), (10, 10), (140, 200), (31, 37)])
def test_clopper_pearson_is_the_exact_interval(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.9, method="exact")
    lo, hi = clopper_pearson(k, n, 0.9)
    assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)
    # One-sided bounds at 95 % are the two-sided 90 % interval's ends.
    assert clopper_pearson(k, n, 0.95, sided="one") == pytest.approx((lo, hi))


def test_quick_stop_decides_on_batches_not_slots():
    stop = ThroughputStop(max_slots=3000, min_batches=20)
    # 19 batches of 100 % are too few; so are 40 (the bound is valid at any stopping batch and
    # cannot bet everything on the next batch being good); 60 suffice.
    for batches, done in ((19, False), (40, False), (60, True)):
        counts = {"blocks": batches, "transmissions": batches, outcome_key(1, 1): batches}
        assert stop.done(counts) is done
    # The same slots as one correlated batch of 60 blocks are a single sample: no verdict.
    big = ThroughputStop(max_slots=3000, batch_size=60, min_batches=1)
    one = {"blocks": 60, "transmissions": 60, outcome_key(60, 60): 1}
    assert not big.done(one) and big.verdict(one) == "undecided"
    assert stop.batch_blocks(0) == 1 and stop.batch_blocks(2999) == 1 and stop.batch_blocks(3000) == 0
    with pytest.raises(ConfigError):
        ThroughputStop(max_slots=0)
    with pytest.raises(ConfigError):
        ConformanceOptions(batch_size=0).stop()


def _result(points, snr_db=0.0, quick=False):
    case = dataclasses.replace(select_cases(["8.2.1.2-1-r1"])[0], snr_db=snr_db)
    pts = []
    for s, t in points:
        # t of the batches deliver their block at once, the others after two transmissions.
        k1 = round(100 * (2 - 1 / t)) if t > 0.5 else 0
        outcomes = {(1, 1): k1, (1, 2): 100 - k1}
        pts.append({"snr_db": s, "throughput": t, "transmissions": 100, "delivered": round(100 * t),
                    "batches": 100, "batch_size": 1, "outcomes": outcomes,
                    "low": t - 0.05, "high": t + 0.05})
    r = CaseResult(case=case, quick=quick, run_id=1, points=pts, verdict="", confidence=0.95,
                   estimator="ls")
    _judge(r, 0.7)
    return r


def test_full_sweep_margin_is_required_minus_crossing():
    r = _result([(-2, 0.3), (-1, 0.5), (0, 0.9), (1, 1.0)], snr_db=0.5)
    assert r.achieved_snr == pytest.approx(-0.5) and r.margin == pytest.approx(1.0)
    assert r.verdict == "pass"
    short = _result([(-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.6)], snr_db=0.0)
    assert short.verdict == "fail" and short.margin_bound == "<" and short.achieved_snr is None
    late = _result([(-1, 0.2), (0, 0.6), (1, 0.8)], snr_db=0.0)
    assert late.margin == pytest.approx(-0.5) and late.verdict == "fail"
    early = _result([(-3, 0.8), (0, 1.0)], snr_db=0.0)
    assert early.margin_bound == ">" and early.margin == 3.0 and early.verdict == "pass"


def test_full_sweep_crossing_range_from_the_bounds():
    # Bounds +-0.05: the upper bound reaches 0.7 where the estimate is 0.65, the lower where it
    # is 0.75.
    r = _result([(-2, 0.3), (-1, 0.5), (0, 0.9), (1, 1.0)], snr_db=0.5)
    lo, hi = r.achieved_range
    assert lo == pytest.approx(-1 + 0.15 / 0.4) and hi == pytest.approx(-1 + 0.25 / 0.4)
    assert lo < r.achieved_snr < hi
    assert r.margin_range == pytest.approx((0.5 - hi, 0.5 - lo))
    above = _result([(-1, 0.72), (0, 0.9)], snr_db=0.0)
    assert above.achieved_range[0] == -math.inf
    assert above.achieved_range[1] == pytest.approx(-1 + 0.03 / 0.18)
    below = _result([(-1, 0.2), (0, 0.68)], snr_db=0.0)
    assert below.achieved_range == (pytest.approx(-1 + 0.45 / 0.48), math.inf)


def test_quick_verdicts_from_the_batch_outcomes():
    assert _result([(0, 0.9)], quick=True).verdict == "pass"
    assert _result([(0, 0.55)], quick=True).verdict == "fail"
    assert _result([(0, 0.7)], quick=True).verdict == "undecided"
    # The verdict rests on the outcomes, not on the bounds stored beside them.
    r = _result([(0, 0.9)], quick=True)
    r.points[0]["outcomes"] = {(1, 1): 5}
    r.points[0]["batches"] = 5
    _judge(r, 0.7)
    assert r.verdict == "undecided"


def test_full_sweep_points():
    case = select_cases(["8.2.1.2-1-r1"])[0]
    assert ConformanceOptions(quick=False).snrs(case) == pytest.approx(
        [-5.3, -4.3, -3.3, -2.3, -1.3, -0.3, 0.7])
    assert ConformanceOptions(quick=True).snrs(case) == [-2.3]


def test_short_run_is_stored_and_resumed(tmp_path):
    case = select_cases(["8.2.1.2-4-r1"])[0]            # 24 PRB, QPSK
    options = ConformanceOptions(quick=True, max_slots=6, min_batches=20, batch_size=3)
    with ResultsStore(tmp_path / "c.db") as db:
        r = run_case(db, case, options)
        p = r.points[0]
        assert 6 <= p["transmissions"] <= 6 * 4 and p["blocks"] == 6
        assert p["batches"] == 2 and p["batch_size"] == 3
        assert sum(p["outcomes"].values()) == 2
        assert sum(k for (k, _), m in p["outcomes"].items() for _ in range(m)) == p["delivered"]
        assert p["snr_db"] == case.snr_db and not math.isnan(p["throughput"])
        # Two channel realisations cannot decide: the slot limit gives no pass.
        assert r.verdict == "undecided" and p["low"] < 0.7 < p["high"]
        assert db.run(r.run_id)["status"] == "done"
        n_batches = db.batch_count(r.run_id)
        again = run_case(db, case, options, resume=True)
        assert again.run_id == r.run_id and db.batch_count(r.run_id) == n_batches
        assert again.points == r.points
        fresh = run_case(db, case, options, resume=False)
        assert fresh.run_id != r.run_id and fresh.points == r.points   # same seed, same counts
        assert db.batches(fresh.run_id) == db.batches(r.run_id)
        other = run_case(db, case, dataclasses.replace(options, seed=2))
        assert db.batches(other.run_id) != db.batches(r.run_id)

"""Conformance runs: the throughput bounds, the stop rule, verdicts, margins and resumption."""

from __future__ import annotations

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
from opennr.errors import ConfigError
from opennr.sim.store import ResultsStore


@pytest.mark.parametrize(("k", "n"), [(0, 10), (7, 10), (10, 10), (140, 200), (31, 37)])
def test_clopper_pearson_is_the_exact_interval(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.9, method="exact")
    lo, hi = clopper_pearson(k, n, 0.9)
    assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)
    # One-sided bounds at 95 % are the two-sided 90 % interval's ends.
    assert clopper_pearson(k, n, 0.95, sided="one") == pytest.approx((lo, hi))


def _counts(delivered: int, transmissions: int, tbs: int = 100) -> dict[str, int]:
    return {"blocks": delivered, "block_errors": 0, "bits": delivered * tbs,
            "delivered_bits": delivered * tbs, "transmissions": transmissions}


def test_quick_stop_decides_against_the_criterion():
    stop = ThroughputStop(max_slots=1000, min_slots=50)
    assert not stop.done(_counts(40, 40))          # below min_slots
    assert stop.done(_counts(60, 60))              # lower bound 0.95 ** (1/60) > 0.7
    assert stop.done(_counts(20, 60))              # far below 0.7
    assert not stop.done(_counts(42, 60))          # 0.7: undecided
    assert stop.done(_counts(700, 1000))           # the slot limit
    assert stop.batch_blocks(0) == 8 and stop.batch_blocks(124) == 8 and stop.batch_blocks(125) == 0
    full = ThroughputStop(max_slots=5000, precision=0.05)
    assert not full.done(_counts(35, 50)) and full.done(_counts(280, 400))
    with pytest.raises(ConfigError):
        ThroughputStop(max_slots=0)


def _result(points, snr_db=0.0, quick=False):
    case = select_cases(["8.2.1.2-1-r1"])[0]
    import dataclasses

    case = dataclasses.replace(case, snr_db=snr_db)
    pts = [{"snr_db": s, "throughput": t, "transmissions": 100, "delivered": round(100 * t),
            "low": t - 0.05, "high": t + 0.05} for s, t in points]
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


def test_quick_verdicts():
    assert _result([(0, 0.9)], quick=True).verdict == "pass"
    assert _result([(0, 0.5)], quick=True).verdict == "fail"
    assert _result([(0, 0.7)], quick=True).verdict == "undecided"


def test_full_sweep_points():
    case = select_cases(["8.2.1.2-1-r1"])[0]
    assert ConformanceOptions(quick=False).snrs(case) == pytest.approx(
        [-5.3, -4.3, -3.3, -2.3, -1.3, -0.3, 0.7])
    assert ConformanceOptions(quick=True).snrs(case) == [-2.3]


def test_short_run_is_stored_and_resumed(tmp_path):
    case = select_cases(["8.2.1.2-4-r1"])[0]            # 24 PRB, QPSK
    options = ConformanceOptions(quick=True, max_slots=6, min_slots=6, batch_size=3)
    with ResultsStore(tmp_path / "c.db") as db:
        r = run_case(db, case, options)
        p = r.points[0]
        assert 6 <= p["transmissions"] <= 6 * 4 and p["blocks"] <= 6
        assert p["snr_db"] == case.snr_db and not math.isnan(p["throughput"])
        assert r.verdict in ("pass", "fail", "undecided")
        assert db.run(r.run_id)["status"] == "done"
        n_batches = db.batch_count(r.run_id)
        again = run_case(db, case, options, resume=True)
        assert again.run_id == r.run_id and db.batch_count(r.run_id) == n_batches
        assert again.points == r.points
        fresh = run_case(db, case, options, resume=False)
        assert fresh.run_id != r.run_id and fresh.points == r.points   # same seed, same counts

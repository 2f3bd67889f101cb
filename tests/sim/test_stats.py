"""Figures of a point: BLER per transmission, throughput, BER, EVM, intervals, the 70 % SNR."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opennr.link.metrics import EVM_UNIT, EvmCounter
from opennr.sim import crossing_snr, point_metrics, relative_width, wilson_interval


def test_point_metrics_from_counters():
    counts = {"blocks": 100, "block_errors": 5, "first_tx_errors": 40, "errors_after_tx2": 12,
              "errors_after_tx3": 7, "transmissions": 159, "delivered_bits": 95 * 1000,
              "bits": 100_000, "bit_errors": 300, "code_blocks": 318, "iterations": 1590,
              "evm_error": 10_000, "evm_reference": 1_000_000}
    m = point_metrics(counts, tbs=1000, slot_seconds=0.5e-3, max_transmissions=4)
    assert m["bler"] == 0.05 and (m["bler_low"], m["bler_high"]) == wilson_interval(5, 100)
    assert [m[f"bler_tx{t}"] for t in (1, 2, 3, 4)] == [0.40, 0.12, 0.07, 0.05]
    assert m["bler_tx4_low"] == m["bler_low"]
    assert m["throughput"] == pytest.approx(95 / 159)
    assert (m["throughput_low"], m["throughput_high"]) == wilson_interval(95, 159)
    assert m["throughput_mbps"] == pytest.approx(95 / 159 * 1000 / 0.5e-3 / 1e6)
    assert m["ber"] == 0.003 and m["iterations"] == 5.0
    assert m["evm"] == pytest.approx(0.1) and m["evm_db"] == pytest.approx(-20.0)


def test_point_metrics_without_counts_are_nan():
    m = point_metrics({}, tbs=1000, slot_seconds=1e-3)
    assert m["blocks"] == 0
    assert all(math.isnan(m[k]) for k in ("bler", "bler_low", "throughput", "ber", "evm"))


def test_evm_counter_sums_exactly_in_any_order():
    rng = np.random.default_rng(1)
    x = (rng.choice([-1, 1], 1000) + 1j * rng.choice([-1, 1], 1000)) / np.sqrt(2)
    e = 0.05 * (rng.standard_normal(1000) + 1j * rng.standard_normal(1000))
    c = EvmCounter()
    c.add((x + e).astype(np.complex64), x)
    counts = c.counts()
    assert counts["evm_reference"] == round(1000 / EVM_UNIT)
    evm = math.sqrt(counts["evm_error"] / counts["evm_reference"])
    assert evm == pytest.approx(np.sqrt(np.mean(np.abs(e) ** 2)), rel=1e-3)
    with pytest.raises(ValueError, match="same shape"):
        c.add(x[:10], x)


def test_relative_width():
    lo, hi = wilson_interval(50, 500)
    assert relative_width(50, 500) == pytest.approx((hi - lo) / 0.1)
    assert relative_width(0, 500) == math.inf
    assert relative_width(400, 4000) < relative_width(100, 1000)


def test_crossing_snr_interpolates_the_70_percent_point():
    assert crossing_snr([0, 2, 4, 6], [0.1, 0.5, 0.9, 1.0]) == pytest.approx(3.0)
    assert crossing_snr([6, 0, 4, 2], [1.0, 0.1, 0.9, 0.5]) == pytest.approx(3.0)
    assert crossing_snr([0, 2], [0.1, 0.5]) is None
    assert crossing_snr([0, 2, 4], [0.1, float("nan"), 0.8]) == pytest.approx(0.6 * 4 / 0.7)

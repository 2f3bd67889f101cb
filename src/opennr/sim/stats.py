"""Confidence intervals for error rates estimated by counting."""

from __future__ import annotations

import math
from statistics import NormalDist


def wilson_interval(errors: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``errors / trials``.

    Returns ``(low, high)``; ``(0.0, 1.0)`` when there are no trials.
    """
    if trials < 0 or errors < 0 or errors > trials:
        raise ValueError(f"errors={errors}, trials={trials}: need 0 <= errors <= trials")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: must lie in (0, 1)")
    if trials == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = errors / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if errors == 0 else max(0.0, centre - half)
    high = 1.0 if errors == trials else min(1.0, centre + half)
    return low, high


def relative_width(errors: int, trials: int, confidence: float = 0.95) -> float:
    """Width of the Wilson interval of ``errors / trials`` relative to the estimate,
    ``(high - low) / p``; infinite before the first error."""
    if errors == 0:
        return math.inf
    low, high = wilson_interval(errors, trials, confidence)
    return (high - low) / (errors / trials)


def point_metrics(counts: dict[str, int], *, tbs: int, slot_seconds: float,
                  max_transmissions: int = 1, confidence: float = 0.95) -> dict[str, float]:
    """The figures of one point of a sweep from its summed counters.

    Parameters
    ----------
    counts : dict of str to int
        The link's counters (see :data:`opennr.link.metrics.TB_COUNTERS`) summed over batches.
    tbs : int
        Transport block size in bits: a slot carries at most one block, so the maximum throughput
        is ``tbs / slot_seconds``.
    slot_seconds : float
        Slot duration (TS 38.211 §4.3.2).
    max_transmissions : int
        Transmissions per block (1 without HARQ).
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    dict
        ``blocks``, ``block_errors``, ``bler`` (residual, after the last transmission) with
        ``bler_low``/``bler_high``; ``bler_tx<t>`` with its interval, the fraction of blocks still
        in error after transmission t = 1 .. ``max_transmissions``; ``throughput`` (the fraction
        of the maximum: delivered blocks per transmission, each transmission using one slot) with
        its interval and ``throughput_mbps``; ``ber`` (information bits of the final decoded
        blocks); ``evm`` (RMS, a fraction) and ``evm_db``; ``iterations`` (mean LDPC iterations
        per code block and transmission). NaN where nothing was counted.
    """
    nan = float("nan")
    c = counts
    blocks = int(c.get("blocks", 0))

    def interval(errors: int, trials: int) -> tuple[float, float]:
        return wilson_interval(errors, trials, confidence) if trials else (nan, nan)

    def ratio(num: str, den: str) -> float:
        return c.get(num, 0) / c[den] if c.get(den, 0) else nan

    out: dict[str, float] = {"blocks": blocks, "block_errors": int(c.get("block_errors", 0))}
    out["bler"] = ratio("block_errors", "blocks")
    out["bler_low"], out["bler_high"] = interval(out["block_errors"], blocks)
    for t in range(1, max_transmissions + 1):
        if t == max_transmissions:
            key = "block_errors"
        else:
            key = "first_tx_errors" if t == 1 else f"errors_after_tx{t}"
        errors = int(c.get(key, 0))
        out[f"bler_tx{t}"] = errors / blocks if blocks else nan
        out[f"bler_tx{t}_low"], out[f"bler_tx{t}_high"] = interval(errors, blocks)
    transmissions = int(c.get("transmissions", 0))
    delivered = int(c.get("delivered_bits", 0)) // tbs if tbs else 0
    out["throughput"] = delivered / transmissions if transmissions else nan
    out["throughput_low"], out["throughput_high"] = interval(delivered, transmissions)
    out["throughput_mbps"] = out["throughput"] * tbs / slot_seconds / 1e6
    out["ber"] = ratio("bit_errors", "bits")
    evm_ref = c.get("evm_reference", 0)
    out["evm"] = math.sqrt(c.get("evm_error", 0) / evm_ref) if evm_ref else nan
    out["evm_db"] = 20 * math.log10(out["evm"]) if out["evm"] > 0 else nan
    out["iterations"] = ratio("iterations", "code_blocks")
    return out


def crossing_snr(snrs: list[float], values: list[float], level: float = 0.7) -> float | None:
    """The SNR at which ``values`` (increasing with SNR, e.g. the throughput fraction) first
    reaches ``level``, by linear interpolation between the two points around it (the 70 %
    criterion of TS 38.101-4 §5.2 and TS 38.104 §8.2); ``None`` if it is never reached.
    Points with a NaN value are left out."""
    pts = sorted((s, v) for s, v in zip(snrs, values, strict=True) if not math.isnan(v))
    for i, (s, v) in enumerate(pts):
        if v >= level:
            if i == 0:
                return s if v == level else None
            s0, v0 = pts[i - 1]
            return s0 + (level - v0) * (s - s0) / (v - v0)
    return None

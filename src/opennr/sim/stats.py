"""Confidence intervals for error rates estimated by counting."""

from __future__ import annotations

import math

from scipy.stats import norm


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
    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = errors / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if errors == 0 else max(0.0, centre - half)
    high = 1.0 if errors == trials else min(1.0, centre + half)
    return low, high

"""Per-RE linear MIMO detection (MMSE, ZF, MMSE-IRC) of one slot of data REs, through the public
:func:`opennr.receiver.equalization.equalize` (validation, layout conversion and allocation
included), on one core.

Cases: 12 data OFDM symbols of n_prb PRBs (12 n_prb subcarriers each), complex64 channel and
samples, a scalar noise variance (MMSE, ZF) or one covariance matrix per PRB (IRC, the layout of
a DM-RS based estimate). Figures are the best of N calls; the machine is shared with other
work, so they are pessimistic.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.receiver.equalization import equalize

CASES = ((106, 1, 2), (106, 2, 2), (106, 2, 4), (273, 1, 2), (273, 2, 4), (273, 4, 4), (273, 8, 8))
TARGET_MS = {(106, 1, 2, "mmse"): 0.1, (273, 4, 4, "mmse"): 5.0}
N_SYMBOLS = 12


def _crandn(rng, *shape):
    return ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)).astype(
        np.complex64)


def run(quick: bool = False) -> list[dict]:
    """Time ``equalize`` for each case and method; return one dict per figure."""
    rng = np.random.default_rng(1)
    repeats = 5 if quick else 30
    results: list[dict] = []
    for n_prb, nu, n_rx in CASES:
        n = 12 * n_prb * N_SYMBOLS
        h = _crandn(rng, n_rx, nu, n)
        x = _crandn(rng, nu, n)
        y = np.einsum("rjn,jn->rn", h, x) + 0.1 * _crandn(rng, n_rx, n)
        g = _crandn(rng, n_prb, n_rx, 2 * n_rx)
        cov = np.einsum("gik,gjk->gij", g, g.conj()) / (2 * n_rx) + 0.01 * np.eye(n_rx)
        cov_index = (np.arange(n) % (12 * n_prb)) // 12
        for method in ("mmse", "zf", "irc"):
            if method == "zf" and nu > n_rx:
                continue
            kw = {"noise_cov": cov, "cov_index": cov_index} if method == "irc" else {}
            t = best_time(lambda h=h, y=y, m=method, kw=kw: equalize(y, h, 0.01, method=m, **kw),
                          repeats)
            results.append({"name": f"{n_prb} PRB {nu} layer {n_rx} Rx {method}",
                            "value": t * 1e3, "unit": "ms/slot", "ns_per_re": t / n * 1e9,
                            "target": TARGET_MS.get((n_prb, nu, n_rx, method))})
    return results


if __name__ == "__main__":
    for r in run():
        target = f"  (target <= {r['target']:g})" if r["target"] is not None else ""
        print(f"{r['name']:<32} {r['value']:8.3f} {r['unit']}  {r['ns_per_re']:6.1f} ns/RE{target}")

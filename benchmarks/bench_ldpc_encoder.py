"""TS 38.212 §5.1-§5.4.2 — throughput of the LDPC encoder, rate matching/recovery and CRC (one core).

Figures are through the public functions (validation and allocation included), a batch of
code blocks per call, best of several repeats. Encoder figures count information bits
(K = 22 Zc or 10 Zc per block).
"""

from __future__ import annotations

import time

import numpy as np

from _timing import best_time
from opennr.coding.crc import crc_attach
from opennr.coding.ldpc import (
    LdpcRateMatchPlan,
    ldpc_encode,
    ldpc_rate_match,
    ldpc_rate_match_plan,
    ldpc_rate_recover,
)

ENCODER_TARGET = {1: 300.0}  # information Mbit/s per core, BG1 Zc=384




def run(quick: bool = False) -> list[dict]:
    """Measure encoder, rate matching, rate recovery and CRC throughput; one dict per figure."""
    rng = np.random.default_rng(1)
    n_blocks = 8 if quick else 32
    repeats = 3 if quick else 10
    results: list[dict] = []
    for bg, k_b in ((1, 22), (2, 10)):
        zc = 384
        c = rng.integers(0, 2, (n_blocks, k_b * zc), dtype=np.uint8)
        t = best_time(lambda c=c, bg=bg: ldpc_encode(c, bg), repeats)
        results.append({"name": f"ldpc_encode BG{bg} Zc={zc} ({n_blocks} blocks)",
                        "value": c.size / t / 1e6, "unit": "Mbit/s (information)",
                        "target": ENCODER_TARGET.get(bg)})

    # Rate matching of a 4-layer 256QAM-like transport block: BG1, Zc=384, C blocks, R ~ 0.6.
    c_blocks = 8 if quick else 16
    qm, n_layers = 8, 4
    g = c_blocks * 14000 // (qm * n_layers) * (qm * n_layers)
    plan = ldpc_rate_match_plan(1, 384, 8448, 8448 - 40, c_blocks, g, qm, n_layers, 0)
    d = rng.integers(0, 2, (c_blocks, plan.n), dtype=np.uint8)
    t = best_time(lambda: ldpc_rate_match(d, plan), repeats)
    results.append({"name": f"ldpc_rate_match BG1 Zc=384 C={c_blocks} G={g}",
                    "value": g / t / 1e6, "unit": "Mbit/s (output)", "target": None})
    llr = rng.standard_normal(g).astype(np.float32)
    t = best_time(lambda: ldpc_rate_recover(llr, plan), repeats)
    results.append({"name": f"ldpc_rate_recover BG1 Zc=384 C={c_blocks} G={g}",
                    "value": g / t / 1e6, "unit": "M LLR/s", "target": None})
    buf = ldpc_rate_recover(llr, plan)
    t = best_time(lambda: ldpc_rate_recover(llr, plan, buffer=buf), repeats)
    results.append({"name": "ldpc_rate_recover into an existing HARQ buffer",
                    "value": g / t / 1e6, "unit": "M LLR/s", "target": None})
    t0 = time.perf_counter()
    LdpcRateMatchPlan(1, 384, 8448, 8448 - 40, c_blocks, g, qm, n_layers, 1, plan.n_cb)
    results.append({"name": f"ldpc_rate_match_plan build (uncached), G={g}",
                    "value": (time.perf_counter() - t0) * 1e3, "unit": "ms", "target": None})

    a = rng.integers(0, 2, 1 << 20, dtype=np.uint8)
    t = best_time(lambda: crc_attach(a, "24A"), repeats)
    results.append({"name": "crc_attach CRC24A, 1 Mbit", "value": a.size / t / 1e6,
                    "unit": "Mbit/s", "target": None})
    return results


if __name__ == "__main__":
    for r in run():
        target = f" (target {r['target']:g})" if r["target"] is not None else ""
        print(f"{r['name']:60s} {r['value']:10.1f} {r['unit']}{target}")

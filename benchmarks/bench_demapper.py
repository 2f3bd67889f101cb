"""TS 38.211 §5.1 — throughput of the modulation mapper and the soft demapper (one core).

Figures are through the public functions (validation and allocation included), complex64
symbols, best of several repeats.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.modulation import bits_per_symbol, demodulate, modulate

QAM = ("QPSK", "16QAM", "64QAM", "256QAM", "1024QAM")
MAXLOG_TARGET = {"256QAM": 50.0}  # M LLR/s per core




def run(quick: bool = False) -> list[dict]:
    """Measure mapper and demapper throughput; return one dict per figure."""
    rng = np.random.default_rng(1)
    n_sym = 1 << (16 if quick else 20)
    repeats = 3 if quick else 7
    results: list[dict] = []
    for modulation in QAM:
        qm = bits_per_symbol(modulation)
        bits = rng.integers(0, 2, n_sym * qm, dtype=np.uint8)
        t = best_time(lambda b=bits, m=modulation: modulate(b, m), repeats)
        results.append({"name": f"modulate {modulation}", "value": n_sym / t / 1e6,
                        "unit": "Msymbol/s", "target": None})
        d = modulate(bits, modulation)
        noise = 0.01 * (rng.standard_normal(n_sym) + 1j * rng.standard_normal(n_sym))
        y = (d + noise).astype(np.complex64)
        t = best_time(lambda y=y, m=modulation: demodulate(y, m, 0.02), repeats)
        results.append({"name": f"demodulate max-log {modulation}", "value": n_sym * qm / t / 1e6,
                        "unit": "M LLR/s", "target": MAXLOG_TARGET.get(modulation)})
        if modulation == "256QAM":
            nv = rng.uniform(0.01, 0.03, n_sym)
            t = best_time(lambda y=y, m=modulation, nv=nv: demodulate(y, m, nv), repeats)
            results.append({"name": f"demodulate max-log {modulation}, per-symbol noise_var",
                            "value": n_sym * qm / t / 1e6, "unit": "M LLR/s", "target": None})
            n_exact = n_sym // 4
            t = best_time(lambda y=y[:n_exact], m=modulation:
                           demodulate(y, m, 0.02, method="exact"), max(1, repeats // 2))
            results.append({"name": f"demodulate exact {modulation}",
                            "value": n_exact * qm / t / 1e6, "unit": "M LLR/s", "target": None})
    return results


if __name__ == "__main__":
    for r in run():
        target = f"  (target {r['target']:g})" if r["target"] is not None else ""
        print(f"{r['name']:<48} {r['value']:10.1f} {r['unit']}{target}")

"""Throughput of the layered LDPC decoder (TS 38.212 §5.3.2 codes).

Information throughput (K bits per code block) in Mbit/s, float32 LLRs, a batch of 32 code blocks,
a fixed number of iterations (early termination off). Per-core figures run on one numba thread;
the two-thread figure shows the scaling across code blocks. The machine may be shared: each
figure is the best of several repetitions.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from opennr.coding.ldpc.decoder import LdpcDecoderConfig, ldpc_decode

_BATCH = 32
_TARGET_BG1_R13_5IT = 40.0  # Mbit/s per core


def _llrs(bg: int, zc: int, e: int, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """BPSK-AWGN LLRs of the all-zero codeword; positions from ``e`` on are not transmitted."""
    n = (66 if bg == 1 else 50) * zc
    sigma2 = 10.0 ** (-snr_db / 10.0)
    y = 1.0 + np.sqrt(sigma2) * rng.standard_normal((_BATCH, n))
    llr = (2.0 * y / sigma2).astype(np.float32)
    llr[:, e:] = 0.0
    return llr


def _best_time(llr: np.ndarray, bg: int, cfg: LdpcDecoderConfig, repeats: int) -> float:
    ldpc_decode(llr[:2], bg, cfg)  # compile / warm up
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        ldpc_decode(llr, bg, cfg)
        best = min(best, time.perf_counter() - t0)
    return best


def run(quick: bool = False) -> list[dict]:
    """Measure the decoder; returns ``{"name", "value", "unit", "target"}`` records."""
    rng = np.random.default_rng(1)
    repeats = 3 if quick else 10
    zc = 384
    cases = [
        # (label, bg, K, E transmitted)
        ("BG1 Zc=384 R=1/3", 1, 22 * zc, 66 * zc),
        ("BG1 Zc=384 R=8/9", 1, 22 * zc, (22 * zc * 9) // 8),
        ("BG2 Zc=384 R=1/5", 2, 10 * zc, 50 * zc),
    ]
    iteration_counts = (5,) if quick else (5, 10)
    out: list[dict] = []
    saved = numba.get_num_threads()
    try:
        for threads in (1, 2):
            if threads > numba.config.NUMBA_NUM_THREADS:
                continue
            numba.set_num_threads(threads)
            for label, bg, k, e in cases:
                if threads > 1 and label != "BG1 Zc=384 R=1/3":
                    continue
                llr = _llrs(bg, zc, e, 1.0, rng)
                for iters in iteration_counts:
                    cfg = LdpcDecoderConfig(max_iterations=iters, early_termination=False)
                    t = _best_time(llr, bg, cfg, repeats)
                    per = "per core" if threads == 1 else f"{threads} threads"
                    target = (_TARGET_BG1_R13_5IT
                              if (threads == 1 and iters == 5 and label == "BG1 Zc=384 R=1/3")
                              else None)
                    out.append({"name": f"ldpc_decode nms {label} {iters} it, {per}",
                                "value": _BATCH * k / t / 1e6, "unit": "Mbit/s",
                                "target": target})
        numba.set_num_threads(1)
        llr = _llrs(1, zc, 66 * zc, 1.0, rng)
        for alg in ("oms", "spa"):
            cfg = LdpcDecoderConfig(algorithm=alg, max_iterations=5, early_termination=False)
            t = _best_time(llr, 1, cfg, 2 if alg == "spa" else repeats)
            out.append({"name": f"ldpc_decode {alg} BG1 Zc=384 R=1/3 5 it, per core",
                        "value": _BATCH * 22 * zc / t / 1e6, "unit": "Mbit/s", "target": None})
    finally:
        numba.set_num_threads(saved)
    return out


if __name__ == "__main__":
    for rec in run():
        tgt = "" if rec["target"] is None else f"  (target >= {rec['target']:g})"
        print(f"{rec['name']:<52} {rec['value']:8.1f} {rec['unit']}{tgt}")

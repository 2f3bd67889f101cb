"""Decoding quality of the layered LDPC decoder over BPSK-AWGN (TS 38.212 §5.3.2 codes).

Finds the SNR at which the block error rate crosses 1e-2 for each decoder setting, by a sweep in
0.1 dB steps and linear interpolation of log10(BLER) between the two points that bracket 1e-2.
Random information bits are encoded with ``ldpc_encode``; all ``N`` coded bits are sent (mother
code rate: 1/3 for BG1, 1/5 for BG2). Each bit is sent on one real dimension, ``x = 1 - 2d``,
``y = x + n`` with ``n ~ N(0, s2)``, ``LLR = 2y/s2``, and ``SNR = 1/s2``: this is the Es/N0 of
Gray QPSK with unit-energy symbols (two such bits per symbol), and 3.01 dB above the Es/N0 of BPSK;
``Eb/N0 = SNR - 10 log10(2R)``.

Run by hand (it takes minutes to an hour): ``python benchmarks/ldpc_quality.py [--quick]``. It
prints a table and writes nothing.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from opennr.coding.ldpc.decoder import LdpcDecoderConfig, ldpc_decode
from opennr.coding.ldpc.encoder import ldpc_encode

_TARGET_BLER = 1e-2


def bler_point(bg: int, zc: int, cfg: LdpcDecoderConfig, snr_db: float, rng: np.random.Generator,
               max_blocks: int, min_errors: int, batch: int = 64) -> tuple[float, int, int, float]:
    """Simulate one SNR point; returns (BLER, errors, blocks, mean iterations)."""
    k = (22 if bg == 1 else 10) * zc
    s2 = 10.0 ** (-snr_db / 10.0)
    errors = blocks = 0
    iters = 0.0
    while blocks < max_blocks and errors < min_errors:
        c = rng.integers(0, 2, size=(batch, k), dtype=np.uint8)
        d = ldpc_encode(c, bg)
        y = (1.0 - 2.0 * d) + math.sqrt(s2) * rng.standard_normal(d.shape)
        res = ldpc_decode((2.0 / s2 * y).astype(np.float32), bg, cfg)
        errors += int(np.any(res.bits != c, axis=-1).sum())
        blocks += batch
        iters += float(res.iterations.sum())
    return errors / blocks, errors, blocks, iters / blocks


def snr_at_bler(bg: int, zc: int, cfg: LdpcDecoderConfig, start_db: float, seed: int,
                max_blocks: int, min_errors: int, log: bool = True) -> tuple[float, list]:
    """Sweep in 0.1 dB steps from ``start_db`` until 1e-2 is bracketed; interpolate."""
    rng = np.random.default_rng(seed)
    points: dict[float, float] = {}
    rows = []
    snr = round(start_db, 1)
    for _ in range(60):
        bler, err, n, it = bler_point(bg, zc, cfg, snr, rng, max_blocks, min_errors)
        points[snr] = bler
        rows.append((snr, bler, err, n, it))
        if log:
            print(f"    {snr:+5.1f} dB  BLER {bler:8.2e}  ({err}/{n})  mean it {it:5.2f}", flush=True)
        above = [s for s, b in points.items() if b >= _TARGET_BLER]
        below = [s for s, b in points.items() if b < _TARGET_BLER]
        if above and below and round(min(below) - max(above), 1) <= 0.1:
            break
        snr = round(snr + (0.1 if not below else -0.1), 1)
        if below and snr in points:
            snr = round(min(below) - 0.1, 1)
    above = max(s for s, b in points.items() if b >= _TARGET_BLER)
    below = min(s for s, b in points.items() if b < _TARGET_BLER)
    b_hi, b_lo = points[above], max(points[below], 0.5 / max_blocks)
    la, lb = math.log10(b_hi), math.log10(b_lo)
    x = above + (below - above) * (la - math.log10(_TARGET_BLER)) / (la - lb)
    return x, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer blocks (rough figures)")
    ap.add_argument("--graphs", default="1,2")
    ap.add_argument("--scalings", default="0.625,0.6875,0.75")
    ap.add_argument("--offsets", default="0.25,0.5,0.75")
    ap.add_argument("--no-spa", action="store_true")
    ap.add_argument("--spa-blocks", type=int, default=960,
                    help="blocks per SNR point at most for SPA (its 50 iterations are slow)")
    args = ap.parse_args()
    max_blocks, min_errors = (640, 20) if args.quick else (3200, 60)
    zc = 384
    starts = {1: -1.6, 2: -3.9}
    settings = []
    if not args.no_spa:
        settings.append(("spa", 50, LdpcDecoderConfig(algorithm="spa", max_iterations=50)))
    for s in filter(None, args.scalings.split(",")):
        settings.append((f"nms {s}", 10, LdpcDecoderConfig(scaling=float(s), max_iterations=10)))
    for o in filter(None, args.offsets.split(",")):
        settings.append((f"oms {o}", 10, LdpcDecoderConfig(algorithm="oms", offset=float(o),
                                                           max_iterations=10)))
    table = []
    for bg in (int(g) for g in args.graphs.split(",")):
        k = (22 if bg == 1 else 10) * zc
        n = (66 if bg == 1 else 50) * zc
        for i, (label, iters, cfg) in enumerate(settings):
            print(f"BG{bg} K={k} N={n} {label} ({iters} it):", flush=True)
            t0 = time.time()
            spa = cfg.algorithm == "spa"
            x, _ = snr_at_bler(bg, zc, cfg, starts[bg], seed=1000 * bg + i,
                               max_blocks=min(max_blocks, args.spa_blocks) if spa else max_blocks,
                               min_errors=min_errors // 2 if spa else min_errors)
            table.append((bg, label, iters, x, time.time() - t0))
            print(f"  -> SNR at BLER 1e-2: {x:+.2f} dB", flush=True)
    print()
    print("graph  decoder      it   SNR@1e-2   (Eb/N0)    vs SPA-50   time")
    for bg, label, iters, x, dt in table:
        ref = [t[3] for t in table if t[0] == bg and t[1] == "spa"]
        gap = f"{x - ref[0]:+.2f} dB" if ref else "-"
        ebn0 = x - 10.0 * math.log10(2.0 * (1 / 3 if bg == 1 else 1 / 5))
        print(f"BG{bg}    {label:<12} {iters:3d}   {x:+6.2f} dB  ({ebn0:+5.2f} dB)  {gap:>9}   "
              f"{dt:5.0f} s")


if __name__ == "__main__":
    main()

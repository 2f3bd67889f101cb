"""Decoding quality of the layered LDPC decoder over BPSK-AWGN (TS 38.212 §5.3.2 codes).

Finds the SNR at which the block error rate crosses 1e-2 for each decoder setting, by a sweep in
0.1 dB steps and linear interpolation of log10(BLER) between the two points that bracket 1e-2.
Random information bits are encoded with ``ldpc_encode``; all ``N`` coded bits are sent (mother
code rate: 1/3 for BG1, 1/5 for BG2). Each bit is sent on one real dimension, ``x = 1 - 2d``,
``y = x + n`` with ``n ~ N(0, s2)``, ``LLR = 2y/s2``, and ``SNR = 1/s2``: this is the Es/N0 of
Gray QPSK with unit-energy symbols (two such bits per symbol), and 3.01 dB above the Es/N0 of BPSK;
``Eb/N0 = SNR - 10 log10(2R)``.

Requirement checked (and reported as met / not met for each base graph): the default decoder
(``LdpcDecoderConfig()``: ``"nms"``, 10 iterations) within 0.3 dB of layered sum-product at 50
iterations. For the reference it also prints how many iterations SPA-50 needs at its own 1e-2
point: when no block decodes in 10 iterations there, no 10-iteration decoder can be within a few
tenths of a dB of it.

Run by hand: ``python benchmarks/ldpc_quality.py [--quick] [--spa-ref 1:-1.69,2:-4.27]`` (the
SPA-50 sweeps take most of the time; ``--spa-ref`` takes the reference from an earlier run). It
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


_REQUIRED_GAP_DB = 0.3


def bler_point(bg: int, zc: int, cfg: LdpcDecoderConfig, snr_db: float, rng: np.random.Generator,
               max_blocks: int, min_errors: int, batch: int = 64,
               hist: np.ndarray | None = None) -> tuple[float, int, int, float]:
    """Simulate one SNR point; returns (BLER, errors, blocks, mean iterations).

    ``hist``, when given, accumulates the number of blocks per iteration count.
    """
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
        if hist is not None:
            hist += np.bincount(res.iterations, minlength=hist.size)[:hist.size]
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


def _settings(args) -> list[tuple[str, int, LdpcDecoderConfig]]:
    out = [] if args.no_spa10 else [("spa", 10, LdpcDecoderConfig(algorithm="spa",
                                                                  max_iterations=10))]
    out.append(("nms default", 10, LdpcDecoderConfig(max_iterations=10)))
    if args.constant:
        out.append(("nms a=.85 b=.275", 10,
                    LdpcDecoderConfig(scaling=0.85, offset=0.275, max_iterations=10)))
    for a in filter(None, args.scalings.split(",")):
        out.append((f"nms a={a} b=0", 10,
                    LdpcDecoderConfig(scaling=float(a), offset=0.0, max_iterations=10)))
    for o in filter(None, args.offsets.split(",")):
        out.append((f"oms b={o}", 10, LdpcDecoderConfig(algorithm="oms", offset=float(o),
                                                        max_iterations=10)))
    if args.nms20:
        out.append(("nms default", 20, LdpcDecoderConfig(max_iterations=20)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer blocks (rough figures)")
    ap.add_argument("--graphs", default="1,2")
    ap.add_argument("--scalings", default="0.6875", help="pure normalized min-sum variants")
    ap.add_argument("--offsets", default="0.5", help="offset min-sum variants")
    ap.add_argument("--nms20", action="store_true", help="also the default at 20 iterations")
    ap.add_argument("--constant", action="store_true",
                    help="also the best constant normalization and offset (0.85, 0.275)")
    ap.add_argument("--no-spa10", action="store_true", help="leave out SPA at 10 iterations")
    ap.add_argument("--spa-ref", default="",
                    help="SPA-50 SNR at 1e-2 per graph from an earlier run, e.g. 1:-1.69,2:-4.27")
    ap.add_argument("--spa-blocks", type=int, default=1920,
                    help="blocks per SNR point at most for SPA-50 (its 50 iterations are slow)")
    args = ap.parse_args()
    max_blocks, min_errors = (640, 20) if args.quick else (6400, 100)
    zc = 384
    starts = {1: -1.2, 2: -3.7}
    spa_ref = {int(g): float(x) for g, x in
               (item.split(":") for item in filter(None, args.spa_ref.split(",")))}
    settings = _settings(args)
    table = []
    for bg in (int(g) for g in args.graphs.split(",")):
        k = (22 if bg == 1 else 10) * zc
        n = (66 if bg == 1 else 50) * zc
        if bg in spa_ref:
            table.append((bg, "spa", 50, spa_ref[bg], 0.0))
        else:
            print(f"BG{bg} K={k} N={n} spa (50 it):", flush=True)
            t0 = time.time()
            cfg = LdpcDecoderConfig(algorithm="spa", max_iterations=50)
            x, _ = snr_at_bler(bg, zc, cfg, starts[bg] - 0.5, seed=1000 * bg + 99,
                               max_blocks=min(max_blocks, args.spa_blocks),
                               min_errors=min_errors // 2)
            table.append((bg, "spa", 50, x, time.time() - t0))
            print(f"  -> SNR at BLER 1e-2: {x:+.2f} dB", flush=True)
            hist = np.zeros(51, np.int64)
            bler_point(bg, zc, cfg, round(x, 2), np.random.default_rng(bg), 256, 10 ** 9,
                       hist=hist)
            it = np.repeat(np.arange(51), hist)
            print(f"  SPA-50 iterations at {x:+.2f} dB: min {it.min()}, median "
                  f"{np.median(it):.0f}, share above 10: {np.mean(it > 10):.2f}", flush=True)
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
    print("graph  decoder        it   SNR@1e-2   (Eb/N0)    vs SPA-50   time")
    verdicts = []
    for bg, label, iters, x, dt in table:
        ref = [t[3] for t in table if t[0] == bg and t[1] == "spa" and t[2] == 50]
        gap = f"{x - ref[0]:+.2f} dB" if ref else "-"
        ebn0 = x - 10.0 * math.log10(2.0 * (1 / 3 if bg == 1 else 1 / 5))
        print(f"BG{bg}    {label:<14} {iters:3d}   {x:+6.2f} dB  ({ebn0:+5.2f} dB)  {gap:>9}   "
              f"{dt:5.0f} s")
        if label == "nms default" and iters == 10 and ref:
            ok = x - ref[0] <= _REQUIRED_GAP_DB
            verdicts.append(f"BG{bg}: default NMS-10 is {x - ref[0]:+.2f} dB from SPA-50 "
                            f"(required <= {_REQUIRED_GAP_DB} dB): {'met' if ok else 'NOT met'}")
    print()
    for v in verdicts:
        print(v)


if __name__ == "__main__":
    main()

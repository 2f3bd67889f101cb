"""TS 38.212 §5.3.1, §7.1 — throughput of polar decoding (PBCH, CA-SCL) and encoding (one core).

Figures are through the public functions (validation and allocation included), a batch of
codewords per call, best of several repeats. The PBCH case is K = 56 (32 payload bits + CRC24C),
E = 864, N = 512, n_max = 9, I_IL = 1, at an SNR where the list is busy (Es/N0 = -6 dB).
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.coding.crc import crc_attach
from opennr.coding.polar import polar_decode, polar_encode, polar_rate_match, polar_rate_recover
from opennr.transport.bch import Mib, bch_decode, bch_encode

PBCH_DECODE_TARGET = 5000.0  # decodes/s per core, CA-SCL L=8


def run(quick: bool = False) -> list[dict]:
    """Measure PBCH polar decoding (SC, CA-SCL 8/32), encoding and the BCH chain; one dict per figure."""
    rng = np.random.default_rng(1)
    n_blocks = 200 if quick else 1000
    repeats = 3 if quick else 7
    c = crc_attach(rng.integers(0, 2, (n_blocks, 32), dtype=np.uint8), "24C")
    d = polar_encode(c, e=864, n_max=9, i_il=True)
    f = polar_rate_match(d, k=56, e=864, i_bil=False)
    noise_var = 10 ** 0.6
    y = 1.0 - 2.0 * f + np.sqrt(noise_var) * rng.standard_normal(f.shape)
    llr = polar_rate_recover(2.0 * y / noise_var, k=56, n=512, i_bil=False)
    results: list[dict] = []
    for list_size in (8, 1, 32):
        t = best_time(lambda ls=list_size: polar_decode(llr, k=56, e=864, n_max=9, i_il=True,
                                                        list_size=ls), repeats)
        results.append({"name": f"polar_decode PBCH K=56 E=864 L={list_size} ({n_blocks} blocks)",
                        "value": n_blocks / t, "unit": "decodes/s",
                        "target": PBCH_DECODE_TARGET if list_size == 8 else None})
    t = best_time(lambda: polar_encode(c, e=864, n_max=9, i_il=True), repeats)
    results.append({"name": f"polar_encode PBCH K=56 N=512 ({n_blocks} blocks)",
                    "value": n_blocks / t, "unit": "encodes/s", "target": None})
    bits = bch_encode(Mib(), 100, 0, 0, 0, 8, 1)
    one = (1.0 - 2.0 * bits).astype(np.float32)
    t = best_time(lambda: bch_decode(one, 1, 8), repeats * 20)
    results.append({"name": "bch_decode (one block, L=8, noiseless)", "value": 1.0 / t,
                    "unit": "decodes/s", "target": None})
    t = best_time(lambda: bch_encode(Mib(), 100, 0, 0, 0, 8, 1), repeats * 20)
    results.append({"name": "bch_encode (one block)", "value": 1.0 / t, "unit": "encodes/s",
                    "target": None})
    return results


if __name__ == "__main__":
    for r in run():
        target = f" (target {r['target']:g})" if r["target"] else ""
        print(f"{r['name']}: {r['value']:,.0f} {r['unit']}{target}")

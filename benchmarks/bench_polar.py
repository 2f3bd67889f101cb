"""TS 38.212 §5.3.1, §7.1 — throughput of polar decoding (PBCH, DCI, UCI; CA-SCL) and encoding (one core).

Figures are through the public functions (validation and allocation included), a batch of
codewords per call, best of several repeats. The PBCH case is K = 56 (32 payload bits + CRC24C),
E = 864, N = 512, n_max = 9, I_IL = 1, at an SNR where the list is busy (Es/N0 = -6 dB). The DCI
cases are K = 60 (36 payload bits + CRC24C) at E = 432 and 864 (N = 512) near 1 % block errors
with list size 8, and on noise alone (a PDCCH candidate that carries nothing); the UCI case is
A = 40 (K = 51 with CRC11), E = 240, N = 256, n_max = 10, I_BIL = 1.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.coding.crc import crc_attach
from opennr.coding.polar import polar_code, polar_decode, polar_encode, polar_rate_match, polar_rate_recover
from opennr.transport.bch import Mib, bch_decode, bch_encode

PBCH_DECODE_TARGET = 5000.0  # decodes/s per core, CA-SCL L=8


def _coded_llrs(rng, n_blocks, a, crc, e, n_max, i_il, i_bil, es_n0_db):
    """LLRs of random codewords over BPSK AWGN at ``es_n0_db`` (after rate recovery), and ``K``."""
    c = crc_attach(rng.integers(0, 2, (n_blocks, a), dtype=np.uint8), crc)
    k = c.shape[-1]
    f = polar_rate_match(polar_encode(c, e=e, n_max=n_max, i_il=i_il), k=k, e=e, i_bil=i_bil)
    noise_var = 10 ** (-es_n0_db / 10)
    y = 1.0 - 2.0 * f + np.sqrt(noise_var) * rng.standard_normal(f.shape)
    n = polar_code(k, e, n_max, i_il).n
    return polar_rate_recover((2.0 * y / noise_var).astype(np.float32), k=k, n=n, i_bil=i_bil), k


def run(quick: bool = False) -> list[dict]:
    """Measure polar decoding (PBCH SC, CA-SCL 8/32; DCI and UCI CA-SCL 8), encoding and the BCH chain."""
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
    for label, a, crc, e, n_max, i_il, i_bil, snr in (("DCI", 36, "24C", 432, 9, True, False, -5.0),
                                                      ("DCI", 36, "24C", 864, 9, True, False, -8.0),
                                                      ("UCI", 40, "11", 240, 10, False, True, -3.0)):
        soft, k = _coded_llrs(rng, n_blocks, a, crc, e, n_max, i_il, i_bil, snr)
        cases = [(f"K={k} E={e} Es/N0={snr:g} dB", soft)]
        if label == "DCI" and e == 432:
            cases.append((f"K={k} E={e} noise only", rng.standard_normal(soft.shape).astype(np.float32)))
        for what, x in cases:
            t = best_time(lambda x=x, k=k, e=e, n_max=n_max, i_il=i_il, crc=crc: polar_decode(
                x, k=k, e=e, n_max=n_max, i_il=i_il, crc=crc, list_size=8), repeats)
            results.append({"name": f"polar_decode {label} {what} L=8 ({n_blocks} blocks)",
                            "value": n_blocks / t, "unit": "decodes/s", "target": None})
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
        per = f", {1e6 / r['value']:.1f} us each" if r["unit"] == "decodes/s" else ""
        print(f"{r['name']}: {r['value']:,.0f} {r['unit']}{per}{target}")

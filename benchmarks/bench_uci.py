"""TS 38.212 §5.3.3, §6.3.1-§6.3.2, §6.2.7 — throughput of UCI decoding and of UCI on the PUSCH
(one core).

Figures are through the public functions (validation and allocation included), a batch of
codewords per call, best of several repeats: ML decoding of the (32, 11) Reed-Muller code
rate-matched to E = 64; CA-SCL (L = 8) decoding of a 40-bit CSI report in E = 240 bits; and the
demultiplexing plus decoding of HARQ-ACK (2 bits), CSI part 1 (20) and part 2 (60) from the LLRs
of a 52-PRB 16QAM PUSCH with UL-SCH.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.transport.sch import SchConfig
from opennr.transport.uci import uci_decode, uci_encode
from opennr.transport.uci_pusch import (
    PuschUciResources,
    UciPuschConfig,
    pusch_uci_decode,
    pusch_uci_encode,
    uci_pusch_plan,
)


def _noisy(cw: np.ndarray, rng, es_n0_db: float) -> np.ndarray:
    nv = 10 ** (-es_n0_db / 10)
    y = 1.0 - 2.0 * np.maximum(cw, 0) + np.sqrt(nv) * rng.standard_normal(cw.shape)
    return (2.0 * y / nv).astype(np.float32)


def run(quick: bool = False) -> list[dict]:
    """Measure small block and polar UCI decoding and PUSCH UCI demultiplexing; one dict per figure."""
    rng = np.random.default_rng(1)
    n_blocks = 500 if quick else 4000
    repeats = 3 if quick else 7
    results: list[dict] = []

    bits = rng.integers(0, 2, (n_blocks, 11), dtype=np.uint8)
    llr = _noisy(uci_encode(bits, 64), rng, 0.0)
    t = best_time(lambda: uci_decode(llr, 11), repeats)
    results.append({"name": f"uci_decode Reed-Muller A=11 E=64 ({n_blocks} blocks)",
                    "value": n_blocks / t, "unit": "decodes/s", "target": None})

    n_polar = n_blocks // 4
    bits = rng.integers(0, 2, (n_polar, 40), dtype=np.uint8)
    llr = _noisy(uci_encode(bits, 240), rng, -2.0)
    t = best_time(lambda: uci_decode(llr, 40, list_size=8), repeats)
    results.append({"name": f"uci_decode polar A=40 E=240 L=8 ({n_polar} blocks)",
                    "value": n_polar / t, "unit": "decodes/s", "target": None})

    dmrs = tuple(l in (2, 11) for l in range(14))
    res = PuschUciResources(m_sc=tuple(0 if d else 624 for d in dmrs), dmrs=dmrs, n_layers=1, qm=4)
    sch = SchConfig(tbs=12000, target_code_rate=0.5, qm=4)
    uci = UciPuschConfig(o_ack=2, o_csi1=20, o_csi2=60, beta_offset_ack=8.0, beta_offset_csi1=4.0,
                         beta_offset_csi2=4.0)
    plan = uci_pusch_plan(res, uci, sch=sch)
    n_slots = 20 if quick else 100
    cw = pusch_uci_encode(plan, ulsch=rng.integers(0, 2, (n_slots, plan.g_ulsch), dtype=np.uint8),
                          ack=rng.integers(0, 2, (n_slots, 2), dtype=np.uint8),
                          csi1=rng.integers(0, 2, (n_slots, 20), dtype=np.uint8),
                          csi2=rng.integers(0, 2, (n_slots, 60), dtype=np.uint8))
    llr = _noisy(cw, rng, 3.0)
    t = best_time(lambda: pusch_uci_decode(plan, llr), repeats)
    results.append({"name": f"pusch_uci_decode 52 PRB 16QAM, ACK 2 + CSI 20/60 bits ({n_slots} slots)",
                    "value": n_slots / t, "unit": "slots/s", "target": None})
    return results


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.3g} {row['unit']} (target {row['target']})")

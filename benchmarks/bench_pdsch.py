"""Benchmark of the PDSCH transmitter (TS 38.211 §7.3.1, §7.4.1.1): codeword to slot grid.

273 PRBs at 30 kHz (100 MHz), 14 symbols, DM-RS type 1 with one additional position, two CDM
groups without data; 256QAM with 4 layers (one codeword) and 64QAM with 8 layers (two
codewords, double-symbol DM-RS). Scrambling, modulation, layer mapping, DM-RS generation and
resource-element mapping per slot (the plan is cached after the first slot).
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import PdschConfig, pdsch_bit_capacity, pdsch_grid


def run(quick: bool = False) -> list[dict]:
    carrier = Carrier(scs=30, n_size_grid=273)
    cases = [
        ("4 layers 256QAM", PdschConfig(n_layers=4, modulation="256QAM",
                                        dmrs=DmrsConfig(additional_position=1))),
        ("8 layers 64QAM, 2 codewords", PdschConfig(n_layers=8, modulation="64QAM",
                                                    dmrs=DmrsConfig(length=2,
                                                                    additional_position=1))),
    ]
    rng = np.random.default_rng(1)
    repeats = 1 if quick else 5
    out = []
    for name, cfg in cases:
        g = pdsch_bit_capacity(carrier, cfg)
        bits = [rng.integers(0, 2, gq, dtype=np.uint8) for gq in g]
        cw = bits if len(bits) == 2 else bits[0]
        pdsch_grid(cw, carrier, cfg)
        t = best_time(lambda cw=cw, cfg=cfg: pdsch_grid(cw, carrier, cfg), repeats)
        out.append({"name": f"PDSCH grid, 273 PRB x 14 symbols, {name}", "value": 1.0 / t,
                    "unit": "slots/s", "target": None})
        out.append({"name": f"PDSCH grid, {name}, coded bits", "value": sum(g) / t / 1e6,
                    "unit": "Mbit/s", "target": None})
    return out


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.1f} {row['unit']}")

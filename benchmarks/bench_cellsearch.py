"""Benchmark of the cell search (TS 38.211 §7.4.2-§7.4.3 SS/PBCH detection, MIB decoding).

20 ms of 30.72 Msps samples holding an SS burst (4 blocks per half frame, 5 ms period) at
0 dB SNR per resource element; cell searches per second on one core, with the subcarrier spacing
and block frequency given (target: at least 1 search per second, i.e. < 1 s per search) and with
both searched.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.numerology import Carrier
from opennr.physical.ssb import SsBurstConfig, ss_burst_waveform
from opennr.receiver import cell_search
from opennr.transport.bch import Mib, bch_encode

_RATE = 30.72e6


def _capture() -> tuple[np.ndarray, float]:
    carrier = Carrier(scs=15, n_size_grid=106)
    cfg = SsBurstConfig(carrier=carrier, case="A", l_max=4, period=5, n_crb_ssb=20, k_ssb=4,
                        n_cell_id=501)
    mib = Mib(pdcch_config_sib1=12)

    def bits(sfn: int, n_hf: int, i_ssb: int) -> np.ndarray:
        return bch_encode(mib, sfn, n_hf, i_ssb, 4, 4, 501)

    w = ss_burst_waveform(cfg, bits, n_half_frames=4, sample_rate=_RATE)[0]
    centre = (cfg.first_subcarrier + 120 - carrier.n_subcarriers // 2) * 15e3
    rng = np.random.default_rng(5)
    var = 1.0 / 2048
    noise = np.sqrt(var / 2) * (rng.standard_normal(w.size) + 1j * rng.standard_normal(w.size))
    x = (w * np.exp(2j * np.pi * 0.7 * 15e3 * np.arange(w.size) / _RATE) + noise)
    return x.astype(np.complex64), centre


def run(quick: bool = False) -> list[dict]:
    x, centre = _capture()
    repeats = 1 if quick else 3
    given = best_time(lambda: cell_search(x, _RATE, ssb_scs=15, ssb_frequency=centre), repeats)
    cells = cell_search(x, _RATE, ssb_scs=15, ssb_frequency=centre)
    if {c.n_cell_id for c in cells} != {501}:
        raise RuntimeError(f"cell search benchmark: unexpected cells {cells}")
    rows = [{"name": "cell search, 20 ms at 30.72 Msps, SCS and frequency given",
             "value": 1.0 / given, "unit": "searches/s", "target": 1.0}]
    if not quick:
        search = best_time(lambda: cell_search(x, _RATE), 1)
        rows.append({"name": "cell search, 20 ms at 30.72 Msps, SCS and frequency searched",
                     "value": 1.0 / search, "unit": "searches/s", "target": None})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.3g} {row['unit']} (target {row['target']})")

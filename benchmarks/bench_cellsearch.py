"""Benchmark of the cell search (TS 38.211 §7.4.2-§7.4.3 SS/PBCH detection, MIB decoding).

20 ms of 30.72 Msps samples holding an SS burst (4 blocks per half frame, 5 ms period) at
0 dB SNR per resource element; cell searches per second on one core, with the subcarrier spacing
and block frequency given (target: at least 1 search per second, i.e. < 1 s per search), with
both searched on the subcarrier grid, and over the synchronization raster of band n1 (TS 38.104
§5.4.3: the 30.72 MHz recording holds 66 GSCNs). Also 5 ms of an FR2 burst (case D, 120 kHz,
L_max = 64, 8 blocks) at 61.44 Msps with the frequency given.
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.numerology import Carrier
from opennr.physical.ssb import SsBurstConfig, ss_burst_waveform
from opennr.receiver import cell_search
from opennr.receiver.raster import gscn_to_frequency, ssb_raster_frequencies
from opennr.transport.bch import Mib, bch_bit_source

_RATE = 30.72e6


def _capture() -> tuple[np.ndarray, float]:
    carrier = Carrier(scs=15, n_size_grid=106)
    cfg = SsBurstConfig(carrier=carrier, case="A", l_max=4, period=5, n_crb_ssb=20, k_ssb=4,
                        n_cell_id=501)
    mib = Mib(pdcch_config_sib1=12)
    w = ss_burst_waveform(cfg, bch_bit_source(mib, 4, 4, 501), n_half_frames=4,
                          sample_rate=_RATE)[0]
    centre = (cfg.first_subcarrier + 120 - carrier.n_subcarriers // 2) * 15e3
    rng = np.random.default_rng(5)
    var = 1.0 / 2048
    noise = np.sqrt(var / 2) * (rng.standard_normal(w.size) + 1j * rng.standard_normal(w.size))
    x = (w * np.exp(2j * np.pi * 0.7 * 15e3 * np.arange(w.size) / _RATE) + noise)
    return x.astype(np.complex64), centre


def _capture_fr2() -> tuple[np.ndarray, float]:
    carrier = Carrier(scs=120, n_size_grid=32)
    bitmap = tuple(int(i % 9 == 0) for i in range(64))
    cfg = SsBurstConfig(carrier=carrier, case="D", l_max=64, transmitted=bitmap, period=20,
                        n_crb_ssb=2, k_ssb=4, n_cell_id=77)
    mib = Mib(subcarrier_spacing_common=120)
    w = ss_burst_waveform(cfg, bch_bit_source(mib, 4, 64, 77), n_half_frames=1)[0]
    centre = (cfg.first_subcarrier + 120 - carrier.n_subcarriers // 2) * 120e3
    rng = np.random.default_rng(6)
    noise = np.sqrt(1 / 1024) * (rng.standard_normal(w.size) + 1j * rng.standard_normal(w.size))
    return (w + noise).astype(np.complex64), centre


def run(quick: bool = False) -> list[dict]:
    x, centre = _capture()
    repeats = 1 if quick else 3
    given = best_time(lambda: cell_search(x, _RATE, ssb_scs=15, ssb_frequency=centre), repeats)
    cells = cell_search(x, _RATE, ssb_scs=15, ssb_frequency=centre)
    if {c.n_cell_id for c in cells} != {501}:
        raise RuntimeError(f"cell search benchmark: unexpected cells {cells}")
    rows = [{"name": "cell search, 20 ms at 30.72 Msps, SCS and frequency given",
             "value": 1.0 / given, "unit": "searches/s", "target": 1.0}]
    # Band n1: put the block on GSCN 5300; the recording holds the raster points around it.
    f_rec = gscn_to_frequency(5300) - centre
    n_points = len(ssb_raster_frequencies("n1", f_rec, _RATE))
    cells = cell_search(x, _RATE, band="n1", centre_frequency=f_rec)
    if {c.gscn for c in cells} != {5300}:
        raise RuntimeError(f"cell search benchmark: unexpected raster cells {cells}")
    raster = best_time(lambda: cell_search(x, _RATE, band="n1", centre_frequency=f_rec), 1)
    rows.append({"name": f"cell search, 20 ms at 30.72 Msps, band n1 raster ({n_points} GSCNs)",
                 "value": 1.0 / raster, "unit": "searches/s", "target": None})
    y, centre_fr2 = _capture_fr2()
    cells = cell_search(y, 61.44e6, ssb_scs=120, ssb_frequency=centre_fr2)
    if sorted(c.ssb_index for c in cells) != [i for i in range(64) if i % 9 == 0]:
        raise RuntimeError(f"cell search benchmark: unexpected FR2 cells {cells}")
    fr2 = best_time(lambda: cell_search(y, 61.44e6, ssb_scs=120, ssb_frequency=centre_fr2),
                    repeats)
    rows.append({"name": "cell search, 5 ms FR2 case D at 61.44 Msps, 8 blocks, frequency given",
                 "value": 1.0 / fr2, "unit": "searches/s", "target": None})
    if not quick:
        search = best_time(lambda: cell_search(x, _RATE), 1)
        rows.append({"name": "cell search, 20 ms at 30.72 Msps, SCS and frequency searched",
                     "value": 1.0 / search, "unit": "searches/s", "target": None})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.3g} {row['unit']} (target {row['target']})")

"""Benchmark of the CDL channel (TR 38.901 §7.7.1): realisation set-up, path gains, application.

CDL-C, 300 ns delay spread, 100 Hz maximum Doppler, 38.901 elements, cross-polarised panels of
2x2 (8 ports, transmit) and 1x2 (4 ports, receive); one slot (1 ms) at 30.72 Msps through ``apply``, and the
frequency response of 14 symbols x 3276 subcarriers. BLAS is limited to one thread (figures per
core).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from _timing import best_time  # noqa: E402
from opennr.channel.antenna import AntennaArray  # noqa: E402
from opennr.channel.cdl import CdlChannel, CdlConfig  # noqa: E402

_RATE = 30.72e6


def run(quick: bool = False) -> list[dict]:
    cfg = CdlConfig(model="CDL-C", delay_spread=300e-9, max_doppler=100.0,
                    tx_array=AntennaArray(m=2, n=2, polarization="X", element="38.901"),
                    rx_array=AntennaArray(m=1, n=2, polarization="X", element="38.901"))
    rng = np.random.default_rng(1)
    ch = CdlChannel(cfg, rng)
    shape = (cfg.n_tx, 30720)
    x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    ch.apply(x[:, :100], _RATE)
    repeats = 1 if quick else 3
    setup = best_time(lambda: CdlChannel(cfg, rng), repeats)
    apply = best_time(lambda: ch.apply(x, _RATE), repeats)
    f = (np.arange(3276) - 1638) * 30e3
    t = (np.arange(14) + 0.5) / 14e3
    freq = best_time(lambda: ch.frequency_response(f, t), repeats)
    return [
        {"name": "CDL-C realisation (8x4 ports, 24 clusters x 20 rays)", "value": 1.0 / setup,
         "unit": "realisations/s", "target": None},
        {"name": "CDL-C apply, 1 ms at 30.72 Msps, 8 tx -> 4 rx", "value": 1.0 / apply,
         "unit": "slots/s", "target": None},
        {"name": "CDL-C frequency response, 14 symbols x 3276 subcarriers, 8x4", "value": 1.0 / freq,
         "unit": "slots/s", "target": None},
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.3g} {row['unit']} (target {row['target']})")

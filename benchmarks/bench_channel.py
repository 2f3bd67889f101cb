"""TR 38.901 §7.7 — throughput of the TDL channel (one core).

* Frequency-domain channel of one slot: TDL-C 300 ns, 2x2, 273 PRB at 30 kHz (3276
  subcarriers, 14 symbols), gains at the symbol centres (``TdlChannel.ofdm_response``).
* Time-domain application to one slot of a 100 MHz waveform: 30 kHz, 273 PRB, nfft 4096,
  122.88 Msps, 0.5 ms (61440 samples), TDL-C 300 ns (24 fractional-delay taps), 1x2,
  f_D = 100 Hz (``TdlChannel.apply``).
"""

from __future__ import annotations

import numpy as np

from _timing import best_time
from opennr.channel.tdl import TdlChannel, TdlConfig
from opennr.numerology import Carrier, ofdm_info

FREQ_TARGET = 500.0   # slots/s per core (< 2 ms per slot)
TIME_TARGET = 100.0   # slots/s per core (< 10 ms per slot)


def run(quick: bool = False) -> list[dict]:
    """Measure the frequency-domain and time-domain TDL paths; one dict per figure."""
    repeats = 3 if quick else 10
    carrier = Carrier(scs=30, n_size_grid=273)
    info = ofdm_info(carrier)
    results: list[dict] = []

    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=100.0,
                              n_tx=2, n_rx=2, correlation="medium"), np.random.default_rng(1))
    slot = iter(range(10**9))
    t = best_time(lambda: ch.ofdm_response(carrier, next(slot)), repeats)
    results.append({"name": "TDL-C 2x2 frequency response, 273 PRB 30 kHz, one slot",
                    "value": 1.0 / t, "unit": "slots/s", "target": FREQ_TARGET})

    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=100.0,
                              n_tx=1, n_rx=2), np.random.default_rng(2))
    rng = np.random.default_rng(3)
    n = info.samples_per_slot
    x = (rng.standard_normal((1, n)) + 1j * rng.standard_normal((1, n))).astype(np.complex64)
    t = best_time(lambda: ch.apply(x, info.sample_rate, t0=0.0), repeats)
    results.append({"name": f"TDL-C 1x2 time-domain apply, 122.88 Msps, one slot ({n} samples)",
                    "value": 1.0 / t, "unit": "slots/s", "target": TIME_TARGET})
    return results


if __name__ == "__main__":
    for r in run():
        target = f" (target {r['target']:g})" if r["target"] else ""
        print(f"{r['name']}: {r['value']:.1f} {r['unit']}{target}")

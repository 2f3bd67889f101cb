"""TR 38.901 §7.7 — throughput of the TDL channel (one core).

* Frequency-domain channel of one slot: TDL-C 300 ns, 2x2, 273 PRB at 30 kHz (3276
  subcarriers, 14 symbols), gains at the symbol centres (``TdlChannel.ofdm_response``).
* Time-domain application to one slot of a 100 MHz waveform: 30 kHz, 273 PRB, nfft 4096,
  122.88 Msps, 0.5 ms (61440 samples), 1x2, f_D = 100 Hz (``TdlChannel.apply``): TDL-C 300 ns
  (24 paths, the longest profile), TDLC300 and TDLA30 (12 paths each), and TDL-C 2x2.

BLAS is limited to one thread (figures per core); on a shared machine the figures are
pessimistic: the best of N runs is reported.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from _timing import best_time  # noqa: E402
from opennr.channel.tdl import TdlChannel, TdlConfig  # noqa: E402
from opennr.numerology import Carrier, ofdm_info  # noqa: E402

FREQ_TARGET = 500.0   # slots/s per core (< 2 ms per slot)
TIME_TARGET = 100.0   # slots/s per core (< 10 ms per slot)

#: Time-domain cases: (label, model, delay spread, n_tx, n_rx).
TIME_CASES = [
    ("TDL-C 300 ns 1x2", "TDL-C", 300e-9, 1, 2),
    ("TDLC300 1x2", "TDLC300", None, 1, 2),
    ("TDLA30 1x2", "TDLA30", None, 1, 2),
    ("TDL-C 300 ns 2x2", "TDL-C", 300e-9, 2, 2),
]


def run(quick: bool = False) -> list[dict]:
    """Measure the frequency-domain and time-domain TDL paths; one dict per figure."""
    repeats = 3 if quick else 15
    carrier = Carrier(scs=30, n_size_grid=273)
    info = ofdm_info(carrier)
    results: list[dict] = []

    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=100.0,
                              n_tx=2, n_rx=2, correlation="medium"), np.random.default_rng(1))
    slot = iter(range(10**9))
    t = best_time(lambda: ch.ofdm_response(carrier, next(slot)), repeats)
    results.append({"name": "TDL-C 2x2 frequency response, 273 PRB 30 kHz, one slot",
                    "value": 1.0 / t, "unit": "slots/s", "target": FREQ_TARGET, "ms": 1e3 * t})

    rng = np.random.default_rng(3)
    n = info.samples_per_slot
    for label, model, ds, n_tx, n_rx in TIME_CASES:
        ch = TdlChannel(TdlConfig(model=model, delay_spread=ds, max_doppler=100.0, n_tx=n_tx,
                                  n_rx=n_rx), np.random.default_rng(2))
        x = (rng.standard_normal((n_tx, n)) + 1j * rng.standard_normal((n_tx, n))).astype(np.complex64)
        # Consecutive slots (the delay line is carried over, as in a simulation).
        t0 = iter(range(10**9))
        t = best_time(lambda ch=ch, x=x, t0=t0: ch.apply(x, info.sample_rate, t0=next(t0) * n
                                                          / info.sample_rate), repeats)
        results.append({"name": f"{label} time-domain apply, 122.88 Msps, one slot ({n} samples)",
                        "value": 1.0 / t, "unit": "slots/s",
                        "target": TIME_TARGET if n_tx == 1 else None, "ms": 1e3 * t})
    return results


if __name__ == "__main__":
    for r in run():
        target = f" (target {r['target']:g})" if r["target"] else ""
        print(f"{r['name']}: {r['value']:.1f} {r['unit']}, {r['ms']:.2f} ms{target}")

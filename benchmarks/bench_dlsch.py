"""DL-SCH chain throughput on one core: TS 38.212 §7.2 encoding with scrambling and modulation,
and max-log demapping, descrambling and decoding (10 iterations, early termination), per slot.

Figures are slots per second and information Mbit/s through the public functions, best of
several repeats, at an SNR where every block decodes.
"""

from __future__ import annotations

import numba
import numpy as np

from _timing import best_time
from opennr.link import DlschAwgnConfig, DlschAwgnLink
from opennr.modulation import demodulate, modulate
from opennr.physical.scrambling import descramble_llrs, scramble
from opennr.transport.sch import sch_decode, sch_encode

CASES = {
    "52 PRB 16QAM (qam64 MCS 16)": DlschAwgnConfig(mcs_index=16, n_prb=52),
    "273 PRB 256QAM (qam256 MCS 27), 4 layers": DlschAwgnConfig(mcs_table="qam256", mcs_index=27,
                                                                n_prb=273, n_layers=4),
}




def run(quick: bool = False) -> list[dict]:
    """Measure transmit and receive time per slot of each case."""
    numba.set_num_threads(1)
    rng = np.random.default_rng(1)
    repeats = 3 if quick else 10
    out = []
    for name, config in CASES.items():
        link = DlschAwgnLink(config)
        sch, g = link.sch, config.g
        tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)

        def transmit(tb=tb, link=link, sch=sch, g=g):
            return modulate(scramble(sch_encode(tb, sch, g=g, rv=0), link.c_init), link.modulation)

        symbols = transmit()
        noisy = (symbols + 0.01 * rng.standard_normal(symbols.shape)).astype(np.complex64)

        def receive(noisy=noisy, link=link, sch=sch, g=g):
            llr = descramble_llrs(demodulate(noisy, link.modulation, 1e-3), link.c_init)
            return sch_decode(llr, sch, g=g, rv=0, decoder=link.decoder)

        assert receive().tb_crc_ok
        for direction, fn in (("transmit", transmit), ("receive", receive)):
            t = best_time(fn, repeats)
            out.append({"name": f"DL-SCH {direction} {name}", "value": 1.0 / t, "unit": "slots/s",
                        "target": None})
            out.append({"name": f"DL-SCH {direction} {name}", "value": sch.tbs / t / 1e6,
                        "unit": "Mbit/s", "target": None})
    return out


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:60s} {row['value']:10.1f} {row['unit']}")

"""DL-SCH chain throughput on one core: TS 38.212 §7.2 encoding with scrambling and modulation,
and max-log demapping, descrambling and decoding (10 iterations, early termination), per slot.

Figures are slots per second and information Mbit/s through the public functions, best of
several repeats, at an SNR where every block decodes. A second part times ``sch_decode`` alone
(rate recovery, LDPC decoding, CRCs, desegmentation) on the UL-SCH slot of ``bench_pusch.py``
(106 PRB, 64QAM MCS 20: 6 code blocks of BG1 Z_c = 352): with the slot's received LLRs (every
block decodes in one iteration) and with 10 iterations and no early termination. The machine
may be shared: the figures are pessimistic.
"""

from __future__ import annotations

import numba
import numpy as np

from _timing import best_time
from bench_pusch import case as pusch_case
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.link import DlschAwgnConfig, DlschAwgnLink
from opennr.modulation import demodulate, modulate
from opennr.physical.pusch import pusch_bit_capacity
from opennr.physical.scrambling import descramble_llrs, scramble
from opennr.receiver.pusch_rx import pusch_demodulate
from opennr.transport.sch import sch_decode, sch_encode

CASES = {
    "52 PRB 16QAM (qam64 MCS 16)": DlschAwgnConfig(mcs_index=16, n_prb=52),
    "273 PRB 256QAM (qam256 MCS 27), 4 layers": DlschAwgnConfig(mcs_table="qam256", mcs_index=27,
                                                                n_prb=273, n_layers=4),
}


#: sch_decode of the bench_pusch slot must leave the rest of the 1 ms receive budget free.
SCH_DECODE_TARGET_MS = 0.5


def run_sch_decode(quick: bool = False) -> list[dict]:
    """Time ``sch_decode`` of the bench_pusch UL-SCH slot on one core."""
    numba.set_num_threads(1)
    repeats = 5 if quick else 50
    carrier, config, sch, tb, y = pusch_case(np.random.default_rng(1))
    g = pusch_bit_capacity(carrier, config)
    llr = pusch_demodulate(y, carrier, config).llrs
    out = []
    for label, decoder in (("slot LLRs", LdpcDecoderConfig(max_iterations=10)),
                           ("no early termination",
                            LdpcDecoderConfig(max_iterations=10, early_termination=False))):
        res = sch_decode(llr, sch, g=g, rv=0, decoder=decoder)
        if not res.tb_crc_ok or not np.array_equal(res.tb, tb):
            raise RuntimeError("the benchmark slot does not decode")
        t = best_time(lambda decoder=decoder: sch_decode(llr, sch, g=g, rv=0, decoder=decoder),
                      repeats)
        its = int(res.iterations.max())
        out.append({"name": f"UL-SCH sch_decode 106 PRB 64QAM MCS 20 ({label}, {its} it)",
                    "value": t * 1e3, "unit": "ms/slot",
                    "target": SCH_DECODE_TARGET_MS if label == "slot LLRs" else None})
    return out


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

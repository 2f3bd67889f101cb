"""Benchmark of one PUSCH slot, transmit and receive: 106 PRBs at 15 kHz, 1 layer, 2 receive
antennas, 64QAM (MCS 20 of qam64), mapping type A over 13 symbols with DM-RS at symbol 2 and one
additional position (symbol 11).

* transmit: UL-SCH encoding (CRC, segmentation, LDPC, rate matching) and the PUSCH slot grid
  (scrambling, modulation, layer mapping, precoding, DM-RS, RE mapping);
* receive: DM-RS LS channel estimation, MMSE detection, soft demapping, descrambling and LDPC
  decoding (at most 10 iterations) at 30 dB SNR per RE and antenna over TDL-A 30 ns 10 Hz, where
  every block decodes.

Target: transmit < 1 ms and receive <= 1 ms per slot per core. The machine is shared: the
figures are the best of N runs and still pessimistic. The figures are per core: numba runs on
one thread.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from _timing import best_time
from opennr.channel import TdlChannel, TdlConfig
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pusch import PuschConfig, pusch_bit_capacity, pusch_grid, pusch_plan
from opennr.receiver.pusch_rx import pusch_demodulate, pusch_receive
from opennr.transport import SchConfig, mcs_entry, sch_encode
from opennr.transport.tbs import transport_block_size

TARGET_MS = 1.0


def case(rng: np.random.Generator):
    """Carrier, PUSCH, UL-SCH configuration, transport block and received grid of the slot."""
    carrier = Carrier(scs=15, n_size_grid=106)
    e = mcs_entry("qam64", 20)
    config = PuschConfig(symbol_allocation=(0, 13), modulation="64QAM",
                         dmrs=DmrsConfig(type_a_position=2, additional_position=1))
    plan = pusch_plan(carrier, config)
    tbs = transport_block_size(n_prb=106, n_symb_sh=13, n_dmrs_prb=plan.n_dmrs_prb,
                               target_code_rate=e.target_code_rate, qm=e.qm, n_layers=1)
    sch = SchConfig(tbs=tbs, target_code_rate=e.target_code_rate, qm=e.qm)
    tb = rng.integers(0, 2, tbs, dtype=np.uint8)
    tx = pusch_grid(sch_encode(tb, sch, g=pusch_bit_capacity(carrier, config), rv=0), carrier,
                    config)
    ch = TdlChannel(TdlConfig(model="TDLA30", delay_spread=None, max_doppler=10.0, n_tx=1,
                              n_rx=2, direction="uplink"), rng)
    h = ch.ofdm_response(carrier, 0)
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    n0 = 1e-3
    y += (math.sqrt(n0 / 2) * (rng.standard_normal(y.shape)
                               + 1j * rng.standard_normal(y.shape))).astype(np.complex64)
    return carrier, config, sch, tb, y


def run(quick: bool = False) -> list[dict]:
    saved = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return _run(quick)
    finally:
        numba.set_num_threads(saved)


def _run(quick: bool) -> list[dict]:
    rng = np.random.default_rng(1)
    repeats = 3 if quick else 30
    carrier, config, sch, tb, y = case(rng)
    g = pusch_bit_capacity(carrier, config)
    decoder = LdpcDecoderConfig(max_iterations=10)

    def transmit():
        return pusch_grid(sch_encode(tb, sch, g=g, rv=0), carrier, config)

    def receive():
        return pusch_receive(y, carrier, config, sch_config=sch, decoder=decoder)

    res = receive()
    if not res.tb_crc_ok or not np.array_equal(res.tb, tb):
        raise RuntimeError("the benchmark slot does not decode")
    t_tx = best_time(transmit, repeats)
    t_rx = best_time(receive, repeats)
    t_dem = best_time(lambda: pusch_demodulate(y, carrier, config), repeats)
    name = "PUSCH 106 PRB 15 kHz, 1 layer, 2 rx, 64QAM MCS 20, 13 symbols"
    return [
        {"name": f"{name}: transmit (UL-SCH encode + slot grid)", "value": t_tx * 1e3,
         "unit": "ms/slot", "target": TARGET_MS},
        {"name": f"{name}: receive (estimation .. LDPC decoding)", "value": t_rx * 1e3,
         "unit": "ms/slot", "target": TARGET_MS},
        {"name": f"{name}: receive to LLRs (no decoding)", "value": t_dem * 1e3,
         "unit": "ms/slot", "target": None},
        {"name": f"{name}: receive, information", "value": sch.tbs / t_rx / 1e6,
         "unit": "Mbit/s", "target": None},
    ]


if __name__ == "__main__":
    for row in run():
        target = f" (target <= {row['target']:.1f})" if row["target"] is not None else ""
        print(f"{row['name']}: {row['value']:.3f} {row['unit']}{target}")

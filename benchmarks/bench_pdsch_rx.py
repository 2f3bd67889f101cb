"""Benchmark of the PDSCH reference receiver: from the received slot grid to the decoded
transport block (DM-RS LS channel estimation, per-RE MMSE detection, soft demapping,
descrambling, LDPC decoding), and the same without the DL-SCH decoding.

Cases: 273 PRBs at 30 kHz, 4 layers, 4 receive antennas, 256QAM (MCS 20 of qam256), DM-RS type 1
with one additional position; 106 PRBs at 30 kHz, 1 layer, 2 receive antennas, 64QAM (MCS 20 of
qam64). TDL-A 30 ns 10 Hz at 40 dB SNR per RE and antenna, so the decoder converges quickly.

The 273-PRB case is also split into the receiver stages (best of N each, measured on a shared
machine, so pessimistic): data RE extraction, DM-RS channel estimation, MMSE detection, layer
demapping and soft demapping, descrambling, DL-SCH decoding.
"""

from __future__ import annotations

import math

import numpy as np

from _timing import best_time
from opennr.channel import TdlChannel, TdlConfig
from opennr.modulation import demodulate
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.layermap import layer_demap
from opennr.physical.pdsch import (
    PdschConfig,
    pdsch_bit_capacity,
    pdsch_grid,
    pdsch_indices,
    pdsch_plan,
)
from opennr.physical.scrambling import descramble_llrs, scrambling_c_init
from opennr.receiver.channel_estimation import estimate_channel
from opennr.receiver.equalization import equalize
from opennr.receiver.pdsch_rx import NOISE_CEILING, NOISE_FLOOR, pdsch_demodulate, pdsch_receive
from opennr.transport import SchConfig, mcs_entry, sch_decode, sch_encode
from opennr.transport.tbs import transport_block_size


def _case(n_prb, n_layers, n_rx, table, mcs, rng):
    carrier = Carrier(scs=30, n_size_grid=n_prb)
    e = mcs_entry(table, mcs)
    mod = {2: "QPSK", 4: "16QAM", 6: "64QAM", 8: "256QAM"}[e.qm]
    config = PdschConfig(n_layers=n_layers, modulation=mod,
                         dmrs=DmrsConfig(additional_position=1))
    plan = pdsch_plan(carrier, config)
    tbs = transport_block_size(n_prb=n_prb, n_symb_sh=14, n_dmrs_prb=plan.n_dmrs_prb,
                               target_code_rate=e.target_code_rate, qm=e.qm, n_layers=n_layers)
    sch = SchConfig(tbs=tbs, target_code_rate=e.target_code_rate, qm=e.qm, n_layers=n_layers)
    g = pdsch_bit_capacity(carrier, config)[0]
    tb = rng.integers(0, 2, tbs, dtype=np.uint8)
    tx = pdsch_grid(sch_encode(tb, sch, g=g, rv=0), carrier, config)
    ch = TdlChannel(TdlConfig(model="TDLA30", delay_spread=None, max_doppler=10.0,
                              n_tx=n_layers, n_rx=n_rx), rng)
    h = ch.ofdm_response(carrier, 0) / np.float32(math.sqrt(n_layers))
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    n0 = 1e-4
    y += (np.sqrt(n0 / 2) * (rng.standard_normal(y.shape)
                             + 1j * rng.standard_normal(y.shape))).astype(np.complex64)
    return carrier, config, sch, tb, y


def stages(carrier, config, sch, y, repeats: int) -> list[tuple[str, float]]:
    """Seconds of each receiver stage of one slot, as :func:`pdsch_demodulate` and
    :func:`pdsch_receive` run them."""
    n_rx = y.shape[0]
    est = estimate_channel(y, carrier, config)
    idx = pdsch_indices(carrier, config)

    def extract():
        return y.reshape(n_rx, -1)[:, idx], est.h.reshape(n_rx, config.n_layers, -1)[:, :, idx]

    yd, hd = extract()
    x, nv = equalize(yd, hd, max(est.noise_var, NOISE_FLOOR), method="mmse")
    nvc = np.clip(nv, NOISE_FLOOR, NOISE_CEILING)

    def demap():
        return demodulate(layer_demap(x)[0], config.modulation, layer_demap(nvc)[0])

    llr = demap()
    c_init = scrambling_c_init(config.n_rnti, carrier.n_cell_id, 0)
    llr_d = descramble_llrs(llr, c_init)
    return [
        ("extraction", best_time(extract, repeats)),
        ("estimation", best_time(lambda: estimate_channel(y, carrier, config), repeats)),
        ("detection", best_time(lambda: equalize(yd, hd, max(est.noise_var, NOISE_FLOOR),
                                                 method="mmse"), repeats)),
        ("demapping", best_time(demap, repeats)),
        ("descrambling", best_time(lambda: descramble_llrs(llr, c_init), repeats)),
        ("decoding", best_time(lambda: sch_decode(llr_d, sch, g=llr_d.size, rv=0), repeats)),
    ]


def run(quick: bool = False) -> list[dict]:
    rng = np.random.default_rng(1)
    repeats = 1 if quick else 5
    cases = [("273 PRB, 4 layers, 4 rx, 256QAM", (273, 4, 4, "qam256", 20)),
             ("106 PRB, 1 layer, 2 rx, 64QAM", (106, 1, 2, "qam64", 20))]
    out = []
    for name, args in cases:
        carrier, config, sch, tb, y = _case(*args, rng)
        res = pdsch_receive(y, carrier, config, sch_config=sch)
        if not res.tb_crc_ok or not np.array_equal(res.tb, tb):
            raise RuntimeError(f"{name}: the benchmark slot does not decode")
        t = best_time(lambda y=y, c=carrier, p=config, s=sch: pdsch_receive(y, c, p, sch_config=s),
                      repeats)
        td = best_time(lambda y=y, c=carrier, p=config: pdsch_demodulate(y, c, p), repeats)
        out.append({"name": f"PDSCH receive + DL-SCH decode, {name}", "value": 1.0 / t,
                    "unit": "slots/s", "target": None})
        out.append({"name": f"PDSCH receive + DL-SCH decode, {name}, information",
                    "value": sch.tbs / t / 1e6, "unit": "Mbit/s", "target": None})
        out.append({"name": f"PDSCH receive to LLRs (no decoding), {name}", "value": 1.0 / td,
                    "unit": "slots/s", "target": None})
        if args[0] == 273:
            for stage, ts in stages(carrier, config, sch, y, repeats):
                out.append({"name": f"  stage {stage}, {name}", "value": ts * 1e3, "unit": "ms",
                            "target": None})
    return out


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.2f} {row['unit']}")

"""PUCCH receiver performance at the operating points of TS 38.104 §8.3 (run by hand).

* Format 0 (§8.3.2): one symbol, one HARQ-ACK bit, 2 receive antennas, TDLC300-100 low
  correlation; the requirement is an ACK detection probability of at least 99 % at 9.4 dB and
  a DTX-to-ACK probability of at most 1 %.
* Format 2 (§8.3.4): 22 UCI bits on 4 PRBs, 2 receive antennas, TDLC300-100; the requirement
  is a UCI block error rate of at most 1 % near 1 dB. Printed for one symbol and for two
  symbols with intra-slot hopping (E = 64 and 128 coded bits).

The SNR is per resource element and receive antenna. The channel runs continuously; successive
trials are 5 slots (5 ms) apart, half a period of the 100 Hz maximum Doppler. The receivers
estimate the channel and the noise from the DM-RS (format 2) or work without either (format 0).

    python benchmarks/pucch_performance.py [--trials N] [--seed S]
"""

from __future__ import annotations

import argparse

import numpy as np

from opennr.channel import TdlChannel, TdlConfig
from opennr.numerology import Carrier
from opennr.physical.pucch import PucchConfig, pucch_grid
from opennr.receiver.pucch_rx import pucch0_detect, pucch_receive

_SPACING = 5


def _channel(rng: np.random.Generator) -> TdlChannel:
    return TdlChannel(TdlConfig(model="TDLC300", delay_spread=None, max_doppler=100.0, n_tx=1,
                                n_rx=2, correlation="low", direction="uplink"), rng)


def _receive(ch: TdlChannel, carrier: Carrier, tx: np.ndarray, t: int, snr_db: float,
             rng: np.random.Generator) -> np.ndarray:
    h = ch.ofdm_response(carrier, _SPACING * t)[:, 0]
    n0 = 10.0 ** (-snr_db / 10.0)
    noise = rng.standard_normal((*h.shape, 2)).view(np.complex128)[..., 0] * np.sqrt(n0 / 2)
    return (h * tx[0] + noise).astype(np.complex64)


def format0(trials: int, snr_db: float, rng: np.random.Generator) -> tuple[float, float]:
    """ACK detection probability and DTX-to-ACK probability of PUCCH format 0."""
    carrier = Carrier(scs=30, n_size_grid=51, n_cell_id=1)
    config = PucchConfig(format=0, symbol_allocation=(13, 1), start_prb=0, initial_cyclic_shift=0,
                         group_hopping="neither")
    ch = _channel(rng)
    tx = pucch_grid(carrier, config, ack=[1])
    silent = np.zeros_like(tx)
    detected = false_ack = 0
    for t in range(trials):
        det = pucch0_detect(_receive(ch, carrier, tx, t, snr_db, rng), carrier, config, n_ack=1)
        detected += (not det.dtx) and det.ack.tolist() == [1]
        det = pucch0_detect(_receive(ch, carrier, silent, t, snr_db, rng), carrier, config, n_ack=1)
        false_ack += (not det.dtx) and det.ack.tolist() == [1]
    return detected / trials, false_ack / trials


def format2(trials: int, snr_db: float, rng: np.random.Generator, n_symbols: int = 1) -> float:
    """UCI block error rate of PUCCH format 2 with 22 bits (two symbols: intra-slot hopping to
    the top of the carrier)."""
    carrier = Carrier(scs=30, n_size_grid=51, n_cell_id=1)
    config = PucchConfig(format=2, symbol_allocation=(14 - n_symbols, n_symbols), start_prb=0,
                         n_prb=4, second_hop_prb=47 if n_symbols == 2 else None, n_rnti=1, n_id=1)
    ch = _channel(rng)
    errors = 0
    for t in range(trials):
        uci = rng.integers(0, 2, 22, dtype=np.uint8)
        tx = pucch_grid(carrier, config, uci=uci)
        res = pucch_receive(_receive(ch, carrier, tx, t, snr_db, rng), carrier, config, 22)
        errors += (not res.crc_ok) or not np.array_equal(res.bits, uci)
    return errors / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"PUCCH performance, TDLC300-100 low, 2 Rx, {args.trials} trials per point")
    for snr in (7.4, 9.4):
        p_ack, p_fa = format0(args.trials, snr, rng)
        print(f"  format 0, 1 symbol, 1 bit, SNR {snr:4.1f} dB: ACK detection {100 * p_ack:6.2f} % "
              f"(target >= 99 % at 9.4 dB), DTX->ACK {100 * p_fa:5.2f} % (target <= 1 %)")
    for n_symbols, snrs in ((1, (1.0, 4.0, 7.0)), (2, (0.0, 1.0, 2.0, 3.0))):
        for snr in snrs:
            bler = format2(args.trials, snr, rng, n_symbols)
            hop = ", intra-slot hopping" if n_symbols == 2 else ""
            print(f"  format 2, 4 PRB, {n_symbols} symbol(s){hop}, 22 bits, SNR {snr:4.1f} dB: "
                  f"UCI BLER {100 * bler:6.2f} % (target <= 1 % near 1 dB)")


if __name__ == "__main__":
    main()

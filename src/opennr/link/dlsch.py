"""Coded DL-SCH over AWGN: TS 38.212 §7.2 coding, TS 38.211 §7.3.1.1-§7.3.1.2 scrambling and
modulation, an AWGN channel per resource element, max-log demapping and LDPC decoding, with
optional HARQ (incremental redundancy with soft combining).

This is the coding-chain link: there is no resource grid, no DM-RS and no channel estimation
(the receiver knows the noise variance). G is the number of coded bits that the allocation
carries: N_PRB · (12 · N_symb − N_DMRS) · Q_m · N_L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.channel import awgn
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.link._common import DECODERS, RV_SEQUENCE, McsLinkConfig, TbsAllocation, check_tbs_fits
from opennr.link.metrics import TB_COUNTERS, EvmCounter, count_harq_batch, tb_link_metrics
from opennr.modulation import demodulate, modulate, modulation_for_qm
from opennr.physical.scrambling import descramble_llrs, scramble, scrambling_c_init
from opennr.sim.engine import PointResult
from opennr.transport.harq import HarqBuffer
from opennr.transport.mcs import mcs_entry
from opennr.transport.sch import sch_decode, sch_encode


@dataclass(frozen=True, slots=True, kw_only=True)
class DlschAwgnConfig(McsLinkConfig):
    """Parameters of the DL-SCH-over-AWGN link.

    Parameters
    ----------
    mcs_table, mcs_index : str, int
        TS 38.214 Table 5.1.3.1-x by name (``"qam64"``, ``"qam256"``, ``"qam64LowSE"``,
        ``"qam1024"``) and I_MCS (not a reserved index).
    n_prb : int
        Allocated PRBs (1..275).
    n_symbols : int
        OFDM symbols of the allocation, N_symb^sh (1..14).
    n_dmrs_prb : int
        DM-RS resource elements per PRB over the allocation, N_DMRS^PRB.
    n_layers : int
        Layers of the codeword (1..4); each layer sees its own AWGN.
    tbs : int or None
        Transport block size; ``None`` for TS 38.214 §5.1.3.2.
    harq : bool
        Retransmit failed blocks up to ``max_transmissions`` times with RVs 0, 2, 3, 1 and
        combine them softly.
    decoder, max_iterations : str, int
        LDPC decoder algorithm (``"nms"``, ``"oms"``, ``"spa"``) and iteration limit.
    n_rnti, n_id : int
        Scrambling identities (TS 38.211 §7.3.1.1).
    """

    mcs_table: str = "qam64"
    mcs_index: int = 16
    n_prb: int = 52
    n_symbols: int = 14
    n_dmrs_prb: int = 12
    n_layers: int = 1
    tbs: int | None = None
    harq: bool = False
    max_transmissions: int = 4
    decoder: str = "nms"
    max_iterations: int = 10
    n_rnti: int = 1
    n_id: int = 1

    def __post_init__(self) -> None:
        mcs_entry(self.mcs_table, self.mcs_index)  # raises for an unknown or reserved index
        check_int("n_prb", self.n_prb, 1, 275, "TS 38.214 §5.1.3.2")
        check_int("n_symbols", self.n_symbols, 1, 14, "TS 38.214 §5.1.3.2")
        check_int("n_dmrs_prb", self.n_dmrs_prb, 0, 12 * self.n_symbols - 1, "TS 38.214 §5.1.3.2")
        check_int("n_layers", self.n_layers, 1, 4, "TS 38.211 §7.3.1.3")
        if self.tbs is not None:
            check_int("tbs", self.tbs, 1, None)
        check_int("max_transmissions", self.max_transmissions, 1, 16)
        check_choice("decoder", self.decoder, DECODERS)
        check_int("max_iterations", self.max_iterations, 1, 1000)

    def tbs_allocation(self) -> TbsAllocation:
        """PRBs, symbols, N_DMRS^PRB and layers of the TBS (TS 38.214 §5.1.3.2)."""
        return TbsAllocation(self.n_prb, self.n_symbols, self.n_dmrs_prb, self.n_layers)

    @property
    def g(self) -> int:
        """Coded bits of one transmission, G."""
        return self.n_prb * (12 * self.n_symbols - self.n_dmrs_prb) * self.qm * self.n_layers


class DlschAwgnLink:
    """Transmit, add noise, receive: one batch of DL-SCH transport blocks at a time.

    Counters per batch: ``blocks``, ``block_errors`` (after the last transmission),
    ``first_tx_errors``, ``transmissions``, ``delivered_bits``, ``bits``, ``bit_errors``
    (information bits wrong in the final decoded blocks), ``code_blocks`` and ``iterations``
    (LDPC iterations summed over code blocks and transmissions).
    """

    counters = TB_COUNTERS

    def __init__(self, config: DlschAwgnConfig):
        self.config = config
        self.modulation = modulation_for_qm(config.qm)
        self.sch = config.sch()
        self.decoder = LdpcDecoderConfig(algorithm=config.decoder, max_iterations=config.max_iterations)
        self.c_init = scrambling_c_init(config.n_rnti, config.n_id)
        check_tbs_fits(self.sch.tbs, config.g)

    def describe(self) -> str:
        c = self.config
        return (f"DL-SCH {self.modulation} R={c.target_code_rate:.4f} ({c.mcs_table} MCS "
                f"{c.mcs_index}), TBS {self.sch.tbs}, G {c.g}, {c.n_prb} PRB x {c.n_symbols} symbols, "
                f"{c.n_layers} layer(s), HARQ {'on' if c.harq else 'off'}, LDPC {c.decoder} "
                f"{c.max_iterations} it")

    def _transmit(self, tb: np.ndarray, rv: int, snr_db: float, rng: np.random.Generator,
                  harq: HarqBuffer | None, evm: EvmCounter):
        g = self.config.g
        codeword = sch_encode(tb, self.sch, g=g, rv=rv)
        symbols = modulate(scramble(codeword, self.c_init), self.modulation)
        received, n0 = awgn(symbols, snr_db, rng)
        evm.add(received, symbols)
        llr = descramble_llrs(demodulate(received, self.modulation, n0), self.c_init)
        return sch_decode(llr, self.sch, g=g, rv=rv, harq=harq, decoder=self.decoder)

    def run_batch(self, snr_db: float, n_blocks: int, rng: np.random.Generator) -> dict[str, int]:
        """Simulate ``n_blocks`` transport blocks at ``snr_db`` (Es/N0 per resource element)."""
        a = self.sch.tbs
        tb = rng.integers(0, 2, size=(n_blocks, a), dtype=np.uint8)
        harq = HarqBuffer() if self.config.harq else None
        max_tx = self.config.max_transmissions if self.config.harq else 1
        evm = EvmCounter()
        # The whole batch is retransmitted so that the soft buffer keeps its shape.
        return count_harq_batch(
            tb, max_tx,
            lambda tx, pending: self._transmit(tb, RV_SEQUENCE[tx % 4], snr_db, rng, harq, evm),
            evm=evm)

    def metrics(self, result: PointResult) -> dict[str, float]:
        """The figures of one SNR point (see :func:`~opennr.link.metrics.tb_link_metrics`)."""
        return tb_link_metrics(result, self.sch.tbs)

"""PDSCH link: DL-SCH coding (TS 38.212 §7.2), the PDSCH with its DM-RS in the slot grid
(TS 38.211 §7.3.1, §7.4.1.1), a frequency-domain fading channel per resource element (TR 38.901
§7.7 TDL, or a static AWGN channel) with noise, and the reference receiver of
:mod:`opennr.receiver.pdsch_rx` (DM-RS channel estimation or perfect CSI, MMSE/ZF detection,
soft demapping, LDPC decoding with optional HARQ).

Signal level. The ν layers share a total transmit power of 1 per RE (each layer and its DM-RS
are scaled by 1/√ν, ports = layers, no precoding) and the channel has unit average power per
link, so the average received power per RE and receive antenna is 1 and the SNR is that per RE
per receive antenna: N0 = 10^(−SNR/10).

Time line: that of :mod:`opennr.link._common` (one channel per batch, evolving over the slots of
the HARQ processes).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_int
from opennr.channel import TdlConfig
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.errors import ConfigError
from opennr.link._common import (
    RV_SEQUENCE,
    McsLinkConfig,
    SlotChannel,
    SlotLink,
    TbsAllocation,
    check_shared_channel_link,
    check_tbs_fits,
    propagate,
    run_tb_batch,
)
from opennr.link.metrics import TB_COUNTERS, EvmCounter, tb_link_metrics
from opennr.modulation import modulate
from opennr.numerology import Carrier
from opennr.physical.pdsch import PdschConfig, PdschPlan, pdsch_grid, pdsch_plan
from opennr.physical.scrambling import scramble, scrambling_c_init
from opennr.receiver.pdsch_rx import pdsch_demodulate
from opennr.sim.engine import PointResult
from opennr.transport.sch import sch_encode

__all__ = ["RV_SEQUENCE", "PdschLink", "PdschLinkConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PdschLinkConfig(McsLinkConfig):
    """Parameters of the PDSCH link.

    Parameters
    ----------
    carrier : Carrier
        Carrier grid (the PDSCH allocation lies inside it).
    pdsch : PdschConfig
        Allocation, DM-RS and identities; ν = ``pdsch.n_layers`` (1..4, one codeword). Its
        modulation is replaced by that of the MCS.
    mcs_table, mcs_index : str, int
        TS 38.214 Table 5.1.3.1-x by name (``"qam64"``, ``"qam256"``, ``"qam64LowSE"``,
        ``"qam1024"``) and I_MCS.
    n_rx : int
        Receive antennas (≥ ν).
    channel : str
        ``"awgn"`` (a static channel with unit-modulus gains and orthogonal layers, the DFT
        matrix of size n_rx × ν) or a TDL in conformance shorthand such as ``"TDLC300-100"``
        (TS 38.101-4 Annex B.2.2: profile, delay spread in ns, maximum Doppler in Hz).
    correlation : str
        MIMO correlation level of the TDL channel (``"low"``, ``"medium"``, ``"medium-A"``,
        ``"high"``).
    estimator : {"ls", "wiener", "perfect"}
        DM-RS least-squares or 2-D Wiener channel estimation, or the true channel and noise
        variance.
    equalizer : {"mmse", "zf", "irc"}
    harq : bool
        Retransmit failed blocks up to ``max_transmissions`` times (RVs 0, 2, 3, 1) and combine.
    harq_processes : int
        P: a retransmission is P slots after the previous transmission.
    decoder, max_iterations : str, int
        LDPC decoder algorithm and iteration limit.
    tbs : int or None
        Transport block size; ``None`` for TS 38.214 §5.1.3.2.
    """

    carrier: Carrier = dataclasses.field(default_factory=lambda: Carrier(scs=30, n_size_grid=24))
    pdsch: PdschConfig = dataclasses.field(default_factory=PdschConfig)
    mcs_table: str = "qam64"
    mcs_index: int = 10
    n_rx: int = 2
    channel: str = "awgn"
    correlation: str = "low"
    estimator: str = "ls"
    equalizer: str = "mmse"
    harq: bool = False
    max_transmissions: int = 4
    harq_processes: int = 16
    decoder: str = "nms"
    max_iterations: int = 10
    tbs: int | None = None

    def __post_init__(self) -> None:
        check_shared_channel_link(
            self, "pdsch", PdschConfig,
            check=lambda: check_int("n_layers", self.pdsch.n_layers, 1, 4, "TS 38.211 Table 7.3.1.3-1"))

    def plan(self) -> PdschPlan:
        """The resource-element layout of the PDSCH (:func:`opennr.physical.pdsch.pdsch_plan`)."""
        return pdsch_plan(self.carrier, self.pdsch)

    def tbs_allocation(self) -> TbsAllocation:
        """PRBs, symbols, N_DMRS^PRB (DM-RS REs only, TS 38.214 §5.1.3.2) and layers."""
        return TbsAllocation.of_plan(self.plan())

    @property
    def g(self) -> int:
        """Coded bits of one transmission, G (TS 38.212 §7.2.5)."""
        return self.plan().data_indices.size * self.qm * self.pdsch.n_layers

    def slot_channel(self) -> SlotChannel:
        """The channel of the slots: n_tx = ν, n_rx antennas."""
        return SlotChannel(carrier=self.carrier, channel=self.channel, correlation=self.correlation,
                           n_tx=self.pdsch.n_layers, n_rx=self.n_rx)

    def tdl_config(self) -> TdlConfig:
        """The TDL channel of ``channel`` with n_tx = ν and n_rx antennas."""
        return self.slot_channel().tdl_config()


class PdschLink(SlotLink):
    """Transmit, propagate, receive: one batch of PDSCH slots at a time.

    Counters per batch as :class:`opennr.link.dlsch.DlschAwgnLink`: ``blocks``,
    ``block_errors`` (after the last transmission), ``first_tx_errors``, ``transmissions``,
    ``delivered_bits``, ``bits``, ``bit_errors``, ``code_blocks``, ``iterations`` and the EVM
    sums of the equalized data symbols (``evm_error``, ``evm_reference``). The channel response
    (:meth:`channel_response`) is that before the 1/√ν power sharing of the layers.
    """

    counters = TB_COUNTERS

    def __init__(self, config: PdschLinkConfig):
        if not isinstance(config, PdschLinkConfig):
            raise ConfigError("config", type(config).__name__, "must be a PdschLinkConfig")
        self.config = config
        self.sch = config.sch()
        self.decoder = LdpcDecoderConfig(algorithm=config.decoder,
                                         max_iterations=config.max_iterations)
        check_tbs_fits(self.sch.tbs, config.g)
        self._channel = config.slot_channel()
        n_id = config.carrier.n_cell_id if config.pdsch.n_id is None else config.pdsch.n_id
        self._c_init = scrambling_c_init(config.pdsch.n_rnti, n_id, 0)
        self._evm: EvmCounter | None = None

    def describe(self) -> str:
        c = self.config
        p = c.pdsch
        n_prb = c.plan().crbs.size
        return (f"PDSCH {p.modulation} R={c.target_code_rate:.4f} ({c.mcs_table} MCS "
                f"{c.mcs_index}), TBS {self.sch.tbs}, G {c.g}, {n_prb} PRB x "
                f"{p.symbol_allocation[1]} symbols, {p.n_layers} layer(s), {p.n_layers}x{c.n_rx}, "
                f"{c.channel}{'' if c.channel == 'awgn' else ' ' + c.correlation}, "
                f"{c.carrier.scs} kHz, estimator {c.estimator}, {c.equalizer.upper()}, "
                f"HARQ {'on' if c.harq else 'off'}, LDPC {c.decoder} {c.max_iterations} it")

    def _receive(self, tb: np.ndarray, rv: int, slot: int, n0: float, channel,
                 rng: np.random.Generator) -> np.ndarray:
        c = self.config
        carrier = c.carrier
        n_slot = slot % carrier.slots_per_frame
        cw = sch_encode(tb, self.sch, g=c.g, rv=rv)
        tx = pdsch_grid(cw, carrier, c.pdsch, n_slot=n_slot)
        h = self.channel_response(channel, slot) * np.float32(1.0 / math.sqrt(c.pdsch.n_layers))
        y = propagate(h, tx, n0, rng)
        perfect = c.estimator == "perfect"
        demod = pdsch_demodulate(y, carrier, c.pdsch, n_slot=n_slot, estimator=c.estimator,
                                 h_true=h if perfect else None, noise_var=n0 if perfect else None,
                                 equalizer=c.equalizer)
        if self._evm is not None:
            ref = modulate(scramble(cw, self._c_init), c.pdsch.modulations[0])
            self._evm.add(demod.symbols.T.reshape(-1), ref)
        return demod.llrs[0]

    def run_batch(self, snr_db: float, n_blocks: int, rng: np.random.Generator) -> dict[str, int]:
        """Simulate ``n_blocks`` transport blocks at ``snr_db`` (SNR per RE per receive
        antenna)."""
        c = self.config
        self._evm = EvmCounter()
        try:
            return run_tb_batch(snr_db=snr_db, n_blocks=n_blocks, rng=rng, sch=self.sch, g=c.g,
                                decoder=self.decoder, harq=c.harq,
                                max_transmissions=c.max_transmissions,
                                new_channel=self.new_channel, slot_of=self.transmission_slot,
                                receive=self._receive, evm=self._evm)
        finally:
            self._evm = None

    def metrics(self, result: PointResult) -> dict[str, float]:
        """The figures of one SNR point (see :func:`~opennr.link.metrics.tb_link_metrics`)."""
        return tb_link_metrics(result, self.sch.tbs)

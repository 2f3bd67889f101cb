"""PUSCH link: UL-SCH coding (TS 38.212 §6.2), the PUSCH with its DM-RS in the slot grid
(TS 38.211 §6.3.1, §6.4.1.1; transform precoding and codebook precoding as configured), a
frequency-domain fading channel per resource element from the ρ antenna ports of the UE to the
n_rx antennas of the base station (TR 38.901 §7.7 TDL, uplink correlation, or a static AWGN
channel) with noise, and the reference receiver of :mod:`opennr.receiver.pusch_rx` (DM-RS
estimation of the effective layer channels or perfect CSI, MMSE/ZF detection, transform
deprecoding, soft demapping, LDPC decoding with optional HARQ).

UCI. With ``uci`` set, every slot also carries HARQ-ACK and/or CSI payloads drawn at random and
multiplexed with the UL-SCH (TS 38.212 §6.3.2, §6.2.7); the receiver demultiplexes and decodes
them and counts their errors per slot (:data:`UCI_COUNTERS`), beside the transport block
counters of the UL-SCH it carries.

Signal level. The precoded grid is scaled by 1/‖W‖_F, so that the ρ ports together transmit a
power of 1 per RE (data and DM-RS alike), and the channel has unit average power per link: the
average received power per RE and receive antenna is 1 and the SNR is that per RE per receive
antenna, N0 = 10^(−SNR/10).

Time line: that of :mod:`opennr.link._common` (one channel per batch, evolving over the slots of
the HARQ processes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from opennr.channel import TdlConfig
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.errors import ConfigError
from opennr.link._common import (
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
from opennr.physical.pusch import (
    PuschConfig,
    PuschPlan,
    pusch_bit_capacity,
    pusch_codeword,
    pusch_grid,
    pusch_mux_plan,
    pusch_plan,
    pusch_precoding_matrix,
    pusch_scramble,
)
from opennr.physical.scrambling import scrambling_c_init
from opennr.receiver.pusch_rx import pusch_demodulate
from opennr.sim.engine import PointResult
from opennr.transport.mcs import McsEntry, mcs_entry
from opennr.transport.sch import sch_encode
from opennr.transport.uci_pusch import UciPuschConfig, pusch_uci_decode, pusch_uci_placeholders

__all__ = ["UCI_COUNTERS", "PuschLink", "PuschLinkConfig"]

#: Counters of the UCI of a PUSCH link with ``uci``: slots carrying HARQ-ACK, those whose
#: HARQ-ACK was decoded wrong, the wrong HARQ-ACK bits, and the CSI part 1 / part 2 reports
#: decoded wrong (a payload differing from the one sent, or a failed CRC).
UCI_COUNTERS = ("ack_slots", "ack_errors", "ack_bit_errors", "csi_slots", "csi1_errors",
                "csi2_errors")


@dataclass(frozen=True, slots=True, kw_only=True)
class PuschLinkConfig(McsLinkConfig):
    """Parameters of the PUSCH link.

    Parameters
    ----------
    carrier : Carrier
        Carrier grid (the PUSCH allocation lies inside it).
    pusch : PuschConfig
        Allocation, DM-RS, transform precoding, precoding (ρ ports, TPMI) and identities; its
        modulation is replaced by that of the MCS.
    mcs_table, mcs_index : str, int
        TS 38.214 §6.1.4.1 MCS table by name (``"qam64"``, ``"qam256"``, ``"qam64LowSE"``;
        with transform precoding also ``"tp-qam64"``, ``"tp-qam64LowSE"``) and I_MCS.
    tp_pi2bpsk : bool
        tp-pi2BPSK: q = 1 in the transform-precoding tables (pi/2-BPSK rows).
    n_rx : int
        Receive antennas (≥ ν).
    channel : str
        ``"awgn"`` (a static channel with unit-modulus gains, the n_rx × ρ DFT matrix) or a TDL
        in conformance shorthand such as ``"TDLC300-100"`` (TS 38.104 Annex G / TS 38.101-4
        Annex B.2.2: profile, delay spread in ns, maximum Doppler in Hz).
    correlation : str
        MIMO correlation level of the TDL channel (``"low"``, ``"medium"``, ``"medium-A"``,
        ``"high"``), uplink.
    estimator, equalizer : str
        Channel estimator and detector by name (passed to the receiver unchanged).
    harq : bool
        Retransmit failed blocks up to ``max_transmissions`` times (RVs 0, 2, 3, 1) and combine.
    max_transmissions : int
    harq_processes : int
        P: a retransmission is P slots after the previous transmission.
    decoder, max_iterations : str, int
        LDPC decoder algorithm and iteration limit.
    tbs : int or None
        Transport block size; ``None`` for TS 38.214 §6.1.4.2.
    uci : UciPuschConfig or None
        UCI multiplexed on the PUSCH in every slot (HARQ-ACK, CSI part 1, CSI part 2 sizes,
        β offsets, α; random payloads); ``None`` for UL-SCH alone.
    """

    carrier: Carrier = dataclasses.field(default_factory=lambda: Carrier(scs=30, n_size_grid=24))
    pusch: PuschConfig = dataclasses.field(default_factory=PuschConfig)
    mcs_table: str = "qam64"
    mcs_index: int = 10
    tp_pi2bpsk: bool = False
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
    uci: UciPuschConfig | None = None

    def __post_init__(self) -> None:
        check_shared_channel_link(self, "pusch", PuschConfig, check=self._check_mcs_table)
        if self.uci is not None and not isinstance(self.uci, UciPuschConfig):
            raise ConfigError("uci", type(self.uci).__name__, "must be a UciPuschConfig or None")

    def _check_mcs_table(self) -> None:
        if self.mcs_table.startswith("tp-") and not self.pusch.transform_precoding:
            raise ConfigError("mcs_table", self.mcs_table,
                              "the transform-precoding tables need transform precoding",
                              "TS 38.214 §6.1.4.1")

    def mcs(self) -> McsEntry:
        """The MCS entry (Q_m, R) of TS 38.214 §6.1.4.1."""
        return mcs_entry(self.mcs_table, self.mcs_index, tp_pi2bpsk=bool(self.tp_pi2bpsk))

    def plan(self) -> PuschPlan:
        """The resource-element layout of the PUSCH (:func:`opennr.physical.pusch.pusch_plan`)."""
        return pusch_plan(self.carrier, self.pusch)

    def tbs_allocation(self) -> TbsAllocation:
        """PRBs, symbols, N_DMRS^PRB (DM-RS REs only, TS 38.214 §6.1.4.2) and layers."""
        return TbsAllocation.of_plan(self.plan())

    @property
    def g(self) -> int:
        """Coded bits of one transmission, G (TS 38.212 §6.2.7)."""
        return pusch_bit_capacity(self.carrier, self.pusch)

    @property
    def g_ulsch(self) -> int:
        """UL-SCH coded bits of one transmission, G_ULSCH: G less the UCI (TS 38.212 §6.2.7)."""
        if self.uci is None:
            return self.g
        return self.mux_plan().g_ulsch

    def mux_plan(self):
        """The UL-SCH/UCI multiplexing plan (:func:`opennr.physical.pusch.pusch_mux_plan`);
        requires ``uci``."""
        return pusch_mux_plan(self.carrier, self.pusch, self.uci, sch=self.sch())

    def slot_channel(self) -> SlotChannel:
        """The channel of the slots: n_tx = ρ antenna ports, n_rx antennas, uplink."""
        return SlotChannel(carrier=self.carrier, channel=self.channel, correlation=self.correlation,
                           n_tx=self.pusch.n_antenna_ports, n_rx=self.n_rx, direction="uplink")

    def tdl_config(self) -> TdlConfig:
        """The TDL channel of ``channel`` with n_tx = ρ and n_rx antennas (uplink)."""
        return self.slot_channel().tdl_config()


class PuschLink(SlotLink):
    """Transmit, propagate, receive: one batch of PUSCH slots at a time.

    Counters per batch: the :data:`opennr.link.metrics.TB_COUNTERS` (``blocks``,
    ``block_errors`` after the last transmission, ``first_tx_errors``, ``transmissions``,
    ``delivered_bits``, ``bits``, ``bit_errors``, ``code_blocks``, ``iterations``, and the EVM
    sums of the detected (deprecoded) data symbols), and with UCI the :data:`UCI_COUNTERS`
    (every transmission, retransmissions included, is a slot with new UCI).
    """

    counters = TB_COUNTERS

    def __init__(self, config: PuschLinkConfig):
        if not isinstance(config, PuschLinkConfig):
            raise ConfigError("config", type(config).__name__, "must be a PuschLinkConfig")
        self.config = config
        self.sch = config.sch()
        self.decoder = LdpcDecoderConfig(algorithm=config.decoder,
                                         max_iterations=config.max_iterations)
        self._mux = None
        if config.uci is not None:
            self._mux = config.mux_plan()
            self._placeholders = pusch_uci_placeholders(self._mux)
            self.counters = TB_COUNTERS + UCI_COUNTERS
        self._g = config.g_ulsch
        check_tbs_fits(self.sch.tbs, self._g, "UL-SCH ")
        self._uci_counts: dict[str, int] | None = None
        self._channel = config.slot_channel()
        w = pusch_precoding_matrix(config.pusch)
        self._w = w
        self._scale = np.float32(1.0 / np.linalg.norm(w))
        n_id = config.carrier.n_cell_id if config.pusch.n_id is None else config.pusch.n_id
        self._c_init = scrambling_c_init(config.pusch.n_rnti, n_id)
        self._evm: EvmCounter | None = None

    def describe(self) -> str:
        c = self.config
        p = c.pusch
        n_prb = c.plan().crbs.size
        waveform = "DFT-s-OFDM" if p.transform_precoding else "CP-OFDM"
        return (f"PUSCH {waveform} {p.modulation} R={c.target_code_rate:.4f} ({c.mcs_table} MCS "
                f"{c.mcs_index}), TBS {self.sch.tbs}, G {c.g}, {n_prb} PRB x "
                f"{p.symbol_allocation[1]} symbols, {p.n_layers} layer(s) on "
                f"{p.n_antenna_ports} port(s), {p.n_antenna_ports}x{c.n_rx}, "
                f"{c.channel}{'' if c.channel == 'awgn' else ' ' + c.correlation}, "
                f"{c.carrier.scs} kHz, estimator {c.estimator}, {c.equalizer.upper()}, "
                f"HARQ {'on' if c.harq else 'off'}, LDPC {c.decoder} {c.max_iterations} it"
                + ("" if c.uci is None else
                   f", UCI HARQ-ACK {c.uci.o_ack} CSI {c.uci.o_csi1}+{c.uci.o_csi2} bits "
                   f"(G_ULSCH {self._g})"))

    def _receive(self, tb: np.ndarray, rv: int, slot: int, n0: float, channel,
                 rng: np.random.Generator) -> np.ndarray:
        c = self.config
        carrier = c.carrier
        n_slot = slot % carrier.slots_per_frame
        payload = {}
        if self._mux is None:
            cw = sch_encode(tb, self.sch, g=c.g, rv=rv)
        else:
            payload = {name: rng.integers(0, 2, o, dtype=np.uint8)
                       for name, o in (("ack", c.uci.o_ack), ("csi1", c.uci.o_csi1),
                                       ("csi2", c.uci.o_csi2)) if o}
            cw = pusch_codeword(carrier, c.pusch, tb=tb, sch=self.sch, rv=rv, uci=c.uci, **payload)
        tx = pusch_grid(cw, carrier, c.pusch, n_slot=n_slot)
        h = self.channel_response(channel, slot) * self._scale
        y = propagate(h, tx, n0, rng)
        perfect = c.estimator == "perfect"
        h_eff = np.einsum("rplk,pj->rjlk", h, self._w) if perfect else None
        x_ind, y_ind = (None, None) if self._mux is None else self._placeholders
        demod = pusch_demodulate(y, carrier, c.pusch, n_slot=n_slot, estimator=c.estimator,
                                 h_true=h_eff, noise_var=n0 if perfect else None,
                                 equalizer=c.equalizer, x_indices=x_ind, y_indices=y_ind)
        if self._evm is not None:
            ref = modulate(pusch_scramble(cw, self._c_init), c.pusch.modulation)
            self._evm.add(demod.symbols.T.reshape(-1), ref)
        if self._mux is None:
            return demod.llrs
        dec = pusch_uci_decode(self._mux, demod.llrs)
        self._count_uci(dec, payload)
        return dec.ulsch_llr

    def _count_uci(self, dec, payload: dict) -> None:
        counts = self._uci_counts
        if counts is None:
            return
        wrong = {name: bool(np.any(getattr(dec, name).bits != bits)
                            or not np.all(getattr(dec, name).crc_ok))
                 for name, bits in payload.items()}
        if "ack" in payload:
            counts["ack_slots"] += 1
            counts["ack_errors"] += wrong["ack"]
            counts["ack_bit_errors"] += int(np.count_nonzero(dec.ack.bits != payload["ack"]))
        if "csi1" in payload:
            counts["csi_slots"] += 1
            counts["csi1_errors"] += wrong["csi1"]
            counts["csi2_errors"] += wrong.get("csi2", False)

    def run_batch(self, snr_db: float, n_blocks: int, rng: np.random.Generator) -> dict[str, int]:
        """Simulate ``n_blocks`` transport blocks at ``snr_db`` (SNR per RE per receive
        antenna)."""
        c = self.config
        self._evm = EvmCounter()
        self._uci_counts = dict.fromkeys(UCI_COUNTERS, 0)
        try:
            counts = run_tb_batch(snr_db=snr_db, n_blocks=n_blocks, rng=rng, sch=self.sch,
                                  g=self._g, decoder=self.decoder, harq=c.harq,
                                  max_transmissions=c.max_transmissions,
                                  new_channel=self.new_channel, slot_of=self.transmission_slot,
                                  receive=self._receive, evm=self._evm)
            if self._mux is not None:
                counts.update(self._uci_counts)
            return counts
        finally:
            self._evm = None
            self._uci_counts = None

    def metrics(self, result: PointResult) -> dict[str, float]:
        """The figures of one SNR point (see :func:`~opennr.link.metrics.tb_link_metrics`); with
        UCI also ``ack_error_rate`` (slots with a wrong HARQ-ACK), ``ack_ber``,
        ``csi1_bler`` and ``csi2_bler`` (NaN for a part not configured)."""
        out = tb_link_metrics(result, self.sch.tbs)
        if self._mux is not None:
            cnt = result.counts
            u = self.config.uci

            def ratio(num: int, den: int) -> float:
                return num / den if den else float("nan")

            out["ack_error_rate"] = ratio(cnt["ack_errors"], cnt["ack_slots"])
            out["ack_ber"] = ratio(cnt["ack_bit_errors"], cnt["ack_slots"] * u.o_ack)
            out["csi1_bler"] = ratio(cnt["csi1_errors"], cnt["csi_slots"])
            out["csi2_bler"] = ratio(cnt["csi2_errors"], cnt["csi_slots"]) if u.o_csi2 \
                else float("nan")
        return out

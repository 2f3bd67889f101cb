"""What the transport-block links (DL-SCH, PDSCH, PUSCH) share: the MCS-derived parameters and
the transport block size of their configs, their validation, the slot time line of HARQ
processes, the fading or static channel per resource element, the noise, and the batch loop.

Time line. One fading channel is drawn per batch and evolves over the slots: block b is first
sent in slot b (without HARQ) or, with HARQ and P processes, the transmissions t = 0, 1, ... of
block b use slots (b div P)·P·T + t·P + (b mod P) (T = max_transmissions), so a retransmission
comes P slots after the previous one and sees the channel evolved by P slots.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.channel import TdlChannel, TdlConfig, parse_tdl_name
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.errors import ConfigError
from opennr.link.metrics import EvmCounter, count_harq_batch
from opennr.modulation import modulation_for_qm
from opennr.numerology import Carrier
from opennr.receiver.channel_estimation import ESTIMATORS
from opennr.receiver.equalization import EQUALIZERS
from opennr.transport.harq import HarqBuffer
from opennr.transport.mcs import McsEntry, mcs_entry
from opennr.transport.sch import SchConfig, sch_decode
from opennr.transport.tbs import transport_block_size

#: Redundancy versions of the successive transmissions of a block (TS 38.214 Table 5.1.2.1-2
#: order 0, 2, 3, 1).
RV_SEQUENCE = (0, 2, 3, 1)

#: LDPC decoder algorithms a link accepts.
DECODERS = ("nms", "oms", "spa")


def check_link_fields(*, n_tx: int, n_rx: int, channel: str, max_transmissions: int,
                      harq_processes: int, decoder: str, max_iterations: int,
                      tbs: int | None) -> None:
    """Validate the fields every slot link has (receive antennas, channel name, HARQ, decoder).

    Raises
    ------
    ConfigError
        Naming the field.
    """
    check_int("n_rx", n_rx, n_tx, 64)
    if channel != "awgn":
        parse_tdl_name(channel)
    check_int("max_transmissions", max_transmissions, 1, 16)
    check_int("harq_processes", harq_processes, 1, 32)
    check_choice("decoder", decoder, DECODERS)
    check_int("max_iterations", max_iterations, 1, 1000)
    if tbs is not None:
        check_int("tbs", tbs, 1, None)


class TbsAllocation(NamedTuple):
    """The allocation of the transport block size (TS 38.214 §5.1.3.2, §6.1.4.2)."""

    n_prb: int
    n_symb_sh: int
    n_dmrs_prb: int
    n_layers: int

    @classmethod
    def of_plan(cls, plan) -> TbsAllocation:
        """The allocation of a PDSCH or PUSCH plan: its PRBs, its L symbols, the N_DMRS^PRB of its
        DM-RS symbols (:func:`opennr.physical.allocation.n_dmrs_prb`) and its layers."""
        cfg = plan.config
        return cls(int(plan.crbs.size), int(cfg.symbol_allocation[1]), plan.n_dmrs_prb,
                   int(cfg.n_layers))


class McsLinkConfig:
    """What the configs of the transport-block links derive from their MCS and allocation: Q_m
    and R (TS 38.214 §5.1.3.1, §6.1.4.1), the transport block size (§5.1.3.2, §6.1.4.2, no
    xOverhead) and the :class:`~opennr.transport.sch.SchConfig` of the block.

    The base of the frozen link config dataclasses; they have the fields ``mcs_table``,
    ``mcs_index`` and ``tbs`` (``None`` for the TBS of the allocation) and give their allocation
    by ``tbs_allocation()`` (a :class:`TbsAllocation`).
    """

    __slots__ = ()

    def mcs(self) -> McsEntry:
        """The MCS entry (Q_m, R) of TS 38.214 §5.1.3.1 / §6.1.4.1."""
        return mcs_entry(self.mcs_table, self.mcs_index)

    @property
    def qm(self) -> int:
        """Q_m of the MCS."""
        return self.mcs().qm

    @property
    def target_code_rate(self) -> float:
        """R of the MCS."""
        return self.mcs().target_code_rate

    @property
    def transport_block_size(self) -> int:
        """``tbs``, or the TBS of the allocation (TS 38.214 §5.1.3.2, §6.1.4.2; N_oh^PRB = 0)."""
        if self.tbs is not None:
            return self.tbs
        a = self.tbs_allocation()
        return transport_block_size(n_prb=a.n_prb, n_symb_sh=a.n_symb_sh, n_dmrs_prb=a.n_dmrs_prb,
                                    target_code_rate=self.target_code_rate, qm=self.qm,
                                    n_layers=a.n_layers)

    def sch(self) -> SchConfig:
        """The transport block parameters (TBS, R, Q_m, layers)."""
        return SchConfig(tbs=self.transport_block_size, target_code_rate=self.target_code_rate,
                         qm=self.qm, n_layers=self.tbs_allocation().n_layers)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def check_shared_channel_link(config, field: str, channel_type: type, *,
                              check: Callable[[], None] | None = None) -> None:
    """Validate a PDSCH or PUSCH link config and give its channel config (``field``) the
    modulation of the MCS.

    Checks the carrier and the channel config types, the MCS, ``check`` (the rules of one link),
    the fields of :func:`check_link_fields` (with n_tx = ν), the estimator and equalizer names,
    the TDL channel (``config.tdl_config()``) and that the allocation fits the carrier
    (``config.plan()``).

    Raises
    ------
    ConfigError
        Naming the field.
    """
    if not isinstance(config.carrier, Carrier):
        raise ConfigError("carrier", type(config.carrier).__name__, "must be a Carrier")
    channel = getattr(config, field)
    if not isinstance(channel, channel_type):
        raise ConfigError(field, type(channel).__name__, f"must be a {channel_type.__name__}")
    entry = config.mcs()
    if check is not None:
        check()
    check_link_fields(n_tx=channel.n_layers, n_rx=config.n_rx, channel=config.channel,
                      max_transmissions=config.max_transmissions,
                      harq_processes=config.harq_processes, decoder=config.decoder,
                      max_iterations=config.max_iterations, tbs=config.tbs)
    check_choice("estimator", config.estimator, ESTIMATORS)
    check_choice("equalizer", config.equalizer, EQUALIZERS)
    object.__setattr__(config, field,
                       dataclasses.replace(channel, modulation=modulation_for_qm(entry.qm)))
    if config.channel != "awgn":
        config.tdl_config()             # validates the correlation level
    config.plan()                       # the allocation fits the carrier


def check_tbs_fits(tbs: int, g: int, what: str = "") -> None:
    """A transport block must not exceed the G coded bits that carry it.

    Raises
    ------
    ConfigError
        Naming ``tbs``.
    """
    if g < tbs:
        raise ConfigError("tbs", tbs, f"must not exceed the G = {g} {what}coded bits the "
                          "allocation carries")


def tdl_config(channel: str, correlation: str, n_tx: int, n_rx: int, *,
               direction: str = "downlink") -> TdlConfig:
    """The TDL channel of a conformance shorthand such as ``"TDLC300-100"`` (TS 38.101-4 Annex
    B.2.2: profile, delay spread in ns, maximum Doppler in Hz)."""
    model, _, doppler = parse_tdl_name(channel)
    return TdlConfig(model=model, delay_spread=None, max_doppler=doppler, n_tx=n_tx, n_rx=n_rx,
                     correlation=correlation, direction=direction)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotChannel:
    """Channel of every resource element of the slots of a link: a TDL drawn per batch, or, for
    ``"awgn"``, a static channel with unit-modulus gains (the n_rx × n_tx DFT matrix, orthogonal
    transmit antennas)."""

    carrier: Carrier
    channel: str
    correlation: str
    n_tx: int
    n_rx: int
    direction: str = "downlink"

    def tdl_config(self) -> TdlConfig:
        return tdl_config(self.channel, self.correlation, self.n_tx, self.n_rx,
                          direction=self.direction)

    def new(self, rng: np.random.Generator) -> TdlChannel | None:
        """A fading channel drawn from ``rng`` (``None`` for AWGN)."""
        if self.channel == "awgn":
            return None
        return TdlChannel(self.tdl_config(), rng)

    def static_matrix(self) -> np.ndarray:
        r, j = np.meshgrid(np.arange(self.n_rx), np.arange(self.n_tx), indexing="ij")
        return np.exp(-2j * np.pi * r * j / self.n_rx).astype(np.complex64)

    def response(self, channel: TdlChannel | None, slot: int) -> np.ndarray:
        """H of every RE of ``slot``, (n_rx, n_tx, N_symb^slot, K) complex64, unit average power
        per link."""
        c = self.carrier
        if channel is None:
            h = self.static_matrix()
            return np.ascontiguousarray(np.broadcast_to(
                h[:, :, None, None], (*h.shape, c.symbols_per_slot, c.n_subcarriers)))
        return channel.ofdm_response(c, slot)


class SlotLink:
    """What the PDSCH and PUSCH links share: the slots of the HARQ transmissions and the channel
    of the slots. A base of the link classes, which hold ``config`` (with the HARQ fields) and
    ``_channel`` (a :class:`SlotChannel`)."""

    def transmission_slot(self, block: int, transmission: int) -> int:
        """Slot (counted from the start of the batch) of transmission t of block b (module
        docstring)."""
        c = self.config
        return transmission_slot(block, transmission, harq=c.harq,
                                 harq_processes=c.harq_processes,
                                 max_transmissions=c.max_transmissions)

    def new_channel(self, rng: np.random.Generator) -> TdlChannel | None:
        """A fading channel drawn from ``rng`` (``None`` for AWGN)."""
        return self._channel.new(rng)

    def channel_response(self, channel: TdlChannel | None, slot: int) -> np.ndarray:
        """H of every RE of ``slot`` from the transmit antennas, (n_rx, n_tx, N_symb^slot, K)
        complex64, unit average power per link (:meth:`SlotChannel.response`)."""
        return self._channel.response(channel, slot)


def propagate(h: np.ndarray, tx: np.ndarray, n0: float, rng: np.random.Generator) -> np.ndarray:
    """y = Σ_t h[r, t] tx[t] + n per RE, with complex Gaussian noise of variance ``n0`` per RE
    and receive antenna.

    h: (n_rx, n_tx, L, K); tx: (n_tx, L, K); returns (n_rx, L, K) complex64.
    """
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    noise = rng.standard_normal((*y.shape, 2), dtype=np.float32)
    noise *= np.float32(math.sqrt(n0 / 2.0))
    y += noise.view(np.complex64)[..., 0]
    return y


def transmission_slot(block: int, transmission: int, *, harq: bool, harq_processes: int,
                      max_transmissions: int) -> int:
    """Slot (counted from the start of the batch) of transmission t of block b (module
    docstring)."""
    if not harq:
        return block
    p = harq_processes
    return (block // p) * p * max_transmissions + transmission * p + block % p


def run_tb_batch(*, snr_db: float, n_blocks: int, rng: np.random.Generator, sch: SchConfig,
                 g: int, decoder: LdpcDecoderConfig, harq: bool, max_transmissions: int,
                 new_channel: Callable[[np.random.Generator], object],
                 slot_of: Callable[[int, int], int],
                 receive: Callable[[np.ndarray, int, int, float, object, np.random.Generator],
                                   np.ndarray],
                 evm: EvmCounter | None = None) -> dict[str, int]:
    """Simulate ``n_blocks`` transport blocks at ``snr_db`` and count them
    (:func:`opennr.link.metrics.count_harq_batch`).

    ``receive(tb, rv, slot, n0, channel, rng)`` transmits one block in one slot and returns the
    descrambled LLRs of its codeword (G,); the noise is N0 = 10^(−SNR/10). ``evm``, when given,
    is the counter ``receive`` adds its equalized symbols to.
    """
    if not np.isfinite(snr_db):
        raise ValueError(f"snr_db={snr_db!r}: must be a finite number of dB")
    n_blocks = check_int("n_blocks", n_blocks, 1)
    n0 = 10.0 ** (-snr_db / 10.0)
    channel = new_channel(rng)
    tb = rng.integers(0, 2, size=(n_blocks, sch.tbs), dtype=np.uint8)
    buffer = HarqBuffer() if harq else None
    max_tx = max_transmissions if harq else 1
    llr = np.zeros((n_blocks, g), np.float32)

    def transmit(tx: int, pending: np.ndarray):
        rv = RV_SEQUENCE[tx % 4]
        llr[:] = 0.0     # blocks already delivered add nothing to their soft buffer
        for b in np.flatnonzero(pending):
            llr[b] = receive(tb[b], rv, slot_of(int(b), tx), n0, channel, rng)
        return sch_decode(llr, sch, g=g, rv=rv, harq=buffer, decoder=decoder)

    return count_harq_batch(tb, max_tx, transmit, evm=evm)

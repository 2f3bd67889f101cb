"""TS 38.211 §6.3.1 — the physical uplink shared channel (PUSCH) transmitter.

Processing order of §6.3.1: scrambling (§6.3.1.1, c_init = n_RNTI 2^15 + n_ID, with the UCI
placeholders x → 1 and y → the previous bit), modulation (§6.3.1.2, pi/2-BPSK only with
transform precoding), layer mapping (§6.3.1.3, one codeword on 1..4 layers), transform
precoding (§6.3.1.4, one layer), precoding (§6.3.1.5: identity for non-codebook transmission,
Tables 6.3.1.5-1 to -7 for codebook transmission), non-interleaved VRB-to-PRB mapping
(§6.3.1.7) and mapping to resource elements (§6.3.1.6: frequency first over the allocated
PRBs, then OFDM symbols, skipping the DM-RS REs and the REs of the CDM groups without data).
The DM-RS of §6.4.1.1 (precoded with the same W) comes from :mod:`opennr.physical.dmrs`
(transform precoding disabled) and :mod:`opennr.physical.pusch_dmrs` (enabled). The time
allocation rules are those of TS 38.214 Table 6.1.2.1-1.

:func:`pusch_transmit` is the whole transmitter of a slot: UL-SCH coding (TS 38.212 §6.2), UCI
coding and data and control multiplexing (§6.3.2, §6.2.7, :mod:`opennr.transport.uci_pusch`,
with the multiplexing plan of :func:`pusch_mux_plan` taken from this module's resource-element
layout), then the steps above. The placeholders x and y of the UCI codes are those of
:mod:`opennr.coding.smallblock`.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_llrs, check_choice, check_int
from opennr.coding.smallblock import PLACEHOLDER_X, PLACEHOLDER_Y
from opennr.errors import ConfigError
from opennr.modulation import bits_per_symbol, modulate
from opennr.numerology import Carrier, channel_bwp, check_bwp_fields, slot_number
from opennr.physical import _pusch_kernels
from opennr.physical.allocation import (
    allocated_crbs,
    check_dmrs_ports,
    check_prb_set,
    check_ptrs_port,
    check_symbol_allocation,
    data_resource_elements,
    dmrs_symbols,
    n_dmrs_prb,
)
from opennr.physical.dmrs import DmrsConfig, dmrs_port, dmrs_re_values
from opennr.physical.layermap import layer_map
from opennr.physical.precoding import precode, pusch_codebook, pusch_codebook_size
from opennr.physical.ptrs import (
    PtrsConfig,
    ptrs_pattern,
    ptrs_symbol_indices,
    ptrs_values,
)
from opennr.physical.pusch_dmrs import (
    pusch_dmrs_hop_positions,
    pusch_dmrs_symbol_positions,
    pusch_hop_lengths,
    pusch_tp_dmrs_sequence,
)
from opennr.physical.pusch_ptrs import TpPtrsConfig, ptrs_tp_positions, ptrs_tp_values
from opennr.physical.scrambling import scrambling_c_init
from opennr.physical.transform_precoding import is_transform_precoding_size, transform_precode
from opennr.sequences.gold import gold_sequence
from opennr.transport.sch import SchConfig, sch_encode
from opennr.transport.uci_pusch import (
    UciPuschConfig,
    UciPuschPlan,
    pusch_uci_encode,
    pusch_uci_resources,
    uci_pusch_plan,
)

__all__ = [
    "PLACEHOLDER_X",
    "PLACEHOLDER_Y",
    "PuschConfig",
    "PuschPlan",
    "pusch_bit_capacity",
    "pusch_codeword",
    "pusch_descramble_llrs",
    "pusch_dmrs",
    "pusch_grid",
    "pusch_indices",
    "pusch_layers",
    "pusch_mux_plan",
    "pusch_plan",
    "pusch_precoding_matrix",
    "pusch_ptrs",
    "pusch_scramble",
    "pusch_symbols",
    "pusch_tp_ptrs",
    "pusch_transmit",
]

_CLAUSE = "TS 38.211 §6.3.1"
_CLAUSE_TIME = "TS 38.214 Table 6.1.2.1-1"
_MODULATIONS = ("pi/2-BPSK", "QPSK", "16QAM", "64QAM", "256QAM")


@dataclass(frozen=True, slots=True, kw_only=True)
class PuschConfig:
    """PUSCH parameters of one slot (TS 38.211 §6.3.1, §6.4.1.1, TS 38.214 §6.1.2).

    Parameters
    ----------
    mapping_type : str
        ``"A"`` or ``"B"``.
    symbol_allocation : tuple of int
        (S, L): first OFDM symbol (0-based) and number of symbols.
    prb_set : tuple of int or None
        PRBs relative to the bandwidth part (VRB = PRB); ``None`` uses the whole part.
    n_start_bwp, n_size_bwp : int or None
        Bandwidth part; ``None`` for the carrier grid.
    n_layers : int
        ν, 1..4 (1 with transform precoding).
    modulation : str
        ``"pi/2-BPSK"`` (transform precoding only), ``"QPSK"``, ``"16QAM"``, ``"64QAM"``,
        ``"256QAM"``.
    n_rnti : int
        n_RNTI, 0..65535.
    n_id : int or None
        Data scrambling identity (dataScramblingIdentityPUSCH) 0..1023; ``None`` uses
        N_ID^cell.
    transform_precoding : bool
        Transform precoding (DFT-s-OFDM) enabled.
    transmission_scheme : str
        ``"codebook"`` or ``"non-codebook"`` (W = identity, ports = layers).
    n_antenna_ports : int or None
        ρ for codebook transmission: 1, 2 or 4; ``None`` gives ν.
    tpmi : int
        TPMI of codebook transmission (Tables 6.3.1.5-1 to -7).
    dmrs : DmrsConfig
        DM-RS configuration; ``dmrs.n_id`` is N_ID^{n_SCID} (NID0/NID1 of DMRS-UplinkConfig) for
        transform precoding disabled, ``None`` for N_ID^cell.
    dmrs_ports : tuple of int or None
        DM-RS ports p̃ − 0, one per layer; ``None`` gives 0 .. ν − 1.
    n_id_rs : int or None
        n_ID^RS (nPUSCH-Identity, 0..1007) of the transform-precoding DM-RS; ``None`` uses
        N_ID^cell.
    group_hopping, sequence_hopping : bool
        Group or sequence hopping of the transform-precoding DM-RS (not both).
    frequency_hopping : str
        ``"disabled"`` or ``"intra-slot"`` (TS 38.214 §6.3): the first ⌊L/2⌋ symbols use the
        PRBs of ``prb_set`` (contiguous), the others the same number of PRBs from
        (RB_start + RB_offset) mod N_BWP^size; each hop carries its own DM-RS (Table
        6.4.1.1.3-6, single-symbol DM-RS).
    rb_offset : int
        RB_offset, the frequency offset of the second hop in PRBs.
    hop : int or None
        Restrict the configuration to hop 0 or 1 of intra-slot hopping: its plan, DM-RS and
        data REs are those of that hop alone (a receiver estimates each hop on its own);
        ``None`` for the whole PUSCH.
    ptrs : PtrsConfig, TpPtrsConfig or None
        PT-RS (TS 38.211 §6.4.1.2): a :class:`opennr.physical.ptrs.PtrsConfig` without transform
        precoding (on the layer of its DM-RS port, ``ptrs.port`` defaulting to the lowest
        DM-RS port; its power ``power_db``, by default 10 log10 ν for ν = 1..4, the ptrs-Power
        "00" row of TS 38.214 Table 6.2.3.1-3), a
        :class:`opennr.physical.pusch_ptrs.TpPtrsConfig` with it; ``None`` for no PT-RS.

    Raises
    ------
    ConfigError
        A field outside its range or an impossible combination (transform precoding with more
        than one layer, DM-RS type 2, CDM groups without data ≠ 2 or a PRB count that is not
        2^a 3^b 5^c; pi/2-BPSK without transform precoding; a TPMI outside the table).
    """

    mapping_type: str = "A"
    symbol_allocation: tuple[int, int] = (0, 14)
    prb_set: tuple[int, ...] | None = None
    n_start_bwp: int | None = None
    n_size_bwp: int | None = None
    n_layers: int = 1
    modulation: str = "QPSK"
    n_rnti: int = 1
    n_id: int | None = None
    transform_precoding: bool = False
    transmission_scheme: str = "codebook"
    n_antenna_ports: int | None = None
    tpmi: int = 0
    dmrs: DmrsConfig = dataclasses.field(default_factory=DmrsConfig)
    dmrs_ports: tuple[int, ...] | None = None
    n_id_rs: int | None = None
    group_hopping: bool = False
    sequence_hopping: bool = False
    frequency_hopping: str = "disabled"
    rb_offset: int = 0
    hop: int | None = None
    ptrs: PtrsConfig | TpPtrsConfig | None = None

    def __post_init__(self) -> None:
        check_choice("mapping_type", self.mapping_type, ("A", "B"), _CLAUSE_TIME)
        s, n = check_symbol_allocation(self.symbol_allocation, _CLAUSE_TIME)
        if self.mapping_type == "A" and (s != 0 or n < 4):
            raise ConfigError("symbol_allocation", (s, n),
                              "mapping type A needs S = 0 and L in 4..14", _CLAUSE_TIME)
        object.__setattr__(self, "symbol_allocation", (s, n))
        object.__setattr__(self, "prb_set", check_prb_set(self.prb_set, _CLAUSE))
        check_bwp_fields(self.n_start_bwp, self.n_size_bwp)
        v = check_int("n_layers", self.n_layers, 1, 4, "TS 38.211 §6.3.1.3")
        check_choice("modulation", self.modulation, _MODULATIONS, "TS 38.211 §6.3.1.2")
        check_int("n_rnti", self.n_rnti, 0, 65535, "TS 38.211 §6.3.1.1")
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 1023, "TS 38.211 §6.3.1.1")
        for name in ("transform_precoding", "group_hopping", "sequence_hopping"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ConfigError(name, getattr(self, name), "must be a bool", _CLAUSE)
        tp = bool(self.transform_precoding)
        if self.modulation == "pi/2-BPSK" and not tp:
            raise ConfigError("modulation", self.modulation,
                              "pi/2-BPSK needs transform precoding", "TS 38.211 §6.3.1.2")
        if not isinstance(self.dmrs, DmrsConfig):
            raise ConfigError("dmrs", type(self.dmrs).__name__, "must be a DmrsConfig", _CLAUSE)
        if tp:
            self._check_transform_precoding()
        check_choice("transmission_scheme", self.transmission_scheme,
                     ("codebook", "non-codebook"), "TS 38.211 §6.3.1.5")
        if self.n_antenna_ports is None:
            object.__setattr__(self, "n_antenna_ports", v)
        ports = check_int("n_antenna_ports", self.n_antenna_ports, 1, 4, "TS 38.211 §6.3.1.5")
        if self.transmission_scheme == "non-codebook":
            if ports != v:
                raise ConfigError("n_antenna_ports", ports,
                                  f"must equal n_layers={v} for non-codebook transmission",
                                  "TS 38.211 §6.3.1.5")
        else:
            size = pusch_codebook_size(v, ports, transform_precoding=tp)
            check_int("tpmi", self.tpmi, 0, size - 1, "TS 38.211 Tables 6.3.1.5-1..7")
        if self.n_id_rs is not None:
            check_int("n_id_rs", self.n_id_rs, 0, 1007, "TS 38.211 §6.4.1.1.1.2")
        if self.group_hopping and self.sequence_hopping:
            raise ConfigError("sequence_hopping", self.sequence_hopping,
                              "group and sequence hopping cannot both be enabled",
                              "TS 38.211 §6.4.1.1.1.2")
        self._check_ports()
        self._check_hopping()
        _dmrs_positions(self)
        self._check_ptrs()

    def _check_ptrs(self) -> None:
        p = self.ptrs
        if p is None:
            return
        if self.transform_precoding:
            if not isinstance(p, TpPtrsConfig):
                raise ConfigError("ptrs", type(p).__name__, "must be a TpPtrsConfig (or None) "
                                  "with transform precoding", "TS 38.211 §6.4.1.2.2.2")
            return
        if not isinstance(p, PtrsConfig):
            raise ConfigError("ptrs", type(p).__name__, "must be a PtrsConfig (or None) "
                              "without transform precoding", "TS 38.211 §6.4.1.2.2.1")
        object.__setattr__(self, "ptrs", check_ptrs_port(p, self.dmrs, self.dmrs_ports, self.n_layers,
                                                         clause="TS 38.214 §6.2.3.1"))

    def _check_hopping(self) -> None:
        clause = "TS 38.214 §6.3"
        check_choice("frequency_hopping", self.frequency_hopping, ("disabled", "intra-slot"),
                     clause)
        check_int("rb_offset", self.rb_offset, 0, 274, clause)
        hopping = self.frequency_hopping == "intra-slot"
        if self.hop is not None:
            check_choice("hop", self.hop, (0, 1), clause)
            if not hopping:
                raise ConfigError("hop", self.hop, "needs intra-slot frequency hopping", clause)
        if not hopping:
            return
        if self.symbol_allocation[1] < 2:
            raise ConfigError("symbol_allocation", self.symbol_allocation,
                              "intra-slot frequency hopping needs L >= 2", clause)
        if self.dmrs.length != 1:
            raise ConfigError("dmrs.length", self.dmrs.length,
                              "must be 1 with intra-slot frequency hopping (Table 6.4.1.1.3-6 "
                              "has single-symbol DM-RS only)", "TS 38.211 §6.4.1.1.3")
        prbs = self.prb_set
        if prbs is not None and prbs[-1] - prbs[0] + 1 != len(prbs):
            raise ConfigError("prb_set", prbs, "must be contiguous with frequency hopping "
                              "(resource allocation type 1)", clause)

    def _check_transform_precoding(self) -> None:
        clause = "TS 38.211 §6.3.1.4"
        if self.n_layers != 1:
            raise ConfigError("n_layers", self.n_layers,
                              "transform precoding allows a single layer only", clause)
        if self.dmrs.config_type != 1:
            raise ConfigError("dmrs.config_type", self.dmrs.config_type,
                              "must be 1 with transform precoding", "TS 38.211 §6.4.1.1.3")
        if self.dmrs.n_cdm_groups_without_data != 2:
            raise ConfigError("dmrs.n_cdm_groups_without_data",
                              self.dmrs.n_cdm_groups_without_data,
                              "must be 2 with transform precoding (no data in DM-RS symbols)",
                              "TS 38.214 §6.2.2")
        if self.prb_set is not None:
            prbs = self.prb_set
            if prbs[-1] - prbs[0] + 1 != len(prbs):
                raise ConfigError("prb_set", prbs,
                                  "must be contiguous with transform precoding", clause)
            if not is_transform_precoding_size(len(prbs)):
                raise ConfigError("prb_set", len(prbs),
                                  "the PRB count must be 2^a * 3^b * 5^c with transform "
                                  "precoding", clause)

    def _check_ports(self) -> None:
        ports = check_dmrs_ports(self.dmrs, self.dmrs_ports, self.n_layers, clause=_CLAUSE,
                                 port_clause="TS 38.211 §6.4.1.1.3",
                                 table_clause="TS 38.211 Tables 6.4.1.1.3-1/2")
        object.__setattr__(self, "dmrs_ports", ports)

    @property
    def qm(self) -> int:
        """Q_m of the modulation."""
        return bits_per_symbol(self.modulation)


@dataclass(frozen=True, slots=True)
class PuschPlan:
    """Resource-element layout of a PUSCH in a carrier grid, built by :func:`pusch_plan`.

    Attributes
    ----------
    carrier : Carrier
        The carrier (with n_slot = n_frame = 0).
    config : PuschConfig
    n_symb_slot, n_subcarriers : int
        Slot grid shape (N_symb^slot, K = 12 N_grid^size).
    crbs : numpy.ndarray of int64
        Common resource blocks of the allocation, increasing.
    dmrs_symbols, dmrs_l_prime : numpy.ndarray of int64
        DM-RS OFDM symbols l = l̄ + l' and their l'.
    data_symbols : numpy.ndarray of int64
        OFDM symbols carrying data, increasing.
    data_indices : numpy.ndarray of int64
        Flat indices l · K + k of the data REs of one layer, mapping order.
    hop_symbols : tuple of int
        First OFDM symbol of each hop (one entry without frequency hopping).
    hop_crbs : tuple of numpy.ndarray
        Common resource blocks of each hop (``crbs`` is that of the first).
    ptrs_symbols : numpy.ndarray of int64
        OFDM symbols with PT-RS (empty without).
    ptrs_indices : numpy.ndarray of int64
        Transform precoding disabled: flat indices l · K + k of the PT-RS REs on layer
        ``ptrs_layer``, symbol by symbol (data skips them on every layer).
    ptrs_layer : int
        Layer of the PT-RS (−1 without).
    tp_data_positions, tp_ptrs_positions : numpy.ndarray of int64
        Transform precoding enabled: flat indices into the (data symbols, M_sc) DFT input of
        the data symbols (in order) and of the PT-RS samples (symbol by symbol).
    """

    carrier: Carrier
    config: PuschConfig
    n_symb_slot: int
    n_subcarriers: int
    crbs: np.ndarray
    dmrs_symbols: np.ndarray
    dmrs_l_prime: np.ndarray
    data_symbols: np.ndarray
    data_indices: np.ndarray
    hop_symbols: tuple[int, ...] = ()
    hop_crbs: tuple[np.ndarray, ...] = ()
    ptrs_symbols: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    ptrs_indices: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    ptrs_layer: int = -1
    tp_data_positions: np.ndarray | None = None
    tp_ptrs_positions: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_layer_symbols(self) -> int:
        """M_symb^layer: data symbols per layer (data REs less the transform-precoding PT-RS
        samples)."""
        return int(self.data_indices.size - self.tp_ptrs_positions.size)

    def symbol_crbs(self, symbol: int) -> np.ndarray:
        """CRBs of the hop that OFDM symbol ``symbol`` belongs to."""
        i = int(np.searchsorted(np.asarray(self.hop_symbols), symbol, side="right")) - 1
        return self.hop_crbs[max(i, 0)]

    @property
    def m_sc(self) -> int:
        """M_sc^PUSCH = 12 M_RB^PUSCH."""
        return 12 * int(self.crbs.size)

    @property
    def n_dmrs_prb(self) -> int:
        """N_DMRS^PRB of the transport block size (:func:`opennr.physical.allocation.n_dmrs_prb`,
        TS 38.214 §6.1.4.2): the DM-RS of both hops with frequency hopping, of one hop in the plan
        of a ``hop``-restricted configuration."""
        return n_dmrs_prb(self.dmrs_symbols, self.config.dmrs)


def _dmrs_positions(config: PuschConfig) -> tuple[tuple[int, ...], ...]:
    """l̄ of each hop (one hop without frequency hopping), TS 38.211 §6.4.1.1.3."""
    d = config.dmrs
    s, n = config.symbol_allocation
    if config.frequency_hopping == "intra-slot":
        return pusch_dmrs_hop_positions(config.mapping_type, s, n,
                                        type_a_position=d.type_a_position,
                                        additional_position=d.additional_position)
    return (pusch_dmrs_symbol_positions(config.mapping_type, s, n,
                                        type_a_position=d.type_a_position,
                                        additional_position=d.additional_position,
                                        dmrs_length=d.length),)


def _hops(carrier: Carrier, config: PuschConfig) -> list[tuple[int, int, np.ndarray, tuple]]:
    """(first symbol, symbols, CRBs, l̄) of each hop (TS 38.214 §6.3)."""
    s, n = config.symbol_allocation
    crbs = allocated_crbs(carrier, config.n_start_bwp, config.n_size_bwp, config.prb_set)
    l_bars = _dmrs_positions(config)
    if config.frequency_hopping != "intra-slot":
        return [(s, n, crbs, l_bars[0])]
    n1, n2 = pusch_hop_lengths(n)
    bwp = channel_bwp(carrier, config.n_start_bwp, config.n_size_bwp)
    start_bwp, size_bwp = bwp.n_start_bwp, bwp.n_size_bwp
    rb_start = int(crbs[0]) - start_bwp
    second = (rb_start + config.rb_offset) % size_bwp + np.arange(crbs.size, dtype=np.int64)
    if second[-1] >= size_bwp:
        raise ConfigError("rb_offset", config.rb_offset,
                          f"the second hop (PRBs {int(second[0])}..{int(second[-1])}) must lie "
                          f"inside the bandwidth part of {size_bwp} PRBs", "TS 38.214 §6.3")
    return [(s, n1, crbs, l_bars[0]), (s + n1, n2, second + start_bwp, l_bars[1])]


@functools.lru_cache(maxsize=256)
def _plan(carrier: Carrier, config: PuschConfig) -> PuschPlan:
    n_symb = carrier.symbols_per_slot
    s, n = config.symbol_allocation
    if s + n > n_symb:
        raise ConfigError("symbol_allocation", (s, n),
                          f"S + L must be <= {n_symb} symbols per slot", _CLAUSE_TIME)
    hops = _hops(carrier, config)
    if config.transform_precoding and not is_transform_precoding_size(hops[0][2].size):
        raise ConfigError("prb_set", int(hops[0][2].size),
                          "the PRB count must be 2^a * 3^b * 5^c with transform precoding",
                          "TS 38.211 §6.3.1.4")
    if config.hop is not None:
        hops = [hops[config.hop]]
    d = config.dmrs
    k_sc = carrier.n_subcarriers
    all_dmrs = np.concatenate([dmrs_symbols(h[3], d)[0] for h in _hops(carrier, config)])
    parts = []
    ptrs = {"ptrs_symbols": [], "ptrs_indices": []}
    for first, length, crbs, l_bar in hops:
        dmrs_l, dmrs_lp = dmrs_symbols(l_bar, d)
        data, data_syms = data_resource_elements(carrier, crbs, first, length, dmrs_l, d)
        if isinstance(config.ptrs, PtrsConfig):
            # symbols from the whole allocation (l_ref restarts at every DM-RS symbol),
            # subcarriers from the PRBs of the hop
            pattern = ptrs_pattern(config.ptrs, config_type=d.config_type, port=config.ptrs.port,
                                   crbs=crbs, start=s, length=n, dmrs_symbols=all_dmrs,
                                   dmrs_length=d.length, n_rnti=config.n_rnti)
            syms = pattern.symbols[(pattern.symbols >= first) & (pattern.symbols < first + length)]
            k = pattern.k - 12 * carrier.n_start_grid
            idx = (syms[:, None] * k_sc + k[None, :]).reshape(-1)
            data = data[~np.isin(data, idx)]
            ptrs["ptrs_symbols"].append(syms)
            ptrs["ptrs_indices"].append(idx)
        elif isinstance(config.ptrs, TpPtrsConfig):
            syms = ptrs_symbol_indices(s, n, all_dmrs, config.ptrs.time_density,
                                       dmrs_length=d.length)
            ptrs["ptrs_symbols"].append(syms[(syms >= first) & (syms < first + length)])
        parts.append((crbs, dmrs_l, dmrs_lp, data, data_syms))
    crbs = parts[0][0]
    dmrs_l, dmrs_lp, data, data_syms = (np.concatenate([p[i] for p in parts])
                                        for i in (1, 2, 3, 4))
    hop_crbs = tuple(p[0] for p in parts)
    extra = {k: np.concatenate(v).astype(np.int64) for k, v in ptrs.items() if v}
    if isinstance(config.ptrs, PtrsConfig):
        extra["ptrs_layer"] = config.dmrs_ports.index(config.ptrs.port)
    elif isinstance(config.ptrs, TpPtrsConfig):
        m_sc = 12 * crbs.size
        m = ptrs_tp_positions(config.ptrs.n_groups, config.ptrs.n_samples, m_sc)
        rows = np.flatnonzero(np.isin(data_syms, extra["ptrs_symbols"]))
        ptrs_pos = (rows[:, None] * m_sc + m[None, :]).reshape(-1)
        mask = np.ones(data_syms.size * m_sc, dtype=bool)
        mask[ptrs_pos] = False
        extra["tp_ptrs_positions"] = ptrs_pos
        extra["tp_data_positions"] = np.flatnonzero(mask)
    for a in (dmrs_l, dmrs_lp, data_syms, data, *hop_crbs):
        a.setflags(write=False)
    for a in extra.values():
        if isinstance(a, np.ndarray):
            a.setflags(write=False)
    return PuschPlan(carrier=carrier, config=config, n_symb_slot=n_symb, n_subcarriers=k_sc,
                     crbs=crbs, dmrs_symbols=dmrs_l, dmrs_l_prime=dmrs_lp,
                     data_symbols=data_syms, data_indices=data,
                     hop_symbols=tuple(h[0] for h in hops), hop_crbs=hop_crbs, **extra)


def pusch_plan(carrier: Carrier, config: PuschConfig) -> PuschPlan:
    """Cached resource-element layout of a PUSCH (TS 38.211 §6.3.1.6, §6.4.1.1.3).

    Raises
    ------
    ConfigError
        The bandwidth part is outside the carrier, a PRB is outside it, the allocation does
        not fit the slot, or a transform-precoding PRB count is not 2^a 3^b 5^c.
    TypeError
        Arguments of the wrong type.
    """
    if not isinstance(carrier, Carrier):
        raise TypeError(f"carrier: expected Carrier, got {type(carrier).__name__}")
    if not isinstance(config, PuschConfig):
        raise TypeError(f"config: expected PuschConfig, got {type(config).__name__}")
    return _plan(dataclasses.replace(carrier, n_slot=0, n_frame=0), config)


def pusch_indices(carrier: Carrier, config: PuschConfig) -> np.ndarray:
    """Data resource elements of the PUSCH in mapping order (TS 38.211 §6.3.1.6).

    Returns
    -------
    numpy.ndarray of int64, shape (N_RE,)
        Flat indices l · K + k into the (N_symb^slot, K) grid of one layer/port.
    """
    return pusch_plan(carrier, config).data_indices.copy()


def pusch_bit_capacity(carrier: Carrier, config: PuschConfig) -> int:
    """G = M_symb^layer · ν · Q_m (N_RE less the transform-precoding PT-RS samples), the length
    of the multiplexed UL-SCH/UCI codeword (TS 38.212 §6.2.7, TS 38.211 §6.3.1)."""
    return pusch_plan(carrier, config).n_layer_symbols * config.n_layers * config.qm


def pusch_precoding_matrix(config: PuschConfig) -> np.ndarray:
    """W of the PUSCH (TS 38.211 §6.3.1.5): identity for non-codebook transmission, else the
    TPMI entry of Tables 6.3.1.5-1 to -7.

    Returns
    -------
    numpy.ndarray of complex64, shape (ρ, ν)
    """
    if config.transmission_scheme == "non-codebook":
        return np.eye(config.n_layers, dtype=np.complex64)
    return pusch_codebook(config.n_layers, config.n_antenna_ports, config.tpmi,
                          transform_precoding=bool(config.transform_precoding))


def pusch_scramble(codeword: np.ndarray, c_init: int | np.ndarray) -> np.ndarray:
    """PUSCH scrambling with UCI placeholders (TS 38.211 §6.3.1.1).

    b̃(i) = 1 where b(i) is the placeholder x, b̃(i) = b̃(i − 1) where it is y, and
    b̃(i) = (b(i) + c(i)) mod 2 otherwise, with the Gold sequence c of §5.2.1.

    Parameters
    ----------
    codeword : array_like of int, shape (..., M_bit)
        Bits 0/1 and the placeholders :data:`PLACEHOLDER_X` (−1) and :data:`PLACEHOLDER_Y`
        (−2).
    c_init : int or array_like of int
        c_init = n_RNTI 2^15 + n_ID (:func:`opennr.physical.scrambling.scrambling_c_init`);
        an array must broadcast against the batch shape.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., M_bit)

    Raises
    ------
    ValueError
        Values outside {−2, −1, 0, 1}, a scalar, or a y placeholder at position 0.
    """
    b = np.asarray(codeword)
    if b.ndim < 1:
        raise ValueError("codeword: expected at least one dimension, got a scalar")
    if not (np.issubdtype(b.dtype, np.integer) or b.dtype == np.bool_):
        raise ValueError(f"codeword: expected integers (0/1, x=-1, y=-2), got {b.dtype}")
    if b.size and (b.min() < PLACEHOLDER_Y or b.max() > 1):
        raise ValueError("codeword: values must be 0, 1, -1 (placeholder x) or -2 "
                         f"(placeholder y), found [{b.min()}, {b.max()}]")
    if b.shape[-1] and (b[..., 0] == PLACEHOLDER_Y).any():
        raise ValueError("codeword: placeholder y cannot be the first bit (it repeats the "
                         "previous bit, TS 38.211 §6.3.1.1)")
    c = gold_sequence(c_init, b.shape[-1])
    shape = np.broadcast_shapes(b.shape, c.shape)
    b8 = np.ascontiguousarray(np.broadcast_to(b, shape), dtype=np.int8).reshape(-1, shape[-1])
    c8 = np.ascontiguousarray(np.broadcast_to(c, shape), dtype=np.uint8).reshape(-1, shape[-1])
    out = np.empty(b8.shape, dtype=np.uint8)
    if out.size:
        _pusch_kernels.scramble_placeholders(b8, c8, out)
    return out.reshape(shape)


@functools.lru_cache(maxsize=32)
def _scrambling_signs(c_init: int, n: int) -> np.ndarray:
    """1 − 2 c(i), i < n, of the Gold sequence with ``c_init`` (read-only float32)."""
    signs = (1.0 - 2.0 * gold_sequence(c_init, n)).astype(np.float32)
    signs.setflags(write=False)
    return signs


def pusch_descramble_llrs(llrs: np.ndarray, c_init: int, *, x_indices: np.ndarray | None = None,
                          y_indices: np.ndarray | None = None) -> np.ndarray:
    """Descrambling of PUSCH soft bits with UCI placeholders, the inverse of
    :func:`pusch_scramble` (TS 38.211 §6.3.1.1).

    A coded bit i is descrambled with c(i) (its LLR is negated where c(i) = 1). A placeholder y
    repeats the scrambled bit b̃(i0) before its run, so its LLR is descrambled with c(i0) and
    becomes a further observation of the coded bit b(i0) (TS 38.212 §5.3.3.1 repetition). A
    placeholder x, and a y whose run follows an x, are the constant 1 and carry no information:
    their LLR is 0 (MATLAB ``nrPUSCHDescramble`` leaves these positions as received; a UCI
    decoder ignores them either way).

    Parameters
    ----------
    llrs : array_like of float, shape (M_bit,)
        LLR = ln P(b̃=0)/P(b̃=1) of the scrambled bits.
    c_init : int
        c_init = n_RNTI 2^15 + n_ID.
    x_indices, y_indices : array_like of int, optional
        0-based positions of the placeholders x and y in the codeword.

    Returns
    -------
    numpy.ndarray of float32, shape (M_bit,)

    Raises
    ------
    ValueError
        ``llrs`` not one-dimensional real numbers, a placeholder index outside the codeword, a
        position marked both x and y, or a y at position 0.
    """
    x = as_llrs("llrs", llrs)
    if x.ndim != 1:
        raise ValueError(f"llrs: expected one dimension (M_bit,), got shape {x.shape}")
    if x_indices is None and y_indices is None:
        return x * _scrambling_signs(int(c_init), x.size)
    kind = np.zeros(x.size, np.int8)
    for name, ind, value in (("x_indices", x_indices, PLACEHOLDER_X),
                             ("y_indices", y_indices, PLACEHOLDER_Y)):
        if ind is None:
            continue
        i = np.asarray(ind)
        if i.size and (not np.issubdtype(i.dtype, np.integer) or i.min() < 0
                       or i.max() >= x.size):
            raise ValueError(f"{name}: expected integer positions in [0, {x.size}), "
                             f"got {i if i.size < 8 else i.dtype}")
        if (kind[i] != 0).any():
            raise ValueError(f"{name}: a position cannot be both placeholder x and y")
        kind[i] = value
    if x.size and kind[0] == PLACEHOLDER_Y:
        raise ValueError("y_indices: placeholder y cannot be the first bit (TS 38.211 §6.3.1.1)")
    c = gold_sequence(c_init, x.size)
    out = np.empty(x.size, np.float32)
    _pusch_kernels.descramble_placeholders(np.ascontiguousarray(x, np.float32), c, kind, out)
    return out


def pusch_layers(codeword: np.ndarray, carrier: Carrier, config: PuschConfig, *,
                 n_slot: int | None = None) -> np.ndarray:
    """Scrambling, modulation, layer mapping and transform precoding of the PUSCH codeword
    (TS 38.211 §6.3.1.1-4); with transform precoding the PT-RS samples of §6.4.1.2.2.2 are
    inserted into the DFT blocks of their symbols.

    Parameters
    ----------
    codeword : array_like of int, shape (..., M_bit)
        The multiplexed UL-SCH/UCI codeword with placeholders (see :func:`pusch_scramble`).
    carrier : Carrier
        Supplies N_ID^cell when ``config.n_id`` is None.
    config : PuschConfig
    n_slot : int, optional
        Slot number of the transform-precoding PT-RS; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of complex64, shape (..., ν, M_symb^layer)
        Layer symbols, DFT-spread per OFDM symbol when transform precoding is enabled.

    Raises
    ------
    ValueError
        Invalid codeword values, a length not a multiple of Q_m ν, or (with transform
        precoding) M_symb^layer not a multiple of M_sc^PUSCH.
    """
    plan = pusch_plan(carrier, config)
    qm, v = config.qm, config.n_layers
    b = np.asarray(codeword)
    if b.ndim < 1 or b.shape[-1] % (qm * v):
        raise ValueError(f"codeword: length must be a multiple of Q_m * layers = {qm * v} "
                         f"({_CLAUSE}.3), got shape {b.shape}")
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    bits = pusch_scramble(b, scrambling_c_init(config.n_rnti, n_id))
    x = layer_map(modulate(bits, config.modulation), v)
    if config.transform_precoding:
        if plan.tp_data_positions is not None:
            if x.shape[-1] != plan.n_layer_symbols:
                raise ValueError(f"codeword: expected {plan.n_layer_symbols * qm} bits around "
                                 f"the PT-RS ({_CLAUSE}.4), got {b.shape[-1]}")
            blocks = np.zeros((*x.shape[:-1], plan.data_indices.size), np.complex64)
            blocks[..., plan.tp_data_positions] = x
            blocks[..., plan.tp_ptrs_positions] = pusch_tp_ptrs(carrier, config, n_slot)
            x = blocks
        x = transform_precode(x, plan.m_sc)
    return x


def pusch_tp_ptrs(carrier: Carrier, config: PuschConfig, n_slot: int | None = None) -> np.ndarray:
    """PT-RS samples of a transform-precoded PUSCH in the DFT input of every PT-RS symbol
    (TS 38.211 §6.4.1.2.1.2, §6.4.1.2.2.2), at ``pusch_plan(...).tp_ptrs_positions``.

    Returns
    -------
    numpy.ndarray of complex64, shape (N_PT-RS symbols · N_group N_samp,)
    """
    plan = pusch_plan(carrier, config)
    if not isinstance(config.ptrs, TpPtrsConfig) or plan.ptrs_symbols.size == 0:
        return np.zeros(0, np.complex64)
    n_slot = slot_number(carrier, n_slot)
    n_id = config.ptrs.n_id
    if n_id is None:
        n_id = carrier.n_cell_id if config.n_id_rs is None else config.n_id_rs
    full = pusch_plan(carrier, dataclasses.replace(config, hop=None)) if config.hop is not None \
        else plan
    v = ptrs_tp_values(config.ptrs, m_sc=plan.m_sc, modulation=config.modulation,
                       n_rnti=config.n_rnti, n_id=n_id, n_symb_slot=plan.n_symb_slot, n_s=n_slot,
                       l=int(full.ptrs_symbols[0]))
    return np.tile(v, plan.ptrs_symbols.size)


def pusch_ptrs(carrier: Carrier, config: PuschConfig,
               n_slot: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PT-RS resource elements and values of a PUSCH without transform precoding, on the layer
    ``pusch_plan(...).ptrs_layer`` before precoding (TS 38.211 §6.4.1.2.1.1, §6.4.1.2.2.1).

    The values are those of :func:`opennr.physical.ptrs.ptrs_values`: the DM-RS sequence of the
    associated port at the first DM-RS symbol of the hop, times β_PT-RS.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (N_PT-RS,)
        Flat indices l · K + k in the slot grid (``plan.ptrs_indices``).
    values : numpy.ndarray of complex64, shape (N_PT-RS,)
        Both empty without PT-RS (or with transform precoding, see :func:`pusch_tp_ptrs`).
    """
    plan = pusch_plan(carrier, config)
    if not isinstance(config.ptrs, PtrsConfig) or plan.ptrs_indices.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.complex64)
    n_slot = slot_number(carrier, n_slot)
    d, p = config.dmrs, config.ptrs
    n_id = carrier.n_cell_id if d.n_id is None else d.n_id
    k_sc = plan.n_subcarriers
    sym = plan.ptrs_indices // k_sc
    k = plan.ptrs_indices % k_sc + 12 * carrier.n_start_grid
    val = np.empty(sym.size, np.complex64)
    for crbs, first in zip(plan.hop_crbs, plan.hop_symbols, strict=True):
        sel = np.isin(k // 12, crbs) & (sym >= first)
        if not sel.any():
            continue
        l0 = int(plan.dmrs_symbols[plan.dmrs_symbols >= first][0])
        val[sel] = ptrs_values(d.config_type, p.port, k[sel], l0=l0, n_symb_slot=plan.n_symb_slot,
                               n_s=n_slot, n_id=n_id, n_scid=d.n_scid,
                               beta=p.beta(config.n_layers))
    return plan.ptrs_indices.copy(), val


def pusch_symbols(codeword: np.ndarray, carrier: Carrier, config: PuschConfig, *,
                  n_slot: int | None = None) -> np.ndarray:
    """Precoded PUSCH symbols of every antenna port (TS 38.211 §6.3.1.1-5).

    Parameters
    ----------
    codeword : array_like of int, shape (..., M_bit)
    carrier : Carrier
    config : PuschConfig

    Returns
    -------
    numpy.ndarray of complex64, shape (..., ρ, M_symb^ap)
        y(i) = W x(i).

    Raises
    ------
    ValueError
        See :func:`pusch_layers`.
    """
    return precode(pusch_layers(codeword, carrier, config, n_slot=n_slot),
                   pusch_precoding_matrix(config))


def pusch_dmrs(carrier: Carrier, config: PuschConfig,
               n_slot: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PUSCH DM-RS resource elements and values of every layer, before precoding
    (TS 38.211 §6.4.1.1).

    Transform precoding disabled: the Gold-sequence DM-RS of §6.4.1.1.1.1 with N_ID =
    ``config.dmrs.n_id`` (N_ID^cell when None), k counted from CRB 0. Enabled: the low-PAPR
    sequence of §6.4.1.1.1.2 of length M_sc/2 on the subcarriers 4n + 2k' + Δ of the
    allocation, indexed from its first subcarrier, with group/sequence hopping per DM-RS symbol.

    Parameters
    ----------
    carrier : Carrier
    config : PuschConfig
    n_slot : int, optional
        Slot number n_s,f^μ; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (ν, N_DMRS)
        Flat indices l · K + k in the slot grid, frequency first then symbol.
    values : numpy.ndarray of complex64, shape (ν, N_DMRS)
        β w_f(k') w_t(l') r(2n + k'), β = ``config.dmrs.beta``.
    """
    plan = pusch_plan(carrier, config)
    n_slot = slot_number(carrier, n_slot)
    d = config.dmrs
    # the DM-RS symbols of each hop (one group without frequency hopping)
    hop_of = np.searchsorted(np.asarray(plan.hop_symbols), plan.dmrs_symbols, side="right") - 1
    groups = [(plan.hop_crbs[h], np.flatnonzero(hop_of == h)) for h in range(len(plan.hop_crbs))]
    idx, val = [], []
    for p in config.dmrs_ports:
        ip, vp = [], []
        for crbs, sel in groups:
            syms, lps = plan.dmrs_symbols[sel], plan.dmrs_l_prime[sel]
            if config.transform_precoding:
                k, v = _tp_dmrs(plan, config, carrier, p, n_slot, crbs, syms, lps)
            else:
                n_id = carrier.n_cell_id if d.n_id is None else d.n_id
                k, v = dmrs_re_values(d.config_type, p, crbs, syms, lps,
                                      n_symb_slot=plan.n_symb_slot, n_s=n_slot, n_id=n_id,
                                      n_scid=d.n_scid, beta=d.beta)
                k = k - 12 * carrier.n_start_grid
            ip.append((syms[:, None] * plan.n_subcarriers + k[None, :]).reshape(-1))
            vp.append(v.reshape(-1))
        idx.append(np.concatenate(ip))
        val.append(np.concatenate(vp))
    return np.stack(idx), np.stack(val)


def _tp_dmrs(plan: PuschPlan, config: PuschConfig, carrier: Carrier, port: int, n_slot: int,
             crbs: np.ndarray, symbols: np.ndarray,
             l_prime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = config.dmrs
    p = dmrs_port(1, port)
    n_id_rs = carrier.n_cell_id if config.n_id_rs is None else config.n_id_rs
    n_half = plan.m_sc // 2
    n = np.arange(n_half // 2, dtype=np.int64)
    kp = np.array([0, 1], dtype=np.int64)
    m = (2 * n[:, None] + kp[None, :]).reshape(-1)
    k0 = 12 * (int(crbs[0]) - carrier.n_start_grid)
    k = k0 + (4 * n[:, None] + 2 * kp[None, :] + p.delta).reshape(-1)
    wf = np.tile(np.array(p.w_f, dtype=np.float32), n.size)
    rows = []
    for sym, lp in zip(symbols.tolist(), l_prime.tolist(), strict=True):
        # l of the hopping formulas is the first symbol of a double-symbol DM-RS
        r = pusch_tp_dmrs_sequence(plan.m_sc, n_id_rs=n_id_rs, n_symb_slot=plan.n_symb_slot,
                                   n_s=n_slot, l=sym - lp, group_hopping=config.group_hopping,
                                   sequence_hopping=config.sequence_hopping)
        rows.append(np.float32(d.beta) * p.w_t[lp] * wf * r[m])
    return k, np.asarray(rows, dtype=np.complex64).reshape(len(rows), k.size)


def pusch_grid(codeword: np.ndarray, carrier: Carrier, config: PuschConfig, *,
               n_slot: int | None = None) -> np.ndarray:
    """Resource grid of one slot carrying the precoded PUSCH and its DM-RS (TS 38.211 §6.3.1,
    §6.4.1.1.3).

    The layer grid (data and DM-RS of each layer) is precoded with W onto the ρ antenna ports.
    REs outside the PUSCH and its DM-RS are zero.

    Parameters
    ----------
    codeword : array_like of int, shape (G,)
        The multiplexed codeword; G must equal :func:`pusch_bit_capacity`.
    carrier : Carrier
    config : PuschConfig
    n_slot : int, optional
        Slot number for the DM-RS; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of complex64, shape (ρ, N_symb^slot, K)

    Raises
    ------
    ValueError
        The codeword length differs from the bit capacity of the allocation.
    """
    plan = pusch_plan(carrier, config)
    b = np.asarray(codeword)
    g = pusch_bit_capacity(carrier, config)
    if b.ndim != 1 or b.size != g:
        raise ValueError(f"codeword: expected shape ({g},), the bit capacity G of the "
                         f"allocation ({_CLAUSE}.6), got {b.shape}")
    x = pusch_layers(b, carrier, config, n_slot=n_slot)
    v = config.n_layers
    layers = np.zeros((v, plan.n_symb_slot * plan.n_subcarriers), np.complex64)
    layers[:, plan.data_indices] = x
    idx, val = pusch_dmrs(carrier, config, n_slot)
    np.put_along_axis(layers, idx, val, axis=1)
    if plan.ptrs_layer >= 0:
        p_idx, p_val = pusch_ptrs(carrier, config, n_slot)
        layers[plan.ptrs_layer, p_idx] = p_val
    grid = precode(layers, pusch_precoding_matrix(config))
    return grid.reshape(grid.shape[0], plan.n_symb_slot, plan.n_subcarriers)


def pusch_mux_plan(carrier: Carrier, config: PuschConfig, uci: UciPuschConfig, *,
                   sch: SchConfig | None = None,
                   target_code_rate: float | None = None) -> UciPuschPlan:
    """UCI resources and UL-SCH/UCI multiplexing maps of a PUSCH (TS 38.212 §6.3.2.4.1, §6.2.7)
    from its resource-element layout (intra-slot frequency hopping and PT-RS included).

    Parameters
    ----------
    carrier : Carrier
    config : PuschConfig
        The whole PUSCH (``hop`` None).
    uci : UciPuschConfig
        Payload sizes, β offsets and α.
    sch : SchConfig, optional
        The UL-SCH transport block, ``None`` for UCI without UL-SCH.
    target_code_rate : float, optional
        R of the MCS, needed without UL-SCH (see
        :func:`opennr.transport.uci_pusch.uci_pusch_plan`).

    Returns
    -------
    UciPuschPlan
        Cached per configuration.

    Raises
    ------
    ConfigError
        See :func:`pusch_plan` and :func:`opennr.transport.uci_pusch.uci_pusch_plan`.
    """
    res = pusch_uci_resources(pusch_plan(carrier, config))
    return uci_pusch_plan(res, uci, sch=sch, target_code_rate=target_code_rate)


def pusch_codeword(carrier: Carrier, config: PuschConfig, *, tb=None, sch: SchConfig | None = None,
                   rv: int = 0, uci: UciPuschConfig | None = None, ack=None, csi1=None, csi2=None,
                   target_code_rate: float | None = None) -> np.ndarray:
    """The codeword of a PUSCH before scrambling: UL-SCH coding (TS 38.212 §6.2.1-6.2.6), UCI
    coding (§6.3.2) and data and control multiplexing (§6.2.7).

    Parameters
    ----------
    carrier : Carrier
    config : PuschConfig
    tb : array_like of uint8, shape (A,), optional
        The transport block; ``None`` for a PUSCH without UL-SCH.
    sch : SchConfig, optional
        Its parameters (required with ``tb``); ``qm`` and ``n_layers`` those of ``config``.
    rv : int
        Redundancy version of the UL-SCH.
    uci : UciPuschConfig, optional
        The UCI on the PUSCH; ``None`` for UL-SCH alone (G_ULSCH = G).
    ack, csi1, csi2 : array_like of uint8, shape (O_ACK,), (O_CSI1,), (O_CSI2,), optional
        HARQ-ACK, CSI part 1 and CSI part 2 payloads, one for each size of ``uci`` that is not 0.
    target_code_rate : float, optional
        R of the MCS, used for UCI without UL-SCH (:func:`pusch_mux_plan`).

    Returns
    -------
    numpy.ndarray of int8, shape (G,)
        Bits 0/1 and the placeholders :data:`PLACEHOLDER_X`, :data:`PLACEHOLDER_Y`; G is
        :func:`pusch_bit_capacity`. Without UL-SCH the REs left by the UCI hold 0.

    Raises
    ------
    ConfigError
        See :func:`pusch_mux_plan`; ``sch`` inconsistent with ``config``.
    ValueError
        A payload missing, unexpected or of the wrong length; neither UL-SCH nor UCI.
    """
    if (tb is None) != (sch is None):
        raise ValueError("tb and sch: give both for a PUSCH with UL-SCH, neither without")
    if sch is not None:
        if not isinstance(sch, SchConfig):
            raise TypeError(f"sch: expected SchConfig, got {type(sch).__name__}")
        if sch.qm != config.qm or sch.n_layers != config.n_layers:
            raise ConfigError("sch", sch, f"qm and n_layers must be those of the PUSCH ({config.qm}, "
                              f"{config.n_layers})", "TS 38.212 §6.2.7")
    if uci is None:
        if tb is None:
            raise ValueError("tb: a PUSCH carries UL-SCH, UCI or both")
        for name, bits in (("ack", ack), ("csi1", csi1), ("csi2", csi2)):
            if bits is not None:
                raise ValueError(f"{name}: UCI payload given without a UciPuschConfig")
        return sch_encode(tb, sch, g=pusch_bit_capacity(carrier, config), rv=rv).astype(np.int8)
    plan = pusch_mux_plan(carrier, config, uci, sch=sch, target_code_rate=target_code_rate)
    coded = None if tb is None else sch_encode(tb, sch, g=plan.g_ulsch, rv=rv)
    return pusch_uci_encode(plan, ulsch=coded, ack=ack, csi1=csi1, csi2=csi2)


def pusch_transmit(carrier: Carrier, config: PuschConfig, *, tb=None, sch: SchConfig | None = None,
                   rv: int = 0, uci: UciPuschConfig | None = None, ack=None, csi1=None, csi2=None,
                   target_code_rate: float | None = None, n_slot: int | None = None) -> np.ndarray:
    """The slot grid of a PUSCH carrying a transport block and/or UCI: :func:`pusch_codeword`
    (TS 38.212 §6.2, §6.3.2, §6.2.7) then :func:`pusch_grid` (TS 38.211 §6.3.1: scrambling with
    the placeholders, modulation, layer mapping, transform precoding, precoding, mapping with
    the DM-RS and PT-RS).

    Parameters
    ----------
    carrier, config, tb, sch, rv, uci, ack, csi1, csi2, target_code_rate
        As for :func:`pusch_codeword`.
    n_slot : int, optional
        Slot number for the DM-RS and PT-RS; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of complex64, shape (ρ, N_symb^slot, K)

    Example
    -------
    >>> from opennr.numerology import Carrier
    >>> from opennr.transport import SchConfig, UciPuschConfig
    >>> carrier = Carrier(n_size_grid=24)
    >>> cfg = PuschConfig(prb_set=tuple(range(8)))
    >>> sch = SchConfig(tbs=1032, target_code_rate=0.5, qm=2)
    >>> grid = pusch_transmit(carrier, cfg, tb=np.zeros(1032, np.uint8), sch=sch,
    ...                       uci=UciPuschConfig(o_ack=2), ack=np.array([1, 0], np.uint8))
    >>> grid.shape
    (1, 14, 288)
    """
    cw = pusch_codeword(carrier, config, tb=tb, sch=sch, rv=rv, uci=uci, ack=ack, csi1=csi1,
                        csi2=csi2, target_code_rate=target_code_rate)
    return pusch_grid(cw, carrier, config, n_slot=n_slot)

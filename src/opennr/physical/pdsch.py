"""TS 38.211 §7.3.1 — the physical downlink shared channel (PDSCH) transmitter.

Processing order of §7.3.1: scrambling (§7.3.1.1, c_init = n_RNTI 2^15 + q 2^14 + n_ID),
modulation (§7.3.1.2), layer mapping (§7.3.1.3), antenna port mapping with ports = layers and
no precoding (§7.3.1.4), mapping to resource elements (§7.3.1.5: frequency first over the
allocated virtual resource blocks, then OFDM symbols, skipping the DM-RS REs, the REs of the CDM
groups without data in DM-RS symbols, the PT-RS REs and any reserved REs) and VRB-to-PRB mapping,
non-interleaved or interleaved (§7.3.1.6, :mod:`opennr.physical.vrb`). The DM-RS of §7.4.1.1
comes from :mod:`opennr.physical.dmrs`, the PT-RS of §7.4.1.2 from :mod:`opennr.physical.ptrs`.
The time-domain allocation rules are those of TS 38.214 §5.1.2.1 (Table 5.1.2.1-1).

Everything that depends only on the carrier grid and the :class:`PdschConfig` (PRBs, DM-RS
symbols, data RE positions) is built once into a cached :class:`PdschPlan`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.modulation import bits_per_symbol, modulate
from opennr.numerology import Carrier, channel_bwp, check_bwp_fields, slot_number
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
from opennr.physical.dmrs import (
    DmrsConfig,
    dmrs_re_values,
    dmrs_symbol_positions,
)
from opennr.physical.layermap import codeword_layers, layer_map, per_codeword
from opennr.physical.ptrs import PtrsConfig, PtrsPattern, ptrs_pattern, ptrs_values
from opennr.physical.scrambling import scramble, scrambling_c_init
from opennr.physical.vrb import vrb_to_prb

__all__ = [
    "PdschConfig",
    "PdschPlan",
    "pdsch_bit_capacity",
    "pdsch_dmrs",
    "pdsch_dmrs_symbols",
    "pdsch_grid",
    "pdsch_indices",
    "pdsch_plan",
    "pdsch_ptrs",
    "pdsch_symbols",
]

_CLAUSE = "TS 38.211 §7.3.1"
_CLAUSE_TIME = "TS 38.214 Table 5.1.2.1-1"
_MODULATIONS = ("QPSK", "16QAM", "64QAM", "256QAM", "1024QAM")


@dataclass(frozen=True, slots=True, kw_only=True)
class PdschConfig:
    """PDSCH parameters of one slot (TS 38.211 §7.3.1, TS 38.214 §5.1.2).

    Parameters
    ----------
    mapping_type : str
        PDSCH mapping type ``"A"`` (slot based) or ``"B"`` (mini-slot).
    symbol_allocation : tuple of int
        (S, L): first OFDM symbol (0-based) and number of symbols.
    prb_set : tuple of int or None
        Virtual resource blocks of the allocation, relative to the start of the bandwidth part
        (the PRBs themselves with the non-interleaved mapping); ``None`` uses every resource
        block of the bandwidth part.
    n_start_bwp, n_size_bwp : int or None
        Bandwidth part N_BWP^start (from CRB 0) and N_BWP^size; ``None`` for the carrier grid.
    n_layers : int
        ν, 1..8 (two codewords above 4).
    modulation : str or tuple of str
        ``"QPSK"``, ``"16QAM"``, ``"64QAM"``, ``"256QAM"`` or ``"1024QAM"``; a pair gives the
        modulation of each codeword when ν > 4.
    n_rnti : int
        n_RNTI, 0..65535.
    n_id : int or None
        Data scrambling identity n_ID (dataScramblingIdentityPDSCH), 0..1023; ``None`` uses
        N_ID^cell of the carrier.
    dmrs : DmrsConfig
        DM-RS configuration.
    dmrs_ports : tuple of int or None
        DM-RS ports p − 1000, one per layer; ``None`` gives 0 .. ν − 1.
    ptrs : PtrsConfig or None
        The PT-RS (TS 38.211 §7.4.1.2), or ``None`` when it is not present. Its port defaults
        to the lowest DM-RS port and must be one of ``dmrs_ports`` and of Table 7.4.1.2.2-1.
        Whether a PT-RS is present and its densities follow from the MCS and bandwidth through
        :func:`opennr.physical.ptrs.ptrs_densities` (TS 38.214 §5.1.6.3).
    vrb_bundle_size : int or None
        L_i = 2 or 4 for the interleaved VRB-to-PRB mapping (vrb-ToPRB-Interleaver n2/n4,
        TS 38.211 §7.3.1.6); ``None`` (default) for the non-interleaved mapping.
    strict_time_allocation : bool
        ``True`` (default) checks (S, L) against TS 38.214 Table 5.1.2.1-1. ``False`` keeps only
        the rules of TS 38.211 (the DM-RS table has an entry and the DM-RS lies inside the
        allocation), as MATLAB does: type A allocations of 1 or 2 symbols, for example.

    Raises
    ------
    ConfigError
        A field outside its range or an impossible combination. Rules that need the carrier
        (PRBs inside the bandwidth part, symbols per slot) are checked by :func:`pdsch_plan`.
    """

    mapping_type: str = "A"
    symbol_allocation: tuple[int, int] = (0, 14)
    prb_set: tuple[int, ...] | None = None
    n_start_bwp: int | None = None
    n_size_bwp: int | None = None
    n_layers: int = 1
    modulation: str | tuple[str, str] = "QPSK"
    n_rnti: int = 1
    n_id: int | None = None
    dmrs: DmrsConfig = dataclasses.field(default_factory=DmrsConfig)
    dmrs_ports: tuple[int, ...] | None = None
    ptrs: PtrsConfig | None = None
    vrb_bundle_size: int | None = None
    strict_time_allocation: bool = True

    def __post_init__(self) -> None:
        check_choice("mapping_type", self.mapping_type, ("A", "B"), _CLAUSE_TIME)
        s, n = check_symbol_allocation(self.symbol_allocation, _CLAUSE_TIME)
        object.__setattr__(self, "symbol_allocation", (s, n))
        object.__setattr__(self, "prb_set", check_prb_set(self.prb_set, _CLAUSE))
        check_bwp_fields(self.n_start_bwp, self.n_size_bwp)
        nu = codeword_layers(self.n_layers)
        mods = (self.modulation,) * len(nu) if isinstance(self.modulation, str) \
            else tuple(self.modulation)
        if len(mods) != len(nu):
            raise ConfigError("modulation", self.modulation,
                              f"must give one modulation per codeword ({len(nu)})", _CLAUSE)
        for m in mods:
            check_choice("modulation", m, _MODULATIONS, "TS 38.211 §7.3.1.2")
        check_int("n_rnti", self.n_rnti, 0, 65535, "TS 38.211 §7.3.1.1")
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 1023, "TS 38.211 §7.3.1.1")
        if not isinstance(self.dmrs, DmrsConfig):
            raise ConfigError("dmrs", type(self.dmrs).__name__, "must be a DmrsConfig", _CLAUSE)
        self._check_ports()
        self._check_ptrs()
        if self.vrb_bundle_size is not None:
            check_choice("vrb_bundle_size", self.vrb_bundle_size, (2, 4), "TS 38.211 §7.3.1.6")
        if not isinstance(self.strict_time_allocation, bool):
            raise ConfigError("strict_time_allocation", self.strict_time_allocation,
                              "must be a bool", _CLAUSE_TIME)
        if self.strict_time_allocation:
            self._check_time_allocation()
        d = self.dmrs
        dmrs_symbol_positions(self.mapping_type, s, n, type_a_position=d.type_a_position,
                              additional_position=d.additional_position,
                              dmrs_length=d.length, l1_alt=d.l1_alt)

    def _check_ports(self) -> None:
        ports = check_dmrs_ports(self.dmrs, self.dmrs_ports, self.n_layers, clause=_CLAUSE,
                                 port_clause="TS 38.211 §7.4.1.1.2",
                                 table_clause="TS 38.211 Tables 7.4.1.1.2-1/2")
        object.__setattr__(self, "dmrs_ports", ports)

    def _check_ptrs(self) -> None:
        p = self.ptrs
        if p is None:
            return
        if not isinstance(p, PtrsConfig):
            raise ConfigError("ptrs", type(p).__name__, "must be a PtrsConfig or None",
                              "TS 38.211 §7.4.1.2")
        object.__setattr__(self, "ptrs", check_ptrs_port(p, self.dmrs, self.dmrs_ports, self.n_layers,
                                                         clause="TS 38.214 §5.1.6.3"))

    def _check_time_allocation(self) -> None:
        s, n = self.symbol_allocation
        if self.mapping_type == "A":
            if s > 3 or not 3 <= n <= 14 or not 3 <= s + n <= 14:
                raise ConfigError("symbol_allocation", (s, n),
                                  "type A needs S in 0..3, L in 3..14 and S + L in 3..14",
                                  _CLAUSE_TIME)
            if s == 3 and self.dmrs.type_a_position != 3:
                raise ConfigError("symbol_allocation", (s, n),
                                  "S = 3 is only applicable with dmrs-TypeA-Position 3",
                                  _CLAUSE_TIME)
        elif s > 12 or not 2 <= n <= 13:
            raise ConfigError("symbol_allocation", (s, n),
                              "type B needs S in 0..12, L in 2..13 and S + L in 2..14",
                              _CLAUSE_TIME)

    @property
    def n_codewords(self) -> int:
        """Number of codewords: 1 for ν ≤ 4, else 2 (Table 7.3.1.3-1)."""
        return 1 if self.n_layers <= 4 else 2

    @property
    def modulations(self) -> tuple[str, ...]:
        """Modulation of each codeword."""
        if isinstance(self.modulation, str):
            return (self.modulation,) * self.n_codewords
        return tuple(self.modulation)


@dataclass(frozen=True, slots=True)
class PdschPlan:
    """Resource-element layout of a PDSCH in a carrier grid, built by :func:`pdsch_plan`.

    Attributes
    ----------
    carrier : Carrier
        The carrier (with n_slot = n_frame = 0: the plan is the same in every slot).
    config : PdschConfig
    n_symb_slot, n_subcarriers : int
        Slot grid shape (N_symb^slot, K = 12 N_grid^size).
    crbs : numpy.ndarray of int64
        Common resource blocks of the allocation (the PRBs after VRB-to-PRB mapping), increasing.
    dmrs_symbols : numpy.ndarray of int64
        DM-RS OFDM symbols l = l̄ + l' in the slot, increasing.
    dmrs_l_prime : numpy.ndarray of int64
        l' of each DM-RS symbol.
    data_indices : numpy.ndarray of int64
        Flat indices l · K + k of the data REs in the slot grid, mapping order (VRB order).
    ptrs : PtrsPattern or None
        The PT-RS symbols and subcarriers, ``None`` without PT-RS.
    ptrs_indices : numpy.ndarray of int64
        Flat indices l · K + k of the PT-RS REs, symbol by symbol (empty without PT-RS).
    ptrs_layer : int
        Layer (antenna port index j) carrying the PT-RS, −1 without PT-RS.
    """

    carrier: Carrier
    config: PdschConfig
    n_symb_slot: int
    n_subcarriers: int
    crbs: np.ndarray
    dmrs_symbols: np.ndarray
    dmrs_l_prime: np.ndarray
    data_indices: np.ndarray
    ptrs: PtrsPattern | None = None
    ptrs_indices: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(0, np.int64))
    ptrs_layer: int = -1

    @property
    def n_dmrs_prb(self) -> int:
        """N_DMRS^PRB of the transport block size (:func:`opennr.physical.allocation.n_dmrs_prb`,
        TS 38.214 §5.1.3.2)."""
        return n_dmrs_prb(self.dmrs_symbols, self.config.dmrs)


def pdsch_dmrs_symbols(config: PdschConfig) -> tuple[np.ndarray, np.ndarray]:
    """DM-RS OFDM symbols l = l̄ + l′ of a PDSCH in the slot and their l′ (TS 38.211
    §7.4.1.1.2, Tables 7.4.1.1.2-3/4).

    Returns
    -------
    symbols, l_prime : numpy.ndarray of int64
        Increasing symbols (each l̄ followed by l̄ + 1 for double-symbol DM-RS).
    """
    d = config.dmrs
    s, n = config.symbol_allocation
    l_bar = dmrs_symbol_positions(config.mapping_type, s, n, type_a_position=d.type_a_position,
                                  additional_position=d.additional_position,
                                  dmrs_length=d.length, l1_alt=d.l1_alt)
    return dmrs_symbols(l_bar, d)


@functools.lru_cache(maxsize=256)
def _plan(carrier: Carrier, config: PdschConfig) -> PdschPlan:
    n_symb = carrier.symbols_per_slot
    s, n = config.symbol_allocation
    if s + n > n_symb:
        raise ConfigError("symbol_allocation", (s, n),
                          f"S + L must be <= {n_symb} symbols per slot", _CLAUSE_TIME)
    vrb_crbs = allocated_crbs(carrier, config.n_start_bwp, config.n_size_bwp, config.prb_set)
    if config.vrb_bundle_size is None:
        order_crbs = vrb_crbs
    else:
        bwp = channel_bwp(carrier, config.n_start_bwp, config.n_size_bwp)
        start = bwp.n_start_bwp
        order_crbs = vrb_to_prb(vrb_crbs - start, n_start_bwp=start, n_size_bwp=bwp.n_size_bwp,
                                bundle_size=config.vrb_bundle_size) + start
    crbs = np.sort(order_crbs)
    d = config.dmrs
    dmrs_l, dmrs_lp = pdsch_dmrs_symbols(config)
    k_sc = carrier.n_subcarriers
    data, _ = data_resource_elements(carrier, order_crbs, s, n, dmrs_l, d)
    pattern, ptrs_idx, ptrs_layer = None, np.zeros(0, np.int64), -1
    if config.ptrs is not None:
        pattern = ptrs_pattern(config.ptrs, config_type=d.config_type, port=config.ptrs.port,
                               crbs=crbs, start=s, length=n, dmrs_symbols=dmrs_l,
                               dmrs_length=d.length, n_rnti=config.n_rnti)
        k = pattern.k - 12 * carrier.n_start_grid
        ptrs_idx = (pattern.symbols[:, None] * k_sc + k[None, :]).reshape(-1)
        ptrs_layer = config.dmrs_ports.index(config.ptrs.port)
        data = data[~np.isin(data, ptrs_idx)]
    for a in (crbs, dmrs_l, dmrs_lp, data, ptrs_idx):
        a.setflags(write=False)
    return PdschPlan(carrier=carrier, config=config, n_symb_slot=n_symb, n_subcarriers=k_sc,
                     crbs=crbs, dmrs_symbols=dmrs_l, dmrs_l_prime=dmrs_lp, data_indices=data,
                     ptrs=pattern, ptrs_indices=ptrs_idx, ptrs_layer=ptrs_layer)


def pdsch_plan(carrier: Carrier, config: PdschConfig) -> PdschPlan:
    """Cached resource-element layout of a PDSCH (TS 38.211 §7.3.1.5, §7.4.1.1.2).

    Parameters
    ----------
    carrier : Carrier
    config : PdschConfig

    Returns
    -------
    PdschPlan

    Raises
    ------
    ConfigError
        The bandwidth part is outside the carrier, a PRB is outside the bandwidth part, or the
        allocation does not fit the slot.
    TypeError
        Arguments of the wrong type.
    """
    if not isinstance(carrier, Carrier):
        raise TypeError(f"carrier: expected Carrier, got {type(carrier).__name__}")
    if not isinstance(config, PdschConfig):
        raise TypeError(f"config: expected PdschConfig, got {type(config).__name__}")
    return _plan(dataclasses.replace(carrier, n_slot=0, n_frame=0), config)


def _check_reserved(plan: PdschPlan, reserved: object) -> np.ndarray:
    r = np.asarray(reserved)
    if r.size and not np.issubdtype(r.dtype, np.integer):
        raise ValueError(f"reserved: expected integer RE indices, got {r.dtype}")
    size = plan.n_symb_slot * plan.n_subcarriers
    if r.size and (r.min() < 0 or r.max() >= size):
        raise ValueError(f"reserved: indices must be in [0, {size}) (l * K + k of the slot grid)")
    return r.reshape(-1)


def _data_indices(plan: PdschPlan, reserved: object) -> np.ndarray:
    if reserved is None:
        return plan.data_indices
    return plan.data_indices[~np.isin(plan.data_indices, _check_reserved(plan, reserved))]


def pdsch_indices(carrier: Carrier, config: PdschConfig, *,
                  reserved: np.ndarray | None = None) -> np.ndarray:
    """Data resource elements of the PDSCH in mapping order (TS 38.211 §7.3.1.5).

    Frequency first (increasing subcarrier over the allocated VRBs, placed on their PRBs),
    then increasing OFDM symbol; the DM-RS symbols keep only the subcarriers of the CDM groups
    with data, and the PT-RS REs and ``reserved`` REs are skipped. Every layer/port uses the
    same REs.

    Parameters
    ----------
    carrier : Carrier
    config : PdschConfig
    reserved : array_like of int, optional
        Flat indices l · K + k of REs not available for the PDSCH (CSI-RS, PT-RS, rate-matching
        patterns), K = 12 N_grid^size.

    Returns
    -------
    numpy.ndarray of int64, shape (N_RE,)
        Flat indices l · K + k into the (N_symb^slot, K) grid of one port.

    Raises
    ------
    ConfigError
        See :func:`pdsch_plan`.
    ValueError
        ``reserved`` not integer or outside the slot grid.
    """
    return _data_indices(pdsch_plan(carrier, config), reserved).copy()


def pdsch_bit_capacity(carrier: Carrier, config: PdschConfig, *,
                       reserved: np.ndarray | None = None) -> tuple[int, ...]:
    """G of each codeword: N_RE · ν_q · Q_m,q coded bits (TS 38.212 §7.2.5, TS 38.211 §7.3.1).

    Returns
    -------
    tuple of int
        One G per codeword.
    """
    n_re = _data_indices(pdsch_plan(carrier, config), reserved).size
    return tuple(n_re * v * bits_per_symbol(m)
                 for v, m in zip(codeword_layers(config.n_layers), config.modulations,
                                 strict=True))


def pdsch_symbols(codewords: np.ndarray | Sequence[np.ndarray], carrier: Carrier,
                  config: PdschConfig) -> np.ndarray:
    """Scrambling, modulation and layer mapping of the PDSCH codewords (TS 38.211 §7.3.1.1-3).

    b̃^(q)(i) = b^(q)(i) ⊕ c^(q)(i) with c_init = n_RNTI 2^15 + q 2^14 + n_ID, then the
    modulation of codeword q and the layer mapping of Table 7.3.1.3-1.

    Parameters
    ----------
    codewords : array_like of uint8 0/1, shape (..., M_bit), or a sequence of two of them
        The DL-SCH codeword(s) b^(q) (two exactly when ν > 4).
    carrier : Carrier
        Supplies N_ID^cell when ``config.n_id`` is None.
    config : PdschConfig

    Returns
    -------
    numpy.ndarray of complex64, shape (..., ν, M_symb^layer)

    Raises
    ------
    ValueError
        Wrong number of codewords, non-binary bits, a length that is not a multiple of
        Q_m ν_q, or codewords of unequal layer lengths.
    """
    cws = per_codeword("codewords", codewords, config.n_codewords, bits=True)
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    nu = codeword_layers(config.n_layers)
    symbols = []
    for q, (b, m, v) in enumerate(zip(cws, config.modulations, nu, strict=True)):
        qm = bits_per_symbol(m)
        if b.shape[-1] % (qm * v):
            raise ValueError(f"codewords[{q}]: length {b.shape[-1]} must be a multiple of "
                             f"Q_m * layers = {qm * v} ({_CLAUSE}.3)")
        c_init = scrambling_c_init(config.n_rnti, n_id, q)
        symbols.append(modulate(scramble(b, c_init), m))
    return layer_map(symbols, config.n_layers)


def pdsch_dmrs(carrier: Carrier, config: PdschConfig,
               n_slot: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PDSCH DM-RS resource elements and values of every port (TS 38.211 §7.4.1.1).

    Parameters
    ----------
    carrier : Carrier
    config : PdschConfig
    n_slot : int, optional
        Slot number n_s,f^μ within the frame; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (ν, N_DMRS)
        Flat indices l · K + k in the slot grid of each port, frequency first then symbol.
    values : numpy.ndarray of complex64, shape (ν, N_DMRS)
        β w_f(k') w_t(l') r(2n + k'), with β = ``config.dmrs.beta``.

    Raises
    ------
    ConfigError
        See :func:`pdsch_plan`; ``n_slot`` outside the frame.
    """
    plan = pdsch_plan(carrier, config)
    n_slot = slot_number(carrier, n_slot)
    d = config.dmrs
    n_id = carrier.n_cell_id if d.n_id is None else d.n_id
    idx, val = [], []
    for p in config.dmrs_ports:
        k, v = dmrs_re_values(d.config_type, p, plan.crbs, plan.dmrs_symbols,
                              plan.dmrs_l_prime, n_symb_slot=plan.n_symb_slot, n_s=n_slot,
                              n_id=n_id, n_scid=d.n_scid, beta=d.beta)
        k = k - 12 * carrier.n_start_grid
        idx.append((plan.dmrs_symbols[:, None] * plan.n_subcarriers + k[None, :]).reshape(-1))
        val.append(v.reshape(-1))
    return np.stack(idx), np.stack(val)


def pdsch_ptrs(carrier: Carrier, config: PdschConfig, n_slot: int | None = None, *,
               reserved: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PT-RS resource elements and values of a PDSCH (TS 38.211 §7.4.1.2).

    The PT-RS is sent on the layer of its DM-RS port (``pdsch_plan(...).ptrs_layer``):
    a_{k,l} = β_PT-RS r_k in the PT-RS symbols and subcarriers of
    :func:`opennr.physical.ptrs.ptrs_pattern`, except on ``reserved`` REs (§7.4.1.2.2: not on
    REs of CSI-RS, SS/PBCH blocks or rate-matching resources).

    Parameters
    ----------
    carrier : Carrier
    config : PdschConfig
    n_slot : int, optional
        Slot number n_s,f^μ of the sequence; ``None`` uses ``carrier.n_slot``.
    reserved : array_like of int, optional
        REs not available (as for :func:`pdsch_indices`).

    Returns
    -------
    indices : numpy.ndarray of int64, shape (N_PTRS,)
        Flat indices l · K + k in the slot grid of the PT-RS layer, symbol by symbol.
    values : numpy.ndarray of complex64, shape (N_PTRS,)
        Both empty when ``config.ptrs`` is None.

    Raises
    ------
    ConfigError
        See :func:`pdsch_plan`; ``n_slot`` outside the frame.
    """
    plan = pdsch_plan(carrier, config)
    n_slot = slot_number(carrier, n_slot)
    if plan.ptrs is None:
        return np.zeros(0, np.int64), np.zeros(0, np.complex64)
    d = config.dmrs
    p = config.ptrs
    v = ptrs_values(d.config_type, p.port, plan.ptrs.k, l0=int(plan.dmrs_symbols[0]),
                    n_symb_slot=plan.n_symb_slot, n_s=n_slot,
                    n_id=carrier.n_cell_id if d.n_id is None else d.n_id, n_scid=d.n_scid,
                    beta=p.beta(config.n_layers))
    idx = plan.ptrs_indices.copy()
    val = np.tile(v, plan.ptrs.symbols.size)
    if reserved is not None:
        keep = ~np.isin(idx, _check_reserved(plan, reserved))
        idx, val = idx[keep], val[keep]
    return idx, val


def pdsch_grid(codewords: np.ndarray | Sequence[np.ndarray], carrier: Carrier,
               config: PdschConfig, *, n_slot: int | None = None,
               reserved: np.ndarray | None = None) -> np.ndarray:
    """Resource grid of one slot carrying the PDSCH, its DM-RS and its PT-RS (TS 38.211 §7.3.1,
    §7.4.1.1, §7.4.1.2).

    Antenna port j carries layer j (DM-RS port ``config.dmrs_ports[j]``), without precoding;
    the PT-RS is on the layer of its DM-RS port. REs outside the PDSCH and its reference
    signals are zero.

    Parameters
    ----------
    codewords : array_like of uint8 0/1, shape (G,), or a sequence of two
        The rate-matched DL-SCH codeword(s); G must equal :func:`pdsch_bit_capacity`.
    carrier : Carrier
    config : PdschConfig
    n_slot : int, optional
        Slot number for the DM-RS; ``None`` uses ``carrier.n_slot``.
    reserved : array_like of int, optional
        REs not available for the PDSCH data (see :func:`pdsch_indices`).

    Returns
    -------
    numpy.ndarray of complex64, shape (ν, N_symb^slot, K)

    Raises
    ------
    ConfigError
        See :func:`pdsch_plan`.
    ValueError
        A codeword length differs from the bit capacity of the allocation.
    """
    plan = pdsch_plan(carrier, config)
    data_idx = _data_indices(plan, reserved)
    cws = per_codeword("codewords", codewords, config.n_codewords, bits=True)
    g = pdsch_bit_capacity(carrier, config, reserved=reserved)
    for q, (b, gq) in enumerate(zip(cws, g, strict=True)):
        if b.ndim != 1 or b.size != gq:
            raise ValueError(f"codewords[{q}]: expected shape ({gq},), the bit capacity G of "
                             f"the allocation ({_CLAUSE}.5), got {b.shape}")
    x = pdsch_symbols(cws, carrier, config)
    grid = np.zeros((config.n_layers, plan.n_symb_slot * plan.n_subcarriers), np.complex64)
    grid[:, data_idx] = x
    idx, val = pdsch_dmrs(carrier, config, n_slot)
    np.put_along_axis(grid, idx, val, axis=1)
    if plan.ptrs is not None:
        p_idx, p_val = pdsch_ptrs(carrier, config, n_slot, reserved=reserved)
        grid[plan.ptrs_layer, p_idx] = p_val
    return grid.reshape(config.n_layers, plan.n_symb_slot, plan.n_subcarriers)

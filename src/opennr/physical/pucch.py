"""TS 38.211 §6.3.2 — the physical uplink control channel (PUCCH), formats 0 to 4, with its
DM-RS (§6.4.1.3) and the resource semantics of TS 38.213 §9.2.

* Format 0 (§6.3.2.3): one low-PAPR sequence per symbol whose cyclic shift carries the
  HARQ-ACK bits and the SR through m_cs (TS 38.213 Tables 9.2.3-3/-4, 9.2.5-1/-2).
* Format 1 (§6.3.2.4): a BPSK/QPSK symbol d(0) times the sequence on the odd symbols, spread
  in time by w_i(m) (Tables 6.3.2.4.1-1/-2); DM-RS on the even symbols (§6.4.1.3.1).
* Format 2 (§6.3.2.5): scrambling, QPSK, mapping on 1..16 PRBs and 1..2 symbols around the
  DM-RS on subcarriers 1, 4, 7, 10 of each PRB (§6.4.1.3.2).
* Formats 3 and 4 (§6.3.2.6): scrambling, pi/2-BPSK or QPSK, block-wise spreading by w_n
  (format 4, Tables 6.3.2.6.3-1/-2), transform precoding over M_sc = 12 M_RB per symbol
  (M_RB = 2^a 3^b 5^c), DM-RS on the symbols of Table 6.4.1.3.3.2-1 (§6.4.1.3.3).

Intra-slot frequency hopping (§6.3.2.1, TS 38.213 §9.2.1) puts the first ⌊N_symb^PUCCH/2⌋
symbols on startingPRB and the rest on secondHopPRB; a one-symbol PUCCH of format 0 or 2
stays on startingPRB. The PRBs count from the start of the bandwidth part. Every PUCCH is sent
on antenna port 2000 with amplitude scaling β_PUCCH = 1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.errors import ConfigError
from opennr.modulation import modulate
from opennr.numerology import Carrier, channel_bwp, check_bwp_fields, slot_number
from opennr.physical.pucch_dmrs import pucch2_dmrs_sequence, pucch3_dmrs_symbols
from opennr.physical.pucch_sequences import (
    GROUP_HOPPING_MODES,
    PUCCH1_DMRS_SPREADING_FACTORS,
    PUCCH1_SPREADING_FACTORS,
    PUCCH4_DMRS_CYCLIC_SHIFT,
    pucch1_occ,
    pucch4_occ,
    pucch_cyclic_shift,
    pucch_group_sequence,
    pucch_low_papr,
)
from opennr.physical.scrambling import scramble, scrambling_c_init
from opennr.physical.transform_precoding import is_transform_precoding_size, transform_precode
from opennr.transport.uci import A_UCI_MAX, uci_encode, uci_min_e

__all__ = [
    "PUCCH0_CYCLIC_SHIFTS",
    "PUCCH_FORMATS",
    "PucchConfig",
    "PucchPlan",
    "pucch0_cyclic_shift_index",
    "pucch_bit_capacity",
    "pucch_dmrs",
    "pucch_dmrs_indices",
    "pucch_grid",
    "pucch_indices",
    "pucch_plan",
    "pucch_sequence_table",
    "pucch_symbols",
    "pucch_uci_codeword",
]

_CLAUSE = "TS 38.211 §6.3.2"
_CLAUSE_RES = "TS 38.213 §9.2.1"
_CLAUSE_F0 = "TS 38.213 §9.2.3"
_CLAUSE_F1 = "TS 38.211 §6.3.2.4.1"
_CLAUSE_F3 = "TS 38.211 §6.3.2.6.3"

#: PUCCH formats of TS 38.211 Table 6.3.2.1-1.
PUCCH_FORMATS = (0, 1, 2, 3, 4)

# TS 38.211 Table 6.3.2.1-1: PUCCH length in OFDM symbols (min, max) per format.
_LENGTHS = {0: (1, 2), 1: (4, 14), 2: (1, 2), 3: (4, 14), 4: (4, 14)}

#: m_cs of PUCCH format 0: key (positive SR, HARQ-ACK bits). TS 38.213 Table 9.2.3-3 (one
#: HARQ-ACK bit), Table 9.2.3-4 (two bits), Table 9.2.5-1 (one bit with positive SR),
#: Table 9.2.5-2 (two bits with positive SR), and m_cs = 0 for a positive SR alone (§9.2.4).
PUCCH0_CYCLIC_SHIFTS: dict[tuple[bool, tuple[int, ...]], int] = {
    (False, (0,)): 0, (False, (1,)): 6,
    (False, (0, 0)): 0, (False, (0, 1)): 3, (False, (1, 1)): 6, (False, (1, 0)): 9,
    (True, (0,)): 3, (True, (1,)): 9,
    (True, (0, 0)): 1, (True, (0, 1)): 4, (True, (1, 1)): 7, (True, (1, 0)): 10,
    (True, ()): 0,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PucchConfig:
    """One PUCCH resource and its transmission parameters (TS 38.211 §6.3.2, §6.4.1.3;
    PUCCH-Resource and PUCCH-FormatConfig of TS 38.213 §9.2.1).

    Parameters
    ----------
    format : int
        PUCCH format 0 .. 4.
    symbol_allocation : tuple of int
        (startingSymbolIndex, nrofSymbols): 1..2 symbols for formats 0 and 2, 4..14 for 1, 3, 4.
    start_prb : int
        startingPRB, first PRB (of the first hop), relative to the bandwidth part.
    n_prb : int
        nrofPRBs: 1 .. 16 for formats 2 and 3 (2^a 3^b 5^c for format 3); 1 otherwise.
    second_hop_prb : int or None
        secondHopPRB; ``None`` disables intra-slot frequency hopping.
    n_start_bwp, n_size_bwp : int or None
        Bandwidth part; ``None`` for the carrier grid.
    group_hopping : str
        pucch-GroupHopping: ``"neither"``, ``"enable"`` (group hopping) or ``"disable"``
        (sequence hopping).
    hopping_id : int or None
        hoppingId, 0 .. 1023, n_ID of the group, sequence and cyclic-shift hopping; ``None``
        uses N_ID^cell.
    initial_cyclic_shift : int
        initialCyclicShift m_0 of formats 0 and 1, 0 .. 11.
    occ_index : int
        timeDomainOCC i of format 1 (below N_SF of every hop, Table 6.3.2.4.1-1), or occ-Index
        n of format 4 (below ``spreading_factor``).
    spreading_factor : int
        occ-Length N_SF^PUCCH,4 of format 4: 2 or 4.
    modulation : str
        ``"QPSK"`` or ``"pi/2-BPSK"`` (pi2BPSK of PUCCH-FormatConfig) for formats 3 and 4;
        format 2 is always QPSK.
    additional_dmrs : bool
        additionalDMRS of formats 3 and 4 (Table 6.4.1.3.3.2-1).
    n_rnti : int
        C-RNTI n_RNTI of the scrambling of formats 2..4, 0 .. 65535.
    n_id : int or None
        dataScramblingIdentityPUSCH n_ID of formats 2..4, 0 .. 1023; ``None`` uses N_ID^cell.
    n_id_0 : int or None
        scramblingID0 N_ID^0 of the format 2 DM-RS, 0 .. 65535; ``None`` uses N_ID^cell.

    Raises
    ------
    ConfigError
        A field outside its range or a combination the specification does not allow.
    """

    format: int = 0
    symbol_allocation: tuple[int, int] = (13, 1)
    start_prb: int = 0
    n_prb: int = 1
    second_hop_prb: int | None = None
    n_start_bwp: int | None = None
    n_size_bwp: int | None = None
    group_hopping: str = "neither"
    hopping_id: int | None = None
    initial_cyclic_shift: int = 0
    occ_index: int = 0
    spreading_factor: int = 2
    modulation: str = "QPSK"
    additional_dmrs: bool = False
    n_rnti: int = 1
    n_id: int | None = None
    n_id_0: int | None = None

    def __post_init__(self) -> None:
        fmt = check_int("format", self.format, 0, 4, "TS 38.211 Table 6.3.2.1-1")
        alloc = tuple(self.symbol_allocation)
        if len(alloc) != 2:
            raise ConfigError("symbol_allocation", self.symbol_allocation,
                              "must be (first symbol, number of symbols)", _CLAUSE_RES)
        lo, hi = _LENGTHS[fmt]
        start = check_int("symbol_allocation[0]", alloc[0], 0, 13, _CLAUSE_RES)
        length = check_int("symbol_allocation[1]", alloc[1], lo, hi, "TS 38.211 Table 6.3.2.1-1")
        if start + length > 14:
            raise ConfigError("symbol_allocation", alloc,
                              "first symbol + number of symbols must be <= 14", _CLAUSE_RES)
        object.__setattr__(self, "symbol_allocation", (start, length))
        check_int("start_prb", self.start_prb, 0, 274, _CLAUSE_RES)
        if fmt in (2, 3):
            n_prb = check_int("n_prb", self.n_prb, 1, 16, _CLAUSE_RES)
            if fmt == 3 and not is_transform_precoding_size(n_prb):
                raise ConfigError("n_prb", n_prb, "must be 2^a * 3^b * 5^c for PUCCH format 3",
                                  "TS 38.211 §6.3.2.6.3")
        elif self.n_prb != 1:
            raise ConfigError("n_prb", self.n_prb, f"PUCCH format {fmt} occupies one PRB",
                              _CLAUSE_RES)
        if self.second_hop_prb is not None:
            check_int("second_hop_prb", self.second_hop_prb, 0, 274, _CLAUSE_RES)
        check_bwp_fields(self.n_start_bwp, self.n_size_bwp)
        check_choice("group_hopping", self.group_hopping, GROUP_HOPPING_MODES,
                     "TS 38.211 §6.3.2.2.1")
        if self.hopping_id is not None:
            check_int("hopping_id", self.hopping_id, 0, 1023, "TS 38.211 §6.3.2.2.1")
        check_int("initial_cyclic_shift", self.initial_cyclic_shift, 0, 11, _CLAUSE_RES)
        occ = check_int("occ_index", self.occ_index, 0, 6, _CLAUSE_F1)
        if fmt == 1:
            n_sf = _spreading_factors(PUCCH1_SPREADING_FACTORS, length, self.hopping)
            if occ >= min(n_sf):
                raise ConfigError("occ_index", occ,
                                  f"timeDomainOCC must be < N_SF={min(n_sf)} for {length} symbols"
                                  f"{' with' if self.hopping else ' without'} intra-slot hopping "
                                  "(Table 6.3.2.4.1-1)", _CLAUSE_F1)
        elif fmt == 4:
            check_choice("spreading_factor", self.spreading_factor, (2, 4), _CLAUSE_F3)
            if occ >= self.spreading_factor:
                raise ConfigError("occ_index", occ,
                                  f"occ-Index must be < N_SF={self.spreading_factor} "
                                  "(Tables 6.3.2.6.3-1/-2)", _CLAUSE_F3)
        elif occ != 0:
            raise ConfigError("occ_index", occ, f"PUCCH format {fmt} has no orthogonal cover code",
                              _CLAUSE)
        if fmt in (3, 4):
            check_choice("modulation", self.modulation, ("QPSK", "pi/2-BPSK"), "TS 38.211 §6.3.2.6.2")
        elif self.modulation != "QPSK":
            raise ConfigError("modulation", self.modulation,
                              f"PUCCH format {fmt} has no choice of modulation (QPSK)", _CLAUSE)
        if not isinstance(self.additional_dmrs, (bool, np.bool_)):
            raise ConfigError("additional_dmrs", self.additional_dmrs, "must be True or False",
                              "TS 38.211 §6.4.1.3.3.2")
        check_int("n_rnti", self.n_rnti, 0, 65535, "TS 38.211 §6.3.2.5.1")
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 1023, "TS 38.211 §6.3.2.5.1")
        if self.n_id_0 is not None:
            check_int("n_id_0", self.n_id_0, 0, 65535, "TS 38.211 §6.4.1.3.2.1")

    @property
    def hopping(self) -> bool:
        """Intra-slot frequency hopping in effect: a second hop PRB and at least two symbols."""
        return self.second_hop_prb is not None and self.symbol_allocation[1] > 1

    @property
    def qm(self) -> int:
        """Bits per modulation symbol of formats 2..4."""
        return 1 if self.modulation == "pi/2-BPSK" else 2


def _spreading_factors(table: dict, length: int, hopping: bool) -> tuple[int, ...]:
    row = table[length]
    return row[1:] if hopping else row[:1]


@dataclass(frozen=True, slots=True)
class PucchPlan:
    """Where a PUCCH sits in the slot grid (TS 38.211 §6.3.2, §6.4.1.3).

    Attributes
    ----------
    n_symb_slot, n_subcarriers : int
        Grid size of the slot.
    start : int
        l', the slot symbol of the first PUCCH symbol.
    hop : tuple of int
        n_hop of each PUCCH symbol l = 0 .. N_symb^PUCCH − 1.
    crb : tuple of int
        First common resource block of each PUCCH symbol.
    data_symbols, dmrs_symbols : tuple of int
        PUCCH symbols l carrying UCI and DM-RS (both hold every symbol for format 2, and
        ``data_symbols`` every symbol and ``dmrs_symbols`` none for format 0).
    data_indices, dmrs_indices : numpy.ndarray of int64
        Flat slot-grid indices ``l_slot * K + k`` in mapping order.
    m_sc : int
        Subcarriers per symbol (12 n_prb).
    bit_capacity : int
        E, coded bits of formats 2..4; 0 for formats 0 and 1.
    """

    n_symb_slot: int
    n_subcarriers: int
    start: int
    hop: tuple[int, ...]
    crb: tuple[int, ...]
    data_symbols: tuple[int, ...]
    dmrs_symbols: tuple[int, ...]
    data_indices: np.ndarray
    dmrs_indices: np.ndarray
    m_sc: int
    bit_capacity: int


@functools.lru_cache(maxsize=256)
def _plan(carrier: Carrier, config: PucchConfig) -> PucchPlan:
    fmt = config.format
    start, length = config.symbol_allocation
    n_symb = carrier.symbols_per_slot
    if start + length > n_symb:
        raise ConfigError("symbol_allocation", config.symbol_allocation,
                          f"must end within the {n_symb} symbols of the slot", _CLAUSE_RES)
    bwp = channel_bwp(carrier, config.n_start_bwp, config.n_size_bwp)
    bwp_start, bwp_size = bwp.n_start_bwp, bwp.n_size_bwp
    for name, prb in (("start_prb", config.start_prb), ("second_hop_prb", config.second_hop_prb)):
        if prb is not None and prb + config.n_prb > bwp_size:
            raise ConfigError(name, prb, f"the {config.n_prb} PRB(s) must lie inside the bandwidth "
                              f"part of {bwp_size} PRBs", _CLAUSE_RES)
    first_hop = length // 2 if config.hopping else length
    hop = tuple(0 if l < first_hop else 1 for l in range(length))
    crb = tuple(bwp_start + (config.start_prb if h == 0 else config.second_hop_prb) for h in hop)
    if fmt == 0:
        dmrs, data = (), tuple(range(length))
    elif fmt == 1:
        dmrs, data = tuple(range(0, length, 2)), tuple(range(1, length, 2))
    elif fmt == 2:
        dmrs = data = tuple(range(length))
    else:
        dmrs = pucch3_dmrs_symbols(length, hopping=config.hopping,
                                   additional_dmrs=config.additional_dmrs)
        data = tuple(l for l in range(length) if l not in dmrs)
    k_sc = carrier.n_subcarriers
    m_sc = 12 * config.n_prb

    def res(symbols: tuple[int, ...], sub: np.ndarray) -> np.ndarray:
        rows = [(start + l) * k_sc + (crb[l] - carrier.n_start_grid) * 12 + sub for l in symbols]
        return np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)

    allk = np.arange(m_sc)
    if fmt == 2:
        data_idx, dmrs_idx = res(data, allk[allk % 3 != 1]), res(dmrs, allk[allk % 3 == 1])
        capacity = 16 * config.n_prb * length
    else:
        data_idx, dmrs_idx = res(data, allk), res(dmrs, allk)
        capacity = {0: 0, 1: 0, 3: len(data) * m_sc * config.qm,
                    4: len(data) * 12 // config.spreading_factor * config.qm}[fmt]
    for a in (data_idx, dmrs_idx):
        a.setflags(write=False)
    return PucchPlan(n_symb_slot=n_symb, n_subcarriers=k_sc, start=start, hop=hop, crb=crb,
                     data_symbols=data, dmrs_symbols=dmrs, data_indices=data_idx,
                     dmrs_indices=dmrs_idx, m_sc=m_sc, bit_capacity=capacity)


def pucch_plan(carrier: Carrier, config: PucchConfig) -> PucchPlan:
    """Symbols, hops and resource elements of a PUCCH in the slot (TS 38.211 §6.3.2,
    §6.4.1.3; TS 38.213 §9.2.1 for the hops).

    Parameters
    ----------
    carrier : Carrier
    config : PucchConfig

    Returns
    -------
    PucchPlan
        Cached; its arrays are read-only.

    Raises
    ------
    ConfigError
        The allocation does not fit the slot, the bandwidth part or the carrier.
    """
    return _plan(carrier, config)


def pucch_indices(carrier: Carrier, config: PucchConfig) -> np.ndarray:
    """Flat slot-grid indices ``l * K + k`` of the PUCCH data REs in mapping order (TS 38.211
    §6.3.2.3.2, §6.3.2.4.2, §6.3.2.5.3, §6.3.2.6.5): every RE of a format 0 PUCCH.

    Returns
    -------
    numpy.ndarray of int64, read-only
    """
    return _plan(carrier, config).data_indices


def pucch_dmrs_indices(carrier: Carrier, config: PucchConfig) -> np.ndarray:
    """Flat slot-grid indices ``l * K + k`` of the PUCCH DM-RS (TS 38.211 §6.4.1.3); empty
    for format 0.

    Returns
    -------
    numpy.ndarray of int64, read-only
    """
    return _plan(carrier, config).dmrs_indices


def pucch_bit_capacity(carrier: Carrier, config: PucchConfig) -> int:
    """E_tot, the coded UCI bits of a format 2, 3 or 4 PUCCH (TS 38.212 Table 6.3.1.4-1):
    16 N_PRB N_symb (format 2), 12 N_PRB N_symb,UCI Q_m (format 3), 12 N_symb,UCI Q_m / N_SF
    (format 4).

    Raises
    ------
    ConfigError
        Format 0 or 1, which carry no codeword.
    """
    if config.format < 2:
        raise ConfigError("format", config.format, "formats 0 and 1 carry no coded UCI",
                          "TS 38.212 §6.3.1.4")
    return _plan(carrier, config).bit_capacity


def _hopping_id(carrier: Carrier, config: PucchConfig) -> int:
    return carrier.n_cell_id if config.hopping_id is None else config.hopping_id


def pucch_sequence_table(carrier: Carrier, config: PucchConfig, symbols: tuple[int, ...], *,
                         m0: int, m_cs: int | np.ndarray = 0, n_slot: int | None = None) -> np.ndarray:
    """Low-PAPR sequences r_{u,v}^{(α_l,0)}(n) of the given PUCCH symbols (TS 38.211
    §6.3.2.2): u and v of each symbol's hop (§6.3.2.2.1) and α_l from m_0, m_cs and the cyclic
    shift hopping n_cs(n_s,f^μ, l + l') (§6.3.2.2.2), with length M_ZC = 12 n_prb.

    Parameters
    ----------
    carrier : Carrier
    config : PucchConfig
    symbols : tuple of int
        PUCCH symbols l (0 is the first PUCCH symbol).
    m0 : int
        m_0, 0 .. 11.
    m_cs : int or array_like of int
        m_cs, 0 .. 11; an array gives one table per value (e.g. the hypotheses of a format 0
        receiver).
    n_slot : int, optional
        n_s,f^μ; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of complex64, shape ``np.shape(m_cs) + (len(symbols), 12 n_prb)``
    """
    plan = _plan(carrier, config)
    n_s = slot_number(carrier, n_slot)
    n_id = _hopping_id(carrier, config)
    m_cs_arr = np.asarray(m_cs, dtype=np.int64)
    if m_cs_arr.size and (m_cs_arr.min() < 0 or m_cs_arr.max() > 11):
        raise ConfigError("m_cs", m_cs, "must be in 0 .. 11", "TS 38.211 §6.3.2.2.2")
    out = np.empty((*m_cs_arr.shape, len(symbols), plan.m_sc), np.complex64)
    uv = {h: pucch_group_sequence(config.group_hopping, n_id, n_s, h) for h in set(plan.hop)}
    for j, l in enumerate(symbols):
        u, v = uv[plan.hop[l]]
        alpha0 = pucch_cyclic_shift(n_id, plan.n_symb_slot, n_s, l, plan.start, m0=m0)
        alpha = alpha0 + 2.0 * np.pi / 12.0 * m_cs_arr
        out[..., j, :] = pucch_low_papr(u, v, alpha, plan.m_sc)
    return out


def pucch0_cyclic_shift_index(ack: object = (), sr: bool = False) -> int | None:
    """m_cs of PUCCH format 0 for 0..2 HARQ-ACK bits and an SR (TS 38.213 Tables 9.2.3-3,
    9.2.3-4, 9.2.5-1, 9.2.5-2 and §9.2.4).

    Parameters
    ----------
    ack : array_like of 0/1
        HARQ-ACK bits, 0 .. 2 of them (1 = ACK).
    sr : bool
        Positive scheduling request.

    Returns
    -------
    int or None
        m_cs, or ``None`` when nothing is sent (no HARQ-ACK bit and a negative SR).

    Raises
    ------
    ConfigError
        More than two HARQ-ACK bits.
    """
    bits = as_bits("ack", np.atleast_1d(np.asarray(ack, dtype=np.int64)) if np.size(ack) else
                   np.zeros(0, np.uint8))
    if bits.ndim != 1 or bits.size > 2:
        raise ConfigError("ack", bits.size, "PUCCH format 0 carries at most 2 HARQ-ACK bits",
                          _CLAUSE_F0)
    if not isinstance(sr, (bool, np.bool_, int, np.integer)) or int(sr) not in (0, 1):
        raise ConfigError("sr", sr, "must be True or False", "TS 38.213 §9.2.4")
    key = (bool(sr), tuple(int(b) for b in bits))
    return PUCCH0_CYCLIC_SHIFTS.get(key)


def pucch_uci_codeword(uci: object, carrier: Carrier, config: PucchConfig) -> np.ndarray:
    """Coded UCI of a format 2, 3 or 4 PUCCH: the A payload bits encoded and rate-matched to
    E_UCI = E_tot of :func:`pucch_bit_capacity` (TS 38.212 §6.3.1, Table 6.3.1.4-1).

    Parameters
    ----------
    uci : array_like of 0/1, shape (A,)
        UCI payload a_0 .. a_{A-1}, 3 <= A <= 1706 (up to 2 bits go on formats 0 and 1,
        TS 38.213 §9.2.1).
    carrier : Carrier
    config : PucchConfig

    Returns
    -------
    numpy.ndarray of uint8, shape (E,)

    Raises
    ------
    ConfigError
        Format 0 or 1, a payload of fewer than 3 bits, or a payload too large for E.
    ValueError
        ``uci`` is not a one-dimensional 0/1 array.
    """
    e = pucch_bit_capacity(carrier, config)
    a_bits = as_bits("uci", uci)
    if a_bits.ndim != 1:
        raise ValueError(f"uci: expected one dimension, got shape {a_bits.shape}")
    a = a_bits.size
    if a < 3:
        raise ConfigError("uci", a, f"PUCCH format {config.format} carries more than 2 UCI bits "
                          "(1 or 2 bits use format 0 or 1)", "TS 38.213 §9.2.1")
    if a > A_UCI_MAX or uci_min_e(a, e) > e:
        raise ConfigError("uci", a, f"payload of {a} bits too large for PUCCH format "
                          f"{config.format} with E_tot={e} coded bits (needs E >= "
                          f"{uci_min_e(min(a, A_UCI_MAX), e)}, A <= {A_UCI_MAX})",
                          "TS 38.212 §6.3.1.4")
    return uci_encode(a_bits, e, qm=config.qm).astype(np.uint8)


def _check_codeword(codeword: object, e: int) -> np.ndarray:
    b = as_bits("codeword", codeword)
    if b.ndim != 1 or b.size != e:
        raise ValueError(f"codeword: expected shape ({e},), the bit capacity E of the PUCCH "
                         f"(TS 38.212 Table 6.3.1.4-1), got {b.shape}")
    return b


def _data_symbols(carrier: Carrier, config: PucchConfig, plan: PucchPlan, n_s: int,
                  ack: object, sr: bool, codeword: object) -> np.ndarray:
    fmt = config.format
    if fmt == 0:
        if codeword is not None:
            raise ValueError("codeword: PUCCH format 0 carries HARQ-ACK/SR, not a codeword")
        m_cs = pucch0_cyclic_shift_index(() if ack is None else ack, sr)
        if m_cs is None:
            return np.zeros(0, np.complex64)
        seq = pucch_sequence_table(carrier, config, plan.data_symbols,
                                   m0=config.initial_cyclic_shift, m_cs=m_cs, n_slot=n_s)
        return seq.reshape(-1)
    if fmt == 1:
        if codeword is not None or sr:
            raise ValueError("PUCCH format 1 takes the HARQ-ACK bits (or one bit for an SR) "
                             "in ack")
        bits = as_bits("ack", np.atleast_1d(np.asarray(ack if ack is not None else ())))
        if bits.ndim != 1 or bits.size not in (1, 2):
            raise ConfigError("ack", bits.size, "PUCCH format 1 carries 1 or 2 bits",
                              "TS 38.211 §6.3.2.4.1")
        d0 = modulate(bits, "BPSK" if bits.size == 1 else "QPSK")[0]
        seq = pucch_sequence_table(carrier, config, plan.data_symbols,
                                   m0=config.initial_cyclic_shift, n_slot=n_s)
        w = _pucch1_cover(config, plan, plan.data_symbols, PUCCH1_SPREADING_FACTORS)
        return (d0 * w[:, None] * seq).astype(np.complex64).reshape(-1)
    if ack is not None or sr:
        raise ValueError(f"PUCCH format {fmt} carries a UCI codeword: give codeword, not ack/sr")
    b = _check_codeword(codeword, plan.bit_capacity)
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    d = modulate(scramble(b, scrambling_c_init(config.n_rnti, n_id)), config.modulation)
    if fmt == 2:
        return d
    if fmt == 4:
        n_sf = config.spreading_factor
        w = pucch4_occ(n_sf, config.occ_index)
        d = (d.reshape(-1, 12 // n_sf)[:, np.arange(12) % (12 // n_sf)] * w).reshape(-1)
    return transform_precode(d, plan.m_sc)


def _pucch1_cover(config: PucchConfig, plan: PucchPlan, symbols: tuple[int, ...],
                  table: dict) -> np.ndarray:
    """w_i(m) for each of ``symbols``, m counting the symbols within their hop."""
    n_sf = _spreading_factors(table, config.symbol_allocation[1], config.hopping)
    w = []
    for h, sf in enumerate(n_sf):
        in_hop = [l for l in symbols if plan.hop[l] == h]
        if len(in_hop) != sf:
            raise RuntimeError("PUCCH format 1 spreading table inconsistent with the hops")
        w.extend(pucch1_occ(sf, config.occ_index))
    return np.asarray(w)


def pucch_symbols(carrier: Carrier, config: PucchConfig, *, ack: object = None, sr: bool = False,
                  codeword: object = None, uci: object = None,
                  n_slot: int | None = None) -> np.ndarray:
    """PUCCH data symbols in the order of :func:`pucch_indices` (TS 38.211 §6.3.2.3 - §6.3.2.6).

    Parameters
    ----------
    carrier : Carrier
    config : PucchConfig
    ack : array_like of 0/1, optional
        Format 0: 0..2 HARQ-ACK bits. Format 1: 1 or 2 bits b(i) (HARQ-ACK, or one bit for a
        positive SR alone).
    sr : bool
        Format 0: positive scheduling request.
    codeword : array_like of 0/1, optional
        Formats 2..4: the E coded UCI bits of :func:`pucch_bit_capacity` (TS 38.212 §6.3.1).
    uci : array_like of 0/1, optional
        Formats 2..4, instead of ``codeword``: the UCI payload, encoded by
        :func:`pucch_uci_codeword`.
    n_slot : int, optional
        Slot number n_s,f^μ; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of complex64
        Format 0: x(l 12 + n), empty when nothing is sent. Format 1: z of the odd symbols.
        Format 2: d(i). Formats 3 and 4: z after transform precoding.

    Raises
    ------
    ConfigError
        Too many HARQ-ACK bits for format 0 or 1, or an invalid configuration.
    ValueError
        A codeword of the wrong length, or inputs that the format does not carry.
    """
    plan = _plan(carrier, config)
    codeword = _resolve_uci(carrier, config, codeword, uci)
    return _data_symbols(carrier, config, plan, slot_number(carrier, n_slot), ack, sr, codeword)


def _resolve_uci(carrier: Carrier, config: PucchConfig, codeword: object, uci: object) -> object:
    if uci is None:
        return codeword
    if codeword is not None:
        raise ValueError("give either codeword or uci, not both")
    return pucch_uci_codeword(uci, carrier, config)


def pucch_dmrs(carrier: Carrier, config: PucchConfig, *, n_slot: int | None = None) -> np.ndarray:
    """PUCCH DM-RS in the order of :func:`pucch_dmrs_indices` (TS 38.211 §6.4.1.3).

    Format 1: w_i(m) r_{u,v}^{(α_l,0)}(n) on the even symbols with m_0 = initialCyclicShift
    (§6.4.1.3.1); format 2: the QPSK Gold sequence of §6.4.1.3.2; formats 3 and 4:
    r_{u,v}^{(α_l,0)}(n) over M_sc with m_0 = 0 (format 3) or from Table 6.4.1.3.3.1-1
    (format 4) (§6.4.1.3.3); format 0 has none.

    Returns
    -------
    numpy.ndarray of complex64
    """
    plan = _plan(carrier, config)
    n_s = slot_number(carrier, n_slot)
    fmt = config.format
    if fmt == 0:
        return np.zeros(0, np.complex64)
    if fmt == 2:
        n_id_0 = carrier.n_cell_id if config.n_id_0 is None else config.n_id_0
        return np.concatenate([
            pucch2_dmrs_sequence(n_id_0, plan.n_symb_slot, n_s, plan.start + l, plan.crb[l],
                                 config.n_prb) for l in plan.dmrs_symbols])
    if fmt == 1:
        seq = pucch_sequence_table(carrier, config, plan.dmrs_symbols,
                                   m0=config.initial_cyclic_shift, n_slot=n_s)
        w = _pucch1_cover(config, plan, plan.dmrs_symbols, PUCCH1_DMRS_SPREADING_FACTORS)
        return (w[:, None] * seq).astype(np.complex64).reshape(-1)
    m0 = 0 if fmt == 3 else PUCCH4_DMRS_CYCLIC_SHIFT[config.spreading_factor][config.occ_index]
    return pucch_sequence_table(carrier, config, plan.dmrs_symbols, m0=m0, n_slot=n_s).reshape(-1)


def pucch_grid(carrier: Carrier, config: PucchConfig, *, ack: object = None, sr: bool = False,
               codeword: object = None, uci: object = None,
               n_slot: int | None = None) -> np.ndarray:
    """Resource grid of one slot carrying the PUCCH and its DM-RS on antenna port 2000
    (TS 38.211 §6.3.2, §6.4.1.3).

    Parameters
    ----------
    carrier, config, ack, sr, codeword, uci, n_slot
        As for :func:`pucch_symbols`.

    Returns
    -------
    numpy.ndarray of complex64, shape (1, N_symb^slot, K)
        Zero outside the PUCCH; all zero for a format 0 PUCCH with nothing to send.
    """
    plan = _plan(carrier, config)
    n_s = slot_number(carrier, n_slot)
    grid = np.zeros(plan.n_symb_slot * plan.n_subcarriers, np.complex64)
    codeword = _resolve_uci(carrier, config, codeword, uci)
    x = _data_symbols(carrier, config, plan, n_s, ack, sr, codeword)
    if x.size == 0:
        return grid.reshape(1, plan.n_symb_slot, plan.n_subcarriers)
    grid[plan.data_indices] = x
    grid[plan.dmrs_indices] = pucch_dmrs(carrier, config, n_slot=n_s)
    return grid.reshape(1, plan.n_symb_slot, plan.n_subcarriers)

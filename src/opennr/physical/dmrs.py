"""TS 38.211 §7.4.1.1 — demodulation reference signals for the PDSCH (shared with the PUSCH
DM-RS of §6.4.1.1.3 without transform precoding).

* §7.4.1.1.1 — the sequence r(n) = (1 − 2c(2n))/√2 + j(1 − 2c(2n+1))/√2 with the Gold sequence
  c of §5.2.1 initialised per OFDM symbol l of slot n_s with (Rel-16 form)
  c_init = (2^17 (N_symb^slot n_s + l + 1)(2 N_ID^{n̄_SCID} + 1) + 2^17 ⌊λ̄/2⌋
  + 2 N_ID^{n̄_SCID} + n̄_SCID) mod 2^31; n̄_SCID = n_SCID (dmrs-Downlink-r16 not configured).
* §7.4.1.1.2 — mapping to resources: configuration type 1 (k = 4n + 2k' + Δ) and type 2
  (k = 6n + k' + Δ), k counted from subcarrier 0 of CRB 0, l = l̄ + l', the CDM group λ, Δ,
  w_f(k') and w_t(l') of Tables 7.4.1.1.2-1/2, and the DM-RS symbol positions l̄ of
  Tables 7.4.1.1.2-3 (single-symbol) and 7.4.1.1.2-4 (double-symbol).
* TS 38.214 Table 4.1-1 — the DM-RS power offset β_DMRS as a function of the number of CDM
  groups without data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.sequences.gold import gold_sequence

__all__ = [
    "DMRS_POSITIONS_DOUBLE",
    "DMRS_POSITIONS_SINGLE",
    "DMRS_POWER_DB",
    "DMRS_TYPE1_PORTS",
    "DMRS_TYPE2_PORTS",
    "DmrsConfig",
    "DmrsPort",
    "dmrs_c_init",
    "dmrs_cdm_subcarriers",
    "dmrs_port",
    "dmrs_re_values",
    "dmrs_sequence",
    "dmrs_symbol_positions",
]

_CLAUSE = "TS 38.211 §7.4.1.1.2"

# TS 38.211 Table 7.4.1.1.2-3: PDSCH DM-RS positions l̄ for single-symbol DM-RS.
# Key (mapping type, l_d); value: the positions for dmrs-AdditionalPosition 0, 1, 2, 3.
# Type A: 0 stands for l0 (dmrs-TypeA-Position) and the 11 of rows 13/14 with pos1 is l1 (it
# becomes 12 in the special case of §7.4.1.1.2); positions are slot symbol indices. Type B:
# positions are relative to the first symbol of the allocation (l0 = 0). Missing rows are "–".
DMRS_POSITIONS_SINGLE: dict[tuple[str, int], tuple[tuple[int, ...], ...]] = {
    ("A", 3): ((0,), (0,), (0,), (0,)),
    ("A", 4): ((0,), (0,), (0,), (0,)),
    ("A", 5): ((0,), (0,), (0,), (0,)),
    ("A", 6): ((0,), (0,), (0,), (0,)),
    ("A", 7): ((0,), (0,), (0,), (0,)),
    ("A", 8): ((0,), (0, 7), (0, 7), (0, 7)),
    ("A", 9): ((0,), (0, 7), (0, 7), (0, 7)),
    ("A", 10): ((0,), (0, 9), (0, 6, 9), (0, 6, 9)),
    ("A", 11): ((0,), (0, 9), (0, 6, 9), (0, 6, 9)),
    ("A", 12): ((0,), (0, 9), (0, 6, 9), (0, 5, 8, 11)),
    ("A", 13): ((0,), (0, 11), (0, 7, 11), (0, 5, 8, 11)),
    ("A", 14): ((0,), (0, 11), (0, 7, 11), (0, 5, 8, 11)),
    ("B", 2): ((0,), (0,), (0,), (0,)),
    ("B", 3): ((0,), (0,), (0,), (0,)),
    ("B", 4): ((0,), (0,), (0,), (0,)),
    ("B", 5): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 6): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 7): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 8): ((0,), (0, 6), (0, 3, 6), (0, 3, 6)),
    ("B", 9): ((0,), (0, 7), (0, 4, 7), (0, 4, 7)),
    ("B", 10): ((0,), (0, 7), (0, 4, 7), (0, 4, 7)),
    ("B", 11): ((0,), (0, 8), (0, 4, 8), (0, 3, 6, 9)),
    ("B", 12): ((0,), (0, 9), (0, 5, 9), (0, 3, 6, 9)),
    ("B", 13): ((0,), (0, 9), (0, 5, 9), (0, 3, 6, 9)),
}

# TS 38.211 Table 7.4.1.1.2-4: PDSCH DM-RS positions l̄ for double-symbol DM-RS, for
# dmrs-AdditionalPosition 0 and 1; same conventions as DMRS_POSITIONS_SINGLE.
DMRS_POSITIONS_DOUBLE: dict[tuple[str, int], tuple[tuple[int, ...], ...]] = {
    ("A", 4): ((0,), (0,)),
    ("A", 5): ((0,), (0,)),
    ("A", 6): ((0,), (0,)),
    ("A", 7): ((0,), (0,)),
    ("A", 8): ((0,), (0,)),
    ("A", 9): ((0,), (0,)),
    ("A", 10): ((0,), (0, 8)),
    ("A", 11): ((0,), (0, 8)),
    ("A", 12): ((0,), (0, 8)),
    ("A", 13): ((0,), (0, 10)),
    ("A", 14): ((0,), (0, 10)),
    ("B", 5): ((0,), (0,)),
    ("B", 6): ((0,), (0,)),
    ("B", 7): ((0,), (0,)),
    ("B", 8): ((0,), (0, 5)),
    ("B", 9): ((0,), (0, 5)),
    ("B", 10): ((0,), (0, 7)),
    ("B", 11): ((0,), (0, 7)),
    ("B", 12): ((0,), (0, 8)),
    ("B", 13): ((0,), (0, 8)),
}

# TS 38.211 Table 7.4.1.1.2-1 (configuration type 1, ports 1000..1007) and Table 7.4.1.1.2-2
# (configuration type 2, ports 1000..1011): rows (CDM group λ, Δ, w_f(0), w_f(1), w_t(0), w_t(1)).
DMRS_TYPE1_PORTS: tuple[tuple[int, int, int, int, int, int], ...] = (
    (0, 0, +1, +1, +1, +1),
    (0, 0, +1, -1, +1, +1),
    (1, 1, +1, +1, +1, +1),
    (1, 1, +1, -1, +1, +1),
    (0, 0, +1, +1, +1, -1),
    (0, 0, +1, -1, +1, -1),
    (1, 1, +1, +1, +1, -1),
    (1, 1, +1, -1, +1, -1),
)
DMRS_TYPE2_PORTS: tuple[tuple[int, int, int, int, int, int], ...] = (
    (0, 0, +1, +1, +1, +1),
    (0, 0, +1, -1, +1, +1),
    (1, 2, +1, +1, +1, +1),
    (1, 2, +1, -1, +1, +1),
    (2, 4, +1, +1, +1, +1),
    (2, 4, +1, -1, +1, +1),
    (0, 0, +1, +1, +1, -1),
    (0, 0, +1, -1, +1, -1),
    (1, 2, +1, +1, +1, -1),
    (1, 2, +1, -1, +1, -1),
    (2, 4, +1, +1, +1, -1),
    (2, 4, +1, -1, +1, -1),
)

# TS 38.214 Table 4.1-1: β_DMRS, the ratio of PDSCH EPRE to DM-RS EPRE, is 0, −3 and −4.77 dB
# for 1, 2 and 3 DM-RS CDM groups without data; stored here as the DM-RS power relative to
# the data (the opposite sign), in dB.
DMRS_POWER_DB: dict[int, float] = {1: 0.0, 2: 3.0, 3: 4.77}


@dataclass(frozen=True, slots=True)
class DmrsPort:
    """Parameters of one DM-RS antenna port (TS 38.211 Tables 7.4.1.1.2-1/2).

    Attributes
    ----------
    port : int
        Port number p − 1000 (0-based, as MATLAB's ``DMRSPortSet``).
    cdm_group : int
        CDM group λ.
    delta : int
        Subcarrier offset Δ.
    w_f : tuple of int
        Frequency-domain cover w_f(k'), k' = 0, 1.
    w_t : tuple of int
        Time-domain cover w_t(l'), l' = 0, 1.
    """

    port: int
    cdm_group: int
    delta: int
    w_f: tuple[int, int]
    w_t: tuple[int, int]


def dmrs_port(config_type: int, port: int) -> DmrsPort:
    """CDM group λ, Δ, w_f(k') and w_t(l') of DM-RS port 1000 + ``port`` (TS 38.211
    Tables 7.4.1.1.2-1 and 7.4.1.1.2-2).

    Parameters
    ----------
    config_type : int
        DM-RS configuration type, 1 or 2.
    port : int
        p − 1000: 0..7 for type 1, 0..11 for type 2.

    Returns
    -------
    DmrsPort

    Raises
    ------
    ConfigError
        Unknown configuration type or port outside the table.
    """
    check_choice("config_type", config_type, (1, 2), _CLAUSE)
    table = DMRS_TYPE1_PORTS if config_type == 1 else DMRS_TYPE2_PORTS
    port = check_int("port", port, 0, len(table) - 1, _CLAUSE)
    lam, delta, wf0, wf1, wt0, wt1 = table[port]
    return DmrsPort(port=port, cdm_group=lam, delta=delta, w_f=(wf0, wf1), w_t=(wt0, wt1))


@dataclass(frozen=True, slots=True, kw_only=True)
class DmrsConfig:
    """DM-RS configuration of a PDSCH (TS 38.211 §7.4.1.1, TS 38.331 DMRS-DownlinkConfig).

    Parameters
    ----------
    config_type : int
        dmrs-Type: configuration type 1 or 2 (default 1).
    type_a_position : int
        dmrs-TypeA-Position l0 for mapping type A: 2 or 3 (default 2).
    additional_position : int
        dmrs-AdditionalPosition 0..3 (0..1 for double-symbol DM-RS).
    length : int
        1 for single-symbol, 2 for double-symbol DM-RS (as scheduled; maxLength bounds it).
    n_cdm_groups_without_data : int
        Number of DM-RS CDM groups without data, 1..2 (type 1) or 1..3 (type 2); REs of the
        CDM groups 0 .. n − 1 in DM-RS symbols carry no data.
    n_id : int or None
        N_ID^{n_SCID} (scramblingID0/1), 0..65535; ``None`` uses N_ID^cell of the carrier.
    n_scid : int
        n_SCID, 0 or 1.
    l1_alt : bool
        The l1 = 12 case of §7.4.1.1.2: lte-CRS-ToMatchAround configured and the UE capable of
        additionalDMRS-DL-Alt. Then l1 = 12 (instead of 11) when dmrs-AdditionalPosition is 1
        and l0 = 3.
    power_db : float or None
        DM-RS EPRE relative to the data EPRE in dB (the DM-RS is scaled by 10^(power_db/20)).
        ``None`` (default) takes TS 38.214 Table 4.1-1: 0, 3 and 4.77 dB for 1, 2 and 3 CDM
        groups without data (:data:`DMRS_POWER_DB`). The MATLAB reference vectors of this
        project use the opposite sign (−3 dB with 2 CDM groups without data); pass the value
        explicitly to reproduce them.

    Raises
    ------
    ConfigError
        A field outside its range or an impossible combination.
    """

    config_type: int = 1
    type_a_position: int = 2
    additional_position: int = 0
    length: int = 1
    n_cdm_groups_without_data: int = 2
    n_id: int | None = None
    n_scid: int = 0
    l1_alt: bool = False
    power_db: float | None = None

    def __post_init__(self) -> None:
        check_choice("config_type", self.config_type, (1, 2), _CLAUSE)
        check_choice("type_a_position", self.type_a_position, (2, 3), "TS 38.211 §7.4.1.1.2")
        check_int("additional_position", self.additional_position, 0, 3, _CLAUSE)
        check_choice("length", self.length, (1, 2), _CLAUSE)
        if self.length == 2 and self.additional_position > 1:
            raise ConfigError("additional_position", self.additional_position,
                              "must be 0 or 1 for double-symbol DM-RS (Table 7.4.1.1.2-4)",
                              _CLAUSE)
        n_groups = 2 if self.config_type == 1 else 3
        check_int("n_cdm_groups_without_data", self.n_cdm_groups_without_data, 1, n_groups,
                  "TS 38.212 Tables 7.3.1.2.2-1..4")
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 65535, "TS 38.211 §7.4.1.1.1")
        check_choice("n_scid", self.n_scid, (0, 1), "TS 38.211 §7.4.1.1.1")
        if not isinstance(self.l1_alt, bool):
            raise ConfigError("l1_alt", self.l1_alt, "must be a bool", _CLAUSE)
        if self.power_db is not None:
            p = self.power_db
            if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) \
                    or not math.isfinite(p):
                raise ConfigError("power_db", p, "must be a finite real number or None",
                                  "TS 38.214 Table 4.1-1")

    @property
    def beta(self) -> float:
        """Amplitude scaling β_PDSCH^DMRS = 10^(power_db / 20) (TS 38.214 Table 4.1-1)."""
        p = DMRS_POWER_DB[self.n_cdm_groups_without_data] if self.power_db is None \
            else float(self.power_db)
        return 10.0 ** (p / 20.0)

    @property
    def n_ports_max(self) -> int:
        """Largest number of ports for this type and length (4/8 for type 1, 6/12 for type 2)."""
        return (4 if self.config_type == 1 else 6) * self.length


def dmrs_symbol_positions(mapping_type: str, start: int, length: int, *,
                          type_a_position: int = 2, additional_position: int = 0,
                          dmrs_length: int = 1, l1_alt: bool = False) -> tuple[int, ...]:
    """DM-RS symbol positions l̄ within the slot (TS 38.211 §7.4.1.1.2, Tables 7.4.1.1.2-3/4).

    For mapping type A, l_d is the number of symbols from the start of the slot to the end of
    the allocation (start + length) and l̄ is a slot symbol index with l0 = dmrs-TypeA-Position;
    for type B, l_d = length and the table positions are relative to the allocation start
    (l0 = 0). With double-symbol DM-RS each returned l̄ is followed by l̄ + 1 (l' = 1), which
    is not listed here.

    Parameters
    ----------
    mapping_type : str
        ``"A"`` or ``"B"``.
    start, length : int
        First symbol S and number of symbols L of the allocation (0-based S, L ≥ 1).
    type_a_position : int
        l0 for type A, 2 or 3.
    additional_position : int
        dmrs-AdditionalPosition, 0..3 (0..1 for double-symbol).
    dmrs_length : int
        1 (single-symbol, Table 7.4.1.1.2-3) or 2 (double-symbol, Table 7.4.1.1.2-4).
    l1_alt : bool
        Use l1 = 12 for type A, l_d ≥ 13, pos1 when l0 = 3 (see :class:`DmrsConfig`).

    Returns
    -------
    tuple of int
        l̄ in increasing order, slot symbol indices.

    Raises
    ------
    ConfigError
        The table has no entry ("–") for l_d, the DM-RS falls outside the allocation, or
        type A with l_d = 3/4 (single/double) or pos3 is used with dmrs-TypeA-Position 3.
    """
    check_choice("mapping_type", mapping_type, ("A", "B"), _CLAUSE)
    start = check_int("start", start, 0, 13, _CLAUSE)
    length = check_int("length", length, 1, 14, _CLAUSE)
    check_choice("type_a_position", type_a_position, (2, 3), _CLAUSE)
    check_choice("dmrs_length", dmrs_length, (1, 2), _CLAUSE)
    table = DMRS_POSITIONS_SINGLE if dmrs_length == 1 else DMRS_POSITIONS_DOUBLE
    check_int("additional_position", additional_position, 0, 3 if dmrs_length == 1 else 1,
              _CLAUSE)
    l_d = start + length if mapping_type == "A" else length
    row = table.get((mapping_type, l_d))
    if row is None:
        table_name = "7.4.1.1.2-3" if dmrs_length == 1 else "7.4.1.1.2-4"
        raise ConfigError("symbol_allocation", (start, length),
                          f"no DM-RS positions for mapping type {mapping_type} with "
                          f"l_d={l_d} (Table {table_name})", _CLAUSE)
    if mapping_type == "A":
        if type_a_position == 3 and additional_position == 3:
            raise ConfigError("additional_position", 3,
                              "pos3 is only supported with dmrs-TypeA-Position 2", _CLAUSE)
        if type_a_position == 3 and l_d == 2 + dmrs_length:
            raise ConfigError("symbol_allocation", (start, length),
                              f"l_d={l_d} is only applicable with dmrs-TypeA-Position 2",
                              _CLAUSE)
        l1 = 12 if (l1_alt and additional_position == 1 and type_a_position == 3) else 11
        pos = [type_a_position if p == 0 else p for p in row[additional_position]]
        if dmrs_length == 1 and l_d >= 13 and additional_position == 1:
            pos[1] = l1
        first = type_a_position
    else:
        pos = [start + p for p in row[additional_position]]
        first = start
    if first < start or pos[-1] + dmrs_length > start + length:
        raise ConfigError("symbol_allocation", (start, length),
                          f"DM-RS symbols {tuple(pos)} (length {dmrs_length}) must lie inside "
                          "the allocation", _CLAUSE)
    return tuple(pos)


def dmrs_c_init(n_symb_slot: int, n_s: int, l: int | np.ndarray, n_id: int, n_scid: int,
                cdm_group: int = 0) -> int | np.ndarray:
    """c_init of the DM-RS sequence of OFDM symbol l (TS 38.211 §7.4.1.1.1, Rel-16 form).

    c_init = (2^17 (N_symb^slot n_s + l + 1)(2 N_ID + 1) + 2^17 ⌊λ̄/2⌋ + 2 N_ID + n̄_SCID)
    mod 2^31, with n̄_SCID = n_SCID and N_ID = N_ID^{n̄_SCID}.

    Parameters
    ----------
    n_symb_slot : int
        N_symb^slot (14 or 12).
    n_s : int
        Slot number within the frame n_s,f^μ.
    l : int or array_like of int
        OFDM symbol number(s) within the slot.
    n_id : int
        N_ID^{n̄_SCID}, 0..65535.
    n_scid : int
        n̄_SCID, 0 or 1.
    cdm_group : int
        CDM group λ̄ of the port (0..2).

    Returns
    -------
    int or numpy.ndarray of int64
    """
    lv = np.asarray(l, dtype=np.int64)
    c = ((1 << 17) * (n_symb_slot * n_s + lv + 1) * (2 * n_id + 1)
         + (1 << 17) * (cdm_group // 2) + 2 * n_id + n_scid) % (1 << 31)
    return int(c) if c.ndim == 0 else c


def dmrs_sequence(c_init: int | np.ndarray, length: int, *, n_start: int = 0) -> np.ndarray:
    """DM-RS sequence r(n), n = n_start .. n_start + length − 1 (TS 38.211 §7.4.1.1.1).

    r(n) = (1 − 2c(2n))/√2 + j (1 − 2c(2n + 1))/√2.

    Parameters
    ----------
    c_init : int or array_like of int
        Initialisation(s) of the Gold sequence, see :func:`dmrs_c_init`.
    length : int
        Number of values.
    n_start : int
        First index n.

    Returns
    -------
    numpy.ndarray
        ``np.complex64``, shape ``np.shape(c_init) + (length,)``.
    """
    c = gold_sequence(c_init, 2 * length, offset=2 * n_start).astype(np.float32)
    s = (1.0 - 2.0 * c) * np.float32(1.0 / math.sqrt(2.0))
    return (s[..., 0::2] + 1j * s[..., 1::2]).astype(np.complex64)


def dmrs_cdm_subcarriers(config_type: int, cdm_group: int) -> np.ndarray:
    """Subcarriers k mod 12 of one resource block used by a CDM group (TS 38.211 §7.4.1.1.2).

    Type 1: k = 4n + 2k' + Δ (6 REs per RB); type 2: k = 6n + k' + Δ (4 REs per RB), with Δ of
    the CDM group.

    Returns
    -------
    numpy.ndarray of int64, sorted.
    """
    if config_type == 1:
        return np.arange(cdm_group, 12, 2, dtype=np.int64)
    base = np.array([0, 1, 6, 7], dtype=np.int64)
    return base + 2 * cdm_group


def dmrs_re_values(config_type: int, port: int, crbs: np.ndarray, symbols: np.ndarray,
                   l_prime: np.ndarray, *, n_symb_slot: int, n_s: int, n_id: int,
                   n_scid: int, beta: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """DM-RS values a_{k,l}^{(p)} of one port in a set of resource blocks (TS 38.211 §7.4.1.1.2).

    a_{k,l} = β w_f(k') w_t(l') r_l(2n + k'), with k = 4n + 2k' + Δ (type 1) or
    k = 6n + k' + Δ (type 2) counted from subcarrier 0 of CRB 0, and l = l̄ + l'.

    Parameters
    ----------
    config_type, port : int
        DM-RS configuration type and port p − 1000.
    crbs : array_like of int, shape (n_rb,)
        Common resource block indices carrying the DM-RS, increasing.
    symbols : array_like of int, shape (n_l,)
        DM-RS OFDM symbols l within the slot, increasing.
    l_prime : array_like of int, shape (n_l,)
        l' (0 or 1) of each symbol.
    n_symb_slot, n_s, n_id, n_scid : int
        See :func:`dmrs_c_init`.
    beta : float
        Amplitude scaling β.

    Returns
    -------
    k : numpy.ndarray of int64, shape (n_rb * n_re,)
        Subcarrier index from CRB 0, frequency order (n_re = 6 for type 1, 4 for type 2).
    values : numpy.ndarray of complex64, shape (n_l, n_rb * n_re)
        DM-RS values, symbol by symbol.
    """
    p = dmrs_port(config_type, port)
    crbs = np.asarray(crbs, dtype=np.int64)
    symbols = np.asarray(symbols, dtype=np.int64)
    l_prime = np.asarray(l_prime, dtype=np.int64)
    per_rb = 3 if config_type == 1 else 2
    c_init = dmrs_c_init(n_symb_slot, n_s, symbols, n_id, n_scid, p.cdm_group)
    n_max = per_rb * (int(crbs.max()) + 1) if crbs.size else 0
    # r(m) with m = 2n + k' for every DM-RS RE, n = per_rb * crb + i (frequency order in the RB)
    r = dmrs_sequence(np.atleast_1d(c_init), 2 * n_max)
    n = (crbs[:, None] * per_rb + np.arange(per_rb)[None, :]).reshape(-1)
    kp = np.array([0, 1], dtype=np.int64)
    m = (2 * n[:, None] + kp[None, :]).reshape(-1)
    if config_type == 1:
        k = (4 * n[:, None] + 2 * kp[None, :] + p.delta).reshape(-1)
    else:
        k = (6 * n[:, None] + kp[None, :] + p.delta).reshape(-1)
    wf = np.tile(np.array(p.w_f, dtype=np.float32), n.size)
    wt = np.array(p.w_t, dtype=np.float32)[l_prime]
    seq = r[:, m]
    values = (np.float32(beta) * wt[:, None] * wf[None, :] * seq).astype(np.complex64)
    return k, values

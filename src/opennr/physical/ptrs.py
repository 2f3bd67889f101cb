"""TS 38.211 §7.4.1.2 and §6.4.1.2.1.1 — phase-tracking reference signals (PT-RS) of a shared
channel without transform precoding (PDSCH and CP-OFDM PUSCH), with the PT-RS density and power
rules of TS 38.214 §5.1.6.3 and §4.1 (§6.2.3.1 for the PUSCH uses the same density tables).

* Sequence (§7.4.1.2.1, §6.4.1.2.1.1): r_k = r(2m + k'), the DM-RS sequence of §7.4.1.1.1 of the
  associated DM-RS port at the first DM-RS symbol l_0 of the allocation and at subcarrier k,
  where k = 4m + 2k' + Δ (type 1) or k = 6m + k' + Δ (type 2) counts from subcarrier 0 of
  CRB 0. The PT-RS RE is mapped as a_{k,l} = β_PT-RS r_k: the cover codes w_f(k'), w_t(l') of
  the DM-RS mapping (§7.4.1.1.2) are not part of the PT-RS.
* Time positions (§7.4.1.2.2): the l_ref counting procedure with L_PT-RS ∈ {1, 2, 4}, restarted
  after every DM-RS symbol (the second symbol of a double-symbol DM-RS).
* Frequency positions (§7.4.1.2.2): k = k_ref^RE + (i K_PT-RS + k_ref^RB) N_sc^RB over the
  scheduled resource blocks numbered 0 .. N_RB − 1 from the lowest, with
  k_ref^RB = n_RNTI mod K_PT-RS when N_RB mod K_PT-RS = 0, else n_RNTI mod (N_RB mod K_PT-RS),
  and k_ref^RE of Table 7.4.1.2.2-1 (= Table 6.4.1.2.2.1-1) for the associated DM-RS port.
* Densities (TS 38.214 Tables 5.1.6.3-1/-2) from the scheduled MCS and bandwidth, and the
  PT-RS EPRE of the PDSCH (TS 38.214 Table 4.1-2).

The functions here take plain arrays and numbers (DM-RS symbols, CRBs, RNTI, ...), so that the
PDSCH (:mod:`opennr.physical.pdsch`) and the PUSCH use the same construction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.numerology import N_SC_RB
from opennr.physical.dmrs import dmrs_c_init, dmrs_port, dmrs_sequence

__all__ = [
    "PTRS_K_REF_RE",
    "PTRS_PDSCH_POWER_DB",
    "PTRS_RE_OFFSETS",
    "PtrsConfig",
    "PtrsPattern",
    "ptrs_densities",
    "ptrs_k_ref_rb",
    "ptrs_k_ref_re",
    "ptrs_pattern",
    "ptrs_pdsch_power_db",
    "ptrs_subcarriers",
    "ptrs_symbol_indices",
    "ptrs_values",
]

_CLAUSE = "TS 38.211 §7.4.1.2.2"
_CLAUSE_SEQ = "TS 38.211 §7.4.1.2.1"
_CLAUSE_DENSITY = "TS 38.214 §5.1.6.3"

#: resourceElementOffset values, in the column order of Table 7.4.1.2.2-1.
PTRS_RE_OFFSETS = ("00", "01", "10", "11")

# TS 38.211 Table 7.4.1.2.2-1 (PDSCH) = Table 6.4.1.2.2.1-1 (PUSCH): k_ref^RE for each DM-RS port
# p − 1000 (row) and resourceElementOffset 00, 01, 10, 11 (columns); key: DM-RS configuration type.
PTRS_K_REF_RE: dict[int, tuple[tuple[int, int, int, int], ...]] = {
    1: (
        (0, 2, 6, 8),
        (2, 4, 8, 10),
        (1, 3, 7, 9),
        (3, 5, 9, 11),
    ),
    2: (
        (0, 1, 6, 7),
        (1, 6, 7, 0),
        (2, 3, 8, 9),
        (3, 8, 9, 2),
        (4, 5, 10, 11),
        (5, 10, 11, 4),
    ),
}

# TS 38.214 Table 4.1-2: PT-RS EPRE to PDSCH EPRE per layer per RE, ρ_PTRS in dB, for
# epre-Ratio 0 and 1 (2 and 3 are reserved), and 1 .. 6 PDSCH layers.
PTRS_PDSCH_POWER_DB: dict[int, tuple[float, ...]] = {
    0: (0.0, 3.0, 4.77, 6.0, 7.0, 7.78),
    1: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}


def _re_offset(value: object) -> str:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        idx = check_int("re_offset", value, 0, 3, _CLAUSE)
        return PTRS_RE_OFFSETS[idx]
    return check_choice("re_offset", value, PTRS_RE_OFFSETS, "TS 38.211 Table 7.4.1.2.2-1")


@dataclass(frozen=True, slots=True, kw_only=True)
class PtrsConfig:
    """PT-RS configuration of a shared channel without transform precoding (TS 38.211 §7.4.1.2,
    §6.4.1.2; TS 38.331 PTRS-DownlinkConfig / PTRS-UplinkConfig).

    Parameters
    ----------
    time_density : int
        L_PT-RS: 1, 2 or 4 (a PT-RS every L-th symbol after each DM-RS symbol).
    frequency_density : int
        K_PT-RS: 2 or 4 (a PT-RS in every K-th scheduled resource block).
    re_offset : str or int
        resourceElementOffset ``"00"``, ``"01"``, ``"10"``, ``"11"`` (or 0 .. 3), the column of
        Table 7.4.1.2.2-1.
    port : int or None
        The DM-RS port p − 1000 associated with the PT-RS port; ``None`` takes the lowest DM-RS
        port of the transmission (TS 38.214 §5.1.6.3 for one codeword; with two codewords the
        specification takes the lowest port of the codeword with the higher MCS: give it here).
    power_db : float or None
        PT-RS EPRE relative to the EPRE of a data layer, in dB (β_PT-RS = 10^(power_db/20)).
        ``None``: the PDSCH value of TS 38.214 Table 4.1-2 for ``epre_ratio`` and the number of
        layers (a PUSCH passes its TS 38.214 Table 6.2.3.1-3 value explicitly).
    epre_ratio : int
        epre-Ratio of PTRS-DownlinkConfig, 0 or 1 (used when ``power_db`` is None).

    Raises
    ------
    ConfigError
        A field outside its range.
    """

    time_density: int = 1
    frequency_density: int = 2
    re_offset: str = "00"
    port: int | None = None
    power_db: float | None = None
    epre_ratio: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_density",
                           check_choice("time_density", self.time_density, (1, 2, 4), _CLAUSE))
        object.__setattr__(self, "frequency_density",
                           check_choice("frequency_density", self.frequency_density, (2, 4),
                                        _CLAUSE))
        object.__setattr__(self, "re_offset", _re_offset(self.re_offset))
        if self.port is not None:
            object.__setattr__(self, "port",
                               check_int("port", self.port, 0, 11, "TS 38.214 §5.1.6.3"))
        if self.power_db is not None:
            p = self.power_db
            if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) \
                    or not math.isfinite(p):
                raise ConfigError("power_db", p, "must be a finite real number or None",
                                  "TS 38.214 Table 4.1-2")
        check_choice("epre_ratio", self.epre_ratio, (0, 1), "TS 38.214 Table 4.1-2")

    def beta(self, n_layers: int) -> float:
        """Amplitude β_PT-RS = 10^(ρ/20) for a transmission of ``n_layers`` layers (TS 38.214
        §4.1, Table 4.1-2 unless ``power_db`` is given)."""
        p = ptrs_pdsch_power_db(n_layers, self.epre_ratio) if self.power_db is None \
            else float(self.power_db)
        return 10.0 ** (p / 20.0)


def ptrs_pdsch_power_db(n_layers: int, epre_ratio: int = 0) -> float:
    """ρ_PTRS, the PT-RS EPRE to PDSCH EPRE per layer per RE in dB (TS 38.214 Table 4.1-2).

    Raises
    ------
    ConfigError
        ``epre_ratio`` not 0 or 1, or more than 6 layers (no entry in the table).
    """
    check_choice("epre_ratio", epre_ratio, (0, 1), "TS 38.214 Table 4.1-2")
    n_layers = check_int("n_layers", n_layers, 1, 8, "TS 38.214 Table 4.1-2")
    if n_layers > 6:
        raise ConfigError("n_layers", n_layers,
                          "TS 38.214 Table 4.1-2 gives the PT-RS power for 1 .. 6 layers: give "
                          "PtrsConfig.power_db", "TS 38.214 Table 4.1-2")
    return PTRS_PDSCH_POWER_DB[epre_ratio][n_layers - 1]


def ptrs_densities(i_mcs: int, n_rb: int, *, ptrs_mcs: Sequence[int],
                   n_rb_thresholds: Sequence[int]) -> tuple[int, int] | None:
    """PT-RS time and frequency densities from the scheduled MCS and bandwidth (TS 38.214
    Tables 5.1.6.3-1 and 5.1.6.3-2; the PUSCH Tables 6.2.3.1-1/-2 are the same).

    ======================================  ===========
    I_MCS                                   L_PT-RS
    ======================================  ===========
    I_MCS < ptrs-MCS1                       no PT-RS
    ptrs-MCS1 ≤ I_MCS < ptrs-MCS2           4
    ptrs-MCS2 ≤ I_MCS < ptrs-MCS3           2
    ptrs-MCS3 ≤ I_MCS < ptrs-MCS4           1
    ======================================  ===========

    N_RB < N_RB0: no PT-RS; N_RB0 ≤ N_RB < N_RB1: K_PT-RS = 2; N_RB1 ≤ N_RB: K_PT-RS = 4.

    Parameters
    ----------
    i_mcs : int
        Scheduled MCS index I_MCS (0 .. 31). For a retransmission with a reserved MCS, give the
        MCS of the latest transmission of the TB with a non-reserved MCS (TS 38.214 §5.1.6.3).
    n_rb : int
        Number of scheduled resource blocks N_RB.
    ptrs_mcs : sequence of 4 int
        ptrs-MCS1 .. ptrs-MCS4, non-decreasing, 0 .. 29 (ptrs-MCS4 is 29 for the MCS tables
        with 64QAM and 28 for the 256QAM table when not signalled).
    n_rb_thresholds : sequence of 2 int
        N_RB0, N_RB1 (frequencyDensity), non-decreasing, 1 .. 276.

    Returns
    -------
    (L_PT-RS, K_PT-RS) or None
        ``None`` when the PT-RS is not present.

    Raises
    ------
    ConfigError
        Thresholds out of range or decreasing; I_MCS at or above ptrs-MCS4.
    """
    mcs = tuple(ptrs_mcs)
    if len(mcs) != 4:
        raise ConfigError("ptrs_mcs", ptrs_mcs, "must give ptrs-MCS1 .. ptrs-MCS4",
                          "TS 38.214 Table 5.1.6.3-1")
    mcs = tuple(check_int(f"ptrs_mcs[{i}]", m, 0, 29, "TS 38.214 Table 5.1.6.3-1")
                for i, m in enumerate(mcs))
    if list(mcs) != sorted(mcs):
        raise ConfigError("ptrs_mcs", mcs, "must be non-decreasing", "TS 38.214 Table 5.1.6.3-1")
    rbs = tuple(n_rb_thresholds)
    if len(rbs) != 2:
        raise ConfigError("n_rb_thresholds", n_rb_thresholds, "must give N_RB0 and N_RB1",
                          "TS 38.214 Table 5.1.6.3-2")
    rbs = tuple(check_int(f"n_rb_thresholds[{i}]", r, 1, 276, "TS 38.214 Table 5.1.6.3-2")
                for i, r in enumerate(rbs))
    if rbs[1] < rbs[0]:
        raise ConfigError("n_rb_thresholds", rbs, "must be non-decreasing",
                          "TS 38.214 Table 5.1.6.3-2")
    i_mcs = check_int("i_mcs", i_mcs, 0, 31, _CLAUSE_DENSITY)
    n_rb = check_int("n_rb", n_rb, 1, 275, _CLAUSE_DENSITY)
    if i_mcs >= mcs[3]:
        raise ConfigError("i_mcs", i_mcs,
                          f"must be below ptrs-MCS4={mcs[3]}: for a reserved MCS take the MCS of "
                          "the latest transmission of the transport block", _CLAUSE_DENSITY)
    if i_mcs < mcs[0] or n_rb < rbs[0]:
        return None
    time = 4 if i_mcs < mcs[1] else 2 if i_mcs < mcs[2] else 1
    freq = 2 if n_rb < rbs[1] else 4
    return time, freq


def ptrs_symbol_indices(start: int, length: int, dmrs_symbols: Sequence[int],
                        time_density: int, *, dmrs_length: int = 1) -> np.ndarray:
    """OFDM symbols of the PT-RS in the slot (TS 38.211 §7.4.1.2.2, §6.4.1.2.2.1).

    With l counted from the start of the allocation:

    1. i = 0, l_ref = 0;
    2. if a symbol in max(l_ref + (i − 1) L_PT-RS + 1, l_ref) .. l_ref + i L_PT-RS is a DM-RS
       symbol, set i = 1 and l_ref to that DM-RS symbol (the second symbol of a double-symbol
       DM-RS) and repeat step 2 while l_ref + i L_PT-RS is inside the allocation;
    3. add l_ref + i L_PT-RS;
    4. i = i + 1, and repeat from step 2 while l_ref + i L_PT-RS is inside the allocation.

    Parameters
    ----------
    start, length : int
        First symbol S of the allocation in the slot and number of symbols L.
    dmrs_symbols : sequence of int
        Every DM-RS symbol of the allocation in the slot (both symbols of a double-symbol
        DM-RS), increasing.
    time_density : int
        L_PT-RS: 1, 2 or 4.
    dmrs_length : int
        1 (single-symbol) or 2 (double-symbol DM-RS: ``dmrs_symbols`` holds pairs l̄, l̄ + 1).

    Returns
    -------
    numpy.ndarray of int64
        Slot symbol indices, increasing.

    Raises
    ------
    ConfigError
        Bad density or length, or DM-RS symbols outside the allocation.
    """
    start = check_int("start", start, 0, 13, _CLAUSE)
    length = check_int("length", length, 1, 14 - start, _CLAUSE)
    density = check_choice("time_density", time_density, (1, 2, 4), _CLAUSE)
    dmrs_length = check_choice("dmrs_length", dmrs_length, (1, 2), _CLAUSE)
    dm = sorted(int(x) - start for x in dmrs_symbols)
    if any(not 0 <= x < length for x in dm):
        raise ConfigError("dmrs_symbols", tuple(dmrs_symbols),
                          "must lie inside the allocation", _CLAUSE)
    if dmrs_length == 2 and (len(dm) % 2 or any(dm[2 * i + 1] != dm[2 * i] + 1
                                                 for i in range(len(dm) // 2))):
        raise ConfigError("dmrs_symbols", tuple(dmrs_symbols),
                          "must be pairs l, l + 1 for double-symbol DM-RS", _CLAUSE)
    # the symbol that resets l_ref for each DM-RS symbol: itself, or the second of its pair
    reset = {x: (x if dmrs_length == 1 else dm[(k // 2) * 2 + 1]) for k, x in enumerate(dm)}
    out: list[int] = []
    i, l_ref = 0, 0
    while l_ref + i * density < length:
        lo = max(l_ref + (i - 1) * density + 1, l_ref)
        hit = [x for x in dm if lo <= x <= l_ref + i * density]
        if hit:
            i, l_ref = 1, reset[hit[-1]]
            continue
        out.append(l_ref + i * density)
        i += 1
    return np.array(out, dtype=np.int64) + start


def ptrs_k_ref_re(config_type: int, port: int, re_offset: str | int) -> int:
    """k_ref^RE of the DM-RS port associated with the PT-RS (TS 38.211 Table 7.4.1.2.2-1,
    Table 6.4.1.2.2.1-1).

    Raises
    ------
    ConfigError
        Configuration type not 1/2, or a port outside the table (p − 1000 in 0 .. 3 for type 1,
        0 .. 5 for type 2).
    """
    check_choice("config_type", config_type, (1, 2), "TS 38.211 Table 7.4.1.2.2-1")
    table = PTRS_K_REF_RE[config_type]
    port = check_int("port", port, 0, 11, "TS 38.211 Table 7.4.1.2.2-1")
    if port >= len(table):
        raise ConfigError("port", port,
                          f"a PT-RS can be associated with DM-RS ports 0 .. {len(table) - 1} of "
                          f"configuration type {config_type}", "TS 38.211 Table 7.4.1.2.2-1")
    return table[port][PTRS_RE_OFFSETS.index(_re_offset(re_offset))]


def ptrs_k_ref_rb(n_rnti: int, n_rb: int, frequency_density: int) -> int:
    """k_ref^RB: n_RNTI mod K_PT-RS if N_RB mod K_PT-RS = 0, else n_RNTI mod (N_RB mod K_PT-RS)
    (TS 38.211 §7.4.1.2.2)."""
    n_rnti = check_int("n_rnti", n_rnti, 0, 65535, _CLAUSE)
    n_rb = check_int("n_rb", n_rb, 1, 275, _CLAUSE)
    k = check_choice("frequency_density", frequency_density, (2, 4), _CLAUSE)
    rem = n_rb % k
    return n_rnti % k if rem == 0 else n_rnti % rem


def ptrs_subcarriers(n_rb: int, n_rnti: int, frequency_density: int, k_ref_re: int) -> np.ndarray:
    """PT-RS subcarriers k = k_ref^RE + (i K_PT-RS + k_ref^RB) N_sc^RB, i = 0, 1, ..., inside the
    N_RB scheduled resource blocks (TS 38.211 §7.4.1.2.2).

    Returns
    -------
    numpy.ndarray of int64
        k in the numbering 0 .. 12 N_RB − 1 of the subcarriers of the scheduled resource blocks
        (lowest first).
    """
    k_rb = ptrs_k_ref_rb(n_rnti, n_rb, frequency_density)
    k_ref_re = check_int("k_ref_re", k_ref_re, 0, 11, _CLAUSE)
    rbs = np.arange(k_rb, n_rb, frequency_density, dtype=np.int64)
    return k_ref_re + rbs * N_SC_RB


@dataclass(frozen=True, slots=True)
class PtrsPattern:
    """Resource elements of a PT-RS port in one slot (TS 38.211 §7.4.1.2.2).

    Attributes
    ----------
    port : int
        Associated DM-RS port p − 1000.
    symbols : numpy.ndarray of int64
        PT-RS OFDM symbols in the slot, increasing.
    k : numpy.ndarray of int64
        PT-RS subcarriers counted from subcarrier 0 of CRB 0, increasing (the same in every
        PT-RS symbol).
    k_ref_re, k_ref_rb : int
        The offsets of §7.4.1.2.2.
    """

    port: int
    symbols: np.ndarray
    k: np.ndarray
    k_ref_re: int
    k_ref_rb: int


def ptrs_pattern(ptrs: PtrsConfig, *, config_type: int, port: int, crbs: Sequence[int],
                 start: int, length: int, dmrs_symbols: Sequence[int], dmrs_length: int,
                 n_rnti: int) -> PtrsPattern:
    """PT-RS symbols and subcarriers of a shared channel (TS 38.211 §7.4.1.2.2, §6.4.1.2.2.1).

    Parameters
    ----------
    ptrs : PtrsConfig
    config_type : int
        DM-RS configuration type, 1 or 2.
    port : int
        Associated DM-RS port p − 1000.
    crbs : sequence of int
        Scheduled common resource blocks (any order; numbered from the lowest for the PT-RS).
    start, length : int
        Symbol allocation (S, L) in the slot.
    dmrs_symbols : sequence of int
        DM-RS symbols in the slot (both symbols of a double-symbol DM-RS).
    dmrs_length : int
        1 or 2.
    n_rnti : int
        n_RNTI of the scheduled transmission.

    Returns
    -------
    PtrsPattern

    Raises
    ------
    ConfigError
        See :func:`ptrs_symbol_indices` and :func:`ptrs_k_ref_re`; no scheduled resource block.
    """
    if not isinstance(ptrs, PtrsConfig):
        raise ConfigError("ptrs", type(ptrs).__name__, "must be a PtrsConfig", _CLAUSE)
    rbs = np.unique(np.asarray(crbs, dtype=np.int64))
    if rbs.size == 0:
        raise ConfigError("crbs", tuple(crbs), "must not be empty", _CLAUSE)
    k_re = ptrs_k_ref_re(config_type, port, ptrs.re_offset)
    k_rb = ptrs_k_ref_rb(n_rnti, rbs.size, ptrs.frequency_density)
    k_sched = ptrs_subcarriers(rbs.size, n_rnti, ptrs.frequency_density, k_re)
    k = rbs[k_sched // N_SC_RB] * N_SC_RB + k_sched % N_SC_RB
    syms = ptrs_symbol_indices(start, length, dmrs_symbols, ptrs.time_density,
                               dmrs_length=dmrs_length)
    for a in (syms, k):
        a.setflags(write=False)
    return PtrsPattern(port=int(port), symbols=syms, k=k, k_ref_re=k_re, k_ref_rb=k_rb)


def ptrs_values(config_type: int, port: int, k: np.ndarray, *, l0: int, n_symb_slot: int,
                n_s: int, n_id: int, n_scid: int, beta: float = 1.0) -> np.ndarray:
    """PT-RS values β_PT-RS r_k at subcarriers k (TS 38.211 §7.4.1.2.1, §7.4.1.2.2).

    r_k = r(2m + k') is the DM-RS sequence of §7.4.1.1.1 of the associated port (c_init of the
    first DM-RS symbol l_0, with the CDM group λ of the port), at the index 2m + k' of the DM-RS
    RE on subcarrier k: k = 4m + 2k' + Δ (type 1) or k = 6m + k' + Δ (type 2). The same values
    are sent in every PT-RS symbol of the slot.

    Parameters
    ----------
    config_type, port : int
        DM-RS configuration type and associated port p − 1000.
    k : array_like of int
        Subcarriers counted from subcarrier 0 of CRB 0 (see :class:`PtrsPattern`).
    l0 : int
        First DM-RS symbol of the allocation in the slot.
    n_symb_slot, n_s, n_id, n_scid : int
        As for :func:`opennr.physical.dmrs.dmrs_c_init`.
    beta : float
        β_PT-RS.

    Returns
    -------
    numpy.ndarray of complex64, shape (n_k,)

    Raises
    ------
    ConfigError
        A subcarrier that is not a DM-RS subcarrier of the port.
    """
    p = dmrs_port(config_type, port)
    k = np.asarray(k, dtype=np.int64).reshape(-1)
    if k.size == 0:
        return np.zeros(0, np.complex64)
    d = k - p.delta
    if config_type == 1:
        ok = (d >= 0) & (d % 2 == 0)
        idx = d // 2
    else:
        ok = (d >= 0) & (d % 6 < 2)
        idx = 2 * (d // 6) + d % 6
    if not np.all(ok):
        raise ConfigError("k", int(k[~ok][0]),
                          f"is not a DM-RS subcarrier of port {port} (type {config_type})",
                          _CLAUSE_SEQ)
    c_init = dmrs_c_init(n_symb_slot, n_s, l0, n_id, n_scid, p.cdm_group)
    r = dmrs_sequence(c_init, int(idx.max()) + 1)
    return (np.float32(beta) * r[idx]).astype(np.complex64)

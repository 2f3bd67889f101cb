"""TS 38.211 §6.4.1.1 — demodulation reference signals for the PUSCH: what differs from the
PDSCH DM-RS of :mod:`opennr.physical.dmrs`.

* §6.4.1.1.1.1 — transform precoding disabled: the Gold-sequence DM-RS of §7.4.1.1.1 (shared
  code) with N_ID^0/N_ID^1 of DMRS-UplinkConfig.
* §6.4.1.1.1.2 — transform precoding enabled: r(n) = r_{u,v}^{(α,δ)}(n), the low-PAPR
  sequence of type 1 (§5.2.2) with α = 0, δ = 1 and length M_sc^PUSCH / 2; the group
  u = (f_gh + n_ID^RS) mod 30 and the number v follow group or sequence hopping (§6.4.1.1.1.2).
* §6.4.1.1.3 — the DM-RS symbol positions l̄ of Table 6.4.1.1.3-3 (single-symbol) and
  Table 6.4.1.1.3-4 (double-symbol), intra-slot frequency hopping disabled, and of Table
  6.4.1.1.3-6 per hop with intra-slot frequency hopping (TS 38.214 §6.3: the first hop has
  ⌊L/2⌋ symbols).
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.sequences.gold import gold_sequence
from opennr.sequences.lowpapr import low_papr_sequence

__all__ = [
    "PUSCH_DMRS_POSITIONS_DOUBLE",
    "PUSCH_DMRS_POSITIONS_HOPPING",
    "PUSCH_DMRS_POSITIONS_SINGLE",
    "low_papr_group_sequence",
    "pusch_dmrs_hop_positions",
    "pusch_dmrs_symbol_positions",
    "pusch_hop_lengths",
    "pusch_tp_dmrs_sequence",
]

_CLAUSE = "TS 38.211 §6.4.1.1.3"
_CLAUSE_SEQ = "TS 38.211 §6.4.1.1.1.2"

# TS 38.211 Table 6.4.1.1.3-3: PUSCH DM-RS positions l̄ for single-symbol DM-RS, intra-slot
# frequency hopping disabled. Key (mapping type, l_d); value: positions for
# dmrs-AdditionalPosition 0, 1, 2, 3. 0 stands for l0. Type A: l_d counts from the slot start,
# positions are slot symbol indices with l0 = dmrs-TypeA-Position; type B: l_d is the
# allocation length and positions are relative to its first symbol (l0 = 0). Missing rows
# are "–".
PUSCH_DMRS_POSITIONS_SINGLE: dict[tuple[str, int], tuple[tuple[int, ...], ...]] = {
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
    ("B", 1): ((0,), (0,), (0,), (0,)),
    ("B", 2): ((0,), (0,), (0,), (0,)),
    ("B", 3): ((0,), (0,), (0,), (0,)),
    ("B", 4): ((0,), (0,), (0,), (0,)),
    ("B", 5): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 6): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 7): ((0,), (0, 4), (0, 4), (0, 4)),
    ("B", 8): ((0,), (0, 6), (0, 3, 6), (0, 3, 6)),
    ("B", 9): ((0,), (0, 6), (0, 3, 6), (0, 3, 6)),
    ("B", 10): ((0,), (0, 8), (0, 4, 8), (0, 3, 6, 9)),
    ("B", 11): ((0,), (0, 8), (0, 4, 8), (0, 3, 6, 9)),
    ("B", 12): ((0,), (0, 10), (0, 5, 10), (0, 3, 6, 9)),
    ("B", 13): ((0,), (0, 10), (0, 5, 10), (0, 3, 6, 9)),
    ("B", 14): ((0,), (0, 10), (0, 5, 10), (0, 3, 6, 9)),
}

# TS 38.211 Table 6.4.1.1.3-4: PUSCH DM-RS positions l̄ for double-symbol DM-RS, intra-slot
# frequency hopping disabled, dmrs-AdditionalPosition 0 and 1; conventions as above.
PUSCH_DMRS_POSITIONS_DOUBLE: dict[tuple[str, int], tuple[tuple[int, ...], ...]] = {
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
    ("B", 12): ((0,), (0, 9)),
    ("B", 13): ((0,), (0, 9)),
    ("B", 14): ((0,), (0, 9)),
}


# TS 38.211 Table 6.4.1.1.3-6: PUSCH DM-RS positions l̄ for single-symbol DM-RS with intra-slot
# frequency hopping. Key (mapping type, l0, l_d) with l0 = dmrs-TypeA-Position (2 or 3) for type
# A and 0 for type B, and l_d the duration of the hop; value: ((first hop pos0, pos1),
# (second hop pos0, pos1)), positions relative to the first symbol of the hop (the first hop of
# a type A PUSCH starts at symbol 0 of the slot). Missing rows are "–".
PUSCH_DMRS_POSITIONS_HOPPING: dict[tuple[str, int, int], tuple[tuple[tuple[int, ...], ...], ...]] = {
    ("A", 2, 4): (((2,), (2,)), ((0,), (0,))),
    ("A", 2, 5): (((2,), (2,)), ((0,), (0, 4))),
    ("A", 2, 6): (((2,), (2,)), ((0,), (0, 4))),
    ("A", 2, 7): (((2,), (2, 6)), ((0,), (0, 4))),
    ("A", 3, 4): (((3,), (3,)), ((0,), (0,))),
    ("A", 3, 5): (((3,), (3,)), ((0,), (0, 4))),
    ("A", 3, 6): (((3,), (3,)), ((0,), (0, 4))),
    ("A", 3, 7): (((3,), (3,)), ((0,), (0, 4))),
    ("B", 0, 1): (((0,), (0,)), ((0,), (0,))),
    ("B", 0, 2): (((0,), (0,)), ((0,), (0,))),
    ("B", 0, 3): (((0,), (0,)), ((0,), (0,))),
    ("B", 0, 4): (((0,), (0,)), ((0,), (0,))),
    ("B", 0, 5): (((0,), (0, 4)), ((0,), (0, 4))),
    ("B", 0, 6): (((0,), (0, 4)), ((0,), (0, 4))),
    ("B", 0, 7): (((0,), (0, 4)), ((0,), (0, 4))),
}


def pusch_hop_lengths(length: int) -> tuple[int, int]:
    """Symbols of the first and second hop of intra-slot frequency hopping: ⌊L/2⌋ and
    L − ⌊L/2⌋ (TS 38.214 §6.3)."""
    length = check_int("length", length, 2, 14, "TS 38.214 §6.3")
    return length // 2, length - length // 2


def pusch_dmrs_hop_positions(mapping_type: str, start: int, length: int, *,
                             type_a_position: int = 2,
                             additional_position: int = 0) -> tuple[tuple[int, ...], ...]:
    """PUSCH DM-RS symbol positions l̄ of each hop with intra-slot frequency hopping (TS 38.211
    §6.4.1.1.3, Table 6.4.1.1.3-6; single-symbol DM-RS).

    The first hop has ⌊L/2⌋ symbols from S, the second the remaining ones (TS 38.214 §6.3); l_d
    is the duration of each hop. A dmrs-AdditionalPosition other than pos0 is taken as pos1
    for each hop.

    Parameters
    ----------
    mapping_type : str
        ``"A"`` or ``"B"``.
    start, length : int
        First symbol S (0-based) and number of symbols L of the allocation (L ≥ 2).
    type_a_position : int
        l0 for type A, 2 or 3.
    additional_position : int
        dmrs-AdditionalPosition, 0..3.

    Returns
    -------
    tuple of two tuples of int
        l̄ of the first and of the second hop, slot symbol indices, increasing.

    Raises
    ------
    ConfigError
        No table entry for the hop durations (type A with fewer than 4 symbols in the first
        hop), or a DM-RS outside its hop.
    """
    check_choice("mapping_type", mapping_type, ("A", "B"), _CLAUSE)
    start = check_int("start", start, 0, 13, _CLAUSE)
    n1, n2 = pusch_hop_lengths(length)
    check_choice("type_a_position", type_a_position, (2, 3), _CLAUSE)
    pos = min(check_int("additional_position", additional_position, 0, 3, _CLAUSE), 1)
    l0 = type_a_position if mapping_type == "A" else 0
    out = []
    for hop, (first, l_d) in enumerate(((start, n1), (start + n1, n2))):
        row = PUSCH_DMRS_POSITIONS_HOPPING.get((mapping_type, l0, l_d))
        if row is None:
            raise ConfigError("symbol_allocation", (start, length),
                              f"no PUSCH DM-RS positions for mapping type {mapping_type} with a "
                              f"hop of l_d={l_d} symbols (Table 6.4.1.1.3-6)", _CLAUSE)
        p = tuple(first + x for x in row[hop][pos])
        if p[-1] >= first + l_d:
            raise ConfigError("symbol_allocation", (start, length),
                              f"DM-RS symbols {p} must lie inside hop {hop}", _CLAUSE)
        out.append(p)
    return tuple(out)


def pusch_dmrs_symbol_positions(mapping_type: str, start: int, length: int, *,
                                type_a_position: int = 2, additional_position: int = 0,
                                dmrs_length: int = 1) -> tuple[int, ...]:
    """PUSCH DM-RS symbol positions l̄ within the slot (TS 38.211 §6.4.1.1.3, Tables
    6.4.1.1.3-3/4, intra-slot frequency hopping disabled).

    For mapping type A, l_d = start + length (from the slot start) and l0 =
    dmrs-TypeA-Position; for type B, l_d = length and l0 = start. With double-symbol DM-RS
    each l̄ is followed by l̄ + 1 (l' = 1), which is not listed.

    Parameters
    ----------
    mapping_type : str
        ``"A"`` or ``"B"``.
    start, length : int
        First symbol S (0-based) and number of symbols L of the allocation.
    type_a_position : int
        l0 for type A, 2 or 3.
    additional_position : int
        dmrs-AdditionalPosition, 0..3 (0..1 for double-symbol).
    dmrs_length : int
        1 (Table 6.4.1.1.3-3) or 2 (Table 6.4.1.1.3-4).

    Returns
    -------
    tuple of int
        l̄ in increasing order, slot symbol indices.

    Raises
    ------
    ConfigError
        No table entry for l_d, pos3 with dmrs-TypeA-Position 3, or DM-RS outside the
        allocation.
    """
    check_choice("mapping_type", mapping_type, ("A", "B"), _CLAUSE)
    start = check_int("start", start, 0, 13, _CLAUSE)
    length = check_int("length", length, 1, 14, _CLAUSE)
    check_choice("type_a_position", type_a_position, (2, 3), _CLAUSE)
    check_choice("dmrs_length", dmrs_length, (1, 2), _CLAUSE)
    check_int("additional_position", additional_position, 0, 3 if dmrs_length == 1 else 1,
              _CLAUSE)
    table = PUSCH_DMRS_POSITIONS_SINGLE if dmrs_length == 1 else PUSCH_DMRS_POSITIONS_DOUBLE
    l_d = start + length if mapping_type == "A" else length
    row = table.get((mapping_type, l_d))
    if row is None:
        name = "6.4.1.1.3-3" if dmrs_length == 1 else "6.4.1.1.3-4"
        raise ConfigError("symbol_allocation", (start, length),
                          f"no PUSCH DM-RS positions for mapping type {mapping_type} with "
                          f"l_d={l_d} (Table {name})", _CLAUSE)
    if mapping_type == "A":
        if type_a_position == 3 and additional_position == 3:
            raise ConfigError("additional_position", 3,
                              "pos3 is only supported with dmrs-TypeA-Position 2", _CLAUSE)
        pos = [type_a_position if p == 0 else p for p in row[additional_position]]
        first = type_a_position
    else:
        pos = [start + p for p in row[additional_position]]
        first = start
    if first < start or pos[-1] + dmrs_length > start + length:
        raise ConfigError("symbol_allocation", (start, length),
                          f"DM-RS symbols {tuple(pos)} (length {dmrs_length}) must lie inside "
                          "the allocation", _CLAUSE)
    return tuple(pos)


def low_papr_group_sequence(n_id_rs: int, m_zc: int, *, n_symb_slot: int, n_s: int, l: int,
                            group_hopping: bool = False,
                            sequence_hopping: bool = False) -> tuple[int, int]:
    """Sequence group u and number v of the transform-precoding DM-RS (TS 38.211
    §6.4.1.1.1.2).

    u = (f_gh + n_ID^RS) mod 30 with
    * neither hopping: f_gh = 0, v = 0;
    * group hopping: f_gh = (Σ_{m=0}^{7} 2^m c(8(N_symb^slot n_s + l) + m)) mod 30, v = 0,
      c initialised with c_init = ⌊n_ID^RS / 30⌋;
    * sequence hopping: f_gh = 0, v = c(N_symb^slot n_s + l) when M_ZC ≥ 6 N_sc^RB (else 0),
      c initialised with c_init = n_ID^RS.

    Parameters
    ----------
    n_id_rs : int
        n_ID^RS (nPUSCH-Identity, or N_ID^cell), 0..1007.
    m_zc : int
        Length of the low-PAPR sequence M_ZC.
    n_symb_slot, n_s : int
        N_symb^slot and the slot number n_s,f^μ.
    l : int
        OFDM symbol number of the DM-RS (the first symbol of a double-symbol DM-RS).
    group_hopping, sequence_hopping : bool
        At most one may be enabled.

    Returns
    -------
    (u, v) : tuple of int

    Raises
    ------
    ConfigError
        Both hopping kinds enabled or an argument outside its range.
    """
    n_id_rs = check_int("n_id_rs", n_id_rs, 0, 1007, _CLAUSE_SEQ)
    n_s = check_int("n_s", n_s, 0, None, _CLAUSE_SEQ)
    l = check_int("l", l, 0, 13, _CLAUSE_SEQ)
    if group_hopping and sequence_hopping:
        raise ConfigError("sequence_hopping", sequence_hopping,
                          "group and sequence hopping cannot both be enabled", _CLAUSE_SEQ)
    f_gh, v = 0, 0
    idx = n_symb_slot * n_s + l
    if group_hopping:
        c = gold_sequence(n_id_rs // 30, 8, offset=8 * idx).astype(np.int64)
        f_gh = int((c << np.arange(8)).sum()) % 30
    elif sequence_hopping and m_zc >= 72:
        v = int(gold_sequence(n_id_rs, 1, offset=idx)[0])
    return (f_gh + n_id_rs) % 30, v


def pusch_tp_dmrs_sequence(m_sc: int, *, n_id_rs: int, n_symb_slot: int, n_s: int, l: int,
                           group_hopping: bool = False,
                           sequence_hopping: bool = False) -> np.ndarray:
    """Transform-precoding DM-RS r(n) = r_{u,v}^{(α,δ)}(n), n = 0 .. M_sc/2 − 1 (TS 38.211
    §6.4.1.1.1.2, low-PAPR sequence type 1 with α = 0, δ = 1).

    Parameters
    ----------
    m_sc : int
        M_sc^PUSCH, subcarriers of the allocation (12 M_RB).
    n_id_rs, n_symb_slot, n_s, l, group_hopping, sequence_hopping
        See :func:`low_papr_group_sequence`.

    Returns
    -------
    numpy.ndarray of complex64, shape (M_sc / 2,)

    Raises
    ------
    ConfigError
        Invalid length or hopping configuration.
    """
    m_sc = check_int("m_sc", m_sc, 12, None, _CLAUSE_SEQ)
    if m_sc % 12:
        raise ConfigError("m_sc", m_sc, "must be 12 * M_RB", _CLAUSE_SEQ)
    m_zc = m_sc // 2
    u, v = low_papr_group_sequence(n_id_rs, m_zc, n_symb_slot=n_symb_slot, n_s=n_s, l=l,
                                   group_hopping=group_hopping,
                                   sequence_hopping=sequence_hopping)
    return low_papr_sequence(u, v, 0.0, m_zc, 1)

"""TS 38.211 §6.3.2.2 — sequences common to the PUCCH formats: group and sequence hopping and
cyclic shift hopping, with the spreading tables of formats 1 and 4.

* §6.3.2.2.1 — the sequence group u = (f_gh + f_ss) mod 30 and the number v within the group,
  from pucch-GroupHopping ("neither", "enable" or "disable") and n_ID (hoppingId, or
  N_ID^cell), for the hop n_hop of intra-slot frequency hopping.
* §6.3.2.2.2 — the cyclic shift
  α_l = 2π/N_sc^RB · ((m_0 + m_cs + n_cs(n_s,f^μ, l + l')) mod N_sc^RB) with
  n_cs(n_s,f^μ, l) = Σ_{m=0}^{7} 2^m c(8 N_symb^slot n_s,f^μ + 8 l + m), c_init = n_ID.
* Tables 6.3.2.4.1-1 and 6.3.2.4.1-2 (format 1: N_SF per hop and the orthogonal sequences
  w_i(m) = e^{j2πφ(m)/N_SF}), Table 6.4.1.3.1.1-1 (format 1 DM-RS: N_SF per hop), Tables
  6.3.2.6.3-1/-2 (format 4: w_n) and Table 6.4.1.3.3.1-1 (format 4 DM-RS: m_0 from the
  orthogonal sequence index).
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.sequences.gold import gold_sequence
from opennr.sequences.lowpapr import low_papr_sequence

__all__ = [
    "GROUP_HOPPING_MODES",
    "PUCCH1_DMRS_SPREADING_FACTORS",
    "PUCCH1_OCC_PHASES",
    "PUCCH1_SPREADING_FACTORS",
    "PUCCH4_DMRS_CYCLIC_SHIFT",
    "PUCCH4_OCC",
    "pucch1_occ",
    "pucch4_occ",
    "pucch_cyclic_shift",
    "pucch_cyclic_shift_hopping",
    "pucch_group_sequence",
    "pucch_low_papr",
]

_CLAUSE_GH = "TS 38.211 §6.3.2.2.1"
_CLAUSE_CS = "TS 38.211 §6.3.2.2.2"
_CLAUSE_F1 = "TS 38.211 §6.3.2.4.1"
_CLAUSE_F4 = "TS 38.211 §6.3.2.6.3"

#: pucch-GroupHopping values of §6.3.2.2.1 ("disable" enables sequence hopping).
GROUP_HOPPING_MODES = ("neither", "enable", "disable")

# TS 38.211 Table 6.3.2.4.1-1: number of PUCCH symbols of format 1 carrying UCI and the
# spreading factor N_SF,m'^{PUCCH,1}. Key: PUCCH length N_symb^PUCCH,1 (4..14); value:
# (no intra-slot hopping: m'=0, intra-slot hopping: m'=0, m'=1).
PUCCH1_SPREADING_FACTORS: dict[int, tuple[int, int, int]] = {
    4: (2, 1, 1), 5: (2, 1, 1), 6: (3, 1, 2), 7: (3, 1, 2), 8: (4, 2, 2), 9: (4, 2, 2),
    10: (5, 2, 3), 11: (5, 2, 3), 12: (6, 3, 3), 13: (6, 3, 3), 14: (7, 3, 4),
}

# TS 38.211 Table 6.4.1.3.1.1-1: number of DM-RS symbols of PUCCH format 1 and the spreading
# factor N_SF,m'^{PUCCH,1}; same layout as above.
PUCCH1_DMRS_SPREADING_FACTORS: dict[int, tuple[int, int, int]] = {
    4: (2, 1, 1), 5: (3, 1, 2), 6: (3, 2, 1), 7: (4, 2, 2), 8: (4, 2, 2), 9: (5, 2, 3),
    10: (5, 3, 2), 11: (6, 3, 3), 12: (6, 3, 3), 13: (7, 3, 4), 14: (7, 4, 3),
}

# TS 38.211 Table 6.3.2.4.1-2: orthogonal sequences w_i(m) = exp(j2πφ(m)/N_SF) of PUCCH format
# 1; key N_SF, row i gives φ(0) .. φ(N_SF − 1).
PUCCH1_OCC_PHASES: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((0,),),
    2: ((0, 0), (0, 1)),
    3: ((0, 0, 0), (0, 1, 2), (0, 2, 1)),
    4: ((0, 0, 0, 0), (0, 2, 0, 2), (0, 0, 2, 2), (0, 2, 2, 0)),
    5: ((0, 0, 0, 0, 0), (0, 1, 2, 3, 4), (0, 2, 4, 1, 3), (0, 3, 1, 4, 2), (0, 4, 3, 2, 1)),
    6: ((0, 0, 0, 0, 0, 0), (0, 1, 2, 3, 4, 5), (0, 2, 4, 0, 2, 4), (0, 3, 0, 3, 0, 3),
        (0, 4, 2, 0, 4, 2), (0, 5, 4, 3, 2, 1)),
    7: ((0, 0, 0, 0, 0, 0, 0), (0, 1, 2, 3, 4, 5, 6), (0, 2, 4, 6, 1, 3, 5),
        (0, 3, 6, 2, 5, 1, 4), (0, 4, 1, 5, 2, 6, 3), (0, 5, 3, 1, 6, 4, 2),
        (0, 6, 5, 4, 3, 2, 1)),
}

# TS 38.211 Tables 6.3.2.6.3-1 (N_SF = 2) and 6.3.2.6.3-2 (N_SF = 4): w_n(0) .. w_n(11) of PUCCH
# format 4, written as powers of j (0: +1, 1: +j, 2: −1, 3: −j).
PUCCH4_OCC: dict[int, tuple[tuple[int, ...], ...]] = {
    2: ((0,) * 12, (0,) * 6 + (2,) * 6),
    4: ((0,) * 12,
        (0, 0, 0, 3, 3, 3, 2, 2, 2, 1, 1, 1),
        (0, 0, 0, 2, 2, 2, 0, 0, 0, 2, 2, 2),
        (0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3)),
}

# TS 38.211 Table 6.4.1.3.3.1-1: cyclic shift index m_0 of the PUCCH format 4 DM-RS; key N_SF,
# entry n is the orthogonal sequence index.
PUCCH4_DMRS_CYCLIC_SHIFT: dict[int, tuple[int, ...]] = {2: (0, 6), 4: (0, 6, 3, 9)}


def pucch_group_sequence(group_hopping: str, n_id: int, n_s: int, n_hop: int = 0) -> tuple[int, int]:
    """Sequence group u and sequence number v of the PUCCH (TS 38.211 §6.3.2.2.1).

    u = (f_gh + f_ss) mod 30 with f_ss = n_ID mod 30 and

    * "neither": f_gh = 0, v = 0;
    * "enable": f_gh = (Σ_{m=0}^{7} 2^m c(8(2 n_s,f^μ + n_hop) + m)) mod 30, v = 0,
      c_init = ⌊n_ID / 30⌋;
    * "disable": f_gh = 0, v = c(2 n_s,f^μ + n_hop), c_init = 2^5 ⌊n_ID / 30⌋ + (n_ID mod 30).

    v selects one of the two base sequences of a group only where two exist
    (M_ZC ≥ 6 N_sc^RB, §5.2.2.1); :func:`pucch_low_papr` uses v = 0 for shorter sequences.

    Parameters
    ----------
    group_hopping : str
        pucch-GroupHopping: ``"neither"``, ``"enable"`` or ``"disable"``.
    n_id : int
        n_ID: hoppingId, or N_ID^cell when it is not provided, 0 .. 1023.
    n_s : int
        Slot number n_s,f^μ within the frame.
    n_hop : int
        Frequency hop: 0 without intra-slot hopping and in the first hop, 1 in the second.

    Returns
    -------
    (u, v) : tuple of int

    Raises
    ------
    ConfigError
        An argument outside its range.
    """
    check_choice("group_hopping", group_hopping, GROUP_HOPPING_MODES, _CLAUSE_GH)
    n_id = check_int("n_id", n_id, 0, 1023, _CLAUSE_GH)
    n_s = check_int("n_s", n_s, 0, 639, _CLAUSE_GH)
    n_hop = check_int("n_hop", n_hop, 0, 1, _CLAUSE_GH)
    f_ss = n_id % 30
    f_gh, v = 0, 0
    if group_hopping == "enable":
        c = gold_sequence(n_id // 30, 8, offset=8 * (2 * n_s + n_hop)).astype(np.int64)
        f_gh = int((c << np.arange(8)).sum()) % 30
    elif group_hopping == "disable":
        v = int(gold_sequence(32 * (n_id // 30) + f_ss, 1, offset=2 * n_s + n_hop)[0])
    return (f_gh + f_ss) % 30, v


def pucch_cyclic_shift_hopping(n_id: int, n_symb_slot: int, n_s: int, l: int) -> int:
    """n_cs(n_s,f^μ, l) = Σ_{m=0}^{7} 2^m c(8 N_symb^slot n_s,f^μ + 8 l + m), c_init = n_ID
    (TS 38.211 §6.3.2.2.2).

    Parameters
    ----------
    n_id : int
        hoppingId or N_ID^cell, 0 .. 1023.
    n_symb_slot : int
        N_symb^slot, 14 or 12.
    n_s : int
        Slot number n_s,f^μ.
    l : int
        OFDM symbol number within the slot (l + l' of §6.3.2.2.2).

    Returns
    -------
    int
        0 .. 255.
    """
    n_id = check_int("n_id", n_id, 0, 1023, _CLAUSE_CS)
    check_choice("n_symb_slot", n_symb_slot, (12, 14), _CLAUSE_CS)
    n_s = check_int("n_s", n_s, 0, 639, _CLAUSE_CS)
    l = check_int("l", l, 0, n_symb_slot - 1, _CLAUSE_CS)
    c = gold_sequence(n_id, 8, offset=8 * n_symb_slot * n_s + 8 * l).astype(np.int64)
    return int((c << np.arange(8)).sum())


def pucch_cyclic_shift(n_id: int, n_symb_slot: int, n_s: int, l: int, l_prime: int, *,
                       m0: int = 0, m_cs: int = 0) -> float:
    """Cyclic shift α_l = 2π/12 · ((m_0 + m_cs + n_cs(n_s,f^μ, l + l')) mod 12) in radians
    (TS 38.211 §6.3.2.2.2).

    Parameters
    ----------
    n_id, n_symb_slot, n_s
        As for :func:`pucch_cyclic_shift_hopping`.
    l : int
        Symbol number within the PUCCH transmission (0 is its first symbol).
    l_prime : int
        Slot symbol of the first PUCCH symbol.
    m0 : int
        m_0, 0 .. 11 (initialCyclicShift for formats 0/1, 0 for format 3, Table 6.4.1.3.3.1-1
        for format 4).
    m_cs : int
        m_cs, 0 .. 11 (TS 38.213 §9.2.3 for format 0, else 0).

    Returns
    -------
    float
    """
    m0 = check_int("m0", m0, 0, 11, _CLAUSE_CS)
    m_cs = check_int("m_cs", m_cs, 0, 11, _CLAUSE_CS)
    n_cs = pucch_cyclic_shift_hopping(n_id, n_symb_slot, n_s, l + l_prime)
    return 2.0 * np.pi / 12.0 * ((m0 + m_cs + n_cs) % 12)


def pucch_low_papr(u: int, v: int, alpha: float | np.ndarray, m_zc: int) -> np.ndarray:
    """r_{u,v}^{(α,δ)}(n) with δ = 0 for the PUCCH (TS 38.211 §5.2.2, §6.3.2.2).

    v is taken as 0 when M_ZC < 6 N_sc^RB, where a group holds one base sequence (§5.2.2).

    Returns
    -------
    numpy.ndarray of complex64, shape ``np.shape(alpha) + (m_zc,)``
    """
    return low_papr_sequence(u, v if m_zc >= 72 else 0, alpha, m_zc, 0)


@functools.cache
def _occ1(n_sf: int, i: int) -> np.ndarray:
    w = np.exp(2j * np.pi * np.asarray(PUCCH1_OCC_PHASES[n_sf][i], dtype=np.float64) / n_sf)
    w.setflags(write=False)
    return w


def pucch1_occ(n_sf: int, i: int) -> np.ndarray:
    """Orthogonal sequence w_i(m) = e^{j2πφ(m)/N_SF}, m = 0 .. N_SF − 1, of PUCCH format 1
    (TS 38.211 §6.3.2.4.1, Table 6.3.2.4.1-2).

    Parameters
    ----------
    n_sf : int
        N_SF, 1 .. 7.
    i : int
        timeDomainOCC, 0 .. N_SF − 1.

    Returns
    -------
    numpy.ndarray of complex128, shape (N_SF,), read-only

    Raises
    ------
    ConfigError
        N_SF outside 1 .. 7 or i not below N_SF.
    """
    n_sf = check_int("n_sf", n_sf, 1, 7, _CLAUSE_F1)
    i = check_int("occ_index", i, 0, None, _CLAUSE_F1)
    if i >= n_sf:
        raise ConfigError("occ_index", i, f"must be < N_SF={n_sf} (Table 6.3.2.4.1-2)", _CLAUSE_F1)
    return _occ1(n_sf, i)


def pucch4_occ(n_sf: int, n: int) -> np.ndarray:
    """Orthogonal sequence w_n(0) .. w_n(11) of PUCCH format 4 (TS 38.211 §6.3.2.6.3,
    Tables 6.3.2.6.3-1/-2).

    Parameters
    ----------
    n_sf : int
        N_SF^PUCCH,4: 2 or 4.
    n : int
        occ-Index, 0 .. N_SF − 1.

    Returns
    -------
    numpy.ndarray of complex128, shape (12,)

    Raises
    ------
    ConfigError
        N_SF not 2 or 4, or n not below N_SF.
    """
    check_choice("spreading_factor", n_sf, (2, 4), _CLAUSE_F4)
    n = check_int("occ_index", n, 0, None, _CLAUSE_F4)
    if n >= n_sf:
        raise ConfigError("occ_index", n, f"must be < N_SF={n_sf} (Tables 6.3.2.6.3-1/-2)",
                          _CLAUSE_F4)
    return np.array((1, 1j, -1, -1j))[np.asarray(PUCCH4_OCC[n_sf][n])]

"""TS 38.214 §5.1.3.2, §6.1.4.2 — transport block size; TS 38.212 §5.4.2.1 — TBS_LBRM.

The transport block size (TBS) of a PDSCH (§5.1.3.2) and of a PUSCH (§6.1.4.2) follows the same
four steps: the number of resource elements N_RE, the intermediate number of information bits
N_info, then either Table 5.1.3.2-1 (N_info <= 3824) or the code-block-aligned formula
(N_info > 3824). TBS_LBRM, the transport block size that sets the limited circular buffer of
LDPC rate matching (TS 38.212 §5.4.2.1), is that same procedure evaluated on a reference
allocation (n_PRB,LBRM from Table 5.4.2.1-1, 156 REs per PRB, R_LBRM = 948/1024).
"""

from __future__ import annotations

import bisect
import math

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError

__all__ = [
    "N_PRB_LBRM_TABLE",
    "R_TBS_LBRM",
    "TBS_TABLE",
    "n_prb_lbrm",
    "tbs_lbrm",
    "transport_block_size",
]

# TS 38.214 Table 5.1.3.2-1: TBS for N_info <= 3824 (index 1..93 -> TBS).
TBS_TABLE: tuple[int, ...] = (
    24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176,
    184, 192, 208, 224, 240, 256, 272, 288, 304, 320, 336, 352, 368, 384, 408, 432, 456, 480,
    504, 528, 552, 576, 608, 640, 672, 704, 736, 768, 808, 848, 888, 928, 984, 1032, 1064,
    1128, 1160, 1192, 1224, 1256, 1288, 1320, 1352, 1416, 1480, 1544, 1608, 1672, 1736, 1800,
    1864, 1928, 2024, 2088, 2152, 2216, 2280, 2408, 2472, 2536, 2600, 2664, 2728, 2792, 2856,
    2976, 3104, 3240, 3368, 3496, 3624, 3752, 3824,
)

# TS 38.212 Table 5.4.2.1-1: n_PRB,LBRM from the maximum number of PRBs across all configured
# BWPs of a carrier. Rows: (largest maximum number of PRBs of the row, n_PRB,LBRM); the last row
# ("larger than 217") has no upper bound.
N_PRB_LBRM_TABLE: tuple[tuple[int | None, int], ...] = (
    (32, 32),      # less than 33
    (66, 66),      # 33 to 66
    (107, 107),    # 67 to 107
    (135, 135),    # 108 to 135
    (162, 162),    # 136 to 162
    (217, 217),    # 163 to 217
    (None, 273),   # larger than 217
)

R_TBS_LBRM = 948 / 1024
"""Code rate assumed for TBS_LBRM (TS 38.212 §5.4.2.1)."""

_CLAUSE_TBS = "TS 38.214 §5.1.3.2, §6.1.4.2"
_CLAUSE_LBRM = "TS 38.212 §5.4.2.1"
_QM = (1, 2, 4, 6, 8, 10)
_SCALING = (1.0, 0.5, 0.25)


def _floor_log2(x: float) -> int:
    """floor(log2(x)) for x > 0, exact for every float (no rounding of log2)."""
    return math.frexp(x)[1] - 1


def _round_half_up(x: float) -> int:
    # The spec's round() on a non-negative argument: halves round up (away from zero).
    return math.floor(x + 0.5)


def _tbs_from_n_info(n_info: float, target_code_rate: float) -> int:
    """Steps 3 and 4 of TS 38.214 §5.1.3.2 given N_info."""
    if n_info <= 3824:
        # Step 3: quantise, then the smallest table entry >= N'_info.
        n = max(3, _floor_log2(n_info) - 6)
        n_info_q = max(24, (2**n) * math.floor(n_info / 2**n))
        return TBS_TABLE[bisect.bisect_left(TBS_TABLE, n_info_q)]
    # Step 4: N'_info, then a TBS that splits into C equal code blocks with byte alignment.
    n = _floor_log2(n_info - 24) - 5
    n_info_q = max(3840, (2**n) * _round_half_up((n_info - 24) / 2**n))
    if target_code_rate <= 0.25:
        c = math.ceil((n_info_q + 24) / 3816)
        return 8 * c * math.ceil((n_info_q + 24) / (8 * c)) - 24
    if n_info_q > 8424:
        c = math.ceil((n_info_q + 24) / 8424)
        return 8 * c * math.ceil((n_info_q + 24) / (8 * c)) - 24
    return 8 * math.ceil((n_info_q + 24) / 8) - 24


def _check_rate(target_code_rate: object) -> float:
    if isinstance(target_code_rate, bool) or not isinstance(target_code_rate, (int, float)):
        try:
            target_code_rate = float(target_code_rate)  # numpy scalars
        except (TypeError, ValueError):
            raise ConfigError("target_code_rate", target_code_rate,
                              "must be a real number in (0, 1)", _CLAUSE_TBS) from None
    r = float(target_code_rate)
    if not (0.0 < r < 1.0):
        raise ConfigError("target_code_rate", target_code_rate, "must be in (0, 1)", _CLAUSE_TBS)
    return r


def transport_block_size(*, n_prb: int, n_symb_sh: int, n_dmrs_prb: int, n_oh_prb: int = 0,
                         target_code_rate: float, qm: int, n_layers: int,
                         scaling: float = 1.0) -> int:
    """Transport block size of a PDSCH or PUSCH.

    TS 38.214 §5.1.3.2 (PDSCH) and §6.1.4.2 (PUSCH, the same procedure with ``scaling = 1``).

    1. ``N'_RE = 12 * N_symb^sh - N_DMRS^PRB - N_oh^PRB`` and
       ``N_RE = min(156, N'_RE) * n_PRB``.
    2. ``N_info = S * N_RE * R * Q_m * v``.
    3. ``N_info <= 3824``: ``n = max(3, floor(log2 N_info) - 6)``,
       ``N'_info = max(24, 2^n floor(N_info / 2^n))``, TBS = the smallest entry of
       Table 5.1.3.2-1 not less than ``N'_info``.
    4. ``N_info > 3824``: ``n = floor(log2(N_info - 24)) - 5``,
       ``N'_info = max(3840, 2^n round((N_info - 24) / 2^n))``; then with
       ``C = ceil((N'_info + 24) / 3816)`` if ``R <= 1/4``, ``C = ceil((N'_info + 24) / 8424)``
       if ``N'_info > 8424``, otherwise ``C = 1``:
       ``TBS = 8 C ceil((N'_info + 24) / (8 C)) - 24``.

    Parameters
    ----------
    n_prb : int
        n_PRB, number of allocated PRBs (>= 1).
    n_symb_sh : int
        N_symb^sh, number of symbols of the PDSCH/PUSCH allocation in the slot (1..14).
    n_dmrs_prb : int
        N_DMRS^PRB, DM-RS resource elements per PRB over the allocation, including the
        overhead of DM-RS CDM groups without data (for example 12 per DM-RS symbol for DM-RS
        type 1 with 2 CDM groups without data, 6 with 1).
    n_oh_prb : int, optional
        N_oh^PRB, the *xOverhead* (0, 6, 12 or 18; other non-negative values accepted).
    target_code_rate : float
        R, in (0, 1) (the MCS table's ``R x 1024`` / 1024).
    qm : int
        Modulation order Q_m: 1, 2, 4, 6, 8 or 10.
    n_layers : int
        v, number of layers of the transport block's codeword, 1..4.
    scaling : float, optional
        S, the TB scaling of §5.1.3.2 (1, 0.5 or 0.25; PDSCH with P-RNTI/RA-RNTI/MsgB-RNTI).

    Returns
    -------
    int
        TBS in bits.

    Raises
    ------
    ConfigError
        A parameter outside its range, or no resource element left for data
        (``N'_RE <= 0``).

    Examples
    --------
    >>> transport_block_size(n_prb=52, n_symb_sh=12, n_dmrs_prb=36, target_code_rate=157/1024,
    ...                      qm=2, n_layers=1)
    1736
    """
    n_prb = check_int("n_prb", n_prb, 1, None, _CLAUSE_TBS)
    n_symb_sh = check_int("n_symb_sh", n_symb_sh, 1, 14, _CLAUSE_TBS)
    n_dmrs_prb = check_int("n_dmrs_prb", n_dmrs_prb, 0, None, _CLAUSE_TBS)
    n_oh_prb = check_int("n_oh_prb", n_oh_prb, 0, None, _CLAUSE_TBS)
    r = _check_rate(target_code_rate)
    qm = check_int("qm", qm, clause=_CLAUSE_TBS)
    check_choice("qm", qm, _QM, _CLAUSE_TBS)
    n_layers = check_int("n_layers", n_layers, 1, 4, _CLAUSE_TBS)
    check_choice("scaling", scaling, _SCALING, _CLAUSE_TBS)
    n_re_prime = 12 * n_symb_sh - n_dmrs_prb - n_oh_prb
    if n_re_prime <= 0:
        raise ConfigError(
            "n_dmrs_prb", n_dmrs_prb,
            f"leaves N'_RE = 12*{n_symb_sh} - {n_dmrs_prb} - {n_oh_prb} = {n_re_prime} "
            "resource elements per PRB: must leave at least one for data", _CLAUSE_TBS)
    n_re = min(156, n_re_prime) * n_prb
    n_info = float(scaling) * n_re * r * qm * n_layers
    if n_info <= 0:  # pragma: no cover - excluded by the checks above
        raise ConfigError("target_code_rate", target_code_rate, "gives N_info <= 0", _CLAUSE_TBS)
    return _tbs_from_n_info(n_info, r)


def n_prb_lbrm(n_prb_bwp_max: int) -> int:
    """n_PRB,LBRM of TS 38.212 Table 5.4.2.1-1.

    Parameters
    ----------
    n_prb_bwp_max : int
        Maximum number of PRBs across all configured BWPs of the carrier (1..275).

    Returns
    -------
    int
        n_PRB,LBRM: 32, 66, 107, 135, 162, 217 or 273.

    Raises
    ------
    ConfigError
        If ``n_prb_bwp_max`` is outside 1..275.
    """
    n = check_int("n_prb_bwp_max", n_prb_bwp_max, 1, 275, _CLAUSE_LBRM)
    for upper, value in N_PRB_LBRM_TABLE:
        if upper is None or n <= upper:
            return value
    raise AssertionError("unreachable: the last row has no upper bound")  # pragma: no cover


def tbs_lbrm(*, n_prb_lbrm: int, max_layers: int, max_qm: int) -> int:
    """TBS_LBRM, the reference transport block size of limited-buffer rate matching.

    TS 38.212 §5.4.2.1: the TBS of TS 38.214 §5.1.3.2 (DL-SCH) or §6.1.4.2 (UL-SCH) computed
    with ``n_PRB = n_PRB,LBRM``, ``N_RE = 156 * n_PRB,LBRM``, ``R = R_LBRM = 948/1024``,
    ``Q_m`` the maximum modulation order configured and ``v = min(max_layers, 4)`` layers
    (the maximum number of layers of one transport block). The circular buffer length is then
    ``N_ref = floor(TBS_LBRM / (C * 2/3))`` (see the rate matching of
    ``opennr.coding.ldpc.ratematch``).

    Parameters
    ----------
    n_prb_lbrm : int
        n_PRB,LBRM, one of 32, 66, 107, 135, 162, 217, 273 (see :func:`n_prb_lbrm`).
    max_layers : int
        Maximum number of MIMO layers configured (*maxMIMO-Layers*, 1..8); at most 4 count.
    max_qm : int
        Maximum modulation order configured (6 for the 64QAM tables, 8 for qam256, 10 for
        qam1024; 2 or 4 are accepted too).

    Returns
    -------
    int
        TBS_LBRM in bits.

    Raises
    ------
    ConfigError
        A parameter outside its range.

    Examples
    --------
    >>> tbs_lbrm(n_prb_lbrm=273, max_layers=4, max_qm=8)
    1277992
    """
    n_prb_lbrm = check_int("n_prb_lbrm", n_prb_lbrm, clause=_CLAUSE_LBRM)
    check_choice("n_prb_lbrm", n_prb_lbrm, [v for _, v in N_PRB_LBRM_TABLE], _CLAUSE_LBRM)
    max_layers = check_int("max_layers", max_layers, 1, 8, _CLAUSE_LBRM)
    max_qm = check_int("max_qm", max_qm, clause=_CLAUSE_LBRM)
    check_choice("max_qm", max_qm, _QM, _CLAUSE_LBRM)
    n_info = 156 * n_prb_lbrm * R_TBS_LBRM * max_qm * min(max_layers, 4)
    return _tbs_from_n_info(n_info, R_TBS_LBRM)

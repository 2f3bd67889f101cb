"""TS 38.213 §10.1 — PDCCH search space sets, monitoring occasions and candidate CCEs.

For search space set s associated with CORESET p, the CCEs of PDCCH candidate
``m = m_{s,n_CI}`` at aggregation level L in slot ``n_s,f^μ`` are

    L {(Y_{p,n} + floor(m N_CCE,p / (L M_{s,max}^(L))) + n_CI) mod floor(N_CCE,p / L)} + i,

``i = 0 .. L − 1``, with ``Y_{p,n} = 0`` for a common search space and, for a UE-specific one,
``Y_{p,n} = (A_p Y_{p,n−1}) mod D``, ``Y_{p,−1} = n_RNTI ≠ 0``, ``A_p`` = 39827, 39829, 39839 for
``p mod 3`` = 0, 1, 2 and ``D = 65537`` (n = n_s,f^μ). A search space is monitored in the
``T_s`` slots starting where ``(n_f N_slot^frame,μ + n_s,f^μ − o_s) mod k_s = 0``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.physical.coreset import CoresetConfig

__all__ = [
    "AGGREGATION_LEVELS",
    "CANDIDATE_COUNTS",
    "HASH_A",
    "HASH_D",
    "SEARCH_SPACE_TYPES",
    "SearchSpaceConfig",
    "candidate_cces",
    "hashing_y",
    "is_monitoring_slot",
    "search_space_candidates",
]

_CLAUSE = "TS 38.213 §10.1"

#: CCE aggregation levels L (TS 38.211 Table 7.3.2.1-1).
AGGREGATION_LEVELS = (1, 2, 4, 8, 16)
#: ``nrofCandidates`` values per aggregation level (TS 38.331 SearchSpace).
CANDIDATE_COUNTS = (0, 1, 2, 3, 4, 5, 6, 8)
#: A_p of the hashing function for p mod 3 = 0, 1, 2, and D (TS 38.213 §10.1).
HASH_A = (39827, 39829, 39839)
HASH_D = 65537
#: ``searchSpaceType`` values.
SEARCH_SPACE_TYPES = ("common", "ue")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchSpaceConfig:
    """A search space set (TS 38.213 §10.1, TS 38.331 ``SearchSpace``).

    Parameters
    ----------
    search_space_id : int
        ``searchSpaceId``, 0 .. 39.
    search_space_type : str
        ``"common"`` (CSS, ``Y_{p,n} = 0``) or ``"ue"`` (USS).
    start_symbol : int
        First OFDM symbol of the monitoring occasion in the slot
        (``monitoringSymbolsWithinSlot``), 0 .. 13.
    slot_period : int
        k_s, monitoring periodicity in slots (1, 2, 4, 5, 8, 10, 16, 20, 40, 80, 160, 320, 640,
        1280, 2560).
    slot_offset : int
        o_s, 0 .. k_s − 1.
    duration : int
        T_s, consecutive monitored slots, 1 .. k_s.
    num_candidates : tuple of int
        M_s^(L) for L = 1, 2, 4, 8, 16, each in {0, 1, 2, 3, 4, 5, 6, 8}.

    Raises
    ------
    ConfigError
        If a field is out of range.
    """

    search_space_id: int = 1
    search_space_type: str = "ue"
    start_symbol: int = 0
    slot_period: int = 1
    slot_offset: int = 0
    duration: int = 1
    num_candidates: tuple[int, ...] = (8, 8, 4, 2, 1)

    def __post_init__(self) -> None:
        check_int("search_space_id", self.search_space_id, 0, 39, "TS 38.331 SearchSpace")
        check_choice("search_space_type", self.search_space_type, SEARCH_SPACE_TYPES, _CLAUSE)
        check_int("start_symbol", self.start_symbol, 0, 13, _CLAUSE)
        check_choice("slot_period", self.slot_period,
                     (1, 2, 4, 5, 8, 10, 16, 20, 40, 80, 160, 320, 640, 1280, 2560),
                     "TS 38.331 SearchSpace")
        check_int("slot_offset", self.slot_offset, 0, self.slot_period - 1, _CLAUSE)
        check_int("duration", self.duration, 1, self.slot_period, _CLAUSE)
        counts = tuple(self.num_candidates)
        if len(counts) != len(AGGREGATION_LEVELS):
            raise ConfigError("num_candidates", self.num_candidates,
                              "must give M^(L) for each of L = 1, 2, 4, 8, 16", _CLAUSE)
        for level, m in zip(AGGREGATION_LEVELS, counts, strict=True):
            check_choice(f"num_candidates[L={level}]", m, CANDIDATE_COUNTS, "TS 38.331 SearchSpace")
        object.__setattr__(self, "num_candidates", tuple(int(m) for m in counts))

    def candidates_at(self, aggregation_level: int) -> int:
        """M_s^(L), the number of candidates at aggregation level L."""
        check_choice("aggregation_level", aggregation_level, AGGREGATION_LEVELS,
                     "TS 38.211 Table 7.3.2.1-1")
        return self.num_candidates[AGGREGATION_LEVELS.index(aggregation_level)]


def hashing_y(coreset_id: int, rnti: int, n_slot: int, search_space_type: str = "ue") -> int:
    """Y_{p,n} of the hashing function (TS 38.213 §10.1).

    Parameters
    ----------
    coreset_id : int
        p, 0 .. 15.
    rnti : int
        n_RNTI (C-RNTI) = Y_{p,−1}, 1 .. 65535 (unused for a common search space).
    n_slot : int
        n = n_s,f^μ, the slot number within the frame (≥ 0).
    search_space_type : str
        ``"common"`` gives 0.

    Returns
    -------
    int
    """
    check_int("coreset_id", coreset_id, 0, 15, _CLAUSE)
    check_choice("search_space_type", search_space_type, SEARCH_SPACE_TYPES, _CLAUSE)
    n_slot = check_int("n_slot", n_slot, 0, 639, _CLAUSE)
    if search_space_type == "common":
        return 0
    rnti = check_int("rnti", rnti, 1, 65535, f"{_CLAUSE} (Y_p,-1 = n_RNTI != 0)")
    return _y(HASH_A[coreset_id % 3], rnti, n_slot)


@functools.lru_cache(maxsize=4096)
def _y(a: int, rnti: int, n_slot: int) -> int:
    y = rnti
    for _ in range(n_slot + 1):
        y = (a * y) % HASH_D
    return y


def _check_level(coreset: CoresetConfig, search_space: SearchSpaceConfig, level: int) -> int:
    m_s = search_space.candidates_at(level)
    if m_s and level > coreset.n_cce:
        raise ConfigError(f"num_candidates[L={level}]", m_s,
                          f"must be 0: the CORESET has only N_CCE = {coreset.n_cce} CCEs",
                          _CLAUSE)
    if m_s * level > coreset.n_cce:
        raise ConfigError(f"num_candidates[L={level}]", m_s,
                          f"must be <= floor(N_CCE / L) = {coreset.n_cce // level} so that the "
                          f"candidates do not overlap", _CLAUSE)
    return m_s


def candidate_cces(coreset: CoresetConfig, search_space: SearchSpaceConfig, aggregation_level: int,
                   candidate: int, n_slot: int, rnti: int = 1, *, n_ci: int = 0,
                   m_max: int | None = None) -> np.ndarray:
    """CCE indices of one PDCCH candidate (TS 38.213 §10.1).

    Parameters
    ----------
    coreset : CoresetConfig
        CORESET p of the search space.
    search_space : SearchSpaceConfig
    aggregation_level : int
        L in {1, 2, 4, 8, 16}.
    candidate : int
        m_{s,n_CI}, 0 .. M_s^(L) − 1 (0-based).
    n_slot : int
        n_s,f^μ, slot number within the frame.
    rnti : int
        C-RNTI (Y_{p,−1}) for a UE-specific search space.
    n_ci : int
        Carrier indicator field value n_CI (0 for a common search space).
    m_max : int, optional
        M_{s,max}^(L); defaults to M_s^(L).

    Returns
    -------
    numpy.ndarray of int64, shape (L,)

    Raises
    ------
    ConfigError
        If the aggregation level, candidate index or candidate count does not fit the CORESET.
    """
    level = int(check_choice("aggregation_level", aggregation_level, AGGREGATION_LEVELS,
                             "TS 38.211 Table 7.3.2.1-1"))
    m_s = _check_level(coreset, search_space, level)
    if m_s == 0:
        raise ConfigError("aggregation_level", level,
                          "the search space has no candidate at this aggregation level", _CLAUSE)
    candidate = check_int("candidate", candidate, 0, m_s - 1, _CLAUSE)
    m_max = m_s if m_max is None else check_int("m_max", m_max, m_s, 8, _CLAUSE)
    n_ci = check_int("n_ci", n_ci, 0, 7, _CLAUSE)
    y = hashing_y(coreset.coreset_id, rnti, n_slot, search_space.search_space_type)
    n_cce = coreset.n_cce
    first = (y + (candidate * n_cce) // (level * m_max) + n_ci) % (n_cce // level)
    return level * first + np.arange(level, dtype=np.int64)


def search_space_candidates(coreset: CoresetConfig, search_space: SearchSpaceConfig, n_slot: int,
                            rnti: int = 1, *, n_ci: int = 0) -> list[tuple[int, int, np.ndarray]]:
    """Every PDCCH candidate of a search space set in a slot (TS 38.213 §10.1).

    Returns
    -------
    list of (aggregation_level, candidate, cces)
        In increasing aggregation level then candidate index; ``cces`` as
        :func:`candidate_cces`.

    Raises
    ------
    ConfigError
        If a candidate count does not fit the CORESET.
    """
    out = []
    for level in AGGREGATION_LEVELS:
        m_s = _check_level(coreset, search_space, level)
        for m in range(m_s):
            out.append((level, m, candidate_cces(coreset, search_space, level, m, n_slot, rnti,
                                                 n_ci=n_ci)))
    return out


def is_monitoring_slot(search_space: SearchSpaceConfig, n_frame: int, n_slot: int,
                       slots_per_frame: int) -> bool:
    """Whether slot n_s,f^μ of frame n_f holds a monitoring occasion (TS 38.213 §10.1).

    True when ``(n_f N_slot^frame,μ + n_s,f^μ − o_s) mod k_s < T_s``.
    """
    n_frame = check_int("n_frame", n_frame, 0, 1023, _CLAUSE)
    slots_per_frame = check_int("slots_per_frame", slots_per_frame, 1, 640, _CLAUSE)
    n_slot = check_int("n_slot", n_slot, 0, slots_per_frame - 1, _CLAUSE)
    k = (n_frame * slots_per_frame + n_slot - search_space.slot_offset) % search_space.slot_period
    return k < search_space.duration

"""TS 38.211 §6.4.1.2 — phase-tracking reference signals of the PUSCH.

* Transform precoding disabled (§6.4.1.2.1.1, §6.4.1.2.2.1): the construction of the PDSCH
  PT-RS, from :mod:`opennr.physical.ptrs` (sequence of the associated DM-RS port, time positions
  restarted at each DM-RS symbol, every K_PT-RS-th scheduled resource block at k_ref^RE of
  Table 6.4.1.2.2.1-1), on the layer of the associated DM-RS port and precoded with it.
* Transform precoding enabled (§6.4.1.2.1.2, §6.4.1.2.2.2): N_group^PT-RS groups of
  N_samp^group samples inserted among the data before transform precoding, at the indices m of
  Table 6.4.1.2.2.2-1 inside each DFT block of M_sc samples, in the OFDM symbols of the l_ref
  procedure of §6.4.1.2.2.1 (L_PT-RS 1 or 2). The sample m' = N_samp^group s' + k' of group s'
  is

      r(m') = β' w(k') e^{jπ(m mod 2)/2} [(1 − 2c(m')) + j(1 − 2c(m'))] / √2,

  with the orthogonal cover w of Table 6.4.1.2.1.2-1 (n_RNTI mod N_samp^group), the Gold
  sequence c initialised with c_init = (2^17 (N_symb^slot n_s + l + 1)(2 N_ID + 1) + 2 N_ID)
  mod 2^31 at the first PT-RS symbol l, and β' the ratio of the outermost constellation point of
  the data modulation to that of pi/2-BPSK (TS 38.214 §6.2.3.2). The group pattern follows the
  scheduled bandwidth (TS 38.214 Table 6.2.3.2-1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.physical.ptrs import PtrsConfig
from opennr.sequences.gold import gold_sequence

__all__ = [
    "PTRS_TP_BETA",
    "PTRS_TP_GROUP_PATTERNS",
    "PTRS_TP_ORTHOGONAL_COVER",
    "PTRS_TP_SAMPLE_POSITIONS",
    "PtrsConfig",
    "TpPtrsConfig",
    "ptrs_tp_group_pattern",
    "ptrs_tp_positions",
    "ptrs_tp_values",
]

_CLAUSE = "TS 38.211 §6.4.1.2.2.2"
_CLAUSE_SEQ = "TS 38.211 §6.4.1.2.1.2"
_CLAUSE_PATTERN = "TS 38.214 Table 6.2.3.2-1"

# TS 38.214 Table 6.2.3.2-1: (N_group^PT-RS, N_samp^group) for N_RB0 <= N_RB < N_RB1, ...,
# N_RB4 <= N_RB (the thresholds are sampleDensity of PTRS-UplinkConfig).
PTRS_TP_GROUP_PATTERNS: tuple[tuple[int, int], ...] = ((2, 2), (2, 4), (4, 2), (4, 4), (8, 4))

# TS 38.211 Table 6.4.1.2.2.2-1: the index m of sample k of group s in the DFT block of
# M = M_sc^PUSCH samples. Key (N_group, N_samp); one entry per group s: (a, b, c, d) for
# m = ⌊a M / b⌋ + (⌊M / c⌋ if c else 0) + k + d.
PTRS_TP_SAMPLE_POSITIONS: dict[tuple[int, int], tuple[tuple[int, int, int, int], ...]] = {
    (2, 2): ((1, 4, 0, -1), (3, 4, 0, -1)),                        # s⌊M/4⌋ + k − 1, s = 1, 3
    (2, 4): ((0, 1, 0, 0), (1, 1, 0, -4)),                         # k; M − 4 + k
    (4, 2): ((1, 8, 0, -1), (3, 8, 0, -1), (5, 8, 0, -1), (7, 8, 0, -1)),  # ⌊sM/8⌋ + k − 1
    (4, 4): ((0, 1, 0, 0), (1, 4, 8, -2), (2, 4, 8, -2), (1, 1, 0, -4)),   # sM/4 + ⌊M/8⌋ + k − 2
    (8, 4): ((0, 1, 0, 0), (1, 8, 16, -2), (2, 8, 16, -2), (3, 8, 16, -2), (4, 8, 16, -2),
             (5, 8, 16, -2), (6, 8, 16, -2), (1, 1, 0, -4)),      # ⌊sM/8⌋ + ⌊M/16⌋ + k − 2
}

# TS 38.211 Table 6.4.1.2.1.2-1: orthogonal sequence w(k'), row n_RNTI mod N_samp^group.
PTRS_TP_ORTHOGONAL_COVER: dict[int, tuple[tuple[int, ...], ...]] = {
    2: ((1, 1), (1, -1)),
    4: ((1, 1, 1, 1), (1, -1, 1, -1), (1, 1, -1, -1), (1, -1, -1, 1)),
}

# TS 38.214 §6.2.3.2: β', the outermost constellation amplitude of the data modulation relative
# to that of pi/2-BPSK.
PTRS_TP_BETA: dict[str, float] = {
    "pi/2-BPSK": 1.0, "QPSK": 1.0, "16QAM": 3.0 / math.sqrt(5.0), "64QAM": 7.0 / math.sqrt(21.0),
    "256QAM": 15.0 / math.sqrt(85.0),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TpPtrsConfig:
    """PT-RS of a PUSCH with transform precoding (TS 38.211 §6.4.1.2.1.2, §6.4.1.2.2.2;
    PTRS-UplinkConfig transformPrecoderEnabled).

    Parameters
    ----------
    time_density : int
        L_PT-RS: 1, or 2 (timeDensityTransformPrecoding d2).
    n_groups, n_samples : int
        N_group^PT-RS (2, 4, 8) and N_samp^group (2, 4), one of the pairs of TS 38.214 Table
        6.2.3.2-1 (:func:`ptrs_tp_group_pattern` derives them from the scheduled bandwidth).
    n_id : int or None
        N_ID of the PT-RS sequence (nPUSCH-Identity, 0..1007); ``None`` uses the n_ID^RS of the
        PUSCH DM-RS (``PuschConfig.n_id_rs``), N_ID^cell when that is None too.

    Raises
    ------
    ConfigError
        A field outside its range or a (groups, samples) pair not in the table.
    """

    time_density: int = 1
    n_groups: int = 2
    n_samples: int = 2
    n_id: int | None = None

    def __post_init__(self) -> None:
        check_choice("time_density", self.time_density, (1, 2), _CLAUSE)
        check_choice("n_groups", self.n_groups, (2, 4, 8), _CLAUSE_PATTERN)
        check_choice("n_samples", self.n_samples, (2, 4), _CLAUSE_PATTERN)
        if (self.n_groups, self.n_samples) not in PTRS_TP_GROUP_PATTERNS:
            raise ConfigError("n_samples", (self.n_groups, self.n_samples),
                              f"(n_groups, n_samples) must be one of {PTRS_TP_GROUP_PATTERNS}",
                              _CLAUSE_PATTERN)
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 1007, _CLAUSE_SEQ)

    @property
    def n_ptrs(self) -> int:
        """PT-RS samples per DFT block, N_group^PT-RS N_samp^group."""
        return self.n_groups * self.n_samples


def ptrs_tp_group_pattern(n_rb: int, n_rb_thresholds: Sequence[int]) -> tuple[int, int] | None:
    """(N_group^PT-RS, N_samp^group) from the scheduled bandwidth (TS 38.214 Table 6.2.3.2-1).

    Parameters
    ----------
    n_rb : int
        Scheduled resource blocks N_RB.
    n_rb_thresholds : sequence of 5 int
        N_RB0 .. N_RB4 (sampleDensity), non-decreasing, 1..276.

    Returns
    -------
    (n_groups, n_samples) or None
        ``None`` below N_RB0 (no row of the table).

    Raises
    ------
    ConfigError
        Five thresholds not given, out of range or decreasing.
    """
    t = tuple(n_rb_thresholds)
    if len(t) != 5:
        raise ConfigError("n_rb_thresholds", n_rb_thresholds, "must give N_RB0 .. N_RB4",
                          _CLAUSE_PATTERN)
    t = tuple(check_int(f"n_rb_thresholds[{i}]", x, 1, 276, _CLAUSE_PATTERN)
              for i, x in enumerate(t))
    if list(t) != sorted(t):
        raise ConfigError("n_rb_thresholds", t, "must be non-decreasing", _CLAUSE_PATTERN)
    n_rb = check_int("n_rb", n_rb, 1, 275, _CLAUSE_PATTERN)
    row = sum(n_rb >= x for x in t) - 1
    return None if row < 0 else PTRS_TP_GROUP_PATTERNS[row]


def ptrs_tp_positions(n_groups: int, n_samples: int, m_sc: int) -> np.ndarray:
    """Indices m of the PT-RS samples in a DFT block of M_sc^PUSCH samples, group by group
    (TS 38.211 Table 6.4.1.2.2.2-1).

    Returns
    -------
    numpy.ndarray of int64, shape (N_group N_samp,)
        m of sample k' of group s' at position N_samp s' + k', increasing.

    Raises
    ------
    ConfigError
        A (groups, samples) pair not in the table, or M_sc too small for the pattern.
    """
    key = (int(n_groups), int(n_samples))
    if key not in PTRS_TP_SAMPLE_POSITIONS:
        raise ConfigError("n_samples", key, f"must be one of {PTRS_TP_GROUP_PATTERNS}",
                          _CLAUSE_PATTERN)
    m_sc = check_int("m_sc", m_sc, 12, None, _CLAUSE)
    k = np.arange(key[1], dtype=np.int64)
    starts = [a * m_sc // b + (m_sc // c if c else 0) + d
              for a, b, c, d in PTRS_TP_SAMPLE_POSITIONS[key]]
    m = (np.array(starts, dtype=np.int64)[:, None] + k[None, :]).reshape(-1)
    if m[0] < 0 or m[-1] >= m_sc or np.any(np.diff(m) <= 0):
        raise ConfigError("m_sc", m_sc, f"too small for {key[0]} PT-RS groups of {key[1]} "
                          "samples", _CLAUSE)
    return m


def ptrs_tp_values(ptrs: TpPtrsConfig, *, m_sc: int, modulation: str, n_rnti: int, n_id: int,
                   n_symb_slot: int, n_s: int, l: int) -> np.ndarray:
    """PT-RS samples of one DFT block (TS 38.211 §6.4.1.2.1.2, scaled by β' of TS 38.214
    §6.2.3.2); the same in every PT-RS symbol of the slot.

    Parameters
    ----------
    ptrs : TpPtrsConfig
    m_sc : int
        M_sc^PUSCH.
    modulation : str
        Data modulation (for β').
    n_rnti : int
        n_RNTI (row of the orthogonal cover).
    n_id : int
        N_ID of the sequence, 0..1007.
    n_symb_slot, n_s : int
        N_symb^slot and the slot number.
    l : int
        First OFDM symbol of the slot with PT-RS.

    Returns
    -------
    numpy.ndarray of complex64, shape (N_group N_samp,)
        Values at the positions of :func:`ptrs_tp_positions`.
    """
    if not isinstance(ptrs, TpPtrsConfig):
        raise ConfigError("ptrs", type(ptrs).__name__, "must be a TpPtrsConfig", _CLAUSE_SEQ)
    n_rnti = check_int("n_rnti", n_rnti, 0, 65535, _CLAUSE_SEQ)
    n_id = check_int("n_id", n_id, 0, 1007, _CLAUSE_SEQ)
    l = check_int("l", l, 0, 13, _CLAUSE_SEQ)
    beta = PTRS_TP_BETA[check_choice("modulation", modulation, tuple(PTRS_TP_BETA), _CLAUSE_SEQ)]
    m = ptrs_tp_positions(ptrs.n_groups, ptrs.n_samples, m_sc)
    w = np.tile(np.array(PTRS_TP_ORTHOGONAL_COVER[ptrs.n_samples][n_rnti % ptrs.n_samples],
                         dtype=np.float64), ptrs.n_groups)
    c_init = ((1 << 17) * (n_symb_slot * n_s + l + 1) * (2 * n_id + 1) + 2 * n_id) % (1 << 31)
    c = gold_sequence(c_init, m.size).astype(np.float64)
    r = beta * w * np.exp(0.5j * np.pi * (m % 2)) * (1.0 - 2.0 * c) * (1.0 + 1.0j) / math.sqrt(2.0)
    return r.astype(np.complex64)

"""TS 38.212 §5.3.1 and §5.3.1.2 — polar code construction.

The mother code length ``N = 2^n`` follows from ``K``, ``E`` and ``n_max`` (§5.3.1). The bit
indices ``0 .. N-1`` are ordered by the polar sequence ``Q_0^{Nmax-1}`` of Table 5.3.1.2-1
(stored once in ``data/reliability_sequence.csv``). Positions that rate matching punctures or
shortens (§5.4.1.1 sub-block interleaver) are frozen first; the ``K + n_PC`` most reliable of
the remaining positions form the information set ``Q_I^N``, in which ``n_PC`` parity-check bits
are placed (``n_PC^wm`` of them at a minimum row weight position).

Everything is built once into a cached, immutable :class:`PolarCode`.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.coding.polar.interleaver import K_IL_MAX, polar_interleaver_pattern
from opennr.coding.polar.ratematch import polar_subblock_pattern
from opennr.errors import ConfigError

__all__ = [
    "BIT_DATA",
    "BIT_FROZEN",
    "BIT_PC",
    "E_MAX",
    "N_MIN",
    "PolarCode",
    "polar_code",
    "polar_mother_length",
    "reliability_sequence",
    "uci_parity_check_bits",
]

_CLAUSE = "TS 38.212 §5.3.1.2"

#: Bit types of :attr:`PolarCode.bit_type`: frozen, information (data) and parity-check bits.
BIT_FROZEN, BIT_DATA, BIT_PC = 0, 1, 2

#: ``n_min`` of §5.3.1.
N_MIN = 5

#: Largest rate-matching output length ``E`` accepted (TS 38.212 §5.4.1: E <= 8192).
E_MAX = 8192


@functools.cache
def reliability_sequence() -> np.ndarray:
    """Polar sequence ``Q_0^{Nmax-1}`` of TS 38.212 Table 5.3.1.2-1 (``N_max = 1024``).

    Returns
    -------
    numpy.ndarray of int16, shape (1024,)
        Read-only bit indices in ascending order of reliability.
    """
    with resources.files("opennr.coding.polar").joinpath("data/reliability_sequence.csv").open() as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    q = np.array([int(r["q"]) for r in rows], dtype=np.int16)
    if [int(r["i"]) for r in rows] != list(range(1024)) or sorted(q.tolist()) != list(range(1024)):
        raise RuntimeError("data/reliability_sequence.csv is not a permutation of 0..1023")
    q.setflags(write=False)
    return q


def polar_mother_length(k: int, e: int, n_max: int) -> int:
    """Mother code length ``N = 2^n`` of TS 38.212 §5.3.1.

    ``n1 = ceil(log2 E) - 1`` when ``E <= (9/8) 2^(ceil(log2 E) - 1)`` and ``K/E < 9/16``, else
    ``ceil(log2 E)``; ``n2 = ceil(log2(K / R_min))`` with ``R_min = 1/8``;
    ``n = max(min(n1, n2, n_max), n_min)`` with ``n_min = 5``.

    Parameters
    ----------
    k : int
        Input length ``K`` (payload and CRC), >= 1.
    e : int
        Rate-matching output length ``E``, >= 1.
    n_max : int
        9 (downlink) or 10 (uplink).

    Returns
    -------
    int
        ``N``.

    Raises
    ------
    ConfigError
        If an argument is out of range.
    """
    k = check_int("k", k, lo=1, clause="TS 38.212 §5.3.1")
    e = check_int("e", e, lo=1, hi=E_MAX, clause="TS 38.212 §5.3.1")
    check_choice("n_max", n_max, (9, 10), "TS 38.212 §5.3.1")
    ceil_log2_e = (e - 1).bit_length()
    if ceil_log2_e >= 1 and 8 * e <= 9 * (1 << (ceil_log2_e - 1)) and 16 * k < 9 * e:
        n1 = ceil_log2_e - 1
    else:
        n1 = ceil_log2_e
    n2 = (8 * k - 1).bit_length()
    return 1 << max(min(n1, n2, n_max), N_MIN)


def uci_parity_check_bits(k: int, e: int) -> tuple[int, int]:
    """``(n_PC, n_PC^wm)`` of uplink control information (TS 38.212 §6.3.1.3.1, §6.3.2.3.1).

    ``n_PC = 3`` for a polar input of ``18 <= K <= 25`` bits (payload ``12 <= A <= 19`` with
    CRC6), with ``n_PC^wm = 1`` when ``E - K + 3 > 192``; otherwise no parity-check bits.

    Parameters
    ----------
    k : int
        Polar input length ``K`` (payload and CRC).
    e : int
        Rate-matching output length ``E``.

    Returns
    -------
    tuple of int
        ``(n_pc, n_pc_wm)``.
    """
    k = check_int("k", k, lo=1, clause="TS 38.212 §6.3.1.3.1")
    e = check_int("e", e, lo=1, clause="TS 38.212 §6.3.1.3.1")
    if 18 <= k <= 25:
        return 3, int(e - k + 3 > 192)
    return 0, 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PolarCode:
    """A polar code of TS 38.212 §5.3.1 with its rate-matching-aware frozen set.

    Build it with :func:`polar_code` (cached); the fields are the configuration and the
    attributes below are derived from it.

    Attributes
    ----------
    n : int
        Mother code length ``N``.
    n_log : int
        ``n = log2 N``.
    bit_type : numpy.ndarray
        ``int8`` array of length ``N``: :data:`BIT_FROZEN`, :data:`BIT_DATA` or :data:`BIT_PC`
        for each bit index of ``u``.
    info_positions : numpy.ndarray
        ``int16`` array: ``Q_I^N`` (``K + n_PC`` indices), ascending.
    data_positions : numpy.ndarray
        ``int16`` array: the ``K`` indices carrying ``c'_0 .. c'_{K-1}``, ascending.
    pc_positions : numpy.ndarray
        ``int16`` array: the ``n_PC`` parity-check indices ``Q_PC^N``, ascending.
    interleaver : numpy.ndarray
        ``int32`` array ``Π`` of length ``K`` (§5.3.1.1; identity when ``i_il`` is False).
    """

    k: int
    e: int
    n_max: int
    i_il: bool
    n_pc: int = 0
    n_pc_wm: int = 0
    n: int = field(init=False)
    n_log: int = field(init=False)
    bit_type: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    info_positions: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    data_positions: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    pc_positions: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    interleaver: np.ndarray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        k, e, n_max, i_il, n_pc, n_pc_wm = _validate(self.k, self.e, self.n_max, self.i_il,
                                                     self.n_pc, self.n_pc_wm)
        n = polar_mother_length(k, e, n_max)
        q = reliability_sequence()
        q_n = q[q < n].astype(np.int64)  # Q_0^{N-1}, ascending reliability

        # §5.3.1.2: positions frozen by rate matching (§5.4.1.1 J(n) and §5.4.1.2 selection).
        prefrozen = np.zeros(n, dtype=bool)
        if e < n:
            j = polar_subblock_pattern(n)
            if 16 * k <= 7 * e:  # puncturing
                prefrozen[j[: n - e]] = True
                if 4 * e >= 3 * n:
                    stop = -(-(3 * n - 2 * e) // 4)  # ceil(3N/4 - E/2)
                else:
                    stop = -(-(9 * n - 4 * e) // 16)  # ceil(9N/16 - E/4)
                prefrozen[:stop] = True
            else:  # shortening
                prefrozen[j[e:]] = True
        candidates = q_n[~prefrozen[q_n]]
        n_info = k + n_pc
        if candidates.size < n_info:
            raise ConfigError("k", k, f"K + n_PC = {n_info} exceeds the {candidates.size} bit "
                              f"positions left after rate matching (N={n}, E={e})", _CLAUSE)
        q_i = candidates[candidates.size - n_info:]  # ascending reliability
        pc = list(q_i[: n_pc - n_pc_wm])
        if n_pc_wm:
            q_tilde = q_i[n_pc:]
            weight = np.array([bin(int(x)).count("1") for x in q_tilde])
            at_min = np.flatnonzero(weight == weight.min())
            pc.extend(int(x) for x in q_tilde[at_min[::-1][:n_pc_wm]])
        bit_type = np.full(n, BIT_FROZEN, dtype=np.int8)
        bit_type[q_i] = BIT_DATA
        bit_type[np.asarray(pc, dtype=np.int64)] = BIT_PC
        arrays = {
            "bit_type": bit_type,
            "info_positions": np.sort(q_i).astype(np.int16),
            "data_positions": np.flatnonzero(bit_type == BIT_DATA).astype(np.int16),
            "pc_positions": np.flatnonzero(bit_type == BIT_PC).astype(np.int16),
        }
        for name, value in arrays.items():
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "interleaver", polar_interleaver_pattern(k, i_il))
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "n_log", n.bit_length() - 1)
        object.__setattr__(self, "i_il", i_il)

    @property
    def frozen(self) -> np.ndarray:
        """Boolean mask of length ``N``: True at the frozen bit indices ``Q_F^N``."""
        return self.bit_type == BIT_FROZEN


def _validate(k, e, n_max, i_il, n_pc, n_pc_wm):
    check_choice("n_max", n_max, (9, 10), "TS 38.212 §5.3.1")
    if not isinstance(i_il, (bool, np.bool_)) and i_il not in (0, 1):
        raise ConfigError("i_il", i_il, "must be a boolean (or 0/1)", "TS 38.212 §5.3.1.1")
    i_il = bool(i_il)
    k = check_int("k", k, lo=1, hi=K_IL_MAX if i_il else None,
                  clause="TS 38.212 §5.3.1.1" if i_il else "TS 38.212 §5.3.1")
    e = check_int("e", e, lo=1, hi=E_MAX, clause="TS 38.212 §5.4.1")
    check_choice("n_pc", n_pc, (0, 3), _CLAUSE)
    check_int("n_pc_wm", n_pc_wm, lo=0, hi=min(int(n_pc), 1), clause=_CLAUSE)
    n_pc, n_pc_wm = int(n_pc), int(n_pc_wm)
    if k + n_pc > e:
        raise ConfigError("e", e, f"must be >= K + n_PC = {k + n_pc}", "TS 38.212 §5.4.1")
    return k, e, int(n_max), i_il, n_pc, n_pc_wm


@functools.lru_cache(maxsize=512)
def polar_code(k: int, e: int, n_max: int, i_il: bool, n_pc: int = 0, n_pc_wm: int = 0) -> PolarCode:
    """Return the polar code of TS 38.212 §5.3.1 for ``K`` input bits rate-matched to ``E``.

    Parameters
    ----------
    k : int
        Input length ``K`` (payload and CRC); ``K <= 164`` when ``i_il``.
    e : int
        Rate-matching output length ``E``, ``K + n_PC <= E <= 8192``.
    n_max : int
        9 (downlink: BCH, DCI) or 10 (uplink: UCI).
    i_il : bool
        Input bit interleaving ``I_IL`` (True for BCH and DCI).
    n_pc : int
        Parity-check bits ``n_PC``, 0 or 3.
    n_pc_wm : int
        Parity-check bits ``n_PC^wm`` placed at a minimum row weight position, 0 or 1
        (at most ``n_pc``).

    Returns
    -------
    PolarCode

    Raises
    ------
    ConfigError
        If an argument is out of range, or ``K + n_PC`` does not fit.
    """
    return PolarCode(k=k, e=e, n_max=n_max, i_il=i_il, n_pc=n_pc, n_pc_wm=n_pc_wm)

"""TS 38.211 §5.2.2 — low-PAPR sequence generation type 1.

r_{u,v}^{(α,δ)}(n) = e^{jαn} · r̄_{u,v}(n), 0 ≤ n < M_ZC, with M_ZC = m · N_sc^RB / 2^δ.
The base sequences r̄_{u,v} of group u ∈ {0 .. 29} and number v are Zadoff-Chu based for
M_ZC ≥ 36 (§5.2.2.1), given by a closed formula for M_ZC = 30, and by Tables 5.2.2.2-1 to
5.2.2.2-4 for M_ZC ∈ {6, 12, 18, 24} (§5.2.2.2). The tables are read from
``data/lowpapr_phi.csv``.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError

__all__ = ["low_papr_base_sequence", "low_papr_sequence", "zadoff_chu_parameters"]

_CLAUSE = "TS 38.211 §5.2.2"
_TABLE_LENGTHS = (6, 12, 18, 24)


@functools.cache
def _phi_tables() -> dict[int, np.ndarray]:
    """φ(n) of Tables 5.2.2.2-1 .. 5.2.2.2-4: {M_ZC: int8 array (30, M_ZC)}."""
    text = resources.files("opennr.sequences").joinpath("data/lowpapr_phi.csv").read_text()
    rows: dict[int, dict[int, list[int]]] = {m: {} for m in _TABLE_LENGTHS}
    for line in text.splitlines():
        if not line or line.startswith(("#", "table,")):
            continue
        _table, m, u, phi = line.split(",")
        rows[int(m)][int(u)] = [int(x) for x in phi.split()]
    tables = {}
    for m, by_u in rows.items():
        arr = np.array([by_u[u] for u in range(30)], dtype=np.int8)
        if arr.shape != (30, m) or not np.isin(arr, (-3, -1, 1, 3)).all():
            raise RuntimeError(f"corrupt low-PAPR table for M_ZC={m}")
        arr.setflags(write=False)
        tables[m] = arr
    return tables


def _largest_prime_below(m: int) -> int:
    for cand in range(m - 1, 1, -1):
        if all(cand % d for d in range(2, int(cand**0.5) + 1)):
            return cand
    raise ValueError(f"no prime below {m}")


def zadoff_chu_parameters(u: int, v: int, m_zc: int) -> tuple[int, int]:
    """N_ZC and q of the base sequence r̄_{u,v} for M_ZC ≥ 36 (TS 38.211 §5.2.2.1).

    N_ZC is the largest prime below M_ZC, q̄ = N_ZC (u + 1) / 31 and
    q = ⌊q̄ + 1/2⌋ + v · (−1)^⌊2q̄⌋, evaluated in exact integer arithmetic.

    Returns
    -------
    (n_zc, q) : tuple of int
    """
    n_zc = _largest_prime_below(m_zc)
    num = n_zc * (u + 1)  # q̄ = num / 31
    q = (2 * num + 31) // 62 + v * (-1) ** ((2 * num) // 31)
    return n_zc, q


def _check(u: object, v: object, m_zc: object, delta: object) -> tuple[int, int, int]:
    u = check_int("u", u, 0, 29, _CLAUSE)
    v = check_int("v", v, 0, 1, _CLAUSE)
    m_zc = check_int("m_zc", m_zc, 1, clause=_CLAUSE)
    if not (m_zc in (*_TABLE_LENGTHS, 30) or (m_zc >= 36 and m_zc % 6 == 0)):
        raise ConfigError("m_zc", m_zc,
                          "must be 6, 12, 18, 24, 30 or a multiple of 6 that is >= 36",
                          _CLAUSE)
    if delta is not None:
        delta = check_int("delta", delta, 0, 3, _CLAUSE)
        if (m_zc << delta) % 12:
            raise ConfigError("m_zc", m_zc,
                              f"must be m * 12 / 2^delta for an integer m (delta={delta})",
                              _CLAUSE)
    if v == 1 and m_zc < 72:
        raise ConfigError("v", v, f"v=1 exists only for m_zc >= 72 (m_zc={m_zc})",
                          "TS 38.211 §5.2.2.1")
    return u, v, m_zc


@functools.lru_cache(maxsize=1024)
def _base(u: int, v: int, m_zc: int) -> np.ndarray:
    n = np.arange(m_zc, dtype=np.int64)
    if m_zc >= 36:
        n_zc, q = zadoff_chu_parameters(u, v, m_zc)
        m = n % n_zc
        # x_q(m) = exp(−jπ q m (m+1) / N_ZC); reduce the exponent mod 2 N_ZC exactly.
        half_turns = (q * m * (m + 1)) % (2 * n_zc)
        out = np.exp(-1j * np.pi * half_turns / n_zc)
    elif m_zc == 30:
        # r̄_{u,v}(n) = exp(−jπ (u+1)(n+1)(n+2) / 31)   (§5.2.2.2)
        half_turns = ((u + 1) * (n + 1) * (n + 2)) % 62
        out = np.exp(-1j * np.pi * half_turns / 31)
    else:
        # r̄_{u,v}(n) = exp(jφ(n)π/4)   (Tables 5.2.2.2-1 .. 5.2.2.2-4)
        out = np.exp(1j * np.pi / 4 * _phi_tables()[m_zc][u].astype(np.float64))
    out.setflags(write=False)
    return out


def low_papr_base_sequence(u: int, v: int, m_zc: int) -> np.ndarray:
    """Base sequence r̄_{u,v}(n), 0 ≤ n < M_ZC (TS 38.211 §5.2.2.1, §5.2.2.2).

    Parameters
    ----------
    u : int
        Sequence group, 0 .. 29.
    v : int
        Base sequence number within the group, 0 or 1 (1 only for M_ZC ≥ 72).
    m_zc : int
        Length M_ZC: 6, 12, 18, 24, 30, or a multiple of 6 that is at least 36.

    Returns
    -------
    numpy.ndarray
        ``np.complex128`` (m_zc,), read-only (cached).

    Raises
    ------
    ConfigError
        If u, v or m_zc is invalid.
    """
    u, v, m_zc = _check(u, v, m_zc, None)
    return _base(u, v, m_zc)


def low_papr_sequence(u: int, v: int, alpha: float | np.ndarray, m_zc: int,
                      delta: int | None = None) -> np.ndarray:
    """Low-PAPR sequence r_{u,v}^{(α,δ)}(n) = e^{jαn} r̄_{u,v}(n) (TS 38.211 §5.2.2).

    Parameters
    ----------
    u : int
        Sequence group, 0 .. 29.
    v : int
        Base sequence number, 0 or 1 (1 only for M_ZC ≥ 72).
    alpha : float or array_like of float
        Cyclic shift α in radians; an array gives one sequence per value.
    m_zc : int
        Length M_ZC: 6, 12, 18, 24, 30, or a multiple of 6 that is at least 36.
    delta : int, optional
        δ ∈ {0 .. 3}; when given, M_ZC must be m · 12 / 2^δ for an integer m.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` of shape ``np.shape(alpha) + (m_zc,)``.

    Raises
    ------
    ConfigError
        If u, v, m_zc or delta is invalid.
    ValueError
        If alpha is not real and finite.
    """
    u, v, m_zc = _check(u, v, m_zc, delta)
    a = np.asarray(alpha)
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)) \
            or a.dtype == np.bool_ or not np.isfinite(a).all():
        raise ValueError(f"alpha: expected finite real cyclic shifts in radians, got {alpha!r}")
    n = np.arange(m_zc, dtype=np.float64)
    rot = np.exp(1j * a.astype(np.float64)[..., None] * n)
    return (rot * _base(u, v, m_zc)).astype(np.complex64)

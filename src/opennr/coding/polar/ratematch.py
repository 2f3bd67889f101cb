"""TS 38.212 §5.4.1 — rate matching for polar codes, and its inverse (rate recovery).

The ``N`` encoded bits ``d`` are sub-block interleaved (§5.4.1.1: 32 sub-blocks permuted by
Table 5.4.1.1-1) into ``y``; bit selection (§5.4.1.2) writes ``y`` to a circular buffer and
takes ``E`` bits: repetition when ``E >= N``, else puncturing (the first ``N - E`` bits dropped)
when ``K/E <= 7/16`` and shortening (the last ``N - E`` dropped) otherwise. With ``I_BIL = 1``
the ``E`` bits go through the triangular coded-bit interleaver of §5.4.1.3.

Every configuration is built once into a cached index map (output bit ``i`` is
``d[index[i]]``), so rate matching is a gather and rate recovery a scatter-add of LLRs.
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import as_bits, as_llrs, check_int
from opennr.errors import ConfigError

__all__ = [
    "SHORTENED_LLR",
    "SUBBLOCK_PATTERN",
    "polar_bit_interleaver_pattern",
    "polar_rate_match",
    "polar_rate_match_index",
    "polar_rate_recover",
    "polar_subblock_pattern",
]

_CLAUSE = "TS 38.212 §5.4.1"

#: TS 38.212 Table 5.4.1.1-1: sub-block interleaver pattern ``P(i)``, i = 0 .. 31.
SUBBLOCK_PATTERN = (0, 1, 2, 4, 3, 5, 6, 7, 8, 16, 9, 17, 10, 18, 11, 19,
                    12, 20, 13, 21, 14, 22, 15, 23, 24, 25, 26, 28, 27, 29, 30, 31)

#: LLR given by rate recovery to shortened positions: they are known zeros.
SHORTENED_LLR = np.float32(1.0e4)


def _check_n(n: int) -> int:
    n = check_int("n", n, lo=32, hi=1024, clause=_CLAUSE)
    if n & (n - 1):
        raise ConfigError("n", n, "must be a power of 2 (32 .. 1024)", _CLAUSE)
    return n


@functools.lru_cache(maxsize=16)
def polar_subblock_pattern(n: int) -> np.ndarray:
    """Sub-block interleaver ``J(n)`` of TS 38.212 §5.4.1.1: ``y_n = d_{J(n)}``.

    ``J(n) = P(i) N/32 + (n mod N/32)`` with ``i = floor(32 n / N)`` and ``P`` of Table 5.4.1.1-1.

    Parameters
    ----------
    n : int
        Mother code length ``N`` (a power of 2, 32 .. 1024).

    Returns
    -------
    numpy.ndarray of int32, shape (N,)
        Read-only.

    Raises
    ------
    ConfigError
        If ``n`` is not a power of 2 in range.
    """
    n = _check_n(n)
    idx = np.arange(n)
    sub = n // 32
    j = (np.asarray(SUBBLOCK_PATTERN)[idx // sub] * sub + idx % sub).astype(np.int32)
    j.setflags(write=False)
    return j


@functools.lru_cache(maxsize=64)
def polar_bit_interleaver_pattern(e: int) -> np.ndarray:
    """Coded-bit interleaver of TS 38.212 §5.4.1.3: ``f_k = e_{pattern[k]}``.

    The ``E`` bits fill row by row the upper-left triangle of a ``T x T`` matrix (row ``i``
    holds ``T - i`` entries; ``T`` is the smallest with ``T(T+1)/2 >= E``; unused cells are
    <NULL>) and are read column by column, skipping <NULL>.

    Parameters
    ----------
    e : int
        Length ``E`` >= 1.

    Returns
    -------
    numpy.ndarray of int32, shape (E,)
        Read-only.

    Raises
    ------
    ConfigError
        If ``e`` is not a positive integer.
    """
    e = check_int("e", e, lo=1, clause="TS 38.212 §5.4.1.3")
    t = 1
    while t * (t + 1) // 2 < e:
        t += 1
    # Row i starts at index sum_{r<i} (T - r); cell (i, j) holds e_{start(i) + j}.
    starts = np.concatenate([[0], np.cumsum(np.arange(t, 0, -1))[:-1]])
    out = []
    for j in range(t):
        for i in range(t - j):
            k = starts[i] + j
            if k < e:
                out.append(k)
    pattern = np.asarray(out, dtype=np.int32)
    pattern.setflags(write=False)
    return pattern


@functools.lru_cache(maxsize=256)
def polar_rate_match_index(k: int, e: int, n: int, i_bil: bool) -> np.ndarray:
    """Index map of polar rate matching (TS 38.212 §5.4.1): ``f_i = d_{index[i]}``.

    Parameters
    ----------
    k : int
        Polar input length ``K`` (decides puncturing or shortening).
    e : int
        Output length ``E``.
    n : int
        Mother code length ``N``.
    i_bil : bool
        Coded-bit interleaving ``I_BIL``.

    Returns
    -------
    numpy.ndarray of int32, shape (E,)
        Read-only.

    Raises
    ------
    ConfigError
        If an argument is out of range.
    """
    n = _check_n(n)
    k = check_int("k", k, lo=1, hi=n, clause=_CLAUSE)
    e = check_int("e", e, lo=1, hi=8192, clause=_CLAUSE)
    _check_flag("i_bil", i_bil)
    j = polar_subblock_pattern(n)
    if e >= n:  # repetition
        sel = j[np.arange(e) % n]
    elif 16 * k <= 7 * e:  # puncturing
        sel = j[n - e:]
    else:  # shortening
        sel = j[:e]
    if i_bil:
        sel = sel[polar_bit_interleaver_pattern(e)]
    index = np.ascontiguousarray(sel, dtype=np.int32)
    index.setflags(write=False)
    return index


def _check_flag(field: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)) and value not in (0, 1):
        raise ConfigError(field, value, "must be a boolean (or 0/1)", _CLAUSE)


def polar_rate_match(d, *, k: int, e: int, i_bil: bool) -> np.ndarray:
    """Rate-match polar-encoded bits (TS 38.212 §5.4.1), like MATLAB ``nrRateMatchPolar``.

    Parameters
    ----------
    d : array_like of uint8, shape (..., N)
        Encoded bits ``d_0 .. d_{N-1}`` (``N`` a power of 2, 32 .. 1024).
    k : int
        Polar input length ``K`` (payload and CRC).
    e : int
        Output length ``E`` (1 .. 8192).
    i_bil : bool
        Coded-bit interleaving ``I_BIL`` (True for UCI, False for BCH and DCI).

    Returns
    -------
    numpy.ndarray of uint8, shape (..., E)
        ``f_0 .. f_{E-1}``.

    Raises
    ------
    ConfigError
        If ``k``, ``e`` or ``i_bil`` is out of range.
    ValueError
        If ``d`` is not a 0/1 array whose last dimension is a power of 2 in 32 .. 1024.
    """
    arr = as_bits("d", d)
    n = arr.shape[-1]
    if n < 32 or n > 1024 or n & (n - 1):
        raise ValueError(f"d: last dimension must be N, a power of 2 in 32 .. 1024, got shape {arr.shape}")
    _check_flag("i_bil", i_bil)
    index = polar_rate_match_index(k, e, n, bool(i_bil))
    return np.ascontiguousarray(arr[..., index])


def polar_rate_recover(llr, *, k: int, n: int, i_bil: bool) -> np.ndarray:
    """Recover the ``N`` soft encoded bits from ``E`` received LLRs (inverse of TS 38.212 §5.4.1).

    Like MATLAB ``nrRateRecoverPolar``: repeated bits add up, punctured positions get LLR 0
    and shortened positions (known zeros) get :data:`SHORTENED_LLR`.

    Parameters
    ----------
    llr : array_like of float32, shape (..., E)
        Received LLRs of ``f_0 .. f_{E-1}`` (LLR = ln P(0)/P(1)).
    k : int
        Polar input length ``K`` (payload and CRC).
    n : int
        Mother code length ``N``.
    i_bil : bool
        Coded-bit interleaving ``I_BIL``.

    Returns
    -------
    numpy.ndarray of float32, shape (..., N)

    Raises
    ------
    ConfigError
        If ``k``, ``n`` or ``i_bil`` is out of range.
    ValueError
        If ``llr`` is not a real array without NaN.
    """
    arr = as_llrs("llr", llr)
    e = arr.shape[-1]
    _check_flag("i_bil", i_bil)
    polar_rate_match_index(k, e, n, bool(i_bil))  # validates k, e, n
    lead = arr.shape[:-1]
    flat = arr.reshape(-1, e)
    if i_bil:  # undo §5.4.1.3 first
        deinterleaved = np.empty_like(flat)
        deinterleaved[:, polar_bit_interleaver_pattern(e)] = flat
        flat = deinterleaved
    index = polar_rate_match_index(k, e, n, False)
    out = np.zeros((flat.shape[0], n), dtype=np.float32)
    if e < n and 16 * k > 7 * e:  # shortening: the unsent bits are zeros
        out[:, polar_subblock_pattern(n)[e:]] = SHORTENED_LLR
    # Bit selection reads the circular buffer in order: each run of N bits has distinct positions.
    for start in range(0, e, n):
        out[:, index[start:start + n]] += flat[:, start:start + n]
    return out.reshape(*lead, n)

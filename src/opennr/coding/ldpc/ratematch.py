"""TS 38.212 §5.4.2 and §5.5 — rate matching for LDPC codes, and its inverse (rate recovery).

For each code block ``r`` the encoded bits ``d_0 .. d_{N-1}`` (§5.3.2, first ``2 Z_c`` systematic
bits already punctured) fill a circular buffer of length ``N_cb`` (§5.4.2.1, limited-buffer rate
matching when ``TBS_LBRM`` is given). Bit selection reads ``E_r`` bits from position ``k0``
(Table 5.4.2.1-2, by redundancy version), cyclically, skipping the filler bits (<NULL>, at
``d`` positions ``K' - 2Z_c .. K - 2Z_c - 1``). The selected bits are bit-interleaved (§5.4.2.2)
and the code blocks concatenated (§5.5).

Everything that depends only on the configuration is built once into a cached
:class:`LdpcRateMatchPlan` holding, for the ``G`` output bits, their source position in the
``(C, N)`` array of encoded blocks. Rate matching is then a gather and rate recovery a
scatter-add of LLRs into a ``(C, N)`` soft buffer (repetitions add up; positions never sent
stay 0; filler positions are known zeros and get :data:`FILLER_LLR`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int
from opennr.coding.ldpc._ratematch_kernels import (
    has_nan,
    rate_match_kernel,
    rate_recover_kernel,
    rate_recover_runs,
)
from opennr.coding.ldpc.basegraph import lifting_set_index
from opennr.errors import ConfigError

__all__ = [
    "FILLER_LLR",
    "MODULATION_ORDERS",
    "LdpcRateMatchPlan",
    "ldpc_bit_deinterleave",
    "ldpc_bit_interleave",
    "ldpc_bit_selection",
    "ldpc_e_per_block",
    "ldpc_k0",
    "ldpc_n_cb",
    "ldpc_rate_match",
    "ldpc_rate_match_plan",
    "ldpc_rate_recover",
]

_CLAUSE = "TS 38.212 §5.4.2.1"

#: LLR given to filler (<NULL>) positions by rate recovery: they are known zeros.
FILLER_LLR = np.float32(1.0e4)

#: Modulation orders Q_m accepted by the bit interleaver (pi/2-BPSK/BPSK .. 1024QAM).
MODULATION_ORDERS = (1, 2, 4, 6, 8, 10)

# Table 5.4.2.1-2: k0 = floor(num[rv] * N_cb / (den * Z_c)) * Z_c.
_K0_NUM = {1: (0, 17, 33, 56), 2: (0, 13, 25, 43)}
_K0_DEN = {1: 66, 2: 50}

# R_LBRM = 2/3 (§5.4.2.1).
_R_LBRM = (2, 3)


def ldpc_n_cb(n: int, c: int, tbs_lbrm: int | None = None) -> int:
    """Circular buffer length ``N_cb`` of TS 38.212 §5.4.2.1.

    Parameters
    ----------
    n : int
        Encoded block length ``N`` (66 ``Z_c`` for BG1, 50 ``Z_c`` for BG2).
    c : int
        Number of code blocks ``C``.
    tbs_lbrm : int, optional
        ``TBS_LBRM`` for limited-buffer rate matching (``I_LBRM = 1``); None for ``I_LBRM = 0``.

    Returns
    -------
    int
        ``N`` without LBRM, else ``min(N, N_ref)`` with ``N_ref = floor(TBS_LBRM / (C R_LBRM))``,
        ``R_LBRM = 2/3``.

    Raises
    ------
    ConfigError
        If an argument is not a positive integer.
    """
    n = check_int("n", n, lo=1, clause=_CLAUSE)
    c = check_int("c", c, lo=1, clause=_CLAUSE)
    if tbs_lbrm is None:
        return n
    tbs_lbrm = check_int("tbs_lbrm", tbs_lbrm, lo=1, clause=_CLAUSE)
    n_ref = (tbs_lbrm * _R_LBRM[1]) // (c * _R_LBRM[0])
    return min(n, n_ref)


def ldpc_k0(bg: int, zc: int, n_cb: int, rv: int) -> int:
    """Starting position ``k0`` of redundancy version ``rv`` (TS 38.212 Table 5.4.2.1-2).

    Parameters
    ----------
    bg : int
        Base graph, 1 or 2.
    zc : int
        Lifting size ``Z_c``.
    n_cb : int
        Circular buffer length ``N_cb``.
    rv : int
        Redundancy version ``rv_id``, 0..3.

    Returns
    -------
    int
        ``k0 = floor(num * N_cb / (66 Z_c)) Z_c`` (BG1, num = 0, 17, 33, 56) or
        ``floor(num * N_cb / (50 Z_c)) Z_c`` (BG2, num = 0, 13, 25, 43).

    Raises
    ------
    ConfigError
        If ``bg``, ``zc``, ``n_cb`` or ``rv`` is out of range.
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    lifting_set_index(zc)
    n_cb = check_int("n_cb", n_cb, lo=1, clause=_CLAUSE)
    rv = check_int("rv", rv, lo=0, hi=3, clause="TS 38.212 Table 5.4.2.1-2")
    return (_K0_NUM[bg][rv] * n_cb) // (_K0_DEN[bg] * zc) * zc


def ldpc_e_per_block(g: int, c: int, qm: int, n_layers: int) -> tuple[int, ...]:
    """Rate matching output length ``E_r`` of every code block (TS 38.212 §5.4.2.1).

    With ``C' = C`` (every block scheduled) and ``Q = G / (N_L Q_m)``: ``E_r = N_L Q_m floor(Q/C')``
    for ``r <= C' - mod(Q, C') - 1``, else ``N_L Q_m ceil(Q/C')``.

    Parameters
    ----------
    g : int
        Total number of coded bits ``G`` available for the transport block.
    c : int
        Number of code blocks ``C``.
    qm : int
        Modulation order ``Q_m``, one of 1, 2, 4, 6, 8, 10.
    n_layers : int
        Number of transmission layers ``N_L`` of the codeword, 1..4.

    Returns
    -------
    tuple of int
        ``(E_0, .., E_{C-1})``, summing to ``G``.

    Raises
    ------
    ConfigError
        If a value is out of range, ``G`` is not a multiple of ``N_L Q_m``, or ``G`` is too small
        to give every code block at least ``N_L Q_m`` bits.
    """
    c = check_int("c", c, lo=1, clause=_CLAUSE)
    qm = check_choice("qm", qm, MODULATION_ORDERS, _CLAUSE)
    n_layers = check_int("n_layers", n_layers, lo=1, hi=4, clause=_CLAUSE)
    g = check_int("g", g, lo=1, clause=_CLAUSE)
    unit = n_layers * qm
    if g % unit:
        raise ConfigError("g", g, f"must be a multiple of N_L*Q_m = {unit}", _CLAUSE)
    q = g // unit
    if q < c:
        raise ConfigError("g", g, f"must give every one of the C={c} code blocks E_r >= 1 "
                          f"(G/(N_L*Q_m) = {q} < C)", _CLAUSE)
    lo, rem = divmod(q, c)
    return tuple(unit * (lo if r <= c - rem - 1 else lo + 1) for r in range(c))


def _selection_positions(n_cb: int, k0: int, e: int, filler_start: int,
                         filler_stop: int) -> np.ndarray:
    """Positions of ``d`` read by bit selection: from ``k0``, cyclic over ``N_cb``, no filler."""
    pos = (k0 + np.arange(n_cb, dtype=np.int64)) % n_cb
    pos = pos[(pos < filler_start) | (pos >= filler_stop)]
    if pos.size == 0:
        raise ConfigError("n_cb", n_cb, "the circular buffer holds only filler bits", _CLAUSE)
    if e <= pos.size:
        return pos[:e]
    return pos[np.arange(e, dtype=np.int64) % pos.size]


def _interleave_order(e: int, qm: int) -> np.ndarray:
    """``order`` with ``f = e_bits[order]`` for the bit interleaver of §5.4.2.2."""
    return np.arange(e, dtype=np.int64).reshape(qm, e // qm).T.ravel()


def ldpc_bit_selection(d, *, k0: int, e: int, n_cb: int, filler_start: int = 0,
                       filler_stop: int = 0) -> np.ndarray:
    """Bit selection of TS 38.212 §5.4.2.1 for one code block, with arbitrary ``k0`` and ``N_cb``.

    Parameters
    ----------
    d : array_like of uint8, shape (..., >= N_cb)
        Encoded bits; only the first ``N_cb`` form the circular buffer. Filler positions may
        hold anything (they are skipped).
    k0 : int
        Starting position, ``0 <= k0 < N_cb``.
    e : int
        Output length ``E`` >= 1.
    n_cb : int
        Circular buffer length ``N_cb``.
    filler_start, filler_stop : int
        The filler (<NULL>) bits are ``d[filler_start:filler_stop]`` (none by default).

    Returns
    -------
    numpy.ndarray of uint8, shape (..., E)
        ``e_0 .. e_{E-1}``.

    Raises
    ------
    ConfigError
        If a parameter is out of range or the buffer holds only filler bits.
    ValueError
        If ``d`` is not a 0/1 array with at least ``N_cb`` bits in its last dimension.
    """
    n_cb = check_int("n_cb", n_cb, lo=1, clause=_CLAUSE)
    k0 = check_int("k0", k0, lo=0, hi=n_cb - 1, clause=_CLAUSE)
    e = check_int("e", e, lo=1, clause=_CLAUSE)
    filler_start = check_int("filler_start", filler_start, lo=0, clause=_CLAUSE)
    filler_stop = check_int("filler_stop", filler_stop, lo=filler_start, clause=_CLAUSE)
    bits = as_bits("d", d)
    if bits.shape[-1] < n_cb:
        raise ValueError(f"d: last dimension must be at least N_cb={n_cb}, got shape {bits.shape}")
    return bits[..., _selection_positions(n_cb, k0, e, filler_start, filler_stop)]


def ldpc_bit_interleave(e_bits, qm: int) -> np.ndarray:
    """Bit interleaving of TS 38.212 §5.4.2.2: ``f_{i + j Q_m} = e_{i E/Q_m + j}``.

    Parameters
    ----------
    e_bits : array_like, shape (..., E)
        Bits (or any values) ``e_0 .. e_{E-1}``; ``E`` a multiple of ``Q_m``.
    qm : int
        Modulation order ``Q_m``.

    Returns
    -------
    numpy.ndarray, shape (..., E)
        ``f_0 .. f_{E-1}``, same dtype as ``e_bits``.

    Raises
    ------
    ConfigError
        If ``qm`` is not one of 1, 2, 4, 6, 8, 10.
    ValueError
        If ``E`` is not a multiple of ``Q_m``.
    """
    arr, qm = _interleaver_input("e_bits", e_bits, qm)
    return np.ascontiguousarray(arr[..., _interleave_order(arr.shape[-1], qm)])


def ldpc_bit_deinterleave(f, qm: int) -> np.ndarray:
    """Inverse of :func:`ldpc_bit_interleave` (TS 38.212 §5.4.2.2), for bits or LLRs.

    Parameters
    ----------
    f : array_like, shape (..., E)
        Interleaved values ``f_0 .. f_{E-1}``; ``E`` a multiple of ``Q_m``.
    qm : int
        Modulation order ``Q_m``.

    Returns
    -------
    numpy.ndarray, shape (..., E)
        ``e_0 .. e_{E-1}``.

    Raises
    ------
    ConfigError
        If ``qm`` is not one of 1, 2, 4, 6, 8, 10.
    ValueError
        If ``E`` is not a multiple of ``Q_m``.
    """
    arr, qm = _interleaver_input("f", f, qm)
    out = np.empty_like(arr)
    out[..., _interleave_order(arr.shape[-1], qm)] = arr
    return out


def _interleaver_input(name: str, values, qm: int) -> tuple[np.ndarray, int]:
    """The values of the bit (de)interleaver and Q_m, checked: E a multiple of Q_m."""
    qm = check_choice("qm", qm, MODULATION_ORDERS, "TS 38.212 §5.4.2.2")
    arr = np.asarray(values)
    if arr.ndim < 1 or arr.shape[-1] % qm:
        raise ValueError(f"{name}: last dimension E must be a multiple of Q_m={qm}, "
                         f"got shape {arr.shape}")
    return arr, qm


@dataclass(frozen=True, slots=True)
class LdpcRateMatchPlan:
    """Rate matching of one transport block's code blocks (TS 38.212 §5.4.2, §5.5).

    Build it with :func:`ldpc_rate_match_plan` (cached); the fields are the configuration and
    the attributes below are derived from it.

    Attributes
    ----------
    n : int
        Encoded block length ``N``.
    k0 : int
        Starting position of ``rv`` in the circular buffer.
    e : tuple of int
        ``E_r`` of every code block.
    filler_start, filler_stop : int
        Filler positions in ``d``: ``max(K' - 2Z_c, 0) .. K - 2Z_c``.
    index : numpy.ndarray
        ``int32`` array of length ``G``: output bit ``i`` is ``d.reshape(C*N)[index[i]]``.
    single_pass : bool
        No position of a circular buffer is selected twice (``E_r <= N_cb - F`` for every block):
        rate recovery then runs over contiguous runs of the buffer instead of ``index``.
    """

    bg: int
    zc: int
    k: int
    k_prime: int
    c: int
    g: int
    qm: int
    n_layers: int
    rv: int
    n_cb: int
    n: int = field(init=False)
    k0: int = field(init=False)
    e: tuple = field(init=False)
    filler_start: int = field(init=False)
    filler_stop: int = field(init=False)
    index: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    single_pass: bool = field(init=False, repr=False, compare=False, hash=False)
    _e_array: np.ndarray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        check_choice("bg", self.bg, (1, 2), _CLAUSE)
        lifting_set_index(self.zc)
        k_b = 22 if self.bg == 1 else 10
        if self.k != k_b * self.zc:
            raise ConfigError("k", self.k, f"must be {k_b}*Zc = {k_b * self.zc} for base graph "
                              f"{self.bg}", "TS 38.212 §5.3.2")
        check_int("k_prime", self.k_prime, lo=1, hi=self.k, clause="TS 38.212 §5.2.2")
        n = (self.n_cols - 2) * self.zc
        check_int("n_cb", self.n_cb, lo=1, hi=n, clause=_CLAUSE)
        e = ldpc_e_per_block(self.g, self.c, self.qm, self.n_layers)
        k0 = ldpc_k0(self.bg, self.zc, self.n_cb, self.rv)
        f0, f1 = max(self.k_prime - 2 * self.zc, 0), self.k - 2 * self.zc
        parts = []
        for r, e_r in enumerate(e):
            pos = _selection_positions(self.n_cb, k0, e_r, f0, f1)
            parts.append(pos[_interleave_order(e_r, self.qm)] + r * n)
        index = np.concatenate(parts).astype(np.int32)
        index.setflags(write=False)
        e_array = np.array(e, dtype=np.int64)
        e_array.setflags(write=False)
        n_fill = min(f1, self.n_cb) - min(f0, self.n_cb)
        single_pass = max(e) <= self.n_cb - n_fill
        for name, value in (("n", n), ("k0", k0), ("e", e), ("filler_start", f0),
                            ("filler_stop", f1), ("index", index), ("single_pass", single_pass),
                            ("_e_array", e_array)):
            object.__setattr__(self, name, value)

    @property
    def n_cols(self) -> int:
        """Columns of the base graph: 68 (BG1) or 52 (BG2)."""
        return 68 if self.bg == 1 else 52


@functools.lru_cache(maxsize=32)
def _plan(bg, zc, k, k_prime, c, g, qm, n_layers, rv, n_cb) -> LdpcRateMatchPlan:
    return LdpcRateMatchPlan(bg, zc, k, k_prime, c, g, qm, n_layers, rv, n_cb)


def ldpc_rate_match_plan(bg: int, zc: int, k: int, k_prime: int, c: int, g: int, qm: int,
                         n_layers: int, rv: int, n_cb: int | None = None, *,
                         tbs_lbrm: int | None = None) -> LdpcRateMatchPlan:
    """Build (or fetch from the cache) the rate matching plan of TS 38.212 §5.4.2 and §5.5.

    Parameters
    ----------
    bg : int
        Base graph, 1 or 2.
    zc : int
        Lifting size ``Z_c``.
    k : int
        Code block length ``K`` (22 ``Z_c`` or 10 ``Z_c``).
    k_prime : int
        ``K'``: code block bits before filler (§5.2.2); ``F = K - K'`` filler bits.
    c : int
        Number of code blocks ``C``.
    g : int
        Coded bits ``G`` of the transport block, a multiple of ``N_L Q_m``.
    qm : int
        Modulation order ``Q_m`` (1, 2, 4, 6, 8, 10).
    n_layers : int
        Layers ``N_L`` of the codeword, 1..4.
    rv : int
        Redundancy version, 0..3.
    n_cb : int, optional
        Circular buffer length ``N_cb``; default: from ``tbs_lbrm`` (limited buffer) or ``N``.
    tbs_lbrm : int, optional
        ``TBS_LBRM`` for limited-buffer rate matching (``N_cb = min(N, floor(TBS_LBRM/(C R_LBRM)))``).
        Give at most one of ``n_cb`` and ``tbs_lbrm``.

    Returns
    -------
    LdpcRateMatchPlan

    Raises
    ------
    ConfigError
        If a value is out of range or the configuration is impossible (``G`` not a multiple of
        ``N_L Q_m``, fewer than ``C`` modulation symbols per layer, ``K != k_b Z_c``, ...).
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    lifting_set_index(zc)
    n = ((68 if bg == 1 else 52) - 2) * int(zc)
    if n_cb is not None and tbs_lbrm is not None:
        raise ConfigError("n_cb", n_cb, "give either n_cb or tbs_lbrm, not both", _CLAUSE)
    if n_cb is None:
        n_cb = ldpc_n_cb(n, c, tbs_lbrm)
    args = [bg, zc, k, k_prime, c, g, qm, n_layers, rv, n_cb]
    for i, a in enumerate(args):
        if isinstance(a, np.integer):
            args[i] = int(a)
    return _plan(*args)


def ldpc_rate_match(d, plan: LdpcRateMatchPlan) -> np.ndarray:
    """Rate match and concatenate encoded code blocks (TS 38.212 §5.4.2, §5.5).

    Parameters
    ----------
    d : array_like of uint8, shape (..., C, N)
        Encoded code blocks (output of :func:`~opennr.coding.ldpc.encoder.ldpc_encode`).
    plan : LdpcRateMatchPlan

    Returns
    -------
    numpy.ndarray of uint8, shape (..., G)
        ``g_0 .. g_{G-1}``: the bit-interleaved ``f`` of each block, block after block.

    Raises
    ------
    ValueError
        If ``d`` is not a 0/1 array of shape (..., C, N).
    """
    bits = as_bits("d", d, min_ndim=2)
    if bits.shape[-2:] != (plan.c, plan.n):
        raise ValueError(f"d: shape must be (..., C={plan.c}, N={plan.n}), got {bits.shape}")
    lead = bits.shape[:-2]
    flat = bits.reshape(int(np.prod(lead)), plan.c * plan.n)
    out = np.empty((flat.shape[0], plan.g), dtype=np.uint8)
    if flat.shape[0]:
        rate_match_kernel(flat, plan.index, out)
    return out.reshape(*lead, plan.g)


def ldpc_rate_recover(llr, plan: LdpcRateMatchPlan, buffer=None) -> np.ndarray:
    """Rate recovery: inverse of :func:`ldpc_rate_match` on LLRs (TS 38.212 §5.4.2, §5.5).

    Each received LLR is added into the soft buffer at the position of ``d`` it was selected
    from (repetitions add up); positions that were not sent keep their value (0 in a new
    buffer); filler positions are set to :data:`FILLER_LLR`.

    Parameters
    ----------
    llr : array_like of float32, shape (..., G)
        LLRs of ``g_0 .. g_{G-1}`` (positive means 0).
    plan : LdpcRateMatchPlan
    buffer : numpy.ndarray of float32, shape (..., C, N), optional
        Soft buffer of earlier transmissions (HARQ combining across redundancy versions). It is
        updated in place and returned.

    Returns
    -------
    numpy.ndarray of float32, shape (..., C, N)
        Soft buffer for the LDPC decoder.

    Raises
    ------
    ValueError
        If ``llr`` has the wrong length or contains NaN, or ``buffer`` is not a C-contiguous
        float32 array of shape (..., C, N) matching ``llr``.
    """
    if (isinstance(llr, np.ndarray) and llr.dtype == np.float32 and llr.flags.c_contiguous
            and llr.ndim >= 1):
        arr = llr  # NaN is checked by has_nan below, without a temporary array
        if has_nan(arr):
            raise ValueError("llr: LLRs contain NaN")
    else:
        arr = as_llrs("llr", llr)
    if arr.shape[-1] != plan.g:
        raise ValueError(f"llr: last dimension must be G={plan.g}, got shape {arr.shape}")
    lead = arr.shape[:-1]
    shape = (*lead, plan.c, plan.n)
    fresh = buffer is None
    if fresh:
        buffer = np.empty(shape, dtype=np.float32)
    elif (not isinstance(buffer, np.ndarray) or buffer.dtype != np.float32
          or buffer.shape != shape or not buffer.flags.c_contiguous or not buffer.flags.writeable):
        got = (getattr(buffer, "shape", None), getattr(buffer, "dtype", type(buffer).__name__))
        raise ValueError(f"buffer: must be a writeable C-contiguous float32 array of shape {shape}, "
                         f"got shape/dtype {got}")
    n_batch = math.prod(lead)
    _rate_recover_into(arr.reshape(n_batch, plan.g), plan, buffer.reshape(n_batch, plan.c * plan.n),
                      fresh)
    return buffer


def _rate_recover_into(llr: np.ndarray, plan: LdpcRateMatchPlan, buffer: np.ndarray,
                      fresh: bool) -> None:
    """Rate recovery of ``llr`` (n, G) float32 into ``buffer`` (n, C*N) float32, both C-contiguous
    and already checked (the work of :func:`ldpc_rate_recover`); ``fresh``: ``buffer`` is
    uninitialised (it is zeroed), otherwise the LLRs are added to what it holds.
    """
    if llr.shape[0] == 0:
        return
    if plan.single_pass:
        work = np.empty(max(plan.e), np.float32)
        rate_recover_runs(llr, plan._e_array, plan.qm, plan.k0, plan.n_cb, plan.filler_start,
                          plan.filler_stop, plan.c, plan.n, FILLER_LLR, fresh, work, buffer)
        return
    if fresh:
        buffer.fill(0.0)
    rate_recover_kernel(llr, plan.index, plan.filler_start, plan.filler_stop, plan.c, plan.n,
                        FILLER_LLR, buffer)

"""TS 38.212 §5.3.3 — channel coding of small block lengths (UCI of 1 to 11 bits), its rate
matching (§6.3.1.4.2, §6.3.2.4.2) and maximum-likelihood decoding.

- ``K = 1`` (§5.3.3.1, Table 5.3.3.1-1): ``[c0]``, ``[c0, y]`` or ``[c0, y, x, ..., x]`` for the
  modulation order ``Q_m``, so that the bit is sent on the two outer constellation points.
- ``K = 2`` (§5.3.3.2, Table 5.3.3.2-1): the simplex code ``[c0, c1, c2]`` with
  ``c2 = c0 XOR c1``, repeated three times over ``Q_m``-bit groups padded with placeholders x
  when ``Q_m > 2``.
- ``3 <= K <= 11`` (§5.3.3.3): the (32, K) Reed-Muller code of the basis sequences of
  Table 5.3.3.3-1.

The placeholders "x" and "y" are :data:`PLACEHOLDER_X` (−1) and :data:`PLACEHOLDER_Y` (−2), the
MATLAB ``nrUCIEncode`` convention; the scrambler of TS 38.211 §6.3.1.1 / §6.3.2.5.1 turns x into
1 and y into a repetition of the previous scrambled bit.

Rate matching of small blocks is a circular repetition ``e_k = d_(k mod N)``, ``k = 0 .. E-1``.
The decoder recovers the ``N`` soft bits (repetitions add up, a y counts for the bit it repeats,
an x carries nothing), and correlates them with all ``2^K`` codewords at once (matrix products
per batch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int

__all__ = [
    "PLACEHOLDER_X",
    "PLACEHOLDER_Y",
    "REED_MULLER_BASIS",
    "SmallBlockDecodeResult",
    "smallblock_codebook",
    "smallblock_decode",
    "smallblock_encode",
    "smallblock_length",
    "smallblock_rate_match",
]

_CLAUSE = "TS 38.212 §5.3.3"
_RM_CLAUSE = "TS 38.212 §6.3.1.4.2, §6.3.2.4.2"

#: Placeholder "x" of TS 38.212 §5.3.3.1 (MATLAB convention).
PLACEHOLDER_X = -1
#: Placeholder "y" of TS 38.212 §5.3.3.1 (MATLAB convention).
PLACEHOLDER_Y = -2

#: Modulation orders of Tables 5.3.3.1-1 and 5.3.3.2-1.
QM_VALUES = (1, 2, 4, 6, 8, 10)

#: TS 38.212 Table 5.3.3.3-1: basis sequences M_(i,n) of the (32, K) code, rows i = 0 .. 31,
#: columns n = 0 .. 10.
REED_MULLER_BASIS = (
    (1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    (1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1),
    (1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1),
    (1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1),
    (1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1),
    (1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1),
    (1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1),
    (1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1),
    (1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1),
    (1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1),
    (1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1),
    (1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1),
    (1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1),
    (1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1),
    (1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1),
    (1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1),
    (1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0),
    (1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0),
    (1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0),
    (1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0),
    (1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1),
    (1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1),
    (1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1),
    (1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1),
    (1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0),
    (1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1),
    (1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0),
    (1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0),
    (1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0),
    (1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0),
    (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
)

_K_MAX = 11


def _check_k_qm(k: int, qm: int) -> tuple[int, int]:
    k = check_int("k", k, lo=1, hi=_K_MAX, clause=_CLAUSE)
    qm = check_int("qm", qm, clause=_CLAUSE)
    check_choice("qm", qm, QM_VALUES, "TS 38.212 Tables 5.3.3.1-1, 5.3.3.2-1")
    return k, qm


@functools.lru_cache(maxsize=64)
def _template(k: int, qm: int) -> np.ndarray:
    """Generator of the code: row n holds, for each output bit, 1 where c_n contributes.

    Returns an int8 array (K + 1, N): rows 0..K-1 are the generator, the last row holds the
    placeholder value (0, x or y) of each position (0 where the position carries a code bit).
    """
    if k == 1:
        n = qm
        gen = np.zeros((1, n), dtype=np.int8)
        gen[0, 0] = 1
        ph = np.full(n, PLACEHOLDER_X, dtype=np.int8)
        ph[0] = 0
        if qm > 1:
            ph[1] = PLACEHOLDER_Y
    elif k == 2:
        # [c0 c1 c2] repeated three times over groups of Q_m bits (two code bits per group)
        simplex = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.int8)  # columns: c0, c1, c2
        seq = np.tile(simplex, (1, 3))  # c0 c1 c2 c0 c1 c2 c0 c1 c2
        if qm == 1:
            gen, ph = simplex, np.zeros(3, dtype=np.int8)
        else:
            groups = 3  # three groups of Q_m bits, each starting with two code bits
            n = groups * qm
            gen = np.zeros((2, n), dtype=np.int8)
            ph = np.full(n, PLACEHOLDER_X, dtype=np.int8)
            for g in range(groups):
                gen[:, g * qm: g * qm + 2] = seq[:, 2 * g: 2 * g + 2]
                ph[g * qm: g * qm + 2] = 0
    else:
        gen = np.asarray(REED_MULLER_BASIS, dtype=np.int8)[:, :k].T.copy()
        ph = np.zeros(32, dtype=np.int8)
    out = np.vstack([gen, ph[None, :]]).astype(np.int8)
    out.setflags(write=False)
    return out


def smallblock_length(k: int, qm: int = 2) -> int:
    """Length ``N`` of the small block code output (TS 38.212 §5.3.3).

    ``N = Q_m`` for ``K = 1``, ``3 Q_m`` for ``K = 2`` (3 when ``Q_m = 1``), 32 for ``K >= 3``.

    Parameters
    ----------
    k : int
        Payload length ``K``, 1 .. 11.
    qm : int
        Modulation order ``Q_m`` (1, 2, 4, 6, 8, 10); used only for ``K <= 2``.

    Returns
    -------
    int
    """
    k, qm = _check_k_qm(k, qm)
    return int(_template(k, qm).shape[1])


def smallblock_encode(c, *, qm: int = 2) -> np.ndarray:
    """Encode ``K <= 11`` bits with the small block codes of TS 38.212 §5.3.3.

    Like the small-block branch of MATLAB ``nrUCIEncode`` before rate matching.

    Parameters
    ----------
    c : array_like of uint8, shape (..., K)
        Payload ``c_0 .. c_{K-1}``, 1 <= K <= 11.
    qm : int
        Modulation order ``Q_m`` (1, 2, 4, 6, 8 or 10); it shapes the output of ``K = 1``
        (Table 5.3.3.1-1) and ``K = 2`` (Table 5.3.3.2-1) only.

    Returns
    -------
    numpy.ndarray of int8, shape (..., N)
        ``d_0 .. d_{N-1}``: bits 0/1 and, for ``K <= 2``, the placeholders
        :data:`PLACEHOLDER_X` (−1) and :data:`PLACEHOLDER_Y` (−2).

    Raises
    ------
    ConfigError
        If ``K`` is not in 1 .. 11 or ``qm`` is not a modulation order.
    ValueError
        If ``c`` is not a 0/1 array.

    Examples
    --------
    >>> smallblock_encode([1], qm=4).tolist()
    [1, -2, -1, -1]
    """
    arr = as_bits("c", c)
    k, qm = _check_k_qm(arr.shape[-1], qm)
    tpl = _template(k, qm)
    gen, ph = tpl[:k].astype(np.int64), tpl[k]
    d = ((arr.astype(np.int64) @ gen) & 1).astype(np.int8)
    return np.where(ph != 0, ph, d).astype(np.int8)


def smallblock_rate_match(d, e: int) -> np.ndarray:
    """Rate matching of small block codes: ``e_k = d_(k mod N)`` (TS 38.212 §6.3.1.4.2,
    §6.3.2.4.2).

    Parameters
    ----------
    d : array_like of int, shape (..., N)
        Encoded bits with placeholders (:func:`smallblock_encode`).
    e : int
        Output length ``E`` >= 1.

    Returns
    -------
    numpy.ndarray of int8, shape (..., E)

    Raises
    ------
    ConfigError
        If ``e`` is not a positive integer.
    ValueError
        If ``d`` is empty along its last axis or holds values other than 0, 1, −1, −2.
    """
    e = check_int("e", e, lo=1, clause=_RM_CLAUSE)
    arr = np.asarray(d)
    if arr.ndim < 1 or arr.shape[-1] == 0:
        raise ValueError(f"d: expected a non-empty last dimension, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"d: expected integers (bits and placeholders), got {arr.dtype}")
    if arr.size and (arr.min() < PLACEHOLDER_Y or arr.max() > 1):
        raise ValueError("d: values must be 0, 1, -1 (x) or -2 (y)")
    idx = np.arange(e) % arr.shape[-1]
    return np.ascontiguousarray(arr[..., idx], dtype=np.int8)


@functools.lru_cache(maxsize=128)
def _codebook(k: int, qm: int) -> np.ndarray:
    msgs = ((np.arange(1 << k)[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1).astype(np.uint8)
    cb = smallblock_encode(msgs, qm=qm)
    cb.setflags(write=False)
    return cb


def smallblock_codebook(k: int, qm: int = 2) -> np.ndarray:
    """All ``2^K`` codewords of the small block code (TS 38.212 §5.3.3).

    Row ``m`` is the codeword of the payload whose bits ``c_0 .. c_{K-1}`` are the binary
    digits of ``m``, most significant first.

    Parameters
    ----------
    k : int
        Payload length ``K``, 1 .. 11.
    qm : int
        Modulation order ``Q_m``.

    Returns
    -------
    numpy.ndarray of int8, shape (2^K, N)
        Read-only, with placeholders.
    """
    k, qm = _check_k_qm(k, qm)
    return _codebook(k, qm)


@functools.lru_cache(maxsize=256)
def _decoder_tables(k: int, qm: int, e: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    cb = _codebook(k, qm)
    n = cb.shape[1]
    layout = cb[0, np.arange(e) % n]  # the placeholder layout is the same in every codeword
    src = np.arange(e) % n
    # a y repeats the scrambled bit before it: after descrambling it observes that code bit
    ys = np.flatnonzero(layout == PLACEHOLDER_Y)
    src[ys] = src[ys - 1]
    used = layout != PLACEHOLDER_X
    gather = np.zeros((e, n), dtype=np.float32)  # e-position -> d-position accumulation
    gather[np.flatnonzero(used), src[used]] = 1.0
    signs = np.where(cb >= 0, 1.0 - 2.0 * cb, 0.0).astype(np.float32)  # (2^K, N)
    msgs = ((np.arange(1 << k)[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1).astype(np.uint8)
    for a in (used, gather, signs, msgs):
        a.setflags(write=False)
    return used, gather, signs, msgs


@dataclass(frozen=True, slots=True)
class SmallBlockDecodeResult:
    """Output of :func:`smallblock_decode`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (..., K)
        The maximum-likelihood payload.
    metric : numpy.ndarray of float32, shape (...)
        Normalised correlation of the received LLRs with the chosen codeword,
        ``sum_k s_k L_k / (sqrt(E') ||L||)`` over the ``E'`` positions that carry code bits or
        y placeholders (``s_k = ±1``): 1 when every LLR agrees with the codeword, near ``1/sqrt(E')`` (times a
        small factor growing with ``K``) for noise alone; compare it with a threshold to detect
        DTX. 0 when every LLR is 0.
    """

    bits: np.ndarray
    metric: np.ndarray


def smallblock_decode(llr, k: int, *, qm: int = 2) -> SmallBlockDecodeResult:
    """Maximum-likelihood decoding of the small block codes of TS 38.212 §5.3.3 after rate
    matching (§6.3.1.4.2, §6.3.2.4.2).

    The ``E`` LLRs of ``e_k = d_(k mod N)`` are added per position of ``d``, then the ``2^K``
    codewords are scored by correlation and the best is returned (with the max-log model, the
    ML decision). LLRs at x positions are ignored (the scrambler sets them to 1). The LLR at a y
    position counts as a further observation of the code bit before it, which the scrambled y
    repeats: the descrambler must treat it so (descramble it with the sequence bit of that
    earlier position, as :func:`opennr.physical.pusch.pusch_descramble_llrs` and MATLAB
    ``nrPUSCHDescramble`` do), or set it to 0.

    Parameters
    ----------
    llr : array_like of float32, shape (..., E)
        LLRs (ln P(0)/P(1)) of the rate-matched bits ``e_0 .. e_{E-1}``, descrambled.
    k : int
        Payload length ``K``, 1 .. 11.
    qm : int
        Modulation order ``Q_m`` used by the encoder (matters for ``K <= 2``).

    Returns
    -------
    SmallBlockDecodeResult

    Raises
    ------
    ConfigError
        If ``k`` or ``qm`` is out of range.
    ValueError
        If ``llr`` is not a real array with a non-empty last dimension.
    """
    k, qm = _check_k_qm(k, qm)
    arr = as_llrs("llr", llr)
    e = arr.shape[-1]
    if e == 0:
        raise ValueError(f"llr: expected a non-empty last dimension, got shape {arr.shape}")
    used, gather, signs, msgs = _decoder_tables(k, qm, e)
    lead = arr.shape[:-1]
    flat = arr.reshape(-1, e)
    corr = (flat @ gather) @ signs.T  # (B, 2^K)
    best = np.argmax(corr, axis=1)
    best_corr = corr[np.arange(flat.shape[0]), best]
    energy = np.sqrt(np.square(flat[:, used], dtype=np.float64).sum(axis=1))
    e_used = int(used.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        metric = np.where(energy > 0, best_corr / (np.sqrt(e_used) * energy), 0.0)
    return SmallBlockDecodeResult(bits=msgs[best].reshape(*lead, k).copy(),
                                  metric=metric.astype(np.float32).reshape(lead))

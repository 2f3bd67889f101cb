"""TS 38.211 §7.3.1.1 and §6.3.1.1 — scrambling of PDSCH and PUSCH codewords.

The bits b^(q)(i) of codeword q are scrambled as b̃^(q)(i) = (b^(q)(i) + c^(q)(i)) mod 2 with
the pseudo-random sequence c^(q) of §5.2.1 initialised with
c_init = n_RNTI · 2^15 + q · 2^14 + n_ID. For PUSCH (§6.3.1.1) q = 0; the UCI placeholder
bits x/y are not handled here.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int
from opennr.sequences.gold import gold_sequence

__all__ = ["descramble_llrs", "scramble", "scrambling_c_init"]

_CLAUSE = "TS 38.211 §7.3.1.1"


def scrambling_c_init(n_rnti: int, n_id: int, q: int = 0) -> int:
    """c_init = n_RNTI · 2^15 + q · 2^14 + n_ID (TS 38.211 §7.3.1.1, §6.3.1.1).

    Parameters
    ----------
    n_rnti : int
        RNTI associated with the transmission, 0 .. 65535.
    n_id : int
        Data scrambling identity n_ID (dataScramblingIdentityPDSCH/PUSCH, or N_ID^cell),
        0 .. 1023.
    q : int
        Codeword index, 0 or 1 (always 0 for PUSCH).

    Returns
    -------
    int

    Raises
    ------
    ConfigError
        If an argument is outside its range.
    """
    n_rnti = check_int("n_rnti", n_rnti, 0, 65535, _CLAUSE)
    n_id = check_int("n_id", n_id, 0, 1023, _CLAUSE)
    q = check_int("q", q, clause=_CLAUSE)
    check_choice("q", q, (0, 1), _CLAUSE)
    return (n_rnti << 15) + (q << 14) + n_id


def scramble(bits: np.ndarray, c_init: int | np.ndarray) -> np.ndarray:
    """Scramble codeword bits: b̃(i) = (b(i) + c(i)) mod 2 (TS 38.211 §7.3.1.1, §6.3.1.1).

    Parameters
    ----------
    bits : array_like of 0/1, shape (..., M_bit)
        Codeword bits, the last axis in transmission order.
    c_init : int or array_like of int
        Initialisation of the Gold sequence (see :func:`scrambling_c_init`); an array must
        broadcast against ``bits.shape[:-1]``.

    Returns
    -------
    numpy.ndarray
        ``np.uint8``, the broadcast shape of ``bits`` and ``c_init`` (+ M_bit).

    Raises
    ------
    ValueError
        If ``bits`` is not an array of 0/1 with at least one dimension.
    ConfigError
        If c_init is outside [0, 2^31).
    """
    b = as_bits("bits", bits)
    c = gold_sequence(c_init, b.shape[-1])
    return np.bitwise_xor(b, c)


def descramble_llrs(llrs: np.ndarray, c_init: int | np.ndarray) -> np.ndarray:
    """Descramble soft bits: the sign of LLR i flips where c(i) = 1 (TS 38.211 §7.3.1.1).

    With LLR = ln P(b=0)/P(b=1), descrambling the received b̃(i) = b(i) ⊕ c(i) negates the LLR
    wherever c(i) = 1.

    Parameters
    ----------
    llrs : array_like of float, shape (..., M_bit)
    c_init : int or array_like of int
        As for :func:`scramble`.

    Returns
    -------
    numpy.ndarray
        ``np.float32``, the broadcast shape of ``llrs`` and ``c_init`` (+ M_bit).

    Raises
    ------
    ValueError
        If ``llrs`` is not a real array with at least one dimension, or contains NaN.
    ConfigError
        If c_init is outside [0, 2^31).
    """
    x = as_llrs("llrs", llrs)
    c = gold_sequence(c_init, x.shape[-1])
    # negate by flipping the IEEE-754 sign bit where c(i) = 1 (one integer pass, no temporaries)
    sign = c.astype(np.uint32) << np.uint32(31)
    return np.bitwise_xor(x.view(np.uint32), sign).view(np.float32)

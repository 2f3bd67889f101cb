"""TS 38.211 §7.3.3 and §7.4.1.4.1 — PBCH scrambling, modulation and demodulation reference signal.

The M_bit = 864 bits of the BCH codeword of one SS/PBCH block are scrambled with the Gold
sequence c_init = N_ID^cell read from index ν · M_bit (§7.3.3.1) and QPSK-modulated into
M_symb = 432 symbols (§7.3.3.2). The PBCH DM-RS is a 144-symbol QPSK sequence initialised by
ī_SSB and N_ID^cell (§7.4.1.4.1). The receive direction (descrambling of soft bits, QPSK
demapping) is the inverse.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int, check_last_dim
from opennr.modulation import demodulate, modulate
from opennr.sequences.gold import gold_sequence

__all__ = [
    "L_MAX_VALUES",
    "PBCH_DMRS_LENGTH",
    "PBCH_M_BIT",
    "PBCH_M_SYMB",
    "pbch_demodulate",
    "pbch_descramble_llrs",
    "pbch_dmrs",
    "pbch_dmrs_c_init",
    "pbch_modulate",
    "pbch_scramble",
    "pbch_scrambling_offset",
    "pbch_ssb_index_bar",
]

#: M_bit, bits of the BCH codeword per SS/PBCH block (§7.3.3.1).
PBCH_M_BIT = 864

#: M_symb, PBCH QPSK symbols per SS/PBCH block (§7.3.3.2).
PBCH_M_SYMB = 432

#: Length of the PBCH DM-RS sequence r(m), m = 0 .. 143 (§7.4.1.4.1).
PBCH_DMRS_LENGTH = 144

#: L_max, maximum number of candidate SS/PBCH blocks in a half frame (TS 38.213 §4.1).
L_MAX_VALUES = (4, 8, 64)

_CLAUSE_SCR = "TS 38.211 §7.3.3.1"
_CLAUSE_DMRS = "TS 38.211 §7.4.1.4.1"


def _check_cell(n_cell_id: int, clause: str) -> int:
    return check_int("n_cell_id", n_cell_id, 0, 1007, clause)


def _check_l_max(l_max: int, clause: str) -> int:
    l_max = check_int("l_max", l_max, clause=clause)
    check_choice("l_max", l_max, L_MAX_VALUES, clause)
    return l_max


def pbch_scrambling_offset(i_ssb: int, l_max: int) -> int:
    """ν of the PBCH scrambling offset ν · M_bit (TS 38.211 §7.3.3.1).

    ν is the 2 least significant bits of the candidate SS/PBCH block index i_SSB for
    L_max = 4, its 3 least significant bits for L_max = 8 or 64.

    Parameters
    ----------
    i_ssb : int
        Candidate SS/PBCH block index i_SSB, 0 .. L_max − 1.
    l_max : int
        L_max: 4, 8 or 64.

    Returns
    -------
    int
        ν, 0 .. 3 or 0 .. 7.

    Raises
    ------
    ConfigError
        If L_max is not 4, 8 or 64 or i_SSB is outside 0 .. L_max − 1.
    """
    l_max = _check_l_max(l_max, _CLAUSE_SCR)
    i_ssb = check_int("i_ssb", i_ssb, 0, l_max - 1, _CLAUSE_SCR)
    return i_ssb & (3 if l_max == 4 else 7)


def _scrambling_sequence(n_cell_id: int, i_ssb: int, l_max: int) -> np.ndarray:
    v = pbch_scrambling_offset(i_ssb, l_max)
    n_cell_id = _check_cell(n_cell_id, _CLAUSE_SCR)
    return gold_sequence(n_cell_id, PBCH_M_BIT, offset=v * PBCH_M_BIT)


def pbch_scramble(bits: np.ndarray, n_cell_id: int, i_ssb: int, l_max: int) -> np.ndarray:
    """Scramble the BCH codeword: b̃(i) = (b(i) + c(i + ν M_bit)) mod 2 (TS 38.211 §7.3.3.1).

    Parameters
    ----------
    bits : array_like of 0/1, shape (..., 864)
        b(0) .. b(M_bit − 1), the rate-matched BCH codeword of one SS/PBCH block.
    n_cell_id : int
        N_ID^cell = c_init, 0 .. 1007.
    i_ssb : int
        Candidate SS/PBCH block index i_SSB, 0 .. L_max − 1 (gives ν, see
        :func:`pbch_scrambling_offset`).
    l_max : int
        L_max: 4, 8 or 64.

    Returns
    -------
    numpy.ndarray
        ``np.uint8`` (..., 864).

    Raises
    ------
    ValueError
        If ``bits`` is not 0/1 or its last dimension is not 864.
    ConfigError
        If an identity or index is outside its range.
    """
    b = as_bits("bits", bits)
    check_last_dim("bits", b, PBCH_M_BIT, "M_bit, TS 38.211 §7.3.3.1")
    return np.bitwise_xor(b, _scrambling_sequence(n_cell_id, i_ssb, l_max))


def pbch_descramble_llrs(llrs: np.ndarray, n_cell_id: int, i_ssb: int, l_max: int) -> np.ndarray:
    """Descramble PBCH soft bits: LLR i changes sign where c(i + ν M_bit) = 1 (TS 38.211 §7.3.3.1).

    Parameters
    ----------
    llrs : array_like of float, shape (..., 864)
        LLR = ln P(b̃=0)/P(b̃=1) of the received scrambled bits.
    n_cell_id, i_ssb, l_max : int
        As for :func:`pbch_scramble`.

    Returns
    -------
    numpy.ndarray
        ``np.float32`` (..., 864), LLRs of b(i).

    Raises
    ------
    ValueError
        If ``llrs`` is not real, contains NaN or its last dimension is not 864.
    ConfigError
        If an identity or index is outside its range.
    """
    x = as_llrs("llrs", llrs)
    check_last_dim("llrs", x, PBCH_M_BIT, "M_bit, TS 38.211 §7.3.3.1")
    c = _scrambling_sequence(n_cell_id, i_ssb, l_max).astype(bool)
    return np.where(c, -x, x).astype(np.float32, copy=False)


def pbch_modulate(bits: np.ndarray, n_cell_id: int, i_ssb: int, l_max: int) -> np.ndarray:
    """PBCH symbols of one SS/PBCH block: scrambling then QPSK (TS 38.211 §7.3.3.1, §7.3.3.2).

    Equivalent to MATLAB ``nrPBCH(cw, ncellid, v)`` with ν from :func:`pbch_scrambling_offset`.

    Parameters
    ----------
    bits : array_like of 0/1, shape (..., 864)
        The BCH codeword b(0) .. b(M_bit − 1).
    n_cell_id, i_ssb, l_max : int
        As for :func:`pbch_scramble`.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (..., 432), d_PBCH(0) .. d_PBCH(M_symb − 1).

    Raises
    ------
    ValueError, ConfigError
        As for :func:`pbch_scramble`.
    """
    return modulate(pbch_scramble(bits, n_cell_id, i_ssb, l_max), "QPSK")


def pbch_demodulate(symbols: np.ndarray, n_cell_id: int, i_ssb: int, l_max: int,
                    noise_var: float | np.ndarray = 1.0) -> np.ndarray:
    """Soft bits of the BCH codeword from PBCH symbols (inverse of :func:`pbch_modulate`).

    Max-log QPSK demapping (TS 38.211 §5.1.3) followed by descrambling (§7.3.3.1).

    Parameters
    ----------
    symbols : array_like of complex, shape (..., 432)
        Equalised PBCH symbols.
    n_cell_id, i_ssb, l_max : int
        As for :func:`pbch_scramble`.
    noise_var : float or array_like
        Noise variance per symbol (> 0), scalar or broadcastable to ``symbols``.

    Returns
    -------
    numpy.ndarray
        ``np.float32`` (..., 864), LLR = ln P(b=0)/P(b=1).

    Raises
    ------
    ValueError
        If ``symbols`` is not a finite numeric array whose last dimension is 432, or
        ``noise_var`` is not positive.
    ConfigError
        If an identity or index is outside its range.
    """
    sym = np.asarray(symbols)
    if sym.ndim < 1:
        raise ValueError(f"symbols: expected shape (..., {PBCH_M_SYMB}), got {sym.shape}")
    check_last_dim("symbols", sym, PBCH_M_SYMB, "M_symb, TS 38.211 §7.3.3.2")
    llr = demodulate(sym, "QPSK", noise_var)
    return pbch_descramble_llrs(llr, n_cell_id, i_ssb, l_max)


def pbch_ssb_index_bar(i_ssb: int, l_max: int, n_hf: int = 0) -> int:
    """ī_SSB of the PBCH DM-RS initialisation (TS 38.211 §7.4.1.4.1).

    For L_max = 4: ī_SSB = i_SSB + 4 n_hf, with i_SSB the two least significant bits of the
    candidate SS/PBCH block index and n_hf the half-frame number. For L_max = 8 or 64:
    ī_SSB = i_SSB, the three least significant bits of the candidate index.

    Parameters
    ----------
    i_ssb : int
        Candidate SS/PBCH block index, 0 .. L_max − 1.
    l_max : int
        L_max: 4, 8 or 64.
    n_hf : int
        Half-frame number n_hf: 0 (first half of the frame) or 1; used only for L_max = 4.

    Returns
    -------
    int
        ī_SSB, 0 .. 7.

    Raises
    ------
    ConfigError
        If an argument is outside its range.
    """
    l_max = _check_l_max(l_max, _CLAUSE_DMRS)
    i_ssb = check_int("i_ssb", i_ssb, 0, l_max - 1, _CLAUSE_DMRS)
    n_hf = check_int("n_hf", n_hf, 0, 1, _CLAUSE_DMRS)
    if l_max == 4:
        return (i_ssb & 3) + 4 * n_hf
    return i_ssb & 7


def pbch_dmrs_c_init(n_cell_id: int, i_ssb_bar: int) -> int:
    """c_init = 2^11 (ī_SSB + 1)(⌊N_ID^cell / 4⌋ + 1) + 2^6 (ī_SSB + 1) + (N_ID^cell mod 4).

    TS 38.211 §7.4.1.4.1.

    Parameters
    ----------
    n_cell_id : int
        N_ID^cell, 0 .. 1007.
    i_ssb_bar : int
        ī_SSB, 0 .. 7 (see :func:`pbch_ssb_index_bar`).

    Raises
    ------
    ConfigError
        If an argument is outside its range.
    """
    n_cell_id = _check_cell(n_cell_id, _CLAUSE_DMRS)
    i_ssb_bar = check_int("i_ssb_bar", i_ssb_bar, 0, 7, _CLAUSE_DMRS)
    return (2**11 * (i_ssb_bar + 1) * (n_cell_id // 4 + 1) + 2**6 * (i_ssb_bar + 1)
            + n_cell_id % 4)


def pbch_dmrs(n_cell_id: int, i_ssb: int, l_max: int, n_hf: int = 0) -> np.ndarray:
    """PBCH demodulation reference signal r(m), m = 0 .. 143 (TS 38.211 §7.4.1.4.1).

    r(m) = (1 − 2 c(2m)) / √2 + j (1 − 2 c(2m + 1)) / √2 with the Gold sequence of
    :func:`pbch_dmrs_c_init` for ī_SSB = :func:`pbch_ssb_index_bar` (i_SSB, L_max, n_hf).

    Parameters
    ----------
    n_cell_id : int
        N_ID^cell, 0 .. 1007.
    i_ssb : int
        Candidate SS/PBCH block index, 0 .. L_max − 1.
    l_max : int
        L_max: 4, 8 or 64.
    n_hf : int
        Half-frame number, 0 or 1 (matters only for L_max = 4).

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (144,).

    Raises
    ------
    ConfigError
        If an argument is outside its range.
    """
    c_init = pbch_dmrs_c_init(n_cell_id, pbch_ssb_index_bar(i_ssb, l_max, n_hf))
    return modulate(gold_sequence(c_init, 2 * PBCH_DMRS_LENGTH), "QPSK")

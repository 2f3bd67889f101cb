"""TS 38.211 §6.4.1.3 — demodulation reference signals for the PUCCH: the parts that are
tables or sequences of their own.

* §6.4.1.3.1 — format 1: the low-PAPR sequence on the even PUCCH symbols, spread by w_i(m)
  (built in :mod:`opennr.physical.pucch` from :mod:`opennr.physical.pucch_sequences`).
* §6.4.1.3.2 — format 2: r_l(m) = (1 − 2c(2m))/√2 + j(1 − 2c(2m+1))/√2 with
  c_init = (2^17 (N_symb^slot n_s,f^μ + l + 1)(2 N_ID^0 + 1) + 2 N_ID^0) mod 2^31, on the
  subcarriers k = 3m + 1 counted from subcarrier 0 of common resource block 0.
* §6.4.1.3.3 — formats 3 and 4: the low-PAPR sequence over the whole allocation on the
  symbols of Table 6.4.1.3.3.2-1.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.sequences.gold import gold_sequence

__all__ = [
    "PUCCH3_DMRS_POSITIONS",
    "pucch2_dmrs_c_init",
    "pucch2_dmrs_sequence",
    "pucch3_dmrs_symbols",
]

_CLAUSE_F2 = "TS 38.211 §6.4.1.3.2"
_CLAUSE_F3 = "TS 38.211 §6.4.1.3.3.2"

# TS 38.211 Table 6.4.1.3.3.2-1: DM-RS positions l within the PUCCH (0 is its first symbol) of
# formats 3 and 4. Key: PUCCH length 4..14; value: (no additional DM-RS without hopping, with
# hopping; additional DM-RS without hopping, with hopping).
PUCCH3_DMRS_POSITIONS: dict[int, tuple[tuple[int, ...], ...]] = {
    4: ((1,), (0, 2), (1,), (0, 2)),
    5: ((0, 3), (0, 3), (0, 3), (0, 3)),
    6: ((1, 4), (1, 4), (1, 4), (1, 4)),
    7: ((1, 4), (1, 4), (1, 4), (1, 4)),
    8: ((1, 5), (1, 5), (1, 5), (1, 5)),
    9: ((1, 6), (1, 6), (1, 6), (1, 6)),
    10: ((2, 7), (2, 7), (1, 3, 6, 8), (1, 3, 6, 8)),
    11: ((2, 7), (2, 7), (1, 3, 6, 9), (1, 3, 6, 9)),
    12: ((2, 8), (2, 8), (1, 4, 7, 10), (1, 4, 7, 10)),
    13: ((2, 9), (2, 9), (1, 4, 7, 11), (1, 4, 7, 11)),
    14: ((3, 10), (3, 10), (1, 5, 8, 12), (1, 5, 8, 12)),
}


def pucch3_dmrs_symbols(length: int, *, hopping: bool, additional_dmrs: bool) -> tuple[int, ...]:
    """DM-RS symbols of PUCCH formats 3 and 4, counted from the first PUCCH symbol (TS 38.211
    §6.4.1.3.3.2, Table 6.4.1.3.3.2-1).

    Parameters
    ----------
    length : int
        PUCCH length N_symb^PUCCH, 4 .. 14.
    hopping : bool
        Intra-slot frequency hopping enabled.
    additional_dmrs : bool
        additionalDMRS of PUCCH-FormatConfig.

    Returns
    -------
    tuple of int

    Raises
    ------
    ConfigError
        Length outside 4 .. 14.
    """
    length = check_int("length", length, 4, 14, _CLAUSE_F3)
    return PUCCH3_DMRS_POSITIONS[length][2 * bool(additional_dmrs) + bool(hopping)]


def pucch2_dmrs_c_init(n_id_0: int, n_symb_slot: int, n_s: int, l: int) -> int:
    """c_init = (2^17 (N_symb^slot n_s,f^μ + l + 1)(2 N_ID^0 + 1) + 2 N_ID^0) mod 2^31 of the
    PUCCH format 2 DM-RS (TS 38.211 §6.4.1.3.2.1).

    Parameters
    ----------
    n_id_0 : int
        N_ID^0, 0 .. 65535 (scramblingID0, or N_ID^cell).
    n_symb_slot : int
        N_symb^slot.
    n_s : int
        Slot number n_s,f^μ.
    l : int
        OFDM symbol number within the slot.
    """
    n_id_0 = check_int("n_id_0", n_id_0, 0, 65535, _CLAUSE_F2)
    n_s = check_int("n_s", n_s, 0, 639, _CLAUSE_F2)
    l = check_int("l", l, 0, 13, _CLAUSE_F2)
    return ((1 << 17) * (n_symb_slot * n_s + l + 1) * (2 * n_id_0 + 1) + 2 * n_id_0) % (1 << 31)


def pucch2_dmrs_sequence(n_id_0: int, n_symb_slot: int, n_s: int, l: int, crb_start: int,
                         n_prb: int) -> np.ndarray:
    """PUCCH format 2 DM-RS r_l(m) on the common resource blocks crb_start .. crb_start +
    n_prb − 1 (TS 38.211 §6.4.1.3.2): m = 4 n_CRB + j for the subcarriers 3j + 1 of each block.

    Parameters
    ----------
    n_id_0, n_symb_slot, n_s, l
        As for :func:`pucch2_dmrs_c_init`.
    crb_start : int
        First common resource block.
    n_prb : int
        Number of resource blocks.

    Returns
    -------
    numpy.ndarray of complex64, shape (4 n_prb,)
    """
    crb_start = check_int("crb_start", crb_start, 0, None, _CLAUSE_F2)
    n_prb = check_int("n_prb", n_prb, 1, None, _CLAUSE_F2)
    if crb_start + n_prb > 2475:
        raise ConfigError("crb_start", crb_start, "resource blocks must lie below CRB 2475",
                          _CLAUSE_F2)
    c = gold_sequence(pucch2_dmrs_c_init(n_id_0, n_symb_slot, n_s, l), 8 * n_prb,
                      offset=8 * crb_start).astype(np.float32)
    s = (1.0 - 2.0 * c) / np.float32(np.sqrt(2.0))
    return (s[0::2] + 1j * s[1::2]).astype(np.complex64)

"""TS 38.211 §5.2.1 — pseudo-random (Gold) sequence generation.

c(n) = (x1(n + N_c) + x2(n + N_c)) mod 2 with N_c = 1600, the length-31 m-sequences
x1(n + 31) = (x1(n + 3) + x1(n)) mod 2 initialised with x1(0) = 1, x1(n) = 0 (n = 1 .. 30), and
x2(n + 31) = (x2(n + 3) + x2(n + 2) + x2(n + 1) + x2(n)) mod 2 initialised with
c_init = Σ_{i=0}^{30} x2(i) · 2^i.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.sequences._kernels import gold_kernel

__all__ = ["N_C", "gold_sequence"]

#: N_c, the offset of the first output value (§5.2.1).
N_C = 1600

_CLAUSE = "TS 38.211 §5.2.1"


def _as_c_init(c_init: object) -> np.ndarray:
    arr = np.asarray(c_init)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if arr.ndim == 0:
            raise ConfigError("c_init", c_init, "must be an integer", _CLAUSE)
        raise ConfigError("c_init", f"array of {arr.dtype}", "must be integers", _CLAUSE)
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi >= 1 << 31:
            bad = lo if lo < 0 else hi
            raise ConfigError("c_init", bad, "must be in [0, 2^31)", _CLAUSE)
    return arr.astype(np.int64)


def gold_sequence(c_init: int | np.ndarray, length: int, *, offset: int = 0) -> np.ndarray:
    """Pseudo-random sequence c(n), n = offset .. offset + length − 1 (TS 38.211 §5.2.1).

    Parameters
    ----------
    c_init : int or array_like of int
        Initialisation c_init of x2, 0 ≤ c_init < 2^31; an array gives one sequence per entry.
    length : int
        Number of values M_PN (≥ 0).
    offset : int
        Index of the first value returned (≥ 0), counted after the N_c = 1600 discarded values.

    Returns
    -------
    numpy.ndarray
        ``np.uint8`` of 0/1 with shape ``np.shape(c_init) + (length,)``.

    Raises
    ------
    ConfigError
        If c_init is not an integer in [0, 2^31), or length/offset is negative.

    Examples
    --------
    >>> gold_sequence(0, 8)
    array([0, 0, 0, 0, 0, 0, 1, 0], dtype=uint8)
    """
    length = check_int("length", length, 0, clause=_CLAUSE)
    offset = check_int("offset", offset, 0, clause=_CLAUSE)
    arr = _as_c_init(c_init)
    flat = np.ascontiguousarray(arr.reshape(-1))
    out = np.empty((flat.size, length), dtype=np.uint8)
    if flat.size and length:
        gold_kernel(flat, np.int64(N_C + offset), out)
    return out.reshape(*arr.shape, length)

"""TS 38.212 §5.3.2 — LDPC encoding.

The parity bits ``w`` solve ``H [c; w] = 0`` for the parity-check matrix ``H`` of §5.3.2. The
encoder exploits the structure of both base graphs instead of inverting ``H``:

* the four core parity columns ``k_b .. k_b+3`` (``k_b`` = 22 for BG1, 10 for BG2) are touched
  only by base rows 0..3. Column ``k_b`` appears in three of them with shifts ``a, b, a`` and the
  other three columns form a double diagonal, so the sum of rows 0..3 gives
  ``P^b p_0 = lambda_0 + lambda_1 + lambda_2 + lambda_3`` (``lambda_i``: the systematic part of
  row ``i``), and rows 0, 1, 2 then give ``p_1, p_2, p_3`` one after the other;
* every extension row ``i >= 4`` has an identity block on its own parity column ``k_b + i`` and
  nothing to the right of it, so its parity bits are the sum of the shifted blocks before it.

Output layout follows §5.3.2: ``d_k = c_{k+2Z_c}`` for ``k < K - 2Z_c`` then the parity bits,
i.e. the first ``2 Z_c`` systematic bits are punctured (``N = 66 Z_c`` for BG1, ``50 Z_c`` for BG2),
exactly like MATLAB ``nrLDPCEncode``. Filler bits enter as 0 and leave as 0.
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import as_bits, check_choice
from opennr.coding.ldpc._encoder_kernels import ldpc_encode_kernel
from opennr.coding.ldpc.basegraph import LIFTING_SIZES, LdpcCode, ldpc_code

__all__ = ["ldpc_encode", "ldpc_lifting_size"]

_CLAUSE = "TS 38.212 §5.3.2"


def ldpc_lifting_size(k: int, bg: int) -> int:
    """Return the lifting size ``Z_c`` of a code block of ``K`` bits (``K = 22 Z_c`` or ``10 Z_c``).

    Parameters
    ----------
    k : int
        Code block length ``K`` including filler bits.
    bg : int
        Base graph, 1 or 2.

    Raises
    ------
    ConfigError
        If ``bg`` is not 1 or 2.
    ValueError
        If ``k`` is not 22 (BG1) or 10 (BG2) times a lifting size of Table 5.3.2-1.
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    k_b = 22 if bg == 1 else 10
    if k % k_b or k // k_b not in LIFTING_SIZES:
        raise ValueError(f"K={k}: the code block length of base graph {bg} must be {k_b}*Zc for a "
                         f"lifting size Zc of TS 38.212 Table 5.3.2-1 ({_CLAUSE})")
    return k // k_b


@functools.lru_cache(maxsize=128)
def _core_shift(code: LdpcCode) -> int:
    """Shift ``b`` with ``sum_{i<4} P^{V_i,k_b} = P^b`` (the core of the base graph), after
    checking the double-diagonal structure the kernel relies on."""
    k_b = code.k_b
    counts: dict[int, int] = {}
    for r in range(4):
        sl = slice(code.row_ptr[r], code.row_ptr[r + 1])
        cols, shifts = code.cols[sl], code.shifts[sl]
        parity = cols >= k_b
        if cols[parity].max() != k_b + 1 + r - (r == 3) or (r < 3 and shifts[cols == k_b + 1 + r][0]):
            raise RuntimeError(f"base graph {code.bg}: unexpected core structure in row {r}")
        for v in shifts[cols == k_b]:
            counts[int(v)] = counts.get(int(v), 0) + 1
    odd = [v for v, n in counts.items() if n % 2]
    if len(odd) != 1:
        raise RuntimeError(f"base graph {code.bg}: core column {k_b} is not invertible")
    return odd[0]


def ldpc_encode(c, bg: int) -> np.ndarray:
    """Encode code blocks with the LDPC code of base graph ``bg`` (TS 38.212 §5.3.2).

    Parameters
    ----------
    c : array_like of uint8, shape (..., K)
        Code blocks ``c_0 .. c_{K-1}`` (bits 0/1; filler bits as 0). ``K`` must be ``22 Z_c``
        (BG1) or ``10 Z_c`` (BG2) for a lifting size ``Z_c`` of Table 5.3.2-1; ``Z_c`` is inferred.
    bg : int
        Base graph, 1 or 2.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., N)
        ``d_0 .. d_{N-1}`` with ``N = 66 Z_c`` (BG1) or ``50 Z_c`` (BG2): systematic bits
        ``c_{2Z_c} .. c_{K-1}`` followed by the parity bits (first ``2 Z_c`` bits punctured).

    Raises
    ------
    ConfigError
        If ``bg`` is not 1 or 2.
    ValueError
        If ``c`` is not a 0/1 array of at least one dimension, or its length ``K`` is not valid
        for ``bg``.

    Examples
    --------
    >>> d = ldpc_encode(np.zeros(22 * 384, np.uint8), 1)
    >>> d.shape
    (25344,)
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    bits = as_bits("c", c)
    zc = ldpc_lifting_size(bits.shape[-1], bg)
    code = ldpc_code(bg, zc)
    lead = bits.shape[:-1]
    blocks = bits.reshape(int(np.prod(lead)), code.k)
    out = np.empty((blocks.shape[0], code.n), dtype=np.uint8)
    if blocks.shape[0]:
        ldpc_encode_kernel(blocks, code.row_ptr, code.cols, code.shifts, code.k_b, zc,
                           code.n_cols, _core_shift(code), out)
    return out.reshape(*lead, code.n)

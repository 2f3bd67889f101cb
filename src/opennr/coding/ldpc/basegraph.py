"""TS 38.212 §5.3.2 — LDPC base graphs and lifting sizes (Tables 5.3.2-1, 5.3.2-2, 5.3.2-3).

The two base graphs are transcribed once, as data, in ``data/bg1.csv`` (Table 5.3.2-2, 46 x 68,
316 nonzero entries) and ``data/bg2.csv`` (Table 5.3.2-3, 42 x 52, 197 nonzero entries): one line
per nonzero entry (row ``i``, column ``j``) with its shift values ``V_ij`` for the lifting set
indices ``i_LS`` = 0..7. The lifting sizes of Table 5.3.2-1 are the module constant
:data:`LIFTING_SIZE_SETS`.

The parity-check matrix ``H`` of a code with lifting size ``Z_c`` replaces each nonzero entry of the
base graph by the ``Z_c x Z_c`` identity matrix cyclically shifted to the right by
``P_ij = V_ij mod Z_c`` (row ``r`` of the block has its one in column ``(r + P_ij) mod Z_c``), and
each zero entry by the all-zero matrix.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from opennr._validate import check_choice
from opennr.errors import ConfigError

__all__ = [
    "LIFTING_SIZES",
    "LIFTING_SIZE_SETS",
    "LdpcCode",
    "base_graph_table",
    "ldpc_code",
    "lifting_set_index",
    "parity_check_matrix",
]

_CLAUSE = "TS 38.212 §5.3.2"
_DATA = Path(__file__).parent / "data"

#: TS 38.212 Table 5.3.2-1: sets of LDPC lifting sizes Z, indexed by the set index i_LS
#: (set i_LS holds a * 2**j for a = 2, 3, 5, 7, 9, 11, 13, 15).
LIFTING_SIZE_SETS: tuple[tuple[int, ...], ...] = (
    (2, 4, 8, 16, 32, 64, 128, 256),
    (3, 6, 12, 24, 48, 96, 192, 384),
    (5, 10, 20, 40, 80, 160, 320),
    (7, 14, 28, 56, 112, 224),
    (9, 18, 36, 72, 144, 288),
    (11, 22, 44, 88, 176, 352),
    (13, 26, 52, 104, 208),
    (15, 30, 60, 120, 240),
)

#: All 51 lifting sizes of Table 5.3.2-1, ascending.
LIFTING_SIZES: tuple[int, ...] = tuple(sorted(z for s in LIFTING_SIZE_SETS for z in s))

_SET_OF = {z: i for i, s in enumerate(LIFTING_SIZE_SETS) for z in s}

# (rows, columns, systematic columns k_b, nonzero entries) of each base graph.
_SHAPES = {1: (46, 68, 22, 316), 2: (42, 52, 10, 197)}


def lifting_set_index(zc: int) -> int:
    """Return the set index ``i_LS`` of Table 5.3.2-1 that contains the lifting size ``zc``.

    Parameters
    ----------
    zc : int
        Lifting size ``Z_c``.

    Returns
    -------
    int
        ``i_LS`` in 0..7.

    Raises
    ------
    ConfigError
        If ``zc`` is not one of the 51 lifting sizes of Table 5.3.2-1.
    """
    if isinstance(zc, bool) or not isinstance(zc, (int, np.integer)) or int(zc) not in _SET_OF:
        raise ConfigError("zc", zc, "must be a lifting size of TS 38.212 Table 5.3.2-1", _CLAUSE)
    return _SET_OF[int(zc)]


@functools.lru_cache(maxsize=2)
def base_graph_table(bg: int) -> np.ndarray:
    """Return base graph ``bg`` as transcribed from Table 5.3.2-2 (``bg=1``) or 5.3.2-3 (``bg=2``).

    Parameters
    ----------
    bg : int
        Base graph number, 1 or 2.

    Returns
    -------
    numpy.ndarray
        Read-only ``int32`` array of shape ``(nnz, 10)``: columns are row index ``i``, column
        index ``j`` and ``V_ij`` for ``i_LS`` = 0..7, one line per nonzero entry sorted by ``i``
        then ``j`` (``nnz`` = 316 for BG1, 197 for BG2).

    Raises
    ------
    ConfigError
        If ``bg`` is not 1 or 2.
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    table = np.loadtxt(_DATA / f"bg{bg}.csv", delimiter=",", comments="#", skiprows=3,
                       dtype=np.int32)
    n_rows, n_cols, _, nnz = _SHAPES[bg]
    if table.shape != (nnz, 10) or table[:, 0].max() != n_rows - 1 or table[:, 1].max() != n_cols - 1:
        raise RuntimeError(f"corrupt base graph table bg{bg}.csv: shape {table.shape}")
    order = np.lexsort((table[:, 1], table[:, 0]))
    table = np.ascontiguousarray(table[order])
    table.setflags(write=False)
    return table


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, slots=True)
class LdpcCode:
    """The lifted LDPC code of base graph ``bg`` with lifting size ``zc`` (TS 38.212 §5.3.2).

    Build it with :func:`ldpc_code` (cached). The edge arrays list the nonzero entries of the
    base graph sorted by row then column; ``shifts`` are ``P_ij = V_ij mod Z_c`` for the set
    ``i_LS`` of ``zc``.

    Attributes
    ----------
    bg : int
        Base graph, 1 or 2.
    zc : int
        Lifting size ``Z_c``.
    rows, cols, shifts : numpy.ndarray
        ``int32`` arrays of length ``nnz`` (316 or 197): row ``i``, column ``j``, ``P_ij``.
    row_ptr : numpy.ndarray
        ``int32`` array of length ``n_rows + 1``: the edges of row ``i`` are
        ``row_ptr[i]:row_ptr[i + 1]``.
    """

    bg: int
    zc: int
    rows: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    cols: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    shifts: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    row_ptr: np.ndarray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        check_choice("bg", self.bg, (1, 2), _CLAUSE)
        i_ls = lifting_set_index(self.zc)
        table = base_graph_table(self.bg)
        n_rows = _SHAPES[self.bg][0]
        rows = table[:, 0].astype(np.int32)
        object.__setattr__(self, "rows", _readonly(rows))
        object.__setattr__(self, "cols", _readonly(table[:, 1].astype(np.int32)))
        object.__setattr__(self, "shifts", _readonly((table[:, 2 + i_ls] % self.zc).astype(np.int32)))
        ptr = np.searchsorted(rows, np.arange(n_rows + 1)).astype(np.int32)
        object.__setattr__(self, "row_ptr", _readonly(ptr))

    @property
    def i_ls(self) -> int:
        """Lifting set index ``i_LS`` of ``zc`` (Table 5.3.2-1)."""
        return _SET_OF[self.zc]

    @property
    def n_rows(self) -> int:
        """Rows of the base graph: 46 (BG1) or 42 (BG2)."""
        return _SHAPES[self.bg][0]

    @property
    def n_cols(self) -> int:
        """Columns of the base graph: 68 (BG1) or 52 (BG2)."""
        return _SHAPES[self.bg][1]

    @property
    def k_b(self) -> int:
        """Systematic columns of the base graph: 22 (BG1) or 10 (BG2)."""
        return _SHAPES[self.bg][2]

    @property
    def nnz(self) -> int:
        """Nonzero entries of the base graph: 316 (BG1) or 197 (BG2)."""
        return _SHAPES[self.bg][3]

    @property
    def k(self) -> int:
        """Code block size ``K`` = 22 ``Z_c`` (BG1) or 10 ``Z_c`` (BG2)."""
        return self.k_b * self.zc

    @property
    def n(self) -> int:
        """Encoder output length ``N`` = 66 ``Z_c`` (BG1) or 50 ``Z_c`` (BG2), after the puncture
        of the first 2 ``Z_c`` systematic bits."""
        return (self.n_cols - 2) * self.zc


@functools.lru_cache(maxsize=128, typed=True)
def ldpc_code(bg: int, zc: int) -> LdpcCode:
    """Return the (cached) lifted LDPC code of base graph ``bg`` and lifting size ``zc``.

    TS 38.212 §5.3.2, Tables 5.3.2-1/2/3.

    Parameters
    ----------
    bg : int
        Base graph, 1 or 2.
    zc : int
        Lifting size ``Z_c``, one of :data:`LIFTING_SIZES`.

    Returns
    -------
    LdpcCode

    Raises
    ------
    ConfigError
        If ``bg`` is not 1 or 2, or ``zc`` is not a lifting size of Table 5.3.2-1.
    """
    return LdpcCode(bg, int(zc) if isinstance(zc, np.integer) else zc)


def parity_check_matrix(code: LdpcCode):
    """Return the full parity-check matrix ``H`` of ``code`` (TS 38.212 §5.3.2).

    A slow reference (oracle) for tests: ``H @ [c; w] = 0 (mod 2)`` for every codeword, where
    ``c`` holds the ``K`` systematic bits (the 2 ``Z_c`` punctured ones included) and ``w`` the
    parity bits.

    Parameters
    ----------
    code : LdpcCode

    Returns
    -------
    scipy.sparse.csr_matrix
        ``uint8`` matrix of shape ``(n_rows * zc, n_cols * zc)``.
    """
    import scipy.sparse

    z = code.zc
    r = np.arange(z)
    row_idx = (code.rows[:, None] * z + r[None, :]).ravel()
    col_idx = (code.cols[:, None] * z + (r[None, :] + code.shifts[:, None]) % z).ravel()
    data = np.ones(row_idx.size, dtype=np.uint8)
    return scipy.sparse.csr_matrix((data, (row_idx, col_idx)),
                                   shape=(code.n_rows * z, code.n_cols * z))

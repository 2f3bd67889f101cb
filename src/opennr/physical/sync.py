"""TS 38.211 §7.4.2 — primary and secondary synchronization signals (PSS, SSS).

The physical-layer cell identity is N_ID^cell = 3 N_ID^(1) + N_ID^(2) with N_ID^(1) ∈ {0..335}
and N_ID^(2) ∈ {0, 1, 2} (§7.4.2.1). Both signals are length-127 BPSK sequences built from
m-sequences of degree 7 (§7.4.2.2, §7.4.2.3). The three PSS and the 1008 SSS are computed once
and cached; the functions return fresh copies.
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import check_int

__all__ = [
    "N_ID_1_VALUES",
    "N_ID_2_VALUES",
    "SYNC_LENGTH",
    "cell_id",
    "pss",
    "pss_sequences",
    "split_cell_id",
    "sss",
    "sss_sequences",
]

#: Length of the PSS and SSS sequences, 127 (§7.4.2.2, §7.4.2.3).
SYNC_LENGTH = 127

#: Number of values of N_ID^(1) (0 .. 335) and N_ID^(2) (0 .. 2), §7.4.2.1.
N_ID_1_VALUES = 336
N_ID_2_VALUES = 3

_CLAUSE_ID = "TS 38.211 §7.4.2.1"


def _m_sequence(taps: tuple[int, ...], init: tuple[int, ...]) -> np.ndarray:
    """x(i + 7) = (Σ_{t ∈ taps} x(i + t)) mod 2 with [x(0) .. x(6)] = init, 127 values."""
    x = np.zeros(SYNC_LENGTH, dtype=np.int64)
    x[:7] = init
    for i in range(SYNC_LENGTH - 7):
        x[i + 7] = sum(int(x[i + t]) for t in taps) % 2
    return x


def cell_id(n_id_1: int, n_id_2: int) -> int:
    """N_ID^cell = 3 N_ID^(1) + N_ID^(2) (TS 38.211 §7.4.2.1).

    Raises
    ------
    ConfigError
        If N_ID^(1) is outside 0 .. 335 or N_ID^(2) outside 0 .. 2.
    """
    n_id_1 = check_int("n_id_1", n_id_1, 0, N_ID_1_VALUES - 1, _CLAUSE_ID)
    n_id_2 = check_int("n_id_2", n_id_2, 0, N_ID_2_VALUES - 1, _CLAUSE_ID)
    return 3 * n_id_1 + n_id_2


def split_cell_id(n_cell_id: int) -> tuple[int, int]:
    """(N_ID^(1), N_ID^(2)) of a cell identity N_ID^cell = 3 N_ID^(1) + N_ID^(2) (TS 38.211 §7.4.2.1).

    Raises
    ------
    ConfigError
        If N_ID^cell is outside 0 .. 1007.
    """
    n_cell_id = check_int("n_cell_id", n_cell_id, 0, 3 * N_ID_1_VALUES - 1, _CLAUSE_ID)
    return n_cell_id // 3, n_cell_id % 3


@functools.cache
def _pss_table() -> np.ndarray:
    # §7.4.2.2: x(i+7) = (x(i+4) + x(i)) mod 2, [x(6) .. x(0)] = [1 1 1 0 1 1 0].
    x = _m_sequence((4, 0), (0, 1, 1, 0, 1, 1, 1))
    n = np.arange(SYNC_LENGTH)
    m = (n[None, :] + 43 * np.arange(N_ID_2_VALUES)[:, None]) % SYNC_LENGTH
    table = (1 - 2 * x[m]).astype(np.float32)
    table.setflags(write=False)
    return table


@functools.cache
def _sss_table() -> np.ndarray:
    # §7.4.2.3: x0(i+7) = (x0(i+4) + x0(i)) mod 2, x1(i+7) = (x1(i+1) + x1(i)) mod 2,
    # [x(6) .. x(0)] = [0 0 0 0 0 0 1] for both.
    init = (1, 0, 0, 0, 0, 0, 0)
    x0 = _m_sequence((4, 0), init)
    x1 = _m_sequence((1, 0), init)
    cell = np.arange(3 * N_ID_1_VALUES)
    n_id_1, n_id_2 = cell // 3, cell % 3
    m0 = 15 * (n_id_1 // 112) + 5 * n_id_2
    m1 = n_id_1 % 112
    n = np.arange(SYNC_LENGTH)
    d = (1 - 2 * x0[(n[None, :] + m0[:, None]) % SYNC_LENGTH]) \
        * (1 - 2 * x1[(n[None, :] + m1[:, None]) % SYNC_LENGTH])
    table = d.astype(np.float32)
    table.setflags(write=False)
    return table


def pss(n_id_2: int) -> np.ndarray:
    """Primary synchronization signal d_PSS(n), n = 0 .. 126 (TS 38.211 §7.4.2.2).

    d_PSS(n) = 1 − 2 x(m), m = (n + 43 N_ID^(2)) mod 127, with the m-sequence
    x(i + 7) = (x(i + 4) + x(i)) mod 2 and [x(6) .. x(0)] = [1 1 1 0 1 1 0].

    Parameters
    ----------
    n_id_2 : int
        N_ID^(2), 0 .. 2.

    Returns
    -------
    numpy.ndarray
        ``np.float32`` (127,) of ±1.

    Raises
    ------
    ConfigError
        If N_ID^(2) is outside 0 .. 2.
    """
    n_id_2 = check_int("n_id_2", n_id_2, 0, N_ID_2_VALUES - 1, _CLAUSE_ID)
    return _pss_table()[n_id_2].copy()


def sss(n_id_1: int, n_id_2: int) -> np.ndarray:
    """Secondary synchronization signal d_SSS(n), n = 0 .. 126 (TS 38.211 §7.4.2.3).

    d_SSS(n) = [1 − 2 x0((n + m0) mod 127)] [1 − 2 x1((n + m1) mod 127)] with
    m0 = 15 ⌊N_ID^(1) / 112⌋ + 5 N_ID^(2), m1 = N_ID^(1) mod 112,
    x0(i + 7) = (x0(i + 4) + x0(i)) mod 2, x1(i + 7) = (x1(i + 1) + x1(i)) mod 2 and
    [x(6) .. x(0)] = [0 0 0 0 0 0 1] for both.

    Parameters
    ----------
    n_id_1 : int
        N_ID^(1), 0 .. 335.
    n_id_2 : int
        N_ID^(2), 0 .. 2.

    Returns
    -------
    numpy.ndarray
        ``np.float32`` (127,) of ±1.

    Raises
    ------
    ConfigError
        If N_ID^(1) or N_ID^(2) is outside its range.
    """
    return _sss_table()[cell_id(n_id_1, n_id_2)].copy()


def pss_sequences() -> np.ndarray:
    """All three PSS, row N_ID^(2) (TS 38.211 §7.4.2.2): ``np.float32`` (3, 127), a copy."""
    return _pss_table().copy()


def sss_sequences() -> np.ndarray:
    """All 1008 SSS, row N_ID^cell = 3 N_ID^(1) + N_ID^(2) (TS 38.211 §7.4.2.3).

    Returns
    -------
    numpy.ndarray
        ``np.float32`` (1008, 127) of ±1, a copy (for correlation-based cell search).
    """
    return _sss_table().copy()

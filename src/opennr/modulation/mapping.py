"""TS 38.211 §5.1 — modulation mapper: bits b(i) to complex-valued symbols d(i).

The seven mappings of §5.1.1-§5.1.7 are written below exactly as the specification states
them, as functions of the bits of one symbol. Each constellation is evaluated once, for
every bit group, into a lookup table indexed by the integer whose binary digits, most
significant first, are b(qm*i), b(qm*i+1), ..., b(qm*i+qm-1); the table is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from opennr._validate import as_bits, check_choice
from opennr.modulation import _kernels

CLAUSE = "TS 38.211 §5.1"

#: Modulation names (MATLAB 5G Toolbox spelling) and the number of bits per symbol Q_m.
BITS_PER_SYMBOL: dict[str, int] = {
    "pi/2-BPSK": 1,  # §5.1.1
    "BPSK": 1,  # §5.1.2
    "QPSK": 2,  # §5.1.3
    "16QAM": 4,  # §5.1.4
    "64QAM": 6,  # §5.1.5
    "256QAM": 8,  # §5.1.6
    "1024QAM": 10,  # §5.1.7
}

MODULATIONS: tuple[str, ...] = tuple(BITS_PER_SYMBOL)


# --- §5.1.1-§5.1.7: the mapping equations --------------------------------------------------
# ``b`` is a signed integer array of shape (..., qm): b[..., k] is b(qm*i + k). ``i`` is the
# symbol index (only pi/2-BPSK depends on it).


def _pi2_bpsk(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.1: d(i) = e^{j pi/2 (i mod 2)} / sqrt(2) * [(1 - 2b(i)) + j(1 - 2b(i))]."""
    return (np.exp(1j * np.pi / 2 * (i % 2)) / np.sqrt(2)
            * ((1 - 2 * b[..., 0]) + 1j * (1 - 2 * b[..., 0])))


def _bpsk(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.2: d(i) = 1/sqrt(2) * [(1 - 2b(i)) + j(1 - 2b(i))]."""
    return 1 / np.sqrt(2) * ((1 - 2 * b[..., 0]) + 1j * (1 - 2 * b[..., 0]))


def _qpsk(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.3: d(i) = 1/sqrt(2) * [(1 - 2b(2i)) + j(1 - 2b(2i+1))]."""
    return 1 / np.sqrt(2) * ((1 - 2 * b[..., 0]) + 1j * (1 - 2 * b[..., 1]))


def _qam16(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.4: d(i) = 1/sqrt(10) {(1-2b(4i))[2-(1-2b(4i+2))] + j(1-2b(4i+1))[2-(1-2b(4i+3))]}."""
    s = 1 - 2 * b
    return 1 / np.sqrt(10) * (s[..., 0] * (2 - s[..., 2])
                              + 1j * s[..., 1] * (2 - s[..., 3]))


def _qam64(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.5: d(i) = 1/sqrt(42) {(1-2b(6i))[4-(1-2b(6i+2))[2-(1-2b(6i+4))]]
    + j(1-2b(6i+1))[4-(1-2b(6i+3))[2-(1-2b(6i+5))]]}."""
    s = 1 - 2 * b
    return 1 / np.sqrt(42) * (s[..., 0] * (4 - s[..., 2] * (2 - s[..., 4]))
                              + 1j * s[..., 1] * (4 - s[..., 3] * (2 - s[..., 5])))


def _qam256(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.6: d(i) = 1/sqrt(170) {(1-2b(8i))[8-(1-2b(8i+2))[4-(1-2b(8i+4))[2-(1-2b(8i+6))]]]
    + j(1-2b(8i+1))[8-(1-2b(8i+3))[4-(1-2b(8i+5))[2-(1-2b(8i+7))]]]}."""
    s = 1 - 2 * b
    return 1 / np.sqrt(170) * (
        s[..., 0] * (8 - s[..., 2] * (4 - s[..., 4] * (2 - s[..., 6])))
        + 1j * s[..., 1] * (8 - s[..., 3] * (4 - s[..., 5] * (2 - s[..., 7]))))


def _qam1024(b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """§5.1.7: d(i) = 1/sqrt(682) {(1-2b(10i))[16-(1-2b(10i+2))[8-(1-2b(10i+4))
    [4-(1-2b(10i+6))[2-(1-2b(10i+8))]]]] + j(1-2b(10i+1))[16-(1-2b(10i+3))[8-(1-2b(10i+5))
    [4-(1-2b(10i+7))[2-(1-2b(10i+9))]]]]}."""
    s = 1 - 2 * b
    return 1 / np.sqrt(682) * (
        s[..., 0] * (16 - s[..., 2] * (8 - s[..., 4] * (4 - s[..., 6] * (2 - s[..., 8]))))
        + 1j * s[..., 1] * (16 - s[..., 3] * (8 - s[..., 5] * (4 - s[..., 7] * (2 - s[..., 9])))))


_EQUATIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "pi/2-BPSK": _pi2_bpsk,
    "BPSK": _bpsk,
    "QPSK": _qpsk,
    "16QAM": _qam16,
    "64QAM": _qam64,
    "256QAM": _qam256,
    "1024QAM": _qam1024,
}


def check_modulation(modulation: object) -> str:
    """Return ``modulation`` after checking it is one of :data:`MODULATIONS`.

    Raises
    ------
    ConfigError
        If the name is not one of the TS 38.211 §5.1 modulation schemes.
    """
    return check_choice("modulation", modulation, MODULATIONS, CLAUSE)


def bits_per_symbol(modulation: str) -> int:
    """TS 38.211 §5.1 — number of bits per symbol Q_m of a modulation scheme.

    Parameters
    ----------
    modulation : str
        One of ``"pi/2-BPSK"``, ``"BPSK"``, ``"QPSK"``, ``"16QAM"``, ``"64QAM"``, ``"256QAM"``,
        ``"1024QAM"``.

    Returns
    -------
    int
        Q_m: 1, 1, 2, 4, 6, 8 or 10.

    Raises
    ------
    ConfigError
        If ``modulation`` is not one of the names above.
    """
    return BITS_PER_SYMBOL[check_modulation(modulation)]


def modulation_for_qm(qm: int) -> str:
    """The modulation scheme of a shared channel with modulation order Q_m.

    TS 38.214 §5.1.3.1 and §6.1.4.1 give a data channel's scheme by Q_m alone; Q_m = 1 occurs
    only with transform precoding and means pi/2-BPSK.

    Raises
    ------
    ConfigError
        If ``qm`` is not 1, 2, 4, 6, 8 or 10.
    """
    check_choice("qm", qm, _SCHEME_BY_QM, "TS 38.214 §5.1.3.1, §6.1.4.1")
    return _SCHEME_BY_QM[qm]


_SCHEME_BY_QM = {1: "pi/2-BPSK", 2: "QPSK", 4: "16QAM", 6: "64QAM", 8: "256QAM", 10: "1024QAM"}


@cache
def symbol_table(modulation: str) -> np.ndarray:
    """TS 38.211 §5.1 — the constellation as a lookup table, evaluated from the §5.1 equations.

    Parameters
    ----------
    modulation : str
        Modulation name (see :data:`MODULATIONS`).

    Returns
    -------
    np.ndarray of complex128, shape (P, 2**qm), read-only
        ``table[p, v]`` is d(i) for symbol index i with i mod P = p and bit group
        b(qm*i) ... b(qm*i+qm-1) equal to the binary digits of v, most significant first.
        P = 2 for pi/2-BPSK (its rotation depends on i mod 2) and 1 otherwise.

    Raises
    ------
    ConfigError
        If ``modulation`` is not one of :data:`MODULATIONS`.
    """
    qm = bits_per_symbol(modulation)
    period = 2 if modulation == "pi/2-BPSK" else 1
    v = np.arange(2**qm)
    b = (v[:, None] >> np.arange(qm - 1, -1, -1)[None, :]) & 1  # int64: 1 - 2b stays signed
    i = np.arange(period)[:, None]
    table = np.asarray(_EQUATIONS[modulation](b[None, :, :], i), dtype=np.complex128)
    table = np.ascontiguousarray(np.broadcast_to(table, (period, 2**qm)))
    table.setflags(write=False)
    return table


def constellation(modulation: str) -> np.ndarray:
    """TS 38.211 §5.1 — the constellation points of a modulation scheme.

    Parameters
    ----------
    modulation : str
        Modulation name (see :data:`MODULATIONS`).

    Returns
    -------
    np.ndarray of complex128, shape (2**qm,)
        Point ``v`` is the symbol of the bit group whose binary digits (most significant
        first) are the digits of ``v``. For pi/2-BPSK these are the points of even i; odd i
        are rotated by e^{j pi/2}.

    Raises
    ------
    ConfigError
        If ``modulation`` is not one of :data:`MODULATIONS`.
    """
    return symbol_table(modulation)[0].copy()


@cache
def _symbol_table_c64(modulation: str) -> np.ndarray:
    table = symbol_table(modulation).astype(np.complex64)
    table.setflags(write=False)
    return table


def modulate(bits: np.ndarray, modulation: str) -> np.ndarray:
    """TS 38.211 §5.1 — map bits b(i) to complex-valued modulation symbols d(i).

    Parameters
    ----------
    bits : array_like of uint8 0/1, shape (..., n * qm)
        Bits b(0) ... b(n*qm - 1) along the last axis; leading axes are a batch.
    modulation : str
        ``"pi/2-BPSK"``, ``"BPSK"``, ``"QPSK"``, ``"16QAM"``, ``"64QAM"``, ``"256QAM"`` or
        ``"1024QAM"`` (Q_m = 1, 1, 2, 4, 6, 8, 10).

    Returns
    -------
    np.ndarray of complex64, shape (..., n)
        Symbols d(0) ... d(n-1), unit average power. For pi/2-BPSK the index i of the
        rotation e^{j pi/2 (i mod 2)} counts along the last axis.

    Raises
    ------
    ConfigError
        If ``modulation`` is not a known name.
    ValueError
        If ``bits`` holds values other than 0/1, is a scalar, or its last dimension is not a
        multiple of Q_m.

    Examples
    --------
    >>> modulate([0, 0, 1, 1], "QPSK")
    array([ 0.70710677+0.70710677j, -0.70710677-0.70710677j], dtype=complex64)
    """
    qm = bits_per_symbol(modulation)
    b = as_bits("bits", bits)
    if b.shape[-1] % qm:
        raise ValueError(f"bits: last dimension must be a multiple of Q_m={qm} for "
                         f"{modulation} ({CLAUSE}), got shape {b.shape}")
    n = b.shape[-1] // qm
    out = np.empty((*b.shape[:-1], n), dtype=np.complex64)
    if out.size:
        _kernels.map_symbols(b.reshape(-1, n * qm), qm, _symbol_table_c64(modulation),
                             out.reshape(-1, n))
    return out

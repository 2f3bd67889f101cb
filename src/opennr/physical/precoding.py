"""TS 38.211 §6.3.1.5 — precoding of the PUSCH: the codebooks of Tables 6.3.1.5-1 to -7.

The layer symbols x(i) = [x^(0)(i) .. x^(ν−1)(i)]^T are mapped onto the antenna ports as
y(i) = W x(i). For non-codebook transmission W is the identity (ports = layers); for codebook
transmission W is selected by the TPMI from the tables below (one antenna port: W = [1]).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError

__all__ = [
    "PUSCH_CODEBOOKS",
    "precode",
    "pusch_codebook",
    "pusch_codebook_size",
]

_CLAUSE = "TS 38.211 §6.3.1.5"

_S2 = 1.0 / math.sqrt(2.0)
_S8 = 1.0 / (2.0 * math.sqrt(2.0))
_S12 = 1.0 / (2.0 * math.sqrt(3.0))
_J = 1j

# Each entry is (scale, matrix); the matrix is a tuple of rows, one row per antenna port and one
# column per layer, so W = scale * matrix has shape (ports, layers). Key:
# (layers, ports, transform_precoding) -> (table number, entries indexed by TPMI).
PUSCH_CODEBOOKS: dict[tuple[int, int, bool], tuple[str, tuple[tuple[float, tuple], ...]]] = {}

# Table 6.3.1.5-1: single-layer transmission using two antenna ports, TPMI 0..5.
_T1 = tuple((_S2, ((a,), (b,))) for a, b in (
    (1, 0), (0, 1), (1, 1), (1, -1), (1, _J), (1, -_J)))

# Table 6.3.1.5-2: single-layer transmission using four antenna ports with transform
# precoding enabled, TPMI 0..27 (rows W^T).
_T2_ROWS = (
    (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1),
    (1, 0, 1, 0), (1, 0, -1, 0), (1, 0, _J, 0), (1, 0, -_J, 0),
    (0, 1, 0, 1), (0, 1, 0, -1), (0, 1, 0, _J), (0, 1, 0, -_J),
    (1, 1, 1, -1), (1, 1, _J, _J), (1, 1, -1, 1), (1, 1, -_J, -_J),
    (1, _J, 1, _J), (1, _J, _J, 1), (1, _J, -1, -_J), (1, _J, -_J, -1),
    (1, -1, 1, 1), (1, -1, _J, -_J), (1, -1, -1, -1), (1, -1, -_J, _J),
    (1, -_J, 1, -_J), (1, -_J, _J, -1), (1, -_J, -1, _J), (1, -_J, -_J, 1),
)
_T2 = tuple((0.5, tuple((v,) for v in row)) for row in _T2_ROWS)

# Table 6.3.1.5-3: single-layer transmission using four antenna ports with transform
# precoding disabled, TPMI 0..27 (rows W^T).
_T3_ROWS = (
    (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1),
    (1, 0, 1, 0), (1, 0, -1, 0), (1, 0, _J, 0), (1, 0, -_J, 0),
    (0, 1, 0, 1), (0, 1, 0, -1), (0, 1, 0, _J), (0, 1, 0, -_J),
    (1, 1, 1, 1), (1, 1, _J, _J), (1, 1, -1, -1), (1, 1, -_J, -_J),
    (1, _J, 1, _J), (1, _J, _J, -1), (1, _J, -1, -_J), (1, _J, -_J, 1),
    (1, -1, 1, -1), (1, -1, _J, -_J), (1, -1, -1, 1), (1, -1, -_J, _J),
    (1, -_J, 1, -_J), (1, -_J, _J, 1), (1, -_J, -1, _J), (1, -_J, -_J, -1),
)
_T3 = tuple((0.5, tuple((v,) for v in row)) for row in _T3_ROWS)

# Table 6.3.1.5-4: two-layer transmission using two antenna ports, TPMI 0..2.
_T4 = (
    (_S2, ((1, 0), (0, 1))),
    (0.5, ((1, 1), (1, -1))),
    (0.5, ((1, 1), (_J, -_J))),
)

# Table 6.3.1.5-5: two-layer transmission using four antenna ports (transform precoding
# disabled), TPMI 0..21.
_T5 = (
    (0.5, ((1, 0), (0, 1), (0, 0), (0, 0))),
    (0.5, ((1, 0), (0, 0), (0, 1), (0, 0))),
    (0.5, ((1, 0), (0, 0), (0, 0), (0, 1))),
    (0.5, ((0, 0), (1, 0), (0, 1), (0, 0))),
    (0.5, ((0, 0), (1, 0), (0, 0), (0, 1))),
    (0.5, ((0, 0), (0, 0), (1, 0), (0, 1))),
    (0.5, ((1, 0), (0, 1), (1, 0), (0, -_J))),
    (0.5, ((1, 0), (0, 1), (1, 0), (0, _J))),
    (0.5, ((1, 0), (0, 1), (-_J, 0), (0, 1))),
    (0.5, ((1, 0), (0, 1), (-_J, 0), (0, -1))),
    (0.5, ((1, 0), (0, 1), (-1, 0), (0, -_J))),
    (0.5, ((1, 0), (0, 1), (-1, 0), (0, _J))),
    (0.5, ((1, 0), (0, 1), (_J, 0), (0, 1))),
    (0.5, ((1, 0), (0, 1), (_J, 0), (0, -1))),
    (_S8, ((1, 1), (1, 1), (1, -1), (1, -1))),
    (_S8, ((1, 1), (1, 1), (_J, -_J), (_J, -_J))),
    (_S8, ((1, 1), (_J, _J), (1, -1), (_J, -_J))),
    (_S8, ((1, 1), (_J, _J), (_J, -_J), (-1, 1))),
    (_S8, ((1, 1), (-1, -1), (1, -1), (-1, 1))),
    (_S8, ((1, 1), (-1, -1), (_J, -_J), (-_J, _J))),
    (_S8, ((1, 1), (-_J, -_J), (1, -1), (-_J, _J))),
    (_S8, ((1, 1), (-_J, -_J), (_J, -_J), (1, -1))),
)

# Table 6.3.1.5-6: three-layer transmission using four antenna ports (transform precoding
# disabled), TPMI 0..6.
_T6 = (
    (0.5, ((1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0))),
    (0.5, ((1, 0, 0), (0, 1, 0), (1, 0, 0), (0, 0, 1))),
    (0.5, ((1, 0, 0), (0, 1, 0), (-1, 0, 0), (0, 0, 1))),
    (_S12, ((1, 1, 1), (1, -1, 1), (1, 1, -1), (1, -1, -1))),
    (_S12, ((1, 1, 1), (1, -1, 1), (_J, _J, -_J), (_J, -_J, -_J))),
    (_S12, ((1, 1, 1), (-1, 1, -1), (1, 1, -1), (-1, 1, 1))),
    (_S12, ((1, 1, 1), (-1, 1, -1), (_J, _J, -_J), (-_J, _J, _J))),
)

# Table 6.3.1.5-7: four-layer transmission using four antenna ports (transform precoding
# disabled), TPMI 0..4.
_T7 = (
    (0.5, ((1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1))),
    (_S8, ((1, 1, 0, 0), (0, 0, 1, 1), (1, -1, 0, 0), (0, 0, 1, -1))),
    (_S8, ((1, 1, 0, 0), (0, 0, 1, 1), (_J, -_J, 0, 0), (0, 0, _J, -_J))),
    (0.25, ((1, 1, 1, 1), (1, -1, 1, -1), (1, 1, -1, -1), (1, -1, -1, 1))),
    (0.25, ((1, 1, 1, 1), (1, -1, 1, -1), (_J, _J, -_J, -_J), (_J, -_J, -_J, _J))),
)

_ONE = ((1.0, ((1,),)),)

for _tp in (False, True):
    PUSCH_CODEBOOKS[(1, 1, _tp)] = ("W = [1]", _ONE)
    PUSCH_CODEBOOKS[(1, 2, _tp)] = ("Table 6.3.1.5-1", _T1)
PUSCH_CODEBOOKS[(1, 4, True)] = ("Table 6.3.1.5-2", _T2)
PUSCH_CODEBOOKS[(1, 4, False)] = ("Table 6.3.1.5-3", _T3)
PUSCH_CODEBOOKS[(2, 2, False)] = ("Table 6.3.1.5-4", _T4)
PUSCH_CODEBOOKS[(2, 4, False)] = ("Table 6.3.1.5-5", _T5)
PUSCH_CODEBOOKS[(3, 4, False)] = ("Table 6.3.1.5-6", _T6)
PUSCH_CODEBOOKS[(4, 4, False)] = ("Table 6.3.1.5-7", _T7)


def _lookup(n_layers: object, n_ports: object, transform_precoding: object):
    v = check_int("n_layers", n_layers, 1, 4, _CLAUSE)
    p = check_int("n_ports", n_ports, clause=_CLAUSE)
    check_choice("n_ports", p, (1, 2, 4), _CLAUSE)
    if not isinstance(transform_precoding, (bool, np.bool_)):
        raise ConfigError("transform_precoding", transform_precoding, "must be a bool", _CLAUSE)
    entry = PUSCH_CODEBOOKS.get((v, p, bool(transform_precoding)))
    if entry is None:
        why = ("transform precoding allows a single layer only" if transform_precoding and v > 1
               else f"no codebook for {v} layer(s) on {p} antenna port(s)")
        raise ConfigError("n_layers", v, why, _CLAUSE)
    return entry


def pusch_codebook_size(n_layers: int, n_ports: int, *,
                        transform_precoding: bool = False) -> int:
    """Number of TPMI values of the codebook for (ν, ports, transform precoding)
    (TS 38.211 Tables 6.3.1.5-1 to -7).

    Raises
    ------
    ConfigError
        No codebook exists for the combination (ν > ports, or ν > 1 with transform precoding).
    """
    return len(_lookup(n_layers, n_ports, transform_precoding)[1])


@functools.lru_cache(maxsize=128)
def _matrix(n_layers: int, n_ports: int, tp: bool, tpmi: int) -> np.ndarray:
    scale, rows = _lookup(n_layers, n_ports, tp)[1][tpmi]
    w = (scale * np.array(rows, dtype=np.complex128)).astype(np.complex64)
    w.setflags(write=False)
    return w


def pusch_codebook(n_layers: int, n_ports: int, tpmi: int, *,
                   transform_precoding: bool = False) -> np.ndarray:
    """Precoding matrix W of codebook-based PUSCH transmission (TS 38.211 §6.3.1.5).

    Parameters
    ----------
    n_layers : int
        ν, 1..4.
    n_ports : int
        ρ, number of antenna ports: 1, 2 or 4.
    tpmi : int
        Transmitted precoding matrix indicator.
    transform_precoding : bool
        Selects Table 6.3.1.5-2 instead of -3 for one layer on four ports.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (ρ, ν), read-only.

    Raises
    ------
    ConfigError
        No codebook for the combination, or TPMI outside the table.
    """
    name, entries = _lookup(n_layers, n_ports, transform_precoding)
    t = check_int("tpmi", tpmi, 0, len(entries) - 1, f"{_CLAUSE}, {name}")
    return _matrix(int(n_layers), int(n_ports), bool(transform_precoding), t)


def precode(layers: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Apply a precoding matrix: y(i) = W x(i) (TS 38.211 §6.3.1.5).

    Parameters
    ----------
    layers : array_like of complex, shape (..., ν, M)
        Layer symbols x^(k)(i) (any trailing axes after the layer axis are flattened as M).
    w : array_like of complex, shape (ρ, ν)
        Precoding matrix.

    Returns
    -------
    numpy.ndarray of complex64, shape (..., ρ, M)

    Raises
    ------
    ValueError
        ``w`` not 2-D or the layer counts do not match.
    """
    x = np.asarray(layers)
    wm = np.asarray(w)
    if wm.ndim != 2:
        raise ValueError(f"w: expected a (ports, layers) matrix, got shape {wm.shape}")
    if x.ndim < 2 or x.shape[-2] != wm.shape[1]:
        raise ValueError(f"layers: expected shape (..., {wm.shape[1]}, M) for W of shape "
                         f"{wm.shape} ({_CLAUSE}), got {x.shape}")
    return np.matmul(wm.astype(np.complex64), x.astype(np.complex64, copy=False))

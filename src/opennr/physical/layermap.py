"""TS 38.211 §7.3.1.3 — layer mapping of the PDSCH (Table 7.3.1.3-1), and its inverse.

With one codeword (1..4 layers) symbol i of the codeword goes to layer i mod ν at position
⌊i/ν⌋. With two codewords (5..8 layers) codeword 0 takes layers 0 .. ν0 − 1 and codeword 1
layers ν0 .. ν − 1, each mapped the same way, with ν0 = ⌊ν/2⌋ and ν1 = ⌈ν/2⌉. The PUSCH
(§6.3.1.3) uses the single-codeword rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from opennr._validate import as_bits, check_int
from opennr.errors import ConfigError

__all__ = ["codeword_layers", "layer_demap", "layer_map", "per_codeword"]

_CLAUSE = "TS 38.211 §7.3.1.3"


def codeword_layers(n_layers: int) -> tuple[int, ...]:
    """Number of layers of each codeword (TS 38.211 Table 7.3.1.3-1).

    Parameters
    ----------
    n_layers : int
        ν, 1..8.

    Returns
    -------
    tuple of int
        ``(ν,)`` for ν ≤ 4, else ``(⌊ν/2⌋, ⌈ν/2⌉)``.

    Raises
    ------
    ConfigError
        ν outside 1..8.
    """
    v = check_int("n_layers", n_layers, 1, 8, _CLAUSE)
    return (v,) if v <= 4 else (v // 2, v - v // 2)


def per_codeword(name: str, value: object, n_codewords: int, *, bits: bool = False,
                 broadcast: bool = False) -> tuple:
    """One value per codeword of an argument given for one or two codewords (TS 38.211
    §7.3.1.3: one codeword for ν ≤ 4 layers, two for ν > 4).

    ``value`` is a single value or a sequence of one value per codeword. A single value is an
    array, a string or anything that is not a sequence (an int, a config, a buffer); with
    ``bits`` also a sequence of scalars (the bits of one codeword).

    Parameters
    ----------
    name : str
        Argument name for the error message.
    value : object
    n_codewords : int
        Number of codewords (1 or 2).
    bits : bool
        The values are bit arrays: each is returned as np.uint8 0/1 (:func:`opennr._validate.as_bits`).
    broadcast : bool
        A single value stands for every codeword (e.g. one redundancy version for both).

    Returns
    -------
    tuple
        ``n_codewords`` values.

    Raises
    ------
    ConfigError
        Not one value per codeword.
    ValueError
        With ``bits``, values that are not 0/1.
    """
    single = (isinstance(value, (np.ndarray, str)) or not isinstance(value, Sequence)
              or (bits and len(value) > 0 and np.isscalar(value[0])))
    if single:
        items = (value,) * n_codewords if broadcast else (value,)
    else:
        items = tuple(value)
    if len(items) != n_codewords:
        raise ConfigError(name, f"{len(items)} item(s)", f"must give one per codeword ({n_codewords})",
                          f"{_CLAUSE}, Table 7.3.1.3-1")
    if bits:
        items = tuple(as_bits(f"{name}[{q}]", x) for q, x in enumerate(items))
    return items


def layer_map(codewords: np.ndarray | Sequence[np.ndarray], n_layers: int) -> np.ndarray:
    """Map the symbols of one or two codewords onto ν layers (TS 38.211 §7.3.1.3).

    x^(k)(i) = d^(q)(ν_q i + k − k_q) for the layers k_q .. k_q + ν_q − 1 of codeword q
    (Table 7.3.1.3-1).

    Parameters
    ----------
    codewords : array_like, shape (..., M_symb^(0)), or a sequence of one or two such arrays
        Symbols d^(q)(i) (any dtype: complex symbols, or anything else mapped alike). Two
        codewords are required exactly when ν > 4.
    n_layers : int
        ν, 1..8.

    Returns
    -------
    numpy.ndarray, shape (..., ν, M_symb^layer)
        x^(k)(i); M_symb^layer = M_symb^(q) / ν_q, equal for both codewords.

    Raises
    ------
    ConfigError
        ν outside 1..8.
    ValueError
        Wrong number of codewords, a length not divisible by ν_q, or codewords whose lengths
        give different M_symb^layer or whose batch shapes differ.
    """
    nu = codeword_layers(n_layers)
    cws = [np.asarray(codewords)] if isinstance(codewords, np.ndarray) else \
        [np.asarray(c) for c in codewords]
    if len(cws) != len(nu):
        raise ValueError(f"codewords: {n_layers} layers need {len(nu)} codeword(s) "
                         f"({_CLAUSE}, Table 7.3.1.3-1), got {len(cws)}")
    parts = []
    m_layer = None
    for q, (d, v) in enumerate(zip(cws, nu, strict=True)):
        if d.ndim < 1:
            raise ValueError(f"codewords[{q}]: expected at least one dimension, got a scalar")
        if d.shape[-1] % v:
            raise ValueError(f"codewords[{q}]: length {d.shape[-1]} must be a multiple of "
                             f"the codeword's {v} layers ({_CLAUSE})")
        m = d.shape[-1] // v
        if m_layer is not None and (m != m_layer or d.shape[:-1] != cws[0].shape[:-1]):
            raise ValueError(f"codewords: both codewords must give the same number of symbols "
                             f"per layer and batch shape ({_CLAUSE}), got shapes "
                             f"{cws[0].shape} and {d.shape}")
        m_layer = m
        parts.append(np.swapaxes(d.reshape(*d.shape[:-1], m, v), -1, -2))
    out = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-2)
    return np.ascontiguousarray(out)


def layer_demap(layers: np.ndarray, n_codewords: int | None = None) -> tuple[np.ndarray, ...]:
    """Inverse of :func:`layer_map`: recover the codeword symbol streams (TS 38.211 §7.3.1.3).

    d^(q)(ν_q i + k − k_q) = x^(k)(i).

    Parameters
    ----------
    layers : array_like, shape (..., ν, M_symb^layer)
        Layer symbols (or soft values per symbol).
    n_codewords : int, optional
        Expected number of codewords (checked against Table 7.3.1.3-1 for ν).

    Returns
    -------
    tuple of numpy.ndarray
        One array per codeword, shape (..., ν_q M_symb^layer).

    Raises
    ------
    ConfigError
        ν = layers.shape[-2] outside 1..8.
    ValueError
        ``layers`` has fewer than 2 dimensions or ``n_codewords`` does not match ν.
    """
    x = np.asarray(layers)
    if x.ndim < 2:
        raise ValueError(f"layers: expected shape (..., n_layers, M), got {x.shape}")
    nu = codeword_layers(x.shape[-2])
    if n_codewords is not None and n_codewords != len(nu):
        raise ValueError(f"n_codewords: {x.shape[-2]} layers carry {len(nu)} codeword(s) "
                         f"({_CLAUSE}, Table 7.3.1.3-1), not {n_codewords}")
    out = []
    k0 = 0
    for v in nu:
        part = np.swapaxes(x[..., k0:k0 + v, :], -1, -2)
        out.append(np.ascontiguousarray(part.reshape(*x.shape[:-2], -1)))
        k0 += v
    return tuple(out)

"""TS 38.211 §5.1 — soft demapping: symbols to bit log-likelihood ratios (exact and max-log).

The demapper inverts the modulation mapper of TS 38.211 §5.1 (the demapper itself is not
normative). For received y = d + n with circular Gaussian noise of variance N0 per complex
symbol, the LLR of bit b_k is

    exact:    LLR_k = ln sum_{s: b_k=0} exp(-|y-s|^2/N0) - ln sum_{s: b_k=1} exp(-|y-s|^2/N0)
    max-log:  LLR_k = (min_{s: b_k=1} |y-s|^2 - min_{s: b_k=0} |y-s|^2) / N0

(LLR = ln P(b=0)/P(b=1): positive means 0), the convention of MATLAB ``nrSymbolDemodulate``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from opennr._validate import check_choice
from opennr.modulation import _kernels
from opennr.modulation.mapping import bits_per_symbol, check_modulation, symbol_table

METHODS: tuple[str, ...] = ("maxlog", "exact")


@cache
def _pam(modulation: str) -> tuple[np.ndarray, np.ndarray, float]:
    """One axis of a square QAM constellation: levels (L,), their bits (m, L), sqrt of the norm.

    Level j is the real part of the point whose even bits b(0), b(2), ... spell j (most
    significant first) and whose odd bits are 0; its bit k is b(2k).
    """
    qm = bits_per_symbol(modulation)
    m = qm // 2
    table = symbol_table(modulation)[0]
    j = np.arange(2**m)
    level_bits = ((j[None, :] >> np.arange(m - 1, -1, -1)[:, None]) & 1).astype(np.uint8)
    v = np.zeros(2**m, dtype=np.int64)
    for k in range(m):  # b(2k) is digit qm-1-2k of the table index
        v |= level_bits[k].astype(np.int64) << (qm - 1 - 2 * k)
    levels = np.ascontiguousarray(table[v].real)
    sqrt_norm = float(1.0 / np.min(np.abs(levels)))
    levels.setflags(write=False)
    level_bits.setflags(write=False)
    return levels, level_bits, sqrt_norm


def _as_symbols(symbols: object) -> np.ndarray:
    y = np.asarray(symbols)
    if y.ndim < 1:
        raise ValueError(f"symbols: expected at least 1 dimension, got shape {y.shape}")
    if y.dtype not in (np.complex64, np.complex128):
        if y.dtype == np.float32:
            y = y.astype(np.complex64)
        elif (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)
              or np.issubdtype(y.dtype, np.complexfloating)) and y.dtype != np.bool_:
            y = y.astype(np.complex128)
        else:
            raise ValueError(f"symbols: must be a numeric (complex) array, got {y.dtype}")
    y = np.ascontiguousarray(y)
    if y.size and not np.isfinite(y).all():
        raise ValueError("symbols: must be finite, found NaN or infinity")
    return y


def _inverse_noise(noise_var: object, shape: tuple[int, ...]) -> tuple[np.ndarray, int]:
    """1/N0 as a flat float64 array and the stride of one symbol in it (0 for a scalar)."""
    nv = np.asarray(noise_var)
    if not (np.issubdtype(nv.dtype, np.floating) or np.issubdtype(nv.dtype, np.integer)) \
            or nv.dtype == np.bool_:
        raise ValueError(f"noise_var: must be a real number or array, got {nv.dtype}")
    nv = nv.astype(np.float64)
    if nv.size and not (np.all(nv > 0) and np.all(np.isfinite(nv))):
        bad = nv[~((nv > 0) & np.isfinite(nv))].flat[0]
        raise ValueError(f"noise_var: must be positive and finite, got {bad}")
    if nv.ndim == 0:
        return np.array([1.0 / nv]), 0
    try:
        broadcast = np.broadcast_shapes(nv.shape, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(f"noise_var: shape {nv.shape} does not broadcast to the symbols' "
                         f"shape {shape}")
    if nv.size == 1:
        return np.array([1.0 / nv.flat[0]]), 0
    return np.ascontiguousarray(np.broadcast_to(1.0 / nv, shape)).reshape(-1), 1


def demodulate(symbols: np.ndarray, modulation: str, noise_var: float | np.ndarray, *,
               method: str = "maxlog") -> np.ndarray:
    """TS 38.211 §5.1 — soft demapping of modulation symbols d(i) to bit LLRs.

    Parameters
    ----------
    symbols : array_like of complex, shape (..., n)
        Received symbols y(0) ... y(n-1) along the last axis (complex64 or complex128 are used
        as they are; real or integer input is converted to complex). For pi/2-BPSK the index
        i of the rotation e^{j pi/2 (i mod 2)} counts along the last axis.
    modulation : str
        ``"pi/2-BPSK"``, ``"BPSK"``, ``"QPSK"``, ``"16QAM"``, ``"64QAM"``, ``"256QAM"`` or
        ``"1024QAM"`` (Q_m = 1, 1, 2, 4, 6, 8, 10).
    noise_var : float or array_like of float
        Noise variance N0 per complex symbol, > 0: a scalar, or an array broadcastable to
        the shape of ``symbols`` (one value per symbol, e.g. after equalisation).
    method : {"maxlog", "exact"}, keyword-only
        ``"maxlog"``: (min_{s: b=1}|y-s|^2 - min_{s: b=0}|y-s|^2) / N0, as MATLAB
        ``nrSymbolDemodulate``. ``"exact"``: ln of the ratio of the sums of exp(-|y-s|^2/N0)
        over the points with b=0 and b=1. For BPSK and pi/2-BPSK both are the same.

    Returns
    -------
    np.ndarray of float32, shape (..., n * qm)
        LLR = ln P(b=0)/P(b=1) (positive means 0) of b(0) ... b(n*qm - 1), in the bit order
        of :func:`opennr.modulation.modulate`.

    Raises
    ------
    ConfigError
        If ``modulation`` or ``method`` is not a known name.
    ValueError
        If ``symbols`` is a scalar, not numeric or not finite; if ``noise_var`` is not
        positive and finite (NaN included) or does not broadcast to the symbols' shape.

    Examples
    --------
    >>> demodulate([0.7 + 0.7j], "QPSK", 1.0)
    array([1.9798989, 1.9798989], dtype=float32)
    """
    modulation = check_modulation(modulation)
    check_choice("method", method, METHODS)
    qm = bits_per_symbol(modulation)
    y = _as_symbols(symbols)
    inv_n0, stride = _inverse_noise(noise_var, y.shape)
    n = y.shape[-1]
    out = np.empty((*y.shape[:-1], n * qm), dtype=np.float32)
    if out.size == 0:
        return out
    if qm == 1:
        s0 = np.ascontiguousarray(symbol_table(modulation)[:, 0])
        _kernels.demap_binary(y.reshape(-1, n), inv_n0, stride, s0, out.reshape(-1, n))
        return out
    levels, level_bits, sqrt_norm = _pam(modulation)
    flat_y = y.reshape(-1)
    flat_out = out.reshape(-1)
    if method == "maxlog":
        _kernels.demap_maxlog_qam(flat_y, inv_n0, stride, qm // 2, sqrt_norm, flat_out)
    else:
        n_levels = levels.shape[0]
        _kernels.demap_exact_qam(flat_y, inv_n0, stride, levels, level_bits,
                                 np.empty(n_levels), np.empty(n_levels), flat_out)
    return out


"""Linear MIMO detection per resource element for the PDSCH/PUSCH of TS 38.211 §7.3.1 / §6.3.1
(reference receiver, not normative).

For each RE with n_rx receive antennas and ν layers, y = H x + n with H (n_rx × ν) and
E[n nᴴ] = σ² I:

* MMSE: x̃ = (HᴴH + σ²I)⁻¹Hᴴy. Layer j then holds μ_j x_j + interference + noise with
  μ_j = [(HᴴH + σ²I)⁻¹HᴴH]_jj = 1 − σ²[(HᴴH + σ²I)⁻¹]_jj; the output is the unbiased
  x̂_j = x̃_j / μ_j, whose post-detection SINR is μ_j / (1 − μ_j), so the effective noise
  variance of a unit-power symbol is (1 − μ_j) / μ_j.
* ZF: x̂ = (HᴴH)⁻¹Hᴴy with the effective noise variance σ²[(HᴴH)⁻¹]_jj.

The effective noise variance per RE and layer is what the soft demapper needs
(:func:`opennr.modulation.demodulate` with an array ``noise_var``).
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_choice
from opennr.receiver import _equalization_kernels as _k

__all__ = ["EQUALIZERS", "equalize"]

EQUALIZERS = ("mmse", "zf")
_MAX_LAYERS = 8
_MIN_PIVOT = 1e-12


def equalize(y: np.ndarray, h: np.ndarray, noise_var: float | np.ndarray, *,
             method: str = "mmse") -> tuple[np.ndarray, np.ndarray]:
    """MMSE or ZF detection of ν layers from n_rx antennas, RE by RE (not normative; the
    layers are those of TS 38.211 §7.3.1.3).

    Parameters
    ----------
    y : array_like of complex, shape (..., n_rx, n)
        Received REs.
    h : array_like of complex, shape (..., n_rx, ν, n)
        Channel of each RE from layer j to antenna r; ν ≤ 8 and, for ZF, ν ≤ n_rx.
    noise_var : float or array_like of float
        σ² per RE and antenna (> 0 for MMSE, ≥ 0 for ZF): a scalar or an array broadcastable
        to (..., n).
    method : {"mmse", "zf"}

    Returns
    -------
    x : numpy.ndarray of complex64, shape (..., ν, n)
        Unbiased layer estimates x̂_j.
    noise_var_eff : numpy.ndarray of float32, shape (..., ν, n)
        Effective noise variance of each x̂_j (inverse post-detection SINR for unit-power
        symbols); ``inf`` where the channel is singular (ZF) or zero.

    Raises
    ------
    ConfigError
        Unknown ``method``.
    ValueError
        Shapes that do not agree, ν outside 1..8, ZF with ν > n_rx, a noise variance that is
        negative, not finite or zero for MMSE, or non-finite samples.
    """
    check_choice("method", method, EQUALIZERS)
    yv = np.asarray(y)
    hv = np.asarray(h)
    if hv.ndim < 3 or yv.ndim < 2:
        raise ValueError(f"h: expected shape (..., n_rx, layers, n) and y (..., n_rx, n), got "
                         f"{hv.shape} and {yv.shape}")
    n_rx, nu, n = hv.shape[-3:]
    if yv.shape[-2:] != (n_rx, n) or yv.shape[:-2] != hv.shape[:-3]:
        raise ValueError(f"y: expected shape {(*hv.shape[:-3], n_rx, n)} to match h {hv.shape}, "
                         f"got {yv.shape}")
    if not 1 <= nu <= _MAX_LAYERS:
        raise ValueError(f"h: the number of layers must be 1..{_MAX_LAYERS}, got {nu}")
    zf = method == "zf"
    if zf and nu > n_rx:
        raise ValueError(f"h: ZF needs layers <= receive antennas, got {nu} > {n_rx}")
    for name, v in (("y", yv), ("h", hv)):
        if not np.issubdtype(v.dtype, np.number) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: must be finite numbers")
    batch = hv.shape[:-3]
    n0 = np.asarray(noise_var, dtype=np.float64)
    if not np.all(np.isfinite(n0)) or np.any(n0 < 0) or (not zf and np.any(n0 == 0)):
        raise ValueError(f"noise_var: must be finite and {'>= 0' if zf else '> 0'}")
    try:
        n0 = np.broadcast_to(n0, (*batch, n)) if n0.ndim else n0
    except ValueError:
        raise ValueError(f"noise_var: shape {n0.shape} does not broadcast to {(*batch, n)}") \
            from None
    # fold the batch into the RE axis
    hk = np.ascontiguousarray(np.moveaxis(hv.astype(np.complex64, copy=False),
                                          (-3, -2), (0, 1)).reshape(n_rx, nu, -1))
    yk = np.ascontiguousarray(np.moveaxis(yv.astype(np.complex64, copy=False),
                                          -2, 0).reshape(n_rx, -1))
    if n0.ndim == 0:
        n0k, stride = n0.reshape(1), 0
    else:
        n0k, stride = np.ascontiguousarray(n0.reshape(-1)), 1
    m = hk.shape[2]
    x = np.empty((nu, m), np.complex64)
    nv = np.empty((nu, m), np.float32)
    _k.linear_detect(hk, yk, n0k, stride, zf, _MIN_PIVOT, x, nv,
                     np.empty((nu, nu), np.complex128), np.empty((nu, nu), np.complex128),
                     np.empty(nu, np.complex128), np.empty(nu, np.complex128))
    x = np.moveaxis(x.reshape(nu, *batch, n), 0, -2)
    nv = np.moveaxis(nv.reshape(nu, *batch, n), 0, -2)
    return np.ascontiguousarray(x), np.ascontiguousarray(nv)

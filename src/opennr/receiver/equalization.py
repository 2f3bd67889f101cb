"""Linear MIMO detection per resource element for the PDSCH/PUSCH of TS 38.211 §7.3.1 / §6.3.1
(reference receiver, not normative).

For each RE with n_rx receive antennas and ν layers, y = H x + n with H (n_rx × ν) and
E[n nᴴ] = σ² I:

* MMSE: x̃ = (HᴴH + σ²I)⁻¹Hᴴy. Layer j then holds μ_j x_j + interference + noise with
  μ_j = [(HᴴH + σ²I)⁻¹HᴴH]_jj = 1 − σ²[(HᴴH + σ²I)⁻¹]_jj; the output is the unbiased
  x̂_j = x̃_j / μ_j, whose post-detection SINR is μ_j / (1 − μ_j), so the effective noise
  variance of a unit-power symbol is (1 − μ_j) / μ_j.
* ZF: x̂ = (HᴴH)⁻¹Hᴴy with the effective noise variance σ²[(HᴴH)⁻¹]_jj.
* MMSE-IRC (interference rejection combining): with a noise-and-interference covariance
  E[n nᴴ] = R_nn (for example estimated from the DM-RS residuals,
  :attr:`opennr.receiver.channel_estimation.ChannelEstimate.noise_cov`),
  x̃ = (HᴴR⁻¹H + I)⁻¹HᴴR⁻¹y: MMSE after whitening by L⁻¹ (R = L Lᴴ), unbiased as MMSE, with
  μ_j = 1 − [(HᴴR⁻¹H + I)⁻¹]_jj. With R = σ²I it is MMSE.

The effective noise variance per RE and layer is what the soft demapper needs
(:func:`opennr.modulation.demodulate` with an array ``noise_var``).
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_choice
from opennr.receiver import _equalization_kernels as _k

__all__ = ["EQUALIZERS", "equalize", "equalize_resource_elements"]

EQUALIZERS = ("mmse", "zf", "irc")
_MAX_LAYERS = 8
_MIN_PIVOT = 1e-12
_COV_LOADING = 1e-6       # diagonal loading of R_nn relative to its mean diagonal
_BLOCK = 256              # REs per block of the kernels


def _whitening(noise_cov: object, cov_index: object, n_rx: int, batch: tuple, n: int):
    """Lower-triangular W = L⁻¹ of every covariance group (R + δI = L Lᴴ), packed by rows as
    real and imaginary (n_rx(n_rx+1)/2, G) planes, and the group of each RE."""
    r = np.asarray(noise_cov)
    if r.ndim == 2:
        r = r[None]
    if r.ndim != 3 or r.shape[1:] != (n_rx, n_rx) or r.shape[0] < 1:
        raise ValueError(f"noise_cov: expected shape ({n_rx}, {n_rx}) or (groups, {n_rx}, {n_rx}), "
                         f"got {np.shape(noise_cov)}")
    if not np.issubdtype(r.dtype, np.number) or not np.all(np.isfinite(r)):
        raise ValueError("noise_cov: must be finite numbers")
    r = r.astype(np.complex128)
    n_g = r.shape[0]
    if cov_index is None:
        if n_g != 1:
            raise ValueError(f"cov_index: needed to pick one of the {n_g} covariance matrices per RE")
        gidx, stride = np.zeros(1, np.int64), 0
    else:
        gi = np.asarray(cov_index)
        if not np.issubdtype(gi.dtype, np.integer):
            raise ValueError(f"cov_index: expected integers, got {gi.dtype}")
        if gi.size and (gi.min() < 0 or gi.max() >= n_g):
            raise ValueError(f"cov_index: values must be in 0..{n_g - 1}")
        try:
            gi = np.broadcast_to(gi, (*batch, n))
        except ValueError:
            raise ValueError(f"cov_index: shape {gi.shape} does not broadcast to {(*batch, n)}") \
                from None
        gidx, stride = np.ascontiguousarray(gi.reshape(-1), dtype=np.int64), 1
    used = np.flatnonzero(np.bincount(gidx, minlength=n_g))
    ru = r[used]
    herm = np.abs(ru - np.conj(np.swapaxes(ru, 1, 2))).max(axis=(1, 2)) \
        <= 1e-5 * np.abs(ru).max(axis=(1, 2)) + 1e-30
    if not herm.all():
        raise ValueError(f"noise_cov: matrix {used[np.argmin(herm)]} is not Hermitian")
    load = _COV_LOADING * np.einsum("gii->g", ru).real / n_rx
    try:
        low = np.linalg.cholesky(ru + load[:, None, None] * np.eye(n_rx))
    except np.linalg.LinAlgError:
        low = None
    if low is None or not np.all(load > 0) or not np.all(np.isfinite(low)):
        raise ValueError("noise_cov: every matrix used must be positive definite")
    winv = np.zeros((n_g, n_rx, n_rx), np.complex128)
    winv[:] = np.eye(n_rx)
    winv[used] = np.linalg.inv(low)
    rows, cols = np.tril_indices(n_rx)       # packed by rows: (r, c), c ≤ r
    packed = np.ascontiguousarray(winv[:, rows, cols].T)
    return packed.real.copy(), packed.imag.copy(), gidx, stride


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view: the kernels see one array type whatever the caller passed, so they
    are compiled once."""
    v = a.view()
    v.flags.writeable = False
    return v


def _noise_var(noise_var: object, zf: bool, batch: tuple, n: int) -> tuple[np.ndarray, int]:
    """σ² as a float64 array read at i · stride by the kernel (stride 0 for one value)."""
    n0 = np.asarray(noise_var, dtype=np.float64)
    if n0.ndim == 0:
        v = float(n0)
        if not (np.isfinite(v) and (v >= 0 if zf else v > 0)):
            raise ValueError(f"noise_var: must be finite and {'>= 0' if zf else '> 0'}")
        return n0.reshape(1), 0
    if not np.all(np.isfinite(n0)) or np.any(n0 < 0) or (not zf and np.any(n0 == 0)):
        raise ValueError(f"noise_var: must be finite and {'>= 0' if zf else '> 0'}")
    try:
        n0 = np.broadcast_to(n0, (*batch, n))
    except ValueError:
        raise ValueError(f"noise_var: shape {n0.shape} does not broadcast to {(*batch, n)}") \
            from None
    return np.ascontiguousarray(n0.reshape(-1)), 1


def equalize(y: np.ndarray, h: np.ndarray, noise_var: float | np.ndarray, *,
             method: str = "mmse", noise_cov: np.ndarray | None = None,
             cov_index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MMSE, ZF or MMSE-IRC detection of ν layers from n_rx antennas, RE by RE (not normative;
    the layers are those of TS 38.211 §7.3.1.3 / §6.3.1.3).

    Parameters
    ----------
    y : array_like of complex, shape (..., n_rx, n)
        Received REs.
    h : array_like of complex, shape (..., n_rx, ν, n)
        Channel of each RE from layer j to antenna r; ν ≤ 8 and, for ZF, ν ≤ n_rx.
    noise_var : float or array_like of float
        σ² per RE and antenna (> 0 for MMSE, ≥ 0 for ZF): a scalar or an array broadcastable
        to (..., n). Not used by IRC (``noise_cov`` holds the noise).
    method : {"mmse", "zf", "irc"}
    noise_cov : array_like of complex, shape (n_rx, n_rx) or (G, n_rx, n_rx), optional
        Noise-and-interference covariance R_nn (Hermitian, positive definite after a relative
        diagonal loading of 1e-6), needed by ``"irc"``: one matrix for all REs, or G matrices
        picked per RE by ``cov_index``. For a slot estimate, pass
        ``ChannelEstimate.noise_cov`` with ``cov_index = k // 12`` (k the subcarrier of each RE).
    cov_index : array_like of int, optional
        Covariance matrix of each RE, 0..G−1, broadcastable to (..., n); only with a 3-D
        ``noise_cov`` of more than one matrix.

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
        negative, not finite or zero for MMSE, non-finite samples; IRC without ``noise_cov``,
        a covariance that is not Hermitian positive definite, ``cov_index`` out of range.
    """
    check_choice("method", method, EQUALIZERS)
    if method == "irc" and noise_cov is None:
        raise ValueError("noise_cov: IRC needs the noise-and-interference covariance R_nn")
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
        # complex64 samples are checked for NaN and infinity by the kernel as it reads them
        if not np.issubdtype(v.dtype, np.number) or (v.dtype != np.complex64
                                                     and not np.all(np.isfinite(v))):
            raise ValueError(f"{name}: must be finite numbers")
    batch = hv.shape[:-3]
    irc = method == "irc"
    if irc:
        wtr, wti, gidx, gstride = _whitening(noise_cov, cov_index, n_rx, batch, n)
        mode, n0k, stride = _k.IRC, np.ones(1), 0
    else:
        mode = _k.ZF if zf else _k.MMSE
        wtr = wti = np.zeros((1, 1))
        gidx, gstride = np.zeros(1, np.int64), 0
        n0k, stride = _noise_var(noise_var, zf, batch, n)
    # fold the batch into the RE axis
    hk = hv.astype(np.complex64, copy=False)
    yk = yv.astype(np.complex64, copy=False)
    if batch:
        hk = np.moveaxis(hk, (-3, -2), (0, 1)).reshape(n_rx, nu, -1)
        yk = np.moveaxis(yk, -2, 0).reshape(n_rx, -1)
    hk = np.ascontiguousarray(hk)
    yk = np.ascontiguousarray(yk)
    m = hk.shape[2]
    x = np.empty((nu, m), np.complex64)
    nv = np.empty((nu, m), np.float32)
    args = (_readonly(hk.view(np.float32)), _readonly(yk.view(np.float32)), _readonly(n0k),
            stride, _readonly(wtr), _readonly(wti), _readonly(gidx), gstride, mode, _MIN_PIVOT,
            _BLOCK)
    flags = _k.detect(*args, x.view(np.float32), nv)
    if flags:
        raise ValueError(f"{'y' if flags & 1 else 'h'}: must be finite numbers")
    if not batch:
        return x, nv
    x = np.moveaxis(x.reshape(nu, *batch, n), 0, -2)
    nv = np.moveaxis(nv.reshape(nu, *batch, n), 0, -2)
    return np.ascontiguousarray(x), np.ascontiguousarray(nv)


def equalize_resource_elements(y: np.ndarray, h: np.ndarray, noise_var: float, indices: np.ndarray,
                               n_subcarriers: int, *, method: str = "mmse",
                               noise_cov: np.ndarray | None = None,
                               ) -> tuple[np.ndarray, np.ndarray]:
    """Detection of the REs ``indices`` of a slot grid by ``method``, with the per-PRB
    noise-and-interference covariance of a channel estimate for the detectors that use it
    (MMSE-IRC); the layers are those of TS 38.211 §7.3.1.3 / §6.3.1.3, the detector is not
    normative.

    Parameters
    ----------
    y : array_like of complex, shape (n_rx, n)
        Received values of the REs.
    h : array_like of complex, shape (n_rx, ν, n)
        Channel of each RE.
    noise_var : float
        σ² per RE and antenna (> 0).
    indices : array_like of int, shape (n,)
        Flat slot-grid indices l · K + k of the REs, K = ``n_subcarriers``.
    n_subcarriers : int
        K, the subcarriers of the carrier grid.
    method : {"mmse", "zf", "irc"}
    noise_cov : array_like of complex, shape (N_grid^size, n_rx, n_rx), optional
        One covariance per PRB of the grid (:attr:`ChannelEstimate.noise_cov`); RE k uses
        PRB k div 12.

    Returns
    -------
    x, noise_var_eff
        As for :func:`equalize`.
    """
    if noise_cov is None:
        return equalize(y, h, noise_var, method=method)
    prb = (np.asarray(indices) % n_subcarriers) // 12
    return equalize(y, h, noise_var, method=method, noise_cov=noise_cov, cov_index=prb)

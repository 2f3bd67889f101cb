"""Compiled sum of rays with per-ray Doppler for the CDL model (TR 38.901 §7.5 step 11, eq. 7.5-22)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def ray_sum(coef: np.ndarray, cluster: np.ndarray, doppler: np.ndarray, times: np.ndarray,
            out: np.ndarray) -> None:
    """out[c, t, k] += Σ_{r: cluster[r] = c} coef[r, k] · exp(j2π doppler[r] times[t]).

    coef (R, K) complex128, cluster (R,) int64, doppler (R,) float64 Hz, times (T,) float64 s,
    out (C, T, K) complex128 (zeroed by the caller).
    """
    n_rays, n_k = coef.shape
    two_pi = 2.0 * np.pi
    for r in range(n_rays):
        c = cluster[r]
        w = two_pi * doppler[r]
        for t in range(times.shape[0]):
            ph = w * times[t]
            e = complex(np.cos(ph), np.sin(ph))
            for k in range(n_k):
                out[c, t, k] += coef[r, k] * e

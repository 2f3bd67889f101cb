"""Additive white Gaussian noise.

The SNR is the ratio of the average signal power per complex sample (per resource element in the
frequency domain) to the noise power per complex sample, so that unit-power constellations see a
noise variance ``N0 = 10**(-snr_db/10)`` split equally between I and Q.
"""

from __future__ import annotations

import numpy as np


def noise_variance(snr_db: float, signal_power: float = 1.0) -> float:
    """Noise variance ``N0`` per complex sample for ``snr_db`` and a given signal power."""
    if not np.isfinite(snr_db):
        raise ValueError(f"snr_db={snr_db!r}: must be a finite number of dB")
    if signal_power <= 0:
        raise ValueError(f"signal_power={signal_power!r}: must be > 0")
    return float(signal_power * 10.0 ** (-snr_db / 10.0))


def awgn(x: np.ndarray, snr_db: float, rng: np.random.Generator,
         signal_power: float = 1.0) -> tuple[np.ndarray, float]:
    """Add circularly-symmetric complex Gaussian noise at ``snr_db``.

    Parameters
    ----------
    x : complex ndarray
        Samples or resource elements, any shape.
    snr_db : float
        Signal-to-noise ratio in dB, relative to ``signal_power``.
    rng : numpy.random.Generator
        Source of the noise.
    signal_power : float
        Average power of ``x`` per complex sample (1 for unit-power constellations).

    Returns
    -------
    y : complex64 ndarray, same shape as ``x``
    n0 : float
        The noise variance per complex sample that was added.
    """
    n0 = noise_variance(snr_db, signal_power)
    x = np.asarray(x)
    noise = rng.standard_normal((*x.shape, 2), dtype=np.float32)
    noise *= np.float32(np.sqrt(n0 / 2.0))
    y = x.astype(np.complex64, copy=True)
    y += noise.view(np.complex64)[..., 0]
    return y, n0

"""RF impairments for link simulation (TR 38.803 §6.1 (phase noise), TS 38.101-1/38.104 EVM
budget items): carrier frequency offset, sample timing offset, phase noise, IQ imbalance.

Models
------
* Carrier frequency offset: y[n] = x[n] · exp(j2π Δf (t0 + n/f_s)).
* Timing offset: a delay of δ samples (integer: exact shift; fractional: the windowed-sinc
  interpolator of :mod:`opennr.channel.multipath`); samples shifted in are zero.
* Phase noise: a Wiener (random-walk) phase, the free-running oscillator with a Lorentzian
  spectrum of 3 dB (full) linewidth β: φ[n] = φ[n−1] + w[n], w ~ N(0, 2π β / f_s), so that
  Var(φ(t + τ) − φ(t)) = 2π β |τ|. (The multi-pole/zero PSD model of TR 38.803 §6.1.10 is not
  implemented.) y = x · exp(jφ).
* IQ imbalance: receive-side amplitude imbalance g (dB) and phase imbalance φ (degrees) between
  the I and Q branches, y = K1 x + K2 x*, K1 = (1 + g e^{−jφ})/2, K2 = (1 − g e^{jφ})/2 (g
  linear amplitude); the image rejection ratio is |K1|² / |K2|².
"""

from __future__ import annotations

import math

import numpy as np

from opennr.channel.multipath import apply_paths
from opennr.errors import ConfigError

__all__ = ["frequency_offset", "iq_imbalance", "phase_noise", "timing_offset", "wiener_phase"]


def _num(field: str, value: object, lo: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(float(value)):
        raise ConfigError(field, value, "must be a finite number")
    if lo is not None and float(value) < lo:
        raise ConfigError(field, value, f"must be >= {lo}")
    return float(value)


def _rate(sample_rate: object) -> float:
    fs = _num("sample_rate", sample_rate)
    if fs <= 0:
        raise ConfigError("sample_rate", sample_rate, "must be > 0 Hz")
    return fs


def frequency_offset(waveform: np.ndarray, offset: float, sample_rate: float,
                     t0: float = 0.0) -> np.ndarray:
    """Apply a carrier frequency offset Δf: y[n] = x[n] exp(j2π Δf (t0 + n / f_s)).

    Parameters
    ----------
    waveform : array_like, complex (..., n_samples)
    offset : float
        Δf in Hz.
    sample_rate : float
    t0 : float
        Absolute time of sample 0 (keeps the phase continuous across calls).

    Returns
    -------
    numpy.ndarray
        complex64, same shape.
    """
    df = _num("offset", offset)
    fs = _rate(sample_rate)
    t0 = _num("t0", t0)
    x = np.asarray(waveform)
    n = np.arange(x.shape[-1])
    # Phase in cycles reduced in float64 before the exponential.
    cyc = df * t0 + df * n / fs
    cyc -= np.floor(cyc)
    return (x * np.exp(2j * np.pi * cyc)).astype(np.complex64)


def timing_offset(waveform: np.ndarray, delay: float) -> np.ndarray:
    """Delay a waveform by ``delay`` samples (integer or fractional, positive or negative).

    Parameters
    ----------
    waveform : array_like, complex (..., n_samples)
    delay : float
        δ in samples; y[n] = x(n − δ) (band-limited interpolation for fractional δ).

    Returns
    -------
    numpy.ndarray
        complex64, same shape; samples from outside the input are zero.
    """
    d = _num("delay", delay)
    x = np.asarray(waveform)
    flat = x.reshape(-1, x.shape[-1])
    g = np.eye(flat.shape[0])[:, :, None, None]
    return apply_paths(flat, [d], g, 1.0).reshape(x.shape)


def wiener_phase(n_samples: int, linewidth: float, sample_rate: float, rng: np.random.Generator,
                 *, shape: tuple[int, ...] = (), phase0: float | np.ndarray = 0.0) -> np.ndarray:
    """Wiener phase noise φ[n] with 3 dB linewidth β: increments N(0, 2π β / f_s).

    Parameters
    ----------
    n_samples : int
    linewidth : float
        β in Hz (>= 0).
    sample_rate : float
    rng : numpy.random.Generator
    shape : tuple
        Leading shape (independent oscillators).
    phase0 : float or array
        φ before the first sample (to continue a previous call: pass its last value).

    Returns
    -------
    numpy.ndarray
        float64 (*shape, n_samples).
    """
    beta = _num("linewidth", linewidth, 0.0)
    fs = _rate(sample_rate)
    if n_samples < 0:
        raise ConfigError("n_samples", n_samples, "must be >= 0")
    steps = rng.standard_normal((*shape, n_samples)) * math.sqrt(2.0 * math.pi * beta / fs)
    return np.asarray(phase0)[..., None] + np.cumsum(steps, axis=-1)


def phase_noise(waveform: np.ndarray, linewidth: float, sample_rate: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Multiply by exp(jφ) with Wiener phase noise of linewidth β (one oscillator per row).

    Returns
    -------
    y : numpy.ndarray
        complex64, same shape as ``waveform``.
    phase : numpy.ndarray
        float64 φ, same shape.
    """
    x = np.asarray(waveform)
    phi = wiener_phase(x.shape[-1], linewidth, sample_rate, rng, shape=x.shape[:-1])
    return (x * np.exp(1j * phi)).astype(np.complex64), phi


def iq_imbalance(waveform: np.ndarray, amplitude_db: float, phase_deg: float) -> np.ndarray:
    """IQ imbalance y = K1 x + K2 x* (amplitude imbalance g in dB, phase imbalance φ in degrees).

    Returns
    -------
    numpy.ndarray
        complex64, same shape.
    """
    g = 10 ** (_num("amplitude_db", amplitude_db) / 20)
    phi = math.radians(_num("phase_deg", phase_deg))
    k1 = (1 + g * np.exp(-1j * phi)) / 2
    k2 = (1 - g * np.exp(1j * phi)) / 2
    x = np.asarray(waveform)
    return (k1 * x + k2 * np.conj(x)).astype(np.complex64)

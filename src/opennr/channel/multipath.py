"""TR 38.901 §7.7 — applying a multipath channel (delays and time-varying path gains).

Shared by the fading models (TDL, CDL): a model produces path delays τ_p and complex path
gains g_{r,t,p}(t); this module applies them to a waveform in the time domain, or evaluates the
channel's frequency response H_{r,t}(f, t) = Σ_p g_{r,t,p}(t) e^{−j2π f τ_p} (the fast path
for OFDM, with gains taken at the OFDM symbol centres).

Time-domain filter
------------------
A path delay τ_p = (d_p + μ_p)/f_s with d_p = floor(τ_p f_s) and 0 ≤ μ_p < 1 is realised by a
Kaiser-windowed sinc interpolator of 2L taps (L = ``filter_half_length``, default 16),

    h_p[k] = sinc(k − τ_p f_s) · w(k − τ_p f_s),   k = d_p − L + 1, ..., d_p + L,
    w(x) = I_0(β √(1 − (x/L)²)) / I_0(β),   β = 6 (about 60 dB stop-band),

normalised to unit DC gain, and y_r[n] = Σ_{t,p} g_{r,t,p}(n/f_s) Σ_k h_p[k] x_t[n − k]. The
filter is centred on the path delay: it adds no delay of its own (it is non-causal by L − 1
samples), so the output stays aligned with the input. An integer delay (μ_p below 1e-6) is an
exact shift: a single path at delay 0 with gain 1 returns the input exactly. The input is
taken to be zero outside [0, n_samples), and the output has n_samples samples (the tail of
delayed paths beyond the last input sample is not returned). The filter is flat (error below
about −50 dB) for |f| ≤ 0.42 f_s, which covers an NR carrier at the default ``nrOFDMInfo``
FFT sizes (at most 85 % occupied); the response falls off towards ±f_s/2.
"""

from __future__ import annotations

import numpy as np
import scipy.special

from opennr.channel import _channel_kernels as _k

__all__ = ["DEFAULT_FILTER_HALF_LENGTH", "apply_paths", "fractional_delay_taps",
           "paths_frequency_response"]

#: L: the fractional-delay interpolator has 2L taps.
DEFAULT_FILTER_HALF_LENGTH = 16
#: Kaiser window parameter β of the interpolator.
KAISER_BETA = 6.0
#: Fractional delays (in samples) closer than this to an integer are treated as integer shifts.
INTEGER_DELAY_TOLERANCE = 1e-6


def _check_rate(sample_rate: object) -> float:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.number)) \
            or not np.isfinite(sample_rate) or float(sample_rate) <= 0:
        raise ValueError(f"sample_rate={sample_rate!r}: must be a positive finite number of Hz")
    return float(sample_rate)


def _as_delays(delays: object) -> np.ndarray:
    d = np.asarray(delays, dtype=np.float64)
    if d.ndim != 1:
        raise ValueError(f"delays: expected shape (n_paths,), got {d.shape}")
    if not np.all(np.isfinite(d)):
        raise ValueError("delays: must be finite numbers of seconds")
    return d


def _all_taps(delay_samples: np.ndarray, half_length: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lag0 (n,), n_taps (n,), taps (n, 2L) float64 of the interpolators of every delay."""
    ds = np.asarray(delay_samples, dtype=np.float64)
    d = np.floor(ds)
    mu = ds - d
    up = mu > 1.0 - INTEGER_DELAY_TOLERANCE
    d = np.where(up, d + 1, d).astype(np.int64)
    integer = up | (mu < INTEGER_DELAY_TOLERANCE)
    k = d[:, None] + np.arange(-half_length + 1, half_length + 1)
    x = k - ds[:, None]
    w = scipy.special.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (x / half_length) ** 2, 0.0, None)))
    h = np.sinc(x) * w
    h /= h.sum(axis=1, keepdims=True)
    h[integer] = 0.0
    h[integer, 0] = 1.0
    lag0 = np.where(integer, d, k[:, 0])
    n_taps = np.where(integer, 1, 2 * half_length).astype(np.int64)
    return lag0.astype(np.int64), n_taps, h


def fractional_delay_taps(delay_samples: float, half_length: int = DEFAULT_FILTER_HALF_LENGTH
                          ) -> tuple[int, np.ndarray]:
    """Taps of the windowed-sinc interpolator that delays by ``delay_samples`` samples.

    Parameters
    ----------
    delay_samples : float
        Delay τ · f_s in samples (any real number).
    half_length : int
        L; the filter has 2L taps (1 tap for an integer delay).

    Returns
    -------
    lag0 : int
        Lag k of the first tap: y[n] = Σ_m taps[m] · x[n − lag0 − m].
    taps : float64 ndarray (2L,) or (1,)
        Kaiser-windowed sinc taps, normalised to unit sum.
    """
    lag0, n_taps, h = _all_taps(np.array([float(delay_samples)]), int(half_length))
    return int(lag0[0]), h[0, :n_taps[0]].copy()


def _gain_interpolation(n_samples: int, n_g: int, gain_times: object, sample_rate: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Segment index and fraction for the linear interpolation of the gains at n / f_s."""
    if gain_times is None:
        if n_g == 1:
            return np.zeros(n_samples, np.int64), np.zeros(n_samples, np.float32)
        if n_g != n_samples:
            raise ValueError(f"gains: without gain_times the last dimension must be 1 or "
                             f"n_samples={n_samples}, got {n_g}")
        seg = np.minimum(np.arange(n_samples, dtype=np.int64), n_g - 2)
        return seg, (np.arange(n_samples) - seg).astype(np.float32)
    tg = np.asarray(gain_times, dtype=np.float64)
    if tg.shape != (n_g,):
        raise ValueError(f"gain_times: expected shape ({n_g},) (last dimension of gains), "
                         f"got {tg.shape}")
    if not np.all(np.isfinite(tg)) or np.any(np.diff(tg) <= 0):
        raise ValueError("gain_times: must be finite and strictly increasing")
    if n_g == 1:
        return np.zeros(n_samples, np.int64), np.zeros(n_samples, np.float32)
    ts = np.arange(n_samples) / sample_rate
    seg = np.clip(np.searchsorted(tg, ts, side="right") - 1, 0, n_g - 2).astype(np.int64)
    frac = np.clip((ts - tg[seg]) / (tg[seg + 1] - tg[seg]), 0.0, 1.0)
    return seg, frac.astype(np.float32)


def apply_paths(waveform: np.ndarray, delays: np.ndarray, gains: np.ndarray, sample_rate: float,
                *, gain_times: np.ndarray | None = None,
                filter_half_length: int = DEFAULT_FILTER_HALF_LENGTH) -> np.ndarray:
    """Pass a waveform through a multipath channel in the time domain (TR 38.901 §7.7).

    y_r[n] = Σ_t Σ_p g_{r,t,p}(n / f_s) · (h_p ∗ x_t)[n], with h_p the fractional-delay
    interpolator of delay τ_p described in the module docstring (exact shift for an integer
    delay) and g_{r,t,p}(t) linearly interpolated between its sample instants (held constant
    before the first and after the last).

    Parameters
    ----------
    waveform : array_like, complex, shape (n_tx, n_samples)
        Transmitted samples x_t[n], n = 0 at time 0.
    delays : array_like, float, shape (n_paths,)
        Path delays τ_p in seconds.
    gains : array_like, complex, shape (n_rx, n_tx, n_paths, n_gain_samples)
        Path gains g_{r,t,p}.
    sample_rate : float
        f_s in Hz.
    gain_times : array_like, float, shape (n_gain_samples,), optional
        Instants of the gain samples in seconds, relative to sample 0 of the waveform,
        strictly increasing. Without it the gains are either constant (n_gain_samples = 1)
        or given for every sample (n_gain_samples = n_samples).
    filter_half_length : int
        L of the 2L-tap interpolator.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (n_rx, n_samples).

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite delays, a non-positive sample rate or badly
        ordered gain times.
    """
    fs = _check_rate(sample_rate)
    x = np.asarray(waveform)
    if x.ndim != 2:
        raise ValueError(f"waveform: expected shape (n_tx, n_samples), got {x.shape}")
    d = _as_delays(delays)
    g = np.asarray(gains)
    if g.ndim != 4 or g.shape[1] != x.shape[0] or g.shape[2] != d.shape[0] or g.shape[3] < 1:
        raise ValueError(f"gains: expected shape (n_rx, n_tx={x.shape[0]}, n_paths={d.shape[0]}, "
                         f"n_gain_samples>=1), got {g.shape}")
    half = int(filter_half_length)
    if half < 1:
        raise ValueError(f"filter_half_length={filter_half_length!r}: must be >= 1")
    n_rx, n_tx, n_paths, n_g = g.shape
    n_s = x.shape[1]
    out = np.zeros((n_rx, n_s), dtype=np.complex64)
    if n_s == 0 or n_paths == 0:
        return out
    seg, frac = _gain_interpolation(n_s, n_g, gain_times, fs)
    gk = np.ascontiguousarray(g, dtype=np.complex64)
    if n_g == 1:
        gk = np.ascontiguousarray(np.repeat(gk, 2, axis=3))

    lag0, n_taps, taps = _all_taps(d * fs, half)
    taps = taps.astype(np.float32)
    k_max = int(np.max(lag0 + n_taps - 1))
    k_min = int(np.min(lag0))
    # Lags outside (-n_s, n_s) touch only zeros: clip the padding, keep the filter exact.
    pad_left = min(max(k_max, 0), n_s + 2 * half)
    pad_right = min(max(-k_min, 0), n_s + 2 * half)
    keep = (lag0 + n_taps - 1 > -n_s) & (lag0 < n_s)
    if not np.any(keep):
        return out
    xp = np.zeros((n_tx, pad_left + n_s + pad_right), dtype=np.complex64)
    xp[:, pad_left:pad_left + n_s] = x
    _k.apply_paths_kernel(xp.view(np.float32), pad_left, np.ascontiguousarray(lag0[keep]),
                          np.ascontiguousarray(n_taps[keep]), np.ascontiguousarray(taps[keep]),
                          np.ascontiguousarray(gk[:, :, keep]).view(np.float32), seg, frac,
                          out.view(np.float32))
    return out


def paths_frequency_response(delays: np.ndarray, gains: np.ndarray,
                             frequencies: np.ndarray) -> np.ndarray:
    """Frequency response H = Σ_p g_p e^{−j2π f τ_p} of a multipath channel (TR 38.901 §7.7).

    Parameters
    ----------
    delays : array_like, float, shape (n_paths,)
        Path delays τ_p in seconds.
    gains : array_like, complex, shape (n_rx, n_tx, n_paths, n_symbols)
        Path gains at the instants of interest (for OFDM: the symbol centres).
    frequencies : array_like, float, shape (K,)
        Baseband frequencies f in Hz (for OFDM: subcarrier k at (k − K/2) · Δf, the
        convention of :mod:`opennr.ofdm`).

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (n_rx, n_tx, n_symbols, K).

    Raises
    ------
    ValueError
        For mismatched shapes or non-finite delays or frequencies.
    """
    d = _as_delays(delays)
    g = np.asarray(gains)
    if g.ndim != 4 or g.shape[2] != d.shape[0]:
        raise ValueError(f"gains: expected shape (n_rx, n_tx, n_paths={d.shape[0]}, n_symbols), "
                         f"got {g.shape}")
    f = np.asarray(frequencies, dtype=np.float64)
    if f.ndim != 1 or not np.all(np.isfinite(f)):
        raise ValueError(f"frequencies: expected finite values of shape (K,), got {f.shape}")
    n_rx, n_tx, n_paths, n_sym = g.shape
    e = np.empty((n_paths, f.size), np.complex64)
    step = f[1] - f[0] if f.size > 1 else 0.0
    if f.size > 1 and np.all(np.abs(np.diff(f) - step) <= 1e-9 * max(abs(step), 1.0)):
        # Uniform grid (OFDM subcarriers): phase ramp by recurrence, re-anchored in float64.
        _k.phasor_kernel(d, float(f[0]), float(step), e)
    else:
        # Phase in cycles reduced modulo one cycle in float64 before the single-precision cos/sin.
        cycles = np.outer(d, f)
        cycles -= np.floor(cycles + 0.5)
        ang = (-2.0 * np.pi * cycles).astype(np.float32)
        e.real = np.cos(ang)
        e.imag = np.sin(ang)
    # H = G @ E: one complex64 matrix product ((links · instants) × paths) @ (paths × K).
    gt = np.ascontiguousarray(np.swapaxes(g, 2, 3), dtype=np.complex64).reshape(-1, n_paths)
    h = gt @ e if n_paths else np.zeros((gt.shape[0], f.size), np.complex64)
    return h.reshape(n_rx, n_tx, n_sym, f.size)

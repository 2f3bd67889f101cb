"""TR 38.901 §7.7 — applying a multipath channel (delays and time-varying path gains).

Shared by the fading models (TDL, CDL): a model produces path delays τ_p and complex path
gains g_{r,t,p}(t); this module applies them to a waveform in the time domain, or evaluates the
channel's frequency response H_{r,t}(f, t) = Σ_p g_{r,t,p}(t) e^{−j2π f τ_p} (the fast path
for OFDM, with gains taken at the OFDM symbol centres).

Time-domain filter
------------------
A path delay τ_p = (d_p + μ_p)/f_s with d_p = floor(τ_p f_s) and 0 ≤ μ_p < 1 is realised by a
Kaiser-windowed sinc interpolator of 2L taps (L = ``filter_half_length``, default 12),

    h_p[k] = sinc(k − τ_p f_s) · w(k − τ_p f_s),   k = d_p − L + 1, ..., d_p + L,
    w(x) = I_0(β √(1 − (x/L)²)) / I_0(β),   β = 5.7,

normalised to unit DC gain, and y_r[n] = Σ_{t,p} g_{r,t,p}(n/f_s) Σ_k h_p[k] x_t[n − k]. The
filter is centred on the path delay: it adds no delay of its own (it is non-causal by L − 1
samples), so the output stays aligned with the input. An integer delay (μ_p below 1e-6) is an
exact shift: a single path at delay 0 with gain 1 returns the input exactly. Paths whose delays
differ by less than 1e-6 of a sample are merged (their gains added) and filtered once. The input
is taken to be zero outside [0, n_samples), and the output has n_samples samples (the tail of
delayed paths beyond the last input sample is not returned).

In-band error. β was chosen to minimise the worst case over μ of the error
max |H_p(f) − e^{−j2π f τ_p}| in the passband |f| ≤ :data:`PASSBAND` · f_s = 0.425 f_s: it is
−52 dB with the default 24 taps (−56 dB for |f| ≤ 0.40 f_s; a 32-tap filter with β = 6 reaches
−59 dB for a third more work). 0.425 f_s covers every NR carrier at the default ``nrOFDMInfo``
FFT sizes (at most 85 % of the FFT occupied); the response falls off towards ±f_s/2.

Time variation. The gains are taken on a grid of instants and interpolated linearly between
them (the TDL and CDL channels use ``GAIN_SAMPLES_PER_DOPPLER_PERIOD`` = 128 points per period
of the maximum Doppler frequency f_D, :mod:`opennr.channel.tdl`). Every component of a fading
process is a sinusoid of frequency at most f_D, whose linear interpolation over a step Δ errs
by at most (2π f_D Δ)²/8 of its amplitude; the components have distinct frequencies, so the rms
interpolation error is at most 3.0e-4 (−70 dB) of the rms gain at 128 points per period. The
per-sample work is one multiply-add of the interpolation weight whatever the grid, so the grid
is kept this fine at no measurable cost.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special

from opennr.channel import _channel_kernels as _k

__all__ = ["DEFAULT_FILTER_HALF_LENGTH", "PASSBAND", "PathStream", "apply_paths", "fractional_delay_taps",
           "history_length", "paths_frequency_response"]

#: L: the fractional-delay interpolator has 2L taps.
DEFAULT_FILTER_HALF_LENGTH = 12
#: Kaiser window parameter β of the interpolator (minimax in-band error for 24 taps).
KAISER_BETA = 5.7
#: Passband |f| <= PASSBAND · f_s in which the in-band error of the interpolator is stated.
PASSBAND = 0.425
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


def _merge_equal_delays(delays: np.ndarray, gains: np.ndarray, sample_rate: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Paths closer than INTEGER_DELAY_TOLERANCE samples share one filter: their gains are added."""
    ds = delays * sample_rate
    order = np.argsort(ds, kind="stable")
    first = np.concatenate(([True], np.diff(ds[order]) > INTEGER_DELAY_TOLERANCE))
    if first.all():
        return delays, gains
    group = np.empty(ds.size, dtype=np.int64)
    group[order] = np.cumsum(first) - 1
    onehot = np.zeros((ds.size, int(first.sum())))
    onehot[np.arange(ds.size), group] = 1.0
    merged = np.moveaxis(np.tensordot(gains, onehot, axes=([2], [0])), -1, 2)
    return delays[order][first], merged


def _gain_instants(n_samples: int, n_g: int, gain_times: object, sample_rate: float) -> np.ndarray:
    """Instants of the gain samples in output samples (at least two, strictly increasing)."""
    if gain_times is None:
        if n_g == 1:
            return np.array([0.0, 1.0])
        if n_g != n_samples:
            raise ValueError(f"gains: without gain_times the last dimension must be 1 or "
                             f"n_samples={n_samples}, got {n_g}")
        return np.arange(n_g, dtype=np.float64)
    tg = np.asarray(gain_times, dtype=np.float64)
    if tg.shape != (n_g,):
        raise ValueError(f"gain_times: expected shape ({n_g},) (last dimension of gains), "
                         f"got {tg.shape}")
    if not np.all(np.isfinite(tg)) or np.any(np.diff(tg) <= 0):
        raise ValueError("gain_times: must be finite and strictly increasing")
    if n_g == 1:
        return np.array([tg[0] * sample_rate, tg[0] * sample_rate + 1.0])
    return np.ascontiguousarray(tg * sample_rate)


def apply_paths(waveform: np.ndarray, delays: np.ndarray, gains: np.ndarray, sample_rate: float,
                *, gain_times: np.ndarray | None = None,
                filter_half_length: int = DEFAULT_FILTER_HALF_LENGTH,
                history: np.ndarray | None = None) -> np.ndarray:
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
    history : array_like, complex, shape (n_tx, n_hist), optional
        Input samples that precede ``waveform`` (the last one is x_t[−1]); without it the
        input is zero before sample 0. Only the last :func:`history_length` samples matter.

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
    out_re = np.zeros((n_rx, n_s), dtype=np.float32)
    out_im = np.zeros((n_rx, n_s), dtype=np.float32)
    tgs = _gain_instants(n_s, n_g, gain_times, fs)
    if n_s and n_paths:
        d, g = _merge_equal_delays(d, g, fs)
        lag0, n_taps, taps = _all_taps(d * fs, half)
        k_max = int(np.max(lag0 + n_taps - 1))
        k_min = int(np.min(lag0))
        # Lags outside (-n_s, n_s + n_hist) touch only zeros: clip the padding, keep the filter exact.
        hist = None
        if history is not None:
            hist = np.asarray(history)
            if hist.ndim != 2 or hist.shape[0] != n_tx:
                raise ValueError(f"history: expected shape (n_tx={n_tx}, n_hist), got {hist.shape}")
            hist = hist[:, max(hist.shape[1] - max(k_max, 0), 0):]
        n_hist = 0 if hist is None else hist.shape[1]
        pad_left = min(max(k_max, 0), n_s + n_hist + 2 * half)
        pad_right = min(max(-k_min, 0), n_s + 2 * half)
        keep = (lag0 + n_taps - 1 > -n_s) & (lag0 < n_s + n_hist)
        if np.any(keep):
            x_re = np.zeros((n_tx, pad_left + n_s + pad_right), dtype=np.float32)
            x_im = np.zeros_like(x_re)
            x_re[:, pad_left:pad_left + n_s] = x.real
            x_im[:, pad_left:pad_left + n_s] = x.imag
            if n_hist:
                x_re[:, pad_left - n_hist:pad_left] = hist.real
                x_im[:, pad_left - n_hist:pad_left] = hist.imag
            gk = np.ascontiguousarray(g[:, :, keep])
            if n_g == 1:
                gk = np.concatenate([gk, gk], axis=3)
            _k.apply_paths_kernel(x_re, x_im, pad_left, np.ascontiguousarray(lag0[keep]),
                                  np.ascontiguousarray(n_taps[keep]),
                                  np.ascontiguousarray(taps[keep], dtype=np.float32),
                                  np.ascontiguousarray(gk.real, dtype=np.float32),
                                  np.ascontiguousarray(gk.imag, dtype=np.float32),
                                  tgs, out_re, out_im)
    out = np.empty((n_rx, n_s), dtype=np.complex64)
    out.real = out_re
    out.imag = out_im
    return out


def history_length(delays: np.ndarray, sample_rate: float,
                   filter_half_length: int = DEFAULT_FILTER_HALF_LENGTH) -> int:
    """Input samples before the current block that :func:`apply_paths` can reach.

    The largest lag of the interpolators of the delays τ_p at f_s (at least 0): the tail of
    the input a streaming application must keep between blocks.
    """
    d = _as_delays(delays)
    if d.size == 0:
        return 0
    lag0, n_taps, _ = _all_taps(d * _check_rate(sample_rate), int(filter_half_length))
    return max(int(np.max(lag0 + n_taps - 1)), 0)


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


class PathStream:
    """Delay-line state of a fading channel applied block after block (TR 38.901 §7.7).

    Keeps the tail of the input (the last :func:`history_length` samples) and the time at
    which the next block is due. A block whose first sample continues the previous block
    (same sample rate, t0 equal to the previous t0 + n_samples / f_s within 1e-3 of a sample)
    is filtered with that tail as its past, so that echoes of the previous block reach into
    this one; any other block starts afresh (zero past), as after :meth:`reset`.

    The gains are taken on a grid of absolute instants k · ``step`` (k integer), so the
    linear interpolation of the gains does not depend on how the waveform is cut into blocks.

    With ``causal=True`` the output is delayed by ``filter_delay`` = L − 1 samples (the
    look-ahead of the centred 2L-tap interpolator, as the channel filter delay of other
    simulators): the channel is then causal and a run block after block equals one call over
    the concatenated waveform to float32 precision. With ``causal=False`` the output is
    aligned with the input (a single path at delay 0 returns the input) and consecutive blocks
    agree with one call except for the last L − 1 samples of each block, whose interpolators
    would need samples of the next block (they see zeros there).
    """

    __slots__ = ("_causal", "_fs", "_next_t0", "_tail")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the past input: the next block starts with an empty delay line."""
        self._tail: np.ndarray | None = None
        self._next_t0: float | None = None
        self._fs: float | None = None
        self._causal: bool | None = None

    def apply(self, x: np.ndarray, delays: np.ndarray, gains, sample_rate: float, t0: float,
              step: float | None, causal: bool = False,
              filter_half_length: int = DEFAULT_FILTER_HALF_LENGTH) -> np.ndarray:
        """Apply one block; ``gains(times)`` gives (n_rx, n_tx, n_paths, n) at absolute times.

        ``step`` is the spacing of the gain grid in seconds (None: static gains).
        """
        fs = float(sample_rate)
        n_tx, n_s = x.shape
        half = int(filter_half_length)
        shift = (half - 1) if causal else 0
        d = np.asarray(delays, dtype=np.float64) + shift / fs
        t_out0 = t0 - shift / fs
        continues = (self._tail is not None and self._fs == fs and self._causal == causal
                     and self._tail.shape[0] == n_tx
                     and abs(t0 - self._next_t0) * fs < 1e-3)
        past = self._tail if continues else None
        if step is None or n_s <= 1:
            g = gains(np.array([t_out0]))
            y = apply_paths(x, d, g, fs, filter_half_length=half, history=past)
        else:
            t_last = t_out0 + (n_s - 1) / fs
            k = np.arange(math.floor(t_out0 / step), math.ceil(t_last / step) + 1)
            tg = k * step
            y = apply_paths(x, d, gains(tg), fs, gain_times=tg - t_out0,
                            filter_half_length=half, history=past)
        n_keep = history_length(d, fs, half)
        base = past if past is not None else np.zeros((n_tx, 0), np.complex64)
        self._tail = np.concatenate([base, np.asarray(x, dtype=np.complex64)], axis=1)[:, -n_keep:] \
            if n_keep else np.zeros((n_tx, 0), np.complex64)
        self._next_t0 = t0 + n_s / fs
        self._fs = fs
        self._causal = bool(causal)
        return y

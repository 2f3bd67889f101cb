"""TS 38.211 §5.3-5.4 — OFDM baseband signal generation, modulation and upconversion.

:func:`ofdm_modulate` turns resource grids into time-domain waveforms: one inverse FFT per
OFDM symbol (scaled by 1/N, as ``numpy.fft.ifft``), subcarrier k of the K-subcarrier grid in FFT
bin (k − K/2) mod N (k = K/2 is the carrier centre, no DC skip), the cyclic prefix of §5.3.1
before every symbol, and the §5.4 upconversion term for a carrier frequency f0. This reproduces
MATLAB's ``nrOFDMModulate`` without windowing. :func:`ofdm_demodulate` inverts it exactly.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.fft

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.numerology import Carrier, OfdmInfo, ofdm_info

__all__ = ["ofdm_demodulate", "ofdm_modulate", "symbol_phases"]


def _first_symbol(carrier: Carrier, info: OfdmInfo, n_slot: int | None) -> int:
    """Index within its subframe of the first OFDM symbol of slot ``n_slot``."""
    if n_slot is None:
        n_slot = carrier.n_slot
    n_slot = check_int("n_slot", n_slot, 0, clause="TS 38.211 §4.3.2")
    return (n_slot % info.slots_per_subframe) * info.symbols_per_slot


def _cp_of_symbols(info: OfdmInfo, first: int, n_symbols: int) -> np.ndarray:
    cp = np.asarray(info.cp_lengths, dtype=np.int64)
    return cp[(first + np.arange(n_symbols)) % info.symbols_per_subframe]


def symbol_phases(info: OfdmInfo, carrier_frequency: float, *, first_symbol: int = 0,
                  n_symbols: int | None = None) -> np.ndarray:
    """Upconversion phase term of every OFDM symbol (TS 38.211 §5.4).

    The baseband symbol l is multiplied by exp(−j2π f0 (t_start,l + N_CP,l T_c)), so that the
    useful part of every symbol starts with zero phase relative to the carrier. t_start,l is
    counted from the start of the subframe that holds the symbol (§5.3.1); for carrier
    frequencies that are a multiple of 1 kHz (every NR-ARFCN) this equals counting from the
    start of a waveform that begins on a subframe boundary.

    Parameters
    ----------
    info : OfdmInfo
    carrier_frequency : float
        f0 in Hz.
    first_symbol : int
        Index within its subframe of the first symbol.
    n_symbols : int, optional
        Number of symbols (default: one subframe).

    Returns
    -------
    numpy.ndarray
        ``np.complex128`` (n_symbols,), the factors exp(−j2π f0 t_l).
    """
    if n_symbols is None:
        n_symbols = info.symbols_per_subframe
    lengths = np.asarray(info.symbol_lengths, dtype=np.int64)
    cp = np.asarray(info.cp_lengths, dtype=np.int64)
    # Sample index, from the subframe start, of the end of each symbol's cyclic prefix.
    t_end_cp = np.cumsum(lengths) - lengths + cp
    idx = (first_symbol + np.arange(n_symbols)) % info.symbols_per_subframe
    n = t_end_cp[idx].astype(np.float64)
    cycles = np.fmod(float(carrier_frequency) * n, info.sample_rate) / info.sample_rate
    return np.exp(-2j * np.pi * cycles)


@functools.lru_cache(maxsize=64)
def _cp_gather(nfft: int, cps: tuple[int, ...]) -> np.ndarray:
    """Indices into the concatenated symbols (L·N samples) that insert the cyclic prefixes."""
    parts = []
    for l, c in enumerate(cps):
        parts.append(l * nfft + (np.arange(-c, nfft) % nfft))
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=64)
def _timing_ramp(nfft: int, k_sc: int, deltas: tuple[int, ...]) -> np.ndarray:
    """exp(j2π·bin·δ/N) over the K used bins, one row per timing offset δ (complex64)."""
    bins = (np.arange(k_sc) - k_sc // 2) % nfft
    turns = (np.outer(np.asarray(deltas, dtype=np.int64), bins) % nfft) / nfft
    out = np.exp(2j * np.pi * turns).astype(np.complex64)
    out.setflags(write=False)
    return out


def _check_frequency(carrier_frequency: object) -> float:
    if isinstance(carrier_frequency, bool) or not isinstance(carrier_frequency,
                                                             (int, float, np.number)):
        raise ConfigError("carrier_frequency", carrier_frequency, "must be a real number in Hz",
                          "TS 38.211 §5.4")
    f0 = float(carrier_frequency)
    if not np.isfinite(f0):
        raise ConfigError("carrier_frequency", carrier_frequency, "must be finite",
                          "TS 38.211 §5.4")
    return f0


def ofdm_modulate(grid: np.ndarray, carrier: Carrier, *, nfft: int | None = None,
                  sample_rate: float | None = None, carrier_frequency: float = 0.0,
                  n_slot: int | None = None) -> np.ndarray:
    """OFDM-modulate resource grids (TS 38.211 §5.3.1, §5.4).

    For every OFDM symbol l: the K subcarriers a_k,l go to FFT bins (k − K/2) mod N, the
    length-N inverse DFT (1/N scaling, as ``numpy.fft.ifft``) gives the useful part, the last
    N_CP,l samples are copied in front as the cyclic prefix, and with f0 ≠ 0 the symbol is
    multiplied by the §5.4 term exp(−j2π f0 t_l) (see :func:`symbol_phases`). The cyclic
    prefix pattern follows the position of each symbol in its subframe, starting at slot
    ``n_slot``.

    Parameters
    ----------
    grid : array_like, complex, shape (..., L, K)
        Resource grids, L OFDM symbols of K = N_grid^size · 12 subcarriers (leading dimensions,
        e.g. ports, are batch dimensions).
    carrier : Carrier
    nfft, sample_rate : optional
        FFT size and sample rate, see :func:`opennr.numerology.ofdm_info`.
    carrier_frequency : float
        f0 in Hz for the upconversion phase term; 0 disables it.
    n_slot : int, optional
        Slot number n_s,f^μ of the first symbol (default ``carrier.n_slot``).

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (..., samples), samples = Σ_l (N + N_CP,l).

    Raises
    ------
    ValueError
        If the grid has fewer than 2 dimensions or its last dimension is not K.
    ConfigError
        For an invalid FFT size, sample rate, carrier frequency or slot number.
    """
    arr = np.asarray(grid)
    if arr.ndim < 2:
        raise ValueError(f"grid: expected shape (..., symbols, subcarriers), got {arr.shape}")
    k_sc = carrier.n_subcarriers
    if arr.shape[-1] != k_sc:
        raise ValueError(f"grid: last dimension must be {k_sc} (n_size_grid * 12), "
                         f"got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.number) and not np.issubdtype(arr.dtype, np.timedelta64)):
        raise ValueError(f"grid: expected a numeric array, got {arr.dtype}")
    f0 = _check_frequency(carrier_frequency)
    info = ofdm_info(carrier, nfft=nfft, sample_rate=sample_rate)
    n = info.nfft
    first = _first_symbol(carrier, info, n_slot)
    n_sym = arr.shape[-2]
    lead = arr.shape[:-2]

    freq = np.zeros((*lead, n_sym, n), dtype=np.complex64)
    bins = (np.arange(k_sc) - k_sc // 2) % n
    freq[..., bins] = arr
    sym = scipy.fft.ifft(freq, axis=-1, overwrite_x=True)
    if f0 != 0.0:
        ph = symbol_phases(info, f0, first_symbol=first, n_symbols=n_sym).astype(np.complex64)
        sym *= ph[:, None]
    cps = tuple(int(c) for c in _cp_of_symbols(info, first, n_sym))
    flat = sym.reshape(*lead, n_sym * n)
    return np.ascontiguousarray(flat[..., _cp_gather(n, cps)], dtype=np.complex64)


def ofdm_demodulate(waveform: np.ndarray, carrier: Carrier, *, nfft: int | None = None,
                    sample_rate: float | None = None, carrier_frequency: float = 0.0,
                    n_slot: int | None = None, cp_fraction: float = 0.5) -> np.ndarray:
    """OFDM-demodulate waveforms into resource grids (inverse of :func:`ofdm_modulate`).

    Every whole OFDM symbol in the waveform is demodulated; trailing samples that do not
    make up a symbol are ignored. The FFT window of symbol l starts
    floor(cp_fraction · N_CP,l) samples into its cyclic prefix; the resulting linear phase
    across subcarriers, exp(−j2π k δ_l / N) with δ_l = N_CP,l − floor(cp_fraction · N_CP,l), is
    removed, then the §5.4 upconversion term is undone (TS 38.211 §5.3.1, §5.4). The DFT is
    unscaled, so demodulating a modulated grid returns it.

    Parameters
    ----------
    waveform : array_like, complex, shape (..., samples)
        Time-domain waveforms aligned to the start of the first symbol's cyclic prefix.
    carrier : Carrier
    nfft, sample_rate : optional
        See :func:`opennr.numerology.ofdm_info`.
    carrier_frequency : float
        f0 in Hz used by the modulator.
    n_slot : int, optional
        Slot number of the first symbol (default ``carrier.n_slot``).
    cp_fraction : float
        Position of the FFT window within the cyclic prefix, in [0, 1]: 0 starts at the
        beginning of the prefix, 1 at the end (no timing margin).

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (..., L, K) with L the number of whole symbols and K = N_grid^size · 12.

    Raises
    ------
    ValueError
        If the waveform is not a numeric array with at least one dimension.
    ConfigError
        For an invalid FFT size, sample rate, carrier frequency, slot number or cp_fraction.
    """
    arr = np.asarray(waveform)
    if arr.ndim < 1:
        raise ValueError(f"waveform: expected shape (..., samples), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.timedelta64):
        raise ValueError(f"waveform: expected a numeric array, got {arr.dtype}")
    if isinstance(cp_fraction, bool) or not isinstance(cp_fraction, (int, float, np.number)) \
            or not 0.0 <= float(cp_fraction) <= 1.0:
        raise ConfigError("cp_fraction", cp_fraction, "must be a number in [0, 1]")
    f0 = _check_frequency(carrier_frequency)
    info = ofdm_info(carrier, nfft=nfft, sample_rate=sample_rate)
    n = info.nfft
    first = _first_symbol(carrier, info, n_slot)
    k_sc = carrier.n_subcarriers
    n_samples = arr.shape[-1]

    # Whole symbols in the waveform: the CP pattern repeats every subframe.
    per_sf = info.samples_per_subframe
    n_sym = (n_samples // per_sf) * info.symbols_per_subframe
    rest = n_samples - (n_samples // per_sf) * per_sf
    while True:
        nxt = info.symbol_lengths[(first + n_sym) % info.symbols_per_subframe]
        if nxt > rest:
            break
        rest -= nxt
        n_sym += 1

    cp = _cp_of_symbols(info, first, n_sym)
    skip = np.floor(float(cp_fraction) * cp).astype(np.int64)
    starts = np.cumsum(n + cp) - (n + cp) + skip
    idx = starts[:, None] + np.arange(n)
    sym = scipy.fft.fft(arr[..., idx].astype(np.complex64, copy=False), axis=-1,
                        overwrite_x=True)
    bins = (np.arange(k_sc) - k_sc // 2) % n
    out = sym[..., bins]
    # The window starts delta = N_CP,l - skip samples early: undo exp(-j2π·bin·delta/N).
    delta = cp - skip
    uniq, which = np.unique(delta, return_inverse=True)
    ramp = _timing_ramp(n, k_sc, tuple(int(x) for x in uniq))[which]
    if f0 != 0.0:
        ph = np.conj(symbol_phases(info, f0, first_symbol=first, n_symbols=n_sym))
        ramp = ramp * ph.astype(np.complex64)[:, None]
    out *= ramp
    return np.ascontiguousarray(out, dtype=np.complex64)

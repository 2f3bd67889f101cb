"""Cell search: SS/PBCH block detection and MIB decoding from raw IQ samples.

Built on TS 38.211 §7.4.2 (PSS, SSS), §7.4.3 (SS/PBCH block), §7.3.3 (PBCH), §7.4.1.4 (PBCH
DM-RS), TS 38.212 §7.1 (BCH) and TS 38.213 §4.1 (candidate SS/PBCH blocks). The receiver itself
is not normative; its steps are:

1. Frequency shift of the candidate SS/PBCH block centre to 0 Hz and resampling to the working
   rate 512 · Δf (the block then sits in FFT bins −120 .. 119 of a 512-point FFT), then a
   further factor-2 decimation for detection.
2. PSS detection: correlation with the three PSS (N_ID^(2)) shifted by every carrier frequency
   offset hypothesis on a half-subcarrier grid, normalised by the received energy in the
   window so that the metric lies in [0, 1] whatever the signal level.
3. Fine timing at the working rate, fine CFO from the phase between the two halves of the PSS
   correlation, FFT of the 4 OFDM symbols of the block with the window inside the cyclic
   prefix.
4. SSS detection (N_ID^(1), 336 hypotheses), coherent against the channel seen on the PSS.
5. PBCH DM-RS hypothesis test over ī_SSB = 0 .. 7 (non-coherent over groups of 4 pilots).
6. Least-squares channel estimate on the DM-RS, common phase per symbol, average over the three
   PBCH symbols, smoothing and interpolation across frequency; noise variance from the
   difference of the pilots of symbols 1 and 3.
7. MMSE equalisation, PBCH demodulation into 864 LLRs, BCH decoding (CRC24C). Only blocks whose
   CRC passes are reported, so noise never gives a cell.
8. Successive interference cancellation: a decoded block is regenerated, passed through its
   estimated channel and subtracted, and the same detection peak is tried again, so that
   cells overlapping in time (even with the same N_ID^(2)) are found.

The block centres tried are the synchronization raster points of a band (TS 38.104 §5.4.3,
:mod:`opennr.receiver.raster`) inside the recording, given centres, or candidates on the
subcarrier grid. For 120 and 240 kHz blocks (cases D, E; L_max = 64) the block index is
8 × (3 MSBs from the PBCH payload) + ī_SSB. When the block pattern is known, the half-frame bit
and the first symbol of the decoded candidate block give the start of the frame.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.fft
import scipy.ndimage
import scipy.signal

from opennr._validate import check_choice
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info
from opennr.physical.pbch import PBCH_DMRS_LENGTH, pbch_demodulate, pbch_dmrs
from opennr.physical.ssb import (
    SSB_CASE_SCS,
    SSB_SUBCARRIERS,
    SSB_SYMBOLS,
    ssb_block,
    ssb_candidate_symbols,
    ssb_indices,
)
from opennr.physical.sync import pss_sequences, sss_sequences
from opennr.receiver.raster import frequency_to_gscn, ssb_raster_frequencies
from opennr.transport.bch import Mib, bch_decode, bch_encode

__all__ = ["CELL_SEARCH_SCS", "DetectedCell", "cell_search"]

#: SS/PBCH subcarrier spacings (kHz) searched by :func:`cell_search`: cases A (15 kHz), B and C
#: (30 kHz), D (120 kHz) and E (240 kHz) of TS 38.213 §4.1.
CELL_SEARCH_SCS = (15, 30, 120, 240)
_DEFAULT_SCS = (15, 30)            # searched when neither the SCS nor the band is given
_FR2_SCS = (120, 240)              # L_max = 64
_CASE_SCS = {c: SSB_CASE_SCS[c] for c in "ABCDE"}
_KNOWN_CASE = {15: "A", 120: "D", 240: "E"}   # the only case of these spacings (A .. E)

_CLAUSE = "TS 38.213 §4.1"
_N_WORK = 512          # working FFT size: sample rate 512 · Δf
_N_DET = 256           # detection FFT size: sample rate 256 · Δf
_CP_WORK = 144 * _N_WORK // 2048   # normal cyclic prefix at the working rate (no long CP in a block)
_SYM_WORK = _N_WORK + _CP_WORK
_HALF = SSB_SUBCARRIERS // 2       # block subcarrier k sits in FFT bin k − 120
_PSS_K0 = 56                       # PSS/SSS: block subcarriers 56 .. 182 (Table 7.4.3.1-1)
_CFO_STEP = 0.5                    # CFO hypothesis grid, in subcarriers
_WINDOW_ADVANCE = _CP_WORK // 2    # FFT window starts in the middle of the cyclic prefix
_MIN_AGREEMENT = 0.25              # Σ LLR · (1 − 2 b) / Σ |LLR| of a re-encoded decode


@dataclass(frozen=True, slots=True, kw_only=True)
class DetectedCell:
    """One decoded SS/PBCH block (TS 38.211 §7.4.3, TS 38.212 §7.1).

    Attributes
    ----------
    n_cell_id : int
        Physical cell identity N_ID^cell = 3 N_ID^(1) + N_ID^(2).
    ssb_index : int
        SS/PBCH block index (the ī_SSB of the PBCH DM-RS, plus the PBCH payload bits for
        L_max = 64).
    sfn : int
        System frame number of the block, 0 .. 1023.
    half_frame : int
        Half-frame bit n_hf of the block, 0 or 1.
    mib : Mib
        The decoded MIB fields.
    k_ssb : int
        k_SSB (TS 38.213 §4.1), 0 .. 23.
    scs : int
        Subcarrier spacing of the block in kHz.
    frequency : float
        Nominal centre of the block (subcarrier 120) relative to the centre of the recording, in
        Hz: the given ``ssb_frequency``, or when searched the nearest point of the subcarrier
        grid to the measured centre.
    cfo : float
        Carrier frequency offset in Hz: measured centre minus ``frequency``.
    timing : int
        Sample index in the input of the start (cyclic prefix) of the first OFDM symbol of the
        block.
    snr_db : float
        Signal-to-noise ratio per resource element measured on the PBCH DM-RS, in dB.
    pss_metric : float
        Normalised PSS correlation peak, in [0, 1].
    case : str or None
        SS/PBCH block pattern (TS 38.213 §4.1) when known: A at 15 kHz, D at 120 kHz, E at
        240 kHz, and B or C at 30 kHz from the band's raster or the ``ssb_case`` given.
    frame_start : int or None
        Sample index in the input of the start of frame ``sfn`` (may be negative or beyond the
        input), from the half-frame bit and the first symbol of candidate block ``ssb_index``
        (TS 38.213 §4.1); None when the case is not known.
    absolute_frequency : float or None
        Absolute frequency of the block centre (subcarrier 120) in Hz, ``frequency`` plus the
        recording's centre frequency, when that is known.
    gscn : int or None
        GSCN of ``absolute_frequency`` (TS 38.104 §5.4.3.1) when it lies on the
        synchronization raster.
    """

    n_cell_id: int
    ssb_index: int
    sfn: int
    half_frame: int
    mib: Mib
    k_ssb: int
    scs: int
    frequency: float
    cfo: float
    timing: int
    snr_db: float
    pss_metric: float
    case: str | None = None
    frame_start: int | None = None
    absolute_frequency: float | None = None
    gscn: int | None = None

    @property
    def n_id_1(self) -> int:
        """N_ID^(1) = ⌊N_ID^cell / 3⌋ (TS 38.211 §7.4.2.1)."""
        return self.n_cell_id // 3

    @property
    def n_id_2(self) -> int:
        """N_ID^(2) = N_ID^cell mod 3 (TS 38.211 §7.4.2.1)."""
        return self.n_cell_id % 3

    def as_dict(self) -> dict:
        """Plain-Python fields (for JSON), with the MIB fields nested."""
        mib = self.mib
        return {
            "n_cell_id": self.n_cell_id, "ssb_index": self.ssb_index, "sfn": self.sfn,
            "half_frame": self.half_frame, "k_ssb": self.k_ssb, "scs_khz": self.scs,
            "frequency_hz": self.frequency, "cfo_hz": self.cfo, "timing": self.timing,
            "snr_db": self.snr_db, "pss_metric": self.pss_metric, "case": self.case,
            "frame_start": self.frame_start, "absolute_frequency_hz": self.absolute_frequency,
            "gscn": self.gscn,
            "mib": {"subcarrier_spacing_common": mib.subcarrier_spacing_common,
                    "dmrs_type_a_position": mib.dmrs_type_a_position,
                    "pdcch_config_sib1": mib.pdcch_config_sib1,
                    "cell_barred": bool(mib.cell_barred),
                    "intra_freq_reselection": bool(mib.intra_freq_reselection),
                    "spare": mib.spare},
        }


# ---------------------------------------------------------------------------------------------
# Reference signals at the detection and working rates (cached).

def _pss_time(n_fft: int, cfo: float) -> np.ndarray:
    """The three PSS symbols (no CP) at n_fft · Δf shifted by ``cfo`` subcarriers, unit energy."""
    freq = np.zeros((3, n_fft), dtype=np.complex128)
    bins = (np.arange(_PSS_K0, _PSS_K0 + 127) - _HALF) % n_fft
    freq[:, bins] = pss_sequences()
    t = np.fft.ifft(freq, axis=-1)
    t *= np.exp(2j * np.pi * cfo * np.arange(n_fft) / n_fft)
    t /= np.sqrt(np.sum(np.abs(t) ** 2, axis=-1, keepdims=True))
    return t


@functools.lru_cache(maxsize=16)
def _pss_bank(n_hyp: int) -> tuple[np.ndarray, np.ndarray]:
    """CFO hypotheses (subcarriers) and conj. spectra-ready replicas (n_hyp, 3, _N_DET)."""
    half = (n_hyp - 1) // 2
    hyps = _CFO_STEP * np.arange(-half, half + 1)
    bank = np.stack([_pss_time(_N_DET, float(e)) for e in hyps]).astype(np.complex64)
    bank.setflags(write=False)
    hyps.setflags(write=False)
    return hyps, bank


@functools.lru_cache(maxsize=8)
def _sss_table(n_id_2: int) -> np.ndarray:
    table = sss_sequences()[n_id_2::3].astype(np.float64)  # (336, 127), row N_ID^(1)
    table.setflags(write=False)
    return table


@functools.lru_cache(maxsize=64)
def _dmrs_table(n_cell_id: int) -> np.ndarray:
    """PBCH DM-RS for ī_SSB = 0 .. 7 (rows), TS 38.211 §7.4.1.4.1."""
    table = np.stack([pbch_dmrs(n_cell_id, i, 8) for i in range(8)]).astype(np.complex128)
    table.setflags(write=False)
    return table


@functools.lru_cache(maxsize=4)
def _block_bins() -> np.ndarray:
    bins = (np.arange(SSB_SUBCARRIERS) - _HALF) % _N_WORK
    bins.setflags(write=False)
    return bins


# ---------------------------------------------------------------------------------------------
# Validation.

def _check_samples(samples: object) -> np.ndarray:
    arr = np.asarray(samples)
    if arr.ndim != 1:
        raise ValueError(f"samples: expected a 1-D array of complex baseband samples, got shape "
                         f"{arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.timedelta64):
        raise ValueError(f"samples: expected a numeric array, got dtype {arr.dtype}")
    x = np.ascontiguousarray(arr, dtype=np.complex64)
    finite = np.isfinite(x.view(np.float32)).reshape(-1, 2).all(axis=1) if x.size else x
    if x.size and not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"samples: {int(np.sum(~finite))} sample(s) are NaN or infinite, the "
                         f"first at index {first}")
    return x


def _check_rate(sample_rate: object) -> float:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.number)) \
            or not math.isfinite(float(sample_rate)) or float(sample_rate) <= 0:
        raise ConfigError("sample_rate", sample_rate, "must be a positive finite number in Hz")
    return float(sample_rate)


def _check_frequencies(ssb_frequency: object) -> list[float] | None:
    if ssb_frequency is None:
        return None
    values = ssb_frequency if isinstance(ssb_frequency, (Sequence, np.ndarray)) \
        and not isinstance(ssb_frequency, str) else [ssb_frequency]
    out = []
    for f in values:
        if isinstance(f, bool) or not isinstance(f, (int, float, np.number)) \
                or not math.isfinite(float(f)):
            raise ConfigError("ssb_frequency", ssb_frequency,
                              "must be a finite frequency in Hz or a sequence of them")
        out.append(float(f))
    if not out:
        raise ConfigError("ssb_frequency", ssb_frequency, "must not be an empty sequence")
    return out


def _min_samples(sample_rate: float, scs: int) -> int:
    """Input samples needed for one SS/PBCH block plus one symbol of margin."""
    return math.ceil((SSB_SYMBOLS + 1) * _SYM_WORK * sample_rate / (_N_WORK * scs * 1e3))


# ---------------------------------------------------------------------------------------------
# Signal processing steps.

def _to_working_rate(x: np.ndarray, sample_rate: float, f_c: float,
                     fs_work: float) -> tuple[np.ndarray, float]:
    """Shift frequency f_c to 0 Hz and resample to ≈ fs_work; returns (samples, actual rate)."""
    n = np.arange(x.size, dtype=np.float64)
    if f_c != 0.0:
        cycles = np.mod(n * (f_c / sample_rate), 1.0)
        x = x * np.exp(-2j * np.pi * cycles).astype(np.complex64)
    ratio = Fraction(fs_work / sample_rate).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    if up == down:
        # A copy: the caller's samples must survive the cancellation of decoded blocks.
        return np.array(x, dtype=np.complex64, copy=True), sample_rate
    y = scipy.signal.resample_poly(x, up, down).astype(np.complex64)
    return y, sample_rate * up / down


def _pss_detect(y_det: np.ndarray, n_hyp: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised PSS correlation metric (3, L) and best CFO hypothesis index (3, L).

    metric(n) = |Σ_m y(n + m) p*(m)|² / Σ_m |y(n + m)|² with unit-energy replicas p, maximised
    over the CFO hypotheses; 0 .. 1.
    """
    n_valid = y_det.size - _N_DET + 1
    hyps, bank = _pss_bank(n_hyp)
    size = scipy.fft.next_fast_len(y_det.size)
    spec = scipy.fft.fft(y_det, size)
    bank_spec = np.conj(scipy.fft.fft(bank, size, axis=-1))  # (n_hyp, 3, size)
    power = np.abs(y_det.astype(np.complex128)) ** 2
    csum = np.concatenate([[0.0], np.cumsum(power)])
    energy = csum[_N_DET:] - csum[:-_N_DET]
    inv = 1.0 / np.maximum(energy, 1e-30 + 1e-12 * float(energy.max(initial=0.0)))
    best = np.zeros((3, n_valid), dtype=np.float64)
    arg = np.zeros((3, n_valid), dtype=np.int64)
    for h in range(len(hyps)):
        corr = scipy.fft.ifft(spec[None, :] * bank_spec[h], axis=-1)[:, :n_valid]
        m = (corr.real.astype(np.float64) ** 2 + corr.imag.astype(np.float64) ** 2) * inv
        better = m > best
        best = np.where(better, m, best)
        arg = np.where(better, h, arg)
    np.clip(best, 0.0, 1.0, out=best)
    return best, arg


def _peaks(metric: np.ndarray, threshold: float, limit: int) -> list[tuple[float, int, int]]:
    """(metric, N_ID^(2), index) of local maxima above ``threshold``, strongest first."""
    out = []
    for n_id_2 in range(3):
        m = metric[n_id_2]
        local = scipy.ndimage.maximum_filter1d(m, size=_N_DET, mode="constant")
        idx = np.flatnonzero((m >= local) & (m > threshold))
        out.extend((float(m[i]), n_id_2, int(i)) for i in idx)
    out.sort(key=lambda t: -t[0])
    return out[:limit]


def _pss_work(n_id_2: int, cfo: float) -> np.ndarray:
    return _pss_time(_N_WORK, cfo)[n_id_2]


def _refine(y: np.ndarray, n0: int, n_id_2: int, cfo: float) -> tuple[int, float] | None:
    """Fine timing (±3 samples at the working rate) and fine CFO from the PSS halves."""
    rep = np.conj(_pss_work(n_id_2, cfo))
    best, best_n = -1.0, n0
    for n in range(n0 - 3, n0 + 4):
        if n < 0 or n + _N_WORK > y.size:
            continue
        v = abs(np.dot(y[n:n + _N_WORK], rep))
        if v > best:
            best, best_n = v, n
    if best < 0:
        return None
    prod = y[best_n:best_n + _N_WORK] * rep
    a, b = prod[:_N_WORK // 2].sum(), prod[_N_WORK // 2:].sum()
    # Half a symbol apart: phase π ε for a residual offset of ε subcarriers.
    delta = float(np.angle(b * np.conj(a))) / np.pi
    return best_n, cfo + float(np.clip(delta, -0.5, 0.5))


def _grid_phases(n_pss: int, f_c: float, rate: float) -> np.ndarray:
    """exp(j2π f_c t_l) at the useful-part start t_l of the 4 block symbols (working rate).

    Mixing the block centre f_c down with a continuous phase leaves every OFDM symbol, whose
    subcarriers restart their phase at its useful part, rotated by exp(−j2π f_c t_l): a known
    per-symbol phase (like the upconversion term of TS 38.211 §5.4), removed here.
    """
    n = n_pss + _SYM_WORK * np.arange(SSB_SYMBOLS)
    return np.exp(2j * np.pi * np.mod(n * (f_c / rate), 1.0))


def _demodulate_block(y: np.ndarray, n_pss: int, cfo: float,
                      phases: np.ndarray) -> np.ndarray | None:
    """The 4 × 240 block whose PSS useful part starts at n_pss, CFO removed (cfo subcarriers)."""
    start = n_pss - _WINDOW_ADVANCE
    stop = n_pss + (SSB_SYMBOLS - 1) * _SYM_WORK + _N_WORK - _WINDOW_ADVANCE
    if start < 0 or stop > y.size:
        return None
    idx = start + np.arange(SSB_SYMBOLS)[:, None] * _SYM_WORK + np.arange(_N_WORK)[None, :]
    rot = np.exp(-2j * np.pi * cfo * (idx - n_pss) / _N_WORK)
    spec = scipy.fft.fft(y[idx] * rot, axis=-1)
    bins = _block_bins()
    signed = np.arange(SSB_SUBCARRIERS) - _HALF
    ramp = np.exp(2j * np.pi * signed * _WINDOW_ADVANCE / _N_WORK)
    return spec[:, bins] * ramp[None, :] * phases[:, None]


def _smooth(v: np.ndarray, length: int) -> np.ndarray:
    """Moving average with the window shrunk at the edges."""
    w = np.ones(length)
    num = np.convolve(v, w, mode="same")
    den = np.convolve(np.ones(v.size), w, mode="same")
    return num / den


def _sss_detect(block: np.ndarray, n_id_2: int, exclude: frozenset[int]) -> tuple[int, float]:
    """N_ID^(1) maximising the SSS correlation against the PSS channel; (n_id_1, metric)."""
    pss_re = block[0, _PSS_K0:_PSS_K0 + 127]
    sss_re = block[2, _PSS_K0:_PSS_K0 + 127]
    h = _smooth(pss_re * pss_sequences()[n_id_2], 7)
    z = sss_re * np.conj(h)
    corr = _sss_table(n_id_2) @ np.stack([z.real, z.imag], axis=1)   # real table: (336, 2)
    m = corr[:, 0] ** 2 + corr[:, 1] ** 2
    norm = float(np.sum(np.abs(sss_re) ** 2) * np.sum(np.abs(h) ** 2)) + 1e-30
    m = m / norm
    for n in exclude:
        m[n] = -1.0
    n_id_1 = int(np.argmax(m))
    return n_id_1, float(m[n_id_1])


@dataclass(frozen=True, slots=True)
class _ChannelEstimate:
    h: np.ndarray        # (4, 240) channel of every RE of the block
    noise_var: float
    snr_db: float
    cfo_residual: float  # subcarriers, from the DM-RS phase between symbols 1 and 3


def _channel_estimate(block: np.ndarray, n_cell_id: int, i_bar: int) -> _ChannelEstimate:
    """LS on the PBCH DM-RS, per-symbol common phase, time average, frequency interpolation."""
    nu = n_cell_id % 4
    idx = ssb_indices(n_cell_id).dmrs
    flat = block.reshape(-1)
    h_ls = flat[idx] * np.conj(_dmrs_table(n_cell_id)[i_bar])
    sym, pilot = idx // SSB_SUBCARRIERS - 1, (idx % SSB_SUBCARRIERS - nu) // 4
    n_pilot = SSB_SUBCARRIERS // 4
    grid = np.zeros((3, n_pilot), dtype=np.complex128)
    have = np.zeros((3, n_pilot), dtype=bool)
    grid[sym, pilot] = h_ls
    have[sym, pilot] = True
    theta = np.zeros(4)
    for s in (1, 2):
        common = have[s] & have[0]
        theta[s + 1] = float(np.angle(np.sum(grid[s, common] * np.conj(grid[0, common]))))
    theta[0] = -theta[3] / 2               # symbol 0 (PSS): linear extrapolation of the phase
    rot = grid * np.exp(-1j * theta[1:, None])
    h_avg = np.sum(rot * have, axis=0) / np.sum(have, axis=0)
    diff = rot[0] - rot[2]
    noise_var = max(float(np.mean(np.abs(diff) ** 2)) / 2.0, 1e-12)
    signal = float(np.mean((rot[0] * np.conj(rot[2])).real))
    snr_db = 10 * math.log10(signal / noise_var) if signal > 0 else -math.inf
    # Remove the mean phase slope across the pilots before smoothing and interpolation.
    slope = float(np.angle(np.sum(h_avg[1:] * np.conj(h_avg[:-1]))))
    i = np.arange(n_pilot)
    flat_h = _smooth(h_avg * np.exp(-1j * slope * i), 3)
    pos = (np.arange(SSB_SUBCARRIERS) - nu) / 4.0
    h_f = (np.interp(pos, i, flat_h.real) + 1j * np.interp(pos, i, flat_h.imag)) \
        * np.exp(1j * slope * pos)
    h = h_f[None, :] * np.exp(1j * theta[:, None])
    residual = theta[3] / (2 * np.pi * 2 * _SYM_WORK / _N_WORK)
    return _ChannelEstimate(h=h, noise_var=noise_var, snr_db=snr_db, cfo_residual=residual)


def _dmrs_detect(block: np.ndarray, n_cell_id: int) -> int:
    """ī_SSB maximising a non-coherent DM-RS correlation over groups of 4 pilots."""
    dm = block.reshape(-1)[ssb_indices(n_cell_id).dmrs]
    z = dm[None, :] * np.conj(_dmrs_table(n_cell_id))      # (8, 144)
    groups = z.reshape(8, PBCH_DMRS_LENGTH // 4, 4).sum(axis=-1)
    return int(np.argmax(np.sum(np.abs(groups) ** 2, axis=-1)))


@dataclass(frozen=True, slots=True)
class _Decoded:
    n_cell_id: int
    ssb_index: int
    i_ssb: int
    l_max: int
    bch: object
    est: _ChannelEstimate
    bits: np.ndarray
    agreement: float


def _decode_pbch(block: np.ndarray, n_cell_id: int, i_bar: int, est: _ChannelEstimate,
                 l_max: int | None, list_size: int) -> _Decoded | None:
    """MMSE equalisation, PBCH demodulation and BCH decoding for the L_max hypotheses."""
    idx = ssb_indices(n_cell_id).pbch
    y = block.reshape(-1)[idx]
    h = est.h.reshape(-1)[idx]
    power = np.maximum(np.abs(h) ** 2, 1e-12 * est.noise_var)
    mu = power / (power + est.noise_var)
    x = np.conj(h) * y / (power + est.noise_var) / mu      # MMSE, bias removed
    nv = est.noise_var / power
    # ī_SSB = i_SSB for L_max = 8, the 3 LSBs of i_SSB for L_max = 64, i_SSB + 4 n_hf for
    # L_max = 4 (TS 38.211 §7.4.1.4.1); the PBCH scrambling offset v follows the same bits.
    tries = []
    for lm in ((8, 4) if l_max is None else (l_max,)):
        if lm in (8, 64):
            tries.append((lm, i_bar, None))
        elif lm == 4:
            tries.append((4, i_bar & 3, i_bar >> 2))
    if l_max is None and i_bar < 4:
        tries = tries[:1]       # same scrambling and payload layout for L_max 4 and 8
    for lm, i_ssb, n_hf in tries:
        llr = pbch_demodulate(x.astype(np.complex64), n_cell_id, i_ssb, lm,
                              noise_var=nv.astype(np.float32))
        res = bch_decode(llr, n_cell_id, lm, list_size=list_size)
        if not res.crc_ok or res.mib is None:
            continue
        if n_hf is not None and res.half_frame != n_hf:
            continue
        if lm == 64:
            # TS 38.212 §7.1.1: the 3 MSBs of the block index travel in the PBCH payload.
            i_ssb = 8 * int(res.ssb_index_msbs) + i_bar
        # Uninformative LLRs (a silent window) decode to the all-zero polar codeword, whose
        # CRC24C is zero: accept a decode only if its re-encoded codeword agrees with the LLRs.
        bits = bch_encode(res.mib_bits, res.sfn, res.half_frame, i_ssb, res.k_ssb, lm, n_cell_id)
        agreement = float(np.dot(llr, 1.0 - 2.0 * bits)) / (float(np.sum(np.abs(llr))) + 1e-30)
        if agreement < _MIN_AGREEMENT or not math.isfinite(est.snr_db):
            continue
        return _Decoded(n_cell_id=n_cell_id, ssb_index=i_ssb, i_ssb=i_ssb, l_max=lm, bch=res,
                        est=est, bits=bits, agreement=agreement)
    return None


def _subtract(y: np.ndarray, n_pss: int, cfo: float, phases: np.ndarray, dec: _Decoded) -> None:
    """Regenerate a decoded block through its channel estimate and subtract it from ``y``."""
    tx = ssb_block(dec.n_cell_id, dec.i_ssb, dec.l_max, dec.bits, n_hf=dec.bch.half_frame)
    rx = tx * dec.est.h * np.conj(phases)[:, None]
    freq = np.zeros((SSB_SYMBOLS, _N_WORK), dtype=np.complex128)
    freq[:, _block_bins()] = rx
    sym = np.fft.ifft(freq, axis=-1)
    wave = np.concatenate([sym[:, -_CP_WORK:], sym], axis=-1).reshape(-1)
    start = n_pss - _CP_WORK
    n = start + np.arange(wave.size)
    lo, hi = max(start, 0), min(start + wave.size, y.size)
    if hi <= lo:
        return
    rot = np.exp(2j * np.pi * cfo * (n - n_pss) / _N_WORK)
    y[lo:hi] -= (wave * rot)[lo - start:hi - start].astype(np.complex64)


def _search_band(x: np.ndarray, sample_rate: float, scs: int, f_c: float, *, nominal: bool,
                 max_cfo: float, threshold: float, max_candidates: int, l_max: int | None,
                 list_size: int) -> list[DetectedCell]:
    fs_work = _N_WORK * scs * 1e3
    y, rate = _to_working_rate(x, sample_rate, f_c, fs_work)
    if y.size < (SSB_SYMBOLS + 1) * _SYM_WORK:
        return []
    y_det = scipy.signal.resample_poly(y, 1, 2).astype(np.complex64)
    n_hyp = 2 * math.ceil(max_cfo / _CFO_STEP) + 1
    hyps, _ = _pss_bank(n_hyp)
    metric, arg = _pss_detect(y_det, n_hyp)
    found: list[DetectedCell] = []
    for value, n_id_2, i in _peaks(metric, threshold, max_candidates):
        refined = _refine(y, 2 * i, n_id_2, float(hyps[arg[n_id_2, i]]))
        if refined is None:
            continue
        n_pss, cfo = refined
        phases = _grid_phases(n_pss, f_c, rate)
        exclude: set[int] = set()
        for _ in range(2):      # the peak, then once more after cancelling what it held
            block = _demodulate_block(y, n_pss, cfo, phases)
            if block is None:
                break
            n_id_1, _m = _sss_detect(block, n_id_2, frozenset(exclude))
            n_cell_id = 3 * n_id_1 + n_id_2
            i_bar = _dmrs_detect(block, n_cell_id)
            est = _channel_estimate(block, n_cell_id, i_bar)
            dec = _decode_pbch(block, n_cell_id, i_bar, est, l_max, list_size)
            if dec is None:
                break
            exclude.add(n_id_1)
            _subtract(y, n_pss, cfo, phases, dec)
            found.append(_cell(dec, scs, f_c, cfo, nominal, n_pss, sample_rate / rate, value))
    return found


def _cell(dec: _Decoded, scs: int, f_c: float, cfo: float, nominal: bool, n_pss: int,
          to_input: float, metric: float) -> DetectedCell:
    spacing = scs * 1e3
    cfo = cfo + dec.est.cfo_residual
    if nominal:
        frequency, offset = f_c, cfo * spacing
    else:
        whole = round(cfo)
        frequency, offset = f_c + whole * spacing, (cfo - whole) * spacing
    res = dec.bch
    return DetectedCell(n_cell_id=dec.n_cell_id, ssb_index=int(dec.ssb_index), sfn=int(res.sfn),
                        half_frame=int(res.half_frame), mib=res.mib, k_ssb=int(res.k_ssb), scs=scs,
                        frequency=float(frequency), cfo=float(offset),
                        timing=round((n_pss - _CP_WORK) * to_input),
                        snr_db=float(dec.est.snr_db), pss_metric=float(metric))


def _candidate_frequencies(x: np.ndarray, sample_rate: float, scs: int, max_cfo: float,
                           max_frequencies: int) -> list[float]:
    """Candidate block centres on the subcarrier grid, from a differential PSS search.

    Short-time spectra (window of one symbol, hop of a quarter symbol) are multiplied by the
    conjugate of their neighbouring bin, which removes the linear phase of the unknown timing;
    the result is correlated across frequency with the products d(n) d(n+1) of each PSS. The
    strongest frequency shifts (maximum over time) are returned.
    """
    spacing = scs * 1e3
    half_span = sample_rate / 2 - _HALF * spacing
    n_max = math.floor(half_span / spacing + 1e-9)
    if n_max < 1:
        return [0.0]
    # Work at a rate that is a power-of-two multiple of Δf, at least the input rate.
    n_fft = 1 << math.ceil(math.log2(sample_rate / spacing - 1e-9))
    rate = n_fft * spacing
    ratio = Fraction(rate / sample_rate).limit_denominator(1000)
    z = x if ratio == 1 else scipy.signal.resample_poly(x, ratio.numerator, ratio.denominator)
    z = np.asarray(z, dtype=np.complex64)
    hop = n_fft // 4
    n_frames = (z.size - n_fft) // hop + 1
    if n_frames < 1:
        return [0.0]
    frames = np.lib.stride_tricks.sliding_window_view(z, n_fft)[::hop][:n_frames]
    spec = scipy.fft.fft(frames, axis=-1)
    spec = scipy.fft.fftshift(spec, axes=-1)            # bin j ↔ (j − n_fft/2) Δf
    d = spec[:, 1:] * np.conj(spec[:, :-1])             # (frames, n_fft − 1)
    pss = pss_sequences().astype(np.float64)
    templ = pss[:, 1:] * pss[:, :-1]                     # (3, 126)
    size = scipy.fft.next_fast_len(d.shape[1] + templ.shape[1])
    dspec = scipy.fft.fft(d, size, axis=-1)
    # Normalised by the mean level of the frame (not of the window: weak leakage regions of a
    # strong signal must not score like the signal itself).
    level = np.mean(np.abs(d) ** 2, axis=-1, keepdims=True)
    n_lag = d.shape[1] - templ.shape[1] + 1
    profile = np.zeros(n_lag)
    for t in templ:
        tspec = np.conj(scipy.fft.fft(t, size))
        c = scipy.fft.ifft(dspec * tspec, axis=-1)[:, :n_lag]
        m = np.abs(c) ** 2 / (level * templ.shape[1] + 1e-30)
        profile = np.maximum(profile, m.max(axis=0))
    # Lag s: PSS subcarrier 0 (block subcarrier 56) in shifted bin s; centre in bin s + 64.
    centre = np.arange(n_lag) + (_HALF - _PSS_K0) - n_fft // 2
    ok = np.abs(centre) <= n_max
    profile = np.where(ok, profile, 0.0)
    step = max(1, int(2 * max_cfo))
    local = scipy.ndimage.maximum_filter1d(profile, size=2 * step + 1, mode="constant")
    cand = np.flatnonzero((profile >= local) & (profile > 0))
    cand = cand[np.argsort(-profile[cand])][:max_frequencies]
    return [float(centre[c]) * spacing for c in cand]


def cell_search(samples: np.ndarray, sample_rate: float, *, ssb_scs: int | None = None,
                ssb_frequency: float | Sequence[float] | None = None, l_max: int | None = None,
                band: int | str | None = None, centre_frequency: float | None = None,
                ssb_case: str | None = None, max_cfo: float = 2.0, threshold: float = 0.03,
                max_candidates: int = 64, max_frequencies: int = 4, all_blocks: bool = False,
                list_size: int = 8) -> list[DetectedCell]:
    """Find the cells in a capture: SS/PBCH block detection and MIB decoding.

    TS 38.211 §7.4.2 (PSS, SSS), §7.4.3 (SS/PBCH block), §7.3.3 and §7.4.1.4 (PBCH and its
    DM-RS), TS 38.212 §7.1 (BCH), TS 38.213 §4.1, TS 38.104 §5.4.3 (synchronization raster).
    See the module docstring for the steps. A block is reported only when its BCH CRC24C
    passes.

    Where the blocks are looked for, in this order:

    * ``band`` given (with ``centre_frequency``): exactly the synchronization raster points of
      the band (TS 38.104 Tables 5.4.3.3-1/-2) whose block lies inside the recording, with the
      band's SS/PBCH subcarrier spacing(s) and block pattern(s);
    * ``ssb_frequency`` given: those block centres;
    * otherwise: the subcarrier grid of the recording's bandwidth (a differential PSS search
      proposes up to ``max_frequencies`` centres per subcarrier spacing).

    Parameters
    ----------
    samples : array_like of complex, shape (n,)
        Complex baseband samples, finite.
    sample_rate : float
        Sample rate in Hz; at least the block bandwidth 240 · Δf.
    ssb_scs : int, optional
        Subcarrier spacing Δf of the SS/PBCH blocks in kHz: 15, 30 (FR1), 120 or 240 (FR2);
        default: the band's, or else 15 and 30.
    ssb_frequency : float or sequence of float, optional
        Centre of the SS/PBCH block (subcarrier 120) relative to the centre of the recording, in
        Hz, or a list of candidate centres. Not with ``band``.
    l_max : int, optional
        L_max, 4, 8 or 64 (TS 38.213 §4.1); default: 64 for 120 and 240 kHz, else inferred
        from the PBCH DM-RS and the CRC. With L_max = 64 the block index is 8 × (3 MSBs from
        the PBCH payload) + ī_SSB (3 LSBs from the PBCH DM-RS).
    band : int or str, optional
        NR operating band (``"n78"``, 78) whose synchronization raster is searched; needs
        ``centre_frequency``.
    centre_frequency : float, optional
        Centre frequency of the recording in Hz (SigMF ``core:frequency``); gives the absolute
        frequency and GSCN of the cells found.
    ssb_case : str, optional
        SS/PBCH block pattern ``"A"`` .. ``"E"`` (TS 38.213 §4.1), for the frame timing of
        30 kHz blocks (B or C) when no band is given; must agree with the subcarrier spacing.
    max_cfo : float
        Largest carrier frequency offset searched, in subcarriers (> 0, at most 8).
    threshold : float
        Normalised PSS correlation (0 .. 1) above which a peak is examined.
    max_candidates : int
        Largest number of PSS peaks examined per subcarrier spacing and centre frequency.
    max_frequencies : int
        Largest number of centre frequencies examined per subcarrier spacing when searching
        the subcarrier grid.
    all_blocks : bool
        Report every decoded block; by default one per (cell, SS/PBCH block index): the first
        in time.
    list_size : int
        List size of the polar decoder.

    Returns
    -------
    list of DetectedCell
        Strongest (SNR) first.

    Raises
    ------
    ValueError
        If ``samples`` is not a 1-D numeric array, holds NaN or infinite values, or is shorter
        than one SS/PBCH block (plus one symbol) at the sample rate.
    ConfigError
        If ``sample_rate`` is not a positive number or is below 240 · Δf, if ``ssb_scs``,
        ``l_max``, ``ssb_case``, ``max_cfo``, ``threshold``, ``max_candidates``,
        ``max_frequencies`` or ``list_size`` is out of range or inconsistent, if a block
        centred at ``ssb_frequency`` does not fit in the recording's bandwidth, if ``band`` is
        unknown, given without ``centre_frequency`` or with ``ssb_frequency``, or if no raster
        point of the band lies inside the recording.
    """
    x = _check_samples(samples)
    fs = _check_rate(sample_rate)
    if ssb_scs is not None:
        check_choice("ssb_scs", ssb_scs, CELL_SEARCH_SCS, _CLAUSE)
    if l_max is not None:
        check_choice("l_max", l_max, (4, 8, 64), _CLAUSE)
    if ssb_case is not None:
        check_choice("ssb_case", ssb_case, tuple(_CASE_SCS), _CLAUSE)
        if ssb_scs is not None and _CASE_SCS[ssb_case] != ssb_scs:
            raise ConfigError("ssb_case", ssb_case, f"case {ssb_case} uses "
                              f"{_CASE_SCS[ssb_case]} kHz, not ssb_scs={ssb_scs}", _CLAUSE)
    if isinstance(max_cfo, bool) or not isinstance(max_cfo, (int, float, np.number)) \
            or not 0 < float(max_cfo) <= 8:
        raise ConfigError("max_cfo", max_cfo, "must be a number of subcarriers in (0, 8]")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) \
            or not 0 < float(threshold) < 1:
        raise ConfigError("threshold", threshold, "must be a number in (0, 1)")
    for name, value, hi in (("max_candidates", max_candidates, 10_000),
                            ("max_frequencies", max_frequencies, 1000), ("list_size", list_size, 32)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or not 1 <= int(value) <= hi:
            raise ConfigError(name, value, f"must be an integer in 1 .. {hi}")
    if centre_frequency is not None and (
            isinstance(centre_frequency, bool)
            or not isinstance(centre_frequency, (int, float, np.number))
            or not math.isfinite(float(centre_frequency)) or float(centre_frequency) <= 0):
        raise ConfigError("centre_frequency", centre_frequency,
                          "must be a positive finite frequency in Hz")
    freqs = _check_frequencies(ssb_frequency)
    # Search plan: (scs, case or None, [(relative centre, GSCN or None)], nominal).
    plan: list[tuple[int, str | None, list[float] | None, bool]] = []
    if band is not None:
        if centre_frequency is None:
            raise ConfigError("centre_frequency", None, f"is needed with band={band!r} to place "
                              "the synchronization raster in the recording", "TS 38.104 §5.4.3")
        if freqs is not None:
            raise ConfigError("ssb_frequency", ssb_frequency, "must not be given with band "
                              "(the band's synchronization raster gives the frequencies)")
        points = ssb_raster_frequencies(band, float(centre_frequency), fs, ssb_scs=ssb_scs)
        if not points:
            raise ConfigError("centre_frequency", centre_frequency,
                              f"no synchronization raster point of band {band} has its SS/PBCH "
                              f"block inside the recording ({fs / 1e6:g} MHz around it)",
                              "TS 38.104 §5.4.3.3")
        for scs, case in dict.fromkeys((p.scs, p.case) for p in points):
            plan.append((scs, case, [p.frequency - float(centre_frequency) for p in points
                                     if p.scs == scs], True))
    else:
        scs_list = [int(ssb_scs)] if ssb_scs is not None else (
            [_CASE_SCS[ssb_case]] if ssb_case is not None else
            list(_FR2_SCS if l_max == 64 else _DEFAULT_SCS))
        plan = [(s, ssb_case if ssb_case is not None else _KNOWN_CASE.get(s), freqs,
                 freqs is not None) for s in scs_list]
    if l_max is not None:
        plan = [entry for entry in plan if (entry[0] in _FR2_SCS) == (l_max == 64)]
        if not plan:
            raise ConfigError("l_max", l_max, "must be 64 for 120 and 240 kHz SS/PBCH blocks "
                              "and 4 or 8 for 15 and 30 kHz ones", _CLAUSE)
    usable = [entry for entry in plan if fs >= SSB_SUBCARRIERS * entry[0] * 1e3]
    if not usable:
        low = min(entry[0] for entry in plan)
        need = SSB_SUBCARRIERS * low * 1e3
        raise ConfigError("sample_rate", sample_rate,
                          f"must be at least 240 subcarriers × {low} kHz = "
                          f"{need / 1e6:g} MHz to hold an SS/PBCH block", "TS 38.211 §7.4.3.1")
    if freqs is not None:
        for scs, *_ in usable:
            for f in freqs:
                if abs(f) + _HALF * scs * 1e3 > fs / 2 + 1e-6:
                    raise ConfigError("ssb_frequency", f,
                                      f"a {scs} kHz SS/PBCH block centred there "
                                      f"(±{_HALF * scs} kHz) does not fit in the recording's "
                                      f"±{fs / 2e3:g} kHz")
    need = min(_min_samples(fs, entry[0]) for entry in usable)
    if x.size < need:
        raise ValueError(f"samples: {x.size} samples are too short; at least {need} are needed "
                         f"for one SS/PBCH block at {fs:g} Hz")
    found: list[DetectedCell] = []
    for scs, case, centres, nominal in usable:
        if x.size < _min_samples(fs, scs):
            continue
        lm = l_max if l_max is not None else (64 if scs in _FR2_SCS else None)
        if centres is None:
            centres = _candidate_frequencies(x, fs, scs, float(max_cfo), int(max_frequencies))
        for f_c in centres:
            cells = _search_band(x, fs, scs, f_c, nominal=nominal, max_cfo=float(max_cfo) + (
                0.0 if nominal else 0.5), threshold=float(threshold),
                max_candidates=int(max_candidates), l_max=lm, list_size=int(list_size))
            found += [_locate(c, case, fs, centre_frequency) for c in cells]
    return _deduplicate(found, fs, all_blocks)


@functools.lru_cache(maxsize=16)
def _symbol_starts(scs: int) -> np.ndarray:
    """Start times (s) of the OFDM symbols of a half frame at Δf = scs (TS 38.211 §5.3.1)."""
    info = ofdm_info(Carrier(scs=scs, n_size_grid=1), nfft=2048)
    lengths = np.tile(np.asarray(info.symbol_lengths, dtype=np.float64), 5)
    starts = np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) / info.sample_rate
    starts.setflags(write=False)
    return starts


def _locate(cell: DetectedCell, case: str | None, sample_rate: float,
            centre_frequency: float | None) -> DetectedCell:
    """Add the block pattern, frame start, absolute frequency and GSCN to a detection."""
    frame_start = None
    if case is not None:
        l_max = 64 if case in "DE" else 8     # candidate i of L_max = 4 is candidate i of 8
        if cell.ssb_index < l_max:
            l0 = int(ssb_candidate_symbols(case, l_max)[cell.ssb_index])
            offset = (_symbol_starts(cell.scs)[l0] + 5e-3 * cell.half_frame) * sample_rate
            frame_start = round(cell.timing - offset)
    absolute = gscn = None
    if centre_frequency is not None:
        absolute = float(centre_frequency) + cell.frequency
        try:
            gscn = frequency_to_gscn(absolute)
        except ConfigError:
            gscn = None
    return dataclasses.replace(cell, case=case, frame_start=frame_start,
                               absolute_frequency=absolute, gscn=gscn)


def _deduplicate(cells: list[DetectedCell], sample_rate: float,
                 all_blocks: bool) -> list[DetectedCell]:
    """Merge repeated detections of one block, then keep the first block per (cell, index)."""
    cells = sorted(cells, key=lambda c: -c.snr_db)
    unique: list[DetectedCell] = []
    for c in cells:
        tol = sample_rate / (c.scs * 1e3) / 2
        if any(u.n_cell_id == c.n_cell_id and u.ssb_index == c.ssb_index
               and abs(u.timing - c.timing) <= tol for u in unique):
            continue
        unique.append(c)
    if all_blocks:
        return unique
    first: dict[tuple[int, int, int], DetectedCell] = {}
    for c in sorted(unique, key=lambda c: c.timing):
        first.setdefault((c.n_cell_id, c.ssb_index, c.scs), c)
    return sorted(first.values(), key=lambda c: -c.snr_db)

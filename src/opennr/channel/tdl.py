"""TR 38.901 §7.7.2-§7.7.3, §7.7.5.2, §7.7.6 — tapped delay line (TDL) channel models.

Profiles
--------
* ``"TDL-A"`` .. ``"TDL-E"``: TR 38.901 Tables 7.7.2-1..5 (``data/tdl_profiles.csv``),
  normalised delays scaled by the desired RMS delay spread, τ_n = τ_n,model · DS_desired
  (§7.7.3; Table 7.7.3-1/2 give example values: very short 10 ns, short 30 ns, nominal 100 ns,
  long 300 ns, very long 1000 ns — any DS is accepted). TDL-D and TDL-E have a LOS first tap
  (Rician, K1 = 13.3 dB and 22 dB); ``k_factor`` rescales it as in §7.7.6: the NLOS powers
  become P_n − K_desired + K_model with K_model = P_LOS − 10 log10 Σ_NLOS P_n, and the
  normalised delays are divided by the RMS delay spread of the rescaled profile so that the
  delay spread stays DS_desired.
* ``"TDLA30"``, ``"TDLB100"``, ``"TDLC300"`` (FR1), ``"TDLC60"``, ``"TDLD30"`` (FR2),
  ``"TDLA10"``, ``"TDLD10"`` (FR2, bandwidths above 200 MHz): the fixed-delay conformance
  profiles of TS 38.101-4 Annex B.2.1 / TS 38.104 Annex G.2.1 (``data/tdl_conformance.csv``,
  whose header gives the sources of each); their delays are absolute, so ``delay_spread`` must
  be left unset. TDLD30 and TDLD10 have a LOS first tap (K1 = 12.2 dB). The test-case shorthand
  "TDLA30-10" (profile, maximum Doppler in Hz) is read by :func:`parse_tdl_name`.

Powers are normalised so that the average total power of the path gains is 1 (0 dB) when
``normalize_gains`` is set (the default, as MATLAB ``nrTDLChannel`` NormalizePathGains); the
gains of each antenna pair then have unit average power (outputs are not divided by the number
of receive antennas).

Fading and MIMO
---------------
Every tap of every antenna pair fades independently (sum of sinusoids,
:mod:`opennr.channel.fading`); the Rayleigh (NLOS) gains of the n_rx · n_tx links of each tap
are correlated, h = C^{1/2} h_iid (§7.7.5.2), with C from :mod:`opennr.channel.correlation`
(co- or cross-polarised levels) or a user matrix. The LOS part of tap 1 of the Rician profiles
is then added to every link: a plane wave with Doppler f_D · ``los_doppler_factor``, unit
amplitude relative to its table power and a random phase per link. The correlation acts on the
NLOS part only, so every link keeps the profile's K-factor (C has a unit diagonal). Links are
indexed r · n_tx + t.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.channel.correlation import (
    CORRELATION_LEVELS,
    POLARIZATIONS,
    check_correlation_matrix,
    correlation_sqrt,
    link_correlation,
)
from opennr.channel.fading import DEFAULT_N_SINUSOIDS, SumOfSinusoids, los_component
from opennr.channel.multipath import DEFAULT_FILTER_HALF_LENGTH, PathStream, paths_frequency_response
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info

__all__ = ["DELAY_SPREADS", "TDL_MODELS", "TdlChannel", "TdlConfig", "TdlProfile", "parse_tdl_name",
           "tdl_profile"]

_CLAUSE = "TR 38.901 §7.7.2"

#: Example delay spreads of TR 38.901 Table 7.7.3-1, in seconds.
DELAY_SPREADS = {"very short": 10e-9, "short": 30e-9, "nominal": 100e-9, "long": 300e-9,
                 "very long": 1000e-9}

_SCALABLE = ("TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E")
_FIXED = ("TDLA30", "TDLB100", "TDLC300", "TDLC60", "TDLD30", "TDLA10", "TDLD10")
#: Every supported profile name.
TDL_MODELS = _SCALABLE + _FIXED

#: Gain samples per period of the maximum Doppler frequency when applying in the time domain.
GAIN_SAMPLES_PER_DOPPLER_PERIOD = 128
#: f_D must not exceed this fraction of the sample rate (f_D << f_s / 2).
MAX_DOPPLER_FRACTION = 0.01


@functools.lru_cache(maxsize=2)
def _table(name: str) -> dict[str, list[tuple[float, float, str]]]:
    rows: dict[str, list[tuple[float, float, str]]] = {}
    text = resources.files("opennr.channel").joinpath("data", name).read_text()
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    delay_key = "normalized_delay" if name == "tdl_profiles.csv" else "delay_ns"
    for row in reader:
        rows.setdefault(row["profile"], []).append(
            (float(row[delay_key]), float(row["power_db"]), row["fading"]))
    return rows


_NAME_RE = re.compile(r"^TDL-?([A-E])(\d+)-(\d+(?:\.\d+)?)$", re.IGNORECASE)


def parse_tdl_name(name: str) -> tuple[str, float, float]:
    """Read the conformance shorthand "TDLA30-10" (TS 38.101-4 Annex B.2.2, TS 38.104 G.2.2).

    Parameters
    ----------
    name : str
        Profile letter, delay spread in ns, maximum Doppler in Hz: "TDLA30-10",
        "TDLB100-400", "TDLC300-100", "TDLA30-75", "TDLC60-300", "TDLD30-75".

    Returns
    -------
    model : str
        The fixed-delay profile of that name ("TDLA30", "TDLB100", "TDLC300", "TDLC60",
        "TDLD30", "TDLA10", "TDLD10").
    delay_spread_ns : float
        The nominal delay spread of the profile in ns (10, 30, 60, 100, 300).
    max_doppler : float
        f_D in Hz.

    Raises
    ------
    ConfigError
        If the name is malformed or names a profile that is not tabulated here.
    """
    m = _NAME_RE.match(str(name).strip()) if isinstance(name, str) else None
    if m is None:
        raise ConfigError("name", name, "must look like 'TDLA30-10' (profile letter, delay spread "
                          "in ns, maximum Doppler in Hz)", "TS 38.101-4 Annex B.2.2")
    model = f"TDL{m.group(1).upper()}{int(m.group(2))}"
    if model not in _FIXED:
        raise ConfigError("name", name, f"profile {model} is not supported; use one of "
                          + ", ".join(_FIXED), "TS 38.101-4 Annex B.2.1")
    return model, float(m.group(2)), float(m.group(3))


def _finite(field_name: str, value: object, lo: float | None = None, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(float(value)):
        raise ConfigError(field_name, value, "must be a finite number", _CLAUSE)
    v = float(value)
    if lo is not None and (v < lo or (strict and v == lo)):
        raise ConfigError(field_name, value, f"must be {'>' if strict else '>='} {lo}", _CLAUSE)
    return v


@dataclass(frozen=True, slots=True, kw_only=True)
class TdlConfig:
    """Configuration of a TDL channel (TR 38.901 §7.7.2-§7.7.6).

    Attributes
    ----------
    model : str
        One of :data:`TDL_MODELS`.
    delay_spread : float or None
        DS_desired in seconds (> 0) for TDL-A..E; must be None for the fixed-delay profiles.
    max_doppler : float
        f_D in Hz (>= 0).
    n_tx, n_rx : int
        Transmit and receive antennas (1..64).
    correlation : str or array_like
        "low", "medium", "medium-A", "high", or an (n_rx·n_tx)² Hermitian positive
        semi-definite matrix with unit diagonal (links indexed r·n_tx + t).
    direction : {"downlink", "uplink"}
        Which end is the base station (the transmitter in the downlink), for the levels.
    polarization : {"co-polar", "cross-polar"}
        Antenna arrangement of the levels (TS 38.101-4 B.2.3.1 / B.2.3.2). Cross-polarised
        antennas need n_tx and n_rx equal to 1 or even; the first half of a side's antennas has
        one polarisation. Must be "co-polar" with a user matrix (which includes everything).
    k_factor : float or None
        K_desired in dB for TDL-D/E (§7.7.6); None keeps the model's K.
    normalize_gains : bool
        Normalise the average total power of the path gains to 1.
    los_doppler_factor : float
        cos(θ_LOS) in [−1, 1]: the LOS Doppler is f_D · los_doppler_factor.
    n_sinusoids : int
        Sinusoids per Rayleigh process.
    """

    model: str = "TDL-A"
    delay_spread: float | None = 30e-9
    max_doppler: float = 5.0
    n_tx: int = 1
    n_rx: int = 1
    correlation: object = "low"
    direction: str = "downlink"
    polarization: str = "co-polar"
    k_factor: float | None = None
    normalize_gains: bool = True
    los_doppler_factor: float = 0.7
    n_sinusoids: int = DEFAULT_N_SINUSOIDS
    _corr_matrix: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_choice("model", self.model, TDL_MODELS, _CLAUSE)
        if self.model in _FIXED:
            if self.delay_spread is not None:
                raise ConfigError("delay_spread", self.delay_spread,
                                  f"must be None for the fixed-delay profile {self.model} "
                                  "(its delays are absolute)", "TS 38.101-4 Annex B.2.1")
        else:
            if self.delay_spread is None:
                raise ConfigError("delay_spread", None, f"{self.model} needs a delay spread in "
                                  "seconds (e.g. 30e-9)", "TR 38.901 §7.7.3")
            _finite("delay_spread", self.delay_spread, 0.0, strict=True)
            if self.delay_spread > 1e-3:
                raise ConfigError("delay_spread", self.delay_spread,
                                  "must be given in seconds (at most 1 ms)", "TR 38.901 §7.7.3")
        _finite("max_doppler", self.max_doppler, 0.0)
        check_int("n_tx", self.n_tx, 1, 64)
        check_int("n_rx", self.n_rx, 1, 64)
        check_choice("direction", self.direction, ("downlink", "uplink"))
        check_choice("polarization", self.polarization, POLARIZATIONS, "TS 38.101-4 Annex B.2.3")
        if self.polarization == "cross-polar":
            for name in ("n_tx", "n_rx"):
                n = getattr(self, name)
                if n != 1 and n % 2:
                    raise ConfigError(name, n, "cross-polarised antennas come in pairs: use 1 or an "
                                      "even count", "TS 38.101-4 Annex B.2.3.2")
        if self.k_factor is not None:
            if self.model not in ("TDL-D", "TDL-E"):
                raise ConfigError("k_factor", self.k_factor,
                                  "K-factor scaling applies only to the LOS models TDL-D and TDL-E",
                                  "TR 38.901 §7.7.6")
            _finite("k_factor", self.k_factor)
        if not isinstance(self.normalize_gains, (bool, np.bool_)):
            raise ConfigError("normalize_gains", self.normalize_gains, "must be True or False")
        f = _finite("los_doppler_factor", self.los_doppler_factor)
        if not -1.0 <= f <= 1.0:
            raise ConfigError("los_doppler_factor", self.los_doppler_factor,
                              "must be cos(θ_LOS), in [-1, 1]", _CLAUSE)
        check_int("n_sinusoids", self.n_sinusoids, 4, 1024)
        size = self.n_tx * self.n_rx
        if isinstance(self.correlation, str):
            check_choice("correlation", self.correlation, CORRELATION_LEVELS,
                         "TS 38.101-4 Annex B.2.3")
        else:
            if self.polarization != "co-polar":
                raise ConfigError("polarization", self.polarization, "must be 'co-polar' with a "
                                  "user correlation matrix (the matrix holds the polarisation)",
                                  "TS 38.101-4 Annex B.2.3")
            m = check_correlation_matrix("correlation", self.correlation, size)
            object.__setattr__(self, "_corr_matrix", tuple(map(tuple, m.tolist())))
            object.__setattr__(self, "correlation", "custom")

    def correlation_matrix(self) -> np.ndarray:
        """C of the n_rx · n_tx links (index r · n_tx + t), complex128."""
        if self._corr_matrix is not None:
            return np.array(self._corr_matrix, dtype=np.complex128)
        return link_correlation(self.correlation, self.n_tx, self.n_rx, self.direction,
                                self.polarization)


@dataclass(frozen=True, slots=True)
class TdlProfile:
    """Scaled power-delay profile: one entry per tap (LOS and Rayleigh parts of tap 1 merged).

    Attributes
    ----------
    delays : tuple of float
        τ_n in seconds.
    powers : tuple of float
        Average power of the Rayleigh (diffuse) part of each tap, linear.
    los_power : float
        Power of the LOS component of tap 1 (0 for NLOS models), linear.
    """

    delays: tuple[float, ...]
    powers: tuple[float, ...]
    los_power: float

    @property
    def k_first_tap_db(self) -> float:
        """K1 of tap 1, 10 log10(P_LOS / P_1,Rayleigh) (−inf without LOS)."""
        return 10 * math.log10(self.los_power / self.powers[0]) if self.los_power else -math.inf

    @property
    def k_factor_db(self) -> float:
        """K of tap 1 relative to all NLOS power, 10 log10(P_LOS / Σ P_n) (−inf without LOS)."""
        return 10 * math.log10(self.los_power / sum(self.powers)) if self.los_power else -math.inf


def _rms_delay(delays: np.ndarray, powers: np.ndarray) -> float:
    p = powers / powers.sum()
    mean = (p * delays).sum()
    return float(np.sqrt(max((p * delays ** 2).sum() - mean ** 2, 0.0)))


@functools.lru_cache(maxsize=128)
def tdl_profile(config: TdlConfig) -> TdlProfile:
    """Delays and powers of a TDL configuration (TR 38.901 §7.7.2, §7.7.3, §7.7.6).

    Returns
    -------
    TdlProfile
    """
    if config.model in _FIXED:
        rows = _table("tdl_conformance.csv")[config.model]
        los = [r for r in rows if r[2] == "LOS"]
        nlos = [r for r in rows if r[2] != "LOS"]
        delays = np.array([r[0] for r in nlos]) * 1e-9
        p_db = np.array([r[1] for r in nlos])
        los_db = los[0][1] if los else None
    else:
        rows = _table("tdl_profiles.csv")[config.model]
        los = [r for r in rows if r[2] == "LOS"]
        nlos = [r for r in rows if r[2] != "LOS"]
        tau = np.array([r[0] for r in nlos])
        p_db = np.array([r[1] for r in nlos])
        los_db = los[0][1] if los else None
        if config.k_factor is not None:
            # §7.7.6: rescale the NLOS powers to K_desired, then the delays to keep DS.
            k_model = los_db - 10 * np.log10(np.sum(10 ** (p_db / 10)))
            p_db = p_db - config.k_factor + k_model
            all_tau = np.concatenate(([los[0][0]], tau))
            all_p = 10 ** (np.concatenate(([los_db], p_db)) / 10)
            tau = tau / _rms_delay(all_tau, all_p)
        delays = tau * config.delay_spread
    powers = 10 ** (p_db / 10)
    los_power = 10 ** (los_db / 10) if los_db is not None else 0.0
    if config.normalize_gains:
        total = powers.sum() + los_power
        powers = powers / total
        los_power = los_power / total
    return TdlProfile(tuple(float(d) for d in delays), tuple(float(p) for p in powers),
                      float(los_power))


def symbol_times(carrier: Carrier, n_slot: int = 0, *, nfft: int | None = None,
                 sample_rate: float | None = None) -> np.ndarray:
    """Times (s) of the centres of the useful parts of the OFDM symbols of slot ``n_slot``.

    Slot 0 starts at t = 0; slots are counted continuously (n_slot may exceed a frame).
    """
    info = ofdm_info(carrier, nfft=nfft, sample_rate=sample_rate)
    n_slot = check_int("n_slot", n_slot, 0)
    per_sf = info.slots_per_subframe
    sf, slot_in_sf = divmod(n_slot, per_sf)
    lengths = np.array(info.symbol_lengths)
    cps = np.array(info.cp_lengths)
    first = slot_in_sf * info.symbols_per_slot
    starts = np.concatenate(([0], np.cumsum(lengths)))[:-1]
    idx = np.arange(first, first + info.symbols_per_slot)
    centre = sf * info.samples_per_subframe + starts[idx] + cps[idx] + info.nfft / 2
    return centre / info.sample_rate


class TdlChannel:
    """A TDL fading channel: delays, time-continuous gains, time- and frequency-domain use.

    Parameters
    ----------
    config : TdlConfig
    rng : numpy.random.Generator
        Source of all random phases and angles (drawn once, at construction).

    Attributes
    ----------
    config : TdlConfig
    profile : TdlProfile
    delays : numpy.ndarray
        τ_n in seconds (n_paths,).
    """

    def __init__(self, config: TdlConfig, rng: np.random.Generator):
        if not isinstance(config, TdlConfig):
            raise ConfigError("config", type(config).__name__, "must be a TdlConfig")
        self.config = config
        self.profile = tdl_profile(config)
        self.delays = np.array(self.profile.delays)
        n_links = config.n_rx * config.n_tx
        n_paths = self.delays.size
        self._amp = np.sqrt(np.array(self.profile.powers))
        self._sos = SumOfSinusoids(n_links * n_paths, config.max_doppler, rng, config.n_sinusoids)
        self._los_phase = rng.uniform(0.0, 2.0 * np.pi, n_links) if self.profile.los_power else None
        c = config.correlation_matrix()
        self._c_sqrt = None if np.allclose(c, np.eye(n_links)) else correlation_sqrt(c)
        self._stream = PathStream()

    #: Delay (samples) of the output of ``apply(..., causal=True)``: the look-ahead L − 1 of the
    #: fractional-delay interpolator.
    filter_delay = DEFAULT_FILTER_HALF_LENGTH - 1

    def reset(self) -> None:
        """Empty the delay line kept by :meth:`apply` (the fading process is not affected)."""
        self._stream.reset()

    @property
    def n_paths(self) -> int:
        return int(self.delays.size)

    def gains(self, times: np.ndarray) -> np.ndarray:
        """Path gains at absolute ``times`` (TR 38.901 §7.7.2, §7.7.5.2).

        Parameters
        ----------
        times : array_like (n,)
            Seconds; the same time always gives the same gain for this object.

        Returns
        -------
        numpy.ndarray
            complex64 (n_rx, n_tx, n_paths, n).
        """
        t = np.asarray(times, dtype=np.float64).reshape(-1)
        cfg = self.config
        n_links = cfg.n_rx * cfg.n_tx
        g = self._sos(t).reshape(n_links, self.n_paths, t.size)
        g *= self._amp[None, :, None]
        if self._c_sqrt is not None:
            g = (self._c_sqrt @ g.reshape(n_links, -1)).reshape(n_links, self.n_paths, t.size)
        if self._los_phase is not None:
            f_los = cfg.max_doppler * cfg.los_doppler_factor
            g[:, 0, :] += np.sqrt(self.profile.los_power) * los_component(t, f_los, self._los_phase)
        return g.reshape(cfg.n_rx, cfg.n_tx, self.n_paths, t.size).astype(np.complex64)

    def _check_rate(self, sample_rate: float) -> float:
        fs = _finite("sample_rate", sample_rate, 0.0, strict=True)
        if self.config.max_doppler > MAX_DOPPLER_FRACTION * fs:
            raise ConfigError("max_doppler", self.config.max_doppler,
                              f"must be well below the sample rate: f_D <= {MAX_DOPPLER_FRACTION} · "
                              f"sample_rate = {MAX_DOPPLER_FRACTION * fs:g} Hz", _CLAUSE)
        return fs

    def apply(self, waveform: np.ndarray, sample_rate: float, t0: float = 0.0, *,
              causal: bool = False) -> np.ndarray:
        """Pass a waveform through the channel in the time domain.

        Sample n of ``waveform`` is at absolute time t0 + n / sample_rate; the gains are
        evaluated on a grid of absolute instants 128 per Doppler period (one point for a static
        channel) and interpolated linearly (:func:`opennr.channel.multipath.apply_paths`).

        The channel keeps its delay line between calls (:class:`opennr.channel.multipath.PathStream`):
        when ``t0`` continues the previous call (t0 = previous t0 + previous n_samples /
        sample_rate) the tail of the previous input is the past of this one, so the waveform can
        be passed slot after slot; any other ``t0``, or :meth:`reset`, starts afresh. With
        ``causal=True`` the output is delayed by :attr:`filter_delay` samples and a run slot
        after slot equals one call over the concatenated waveform; with the default aligned
        output the last ``filter_delay`` samples of each call lack the interpolator's look-ahead
        into the next call.

        Parameters
        ----------
        waveform : array_like, complex (n_tx, n_samples)
        sample_rate : float
            Hz; f_D must not exceed 1 % of it.
        t0 : float
            Absolute time of the first sample in seconds.
        causal : bool
            Delay the output by :attr:`filter_delay` samples (exact block-by-block streaming).

        Returns
        -------
        numpy.ndarray
            complex64 (n_rx, n_samples).
        """
        fs = self._check_rate(sample_rate)
        t0 = _finite("t0", t0)
        x = np.asarray(waveform)
        if x.ndim != 2 or x.shape[0] != self.config.n_tx:
            raise ValueError(f"waveform: expected shape (n_tx={self.config.n_tx}, n_samples), "
                             f"got {x.shape}")
        f_d = self.config.max_doppler
        step = None if f_d == 0.0 else 1.0 / (GAIN_SAMPLES_PER_DOPPLER_PERIOD * f_d)
        return self._stream.apply(x, self.delays, self.gains, fs, t0, step, causal=bool(causal))

    def frequency_response(self, frequencies: np.ndarray, times: np.ndarray) -> np.ndarray:
        """H(f, t) = Σ_n g_n(t) e^{−j2π f τ_n} at baseband ``frequencies`` (Hz) and ``times`` (s).

        Returns
        -------
        numpy.ndarray
            complex64 (n_rx, n_tx, n_times, K).
        """
        return paths_frequency_response(self.delays, self.gains(times), frequencies)

    def ofdm_response(self, carrier: Carrier, n_slot: int = 0, *, nfft: int | None = None,
                      sample_rate: float | None = None) -> np.ndarray:
        """Channel of every resource element of slot ``n_slot``, gains at the symbol centres.

        Subcarrier k is at (k − K/2) · Δf (the convention of :mod:`opennr.ofdm`); slot 0
        starts at t = 0.

        Returns
        -------
        numpy.ndarray
            complex64 (n_rx, n_tx, symbols_per_slot, K).
        """
        times = symbol_times(carrier, n_slot, nfft=nfft, sample_rate=sample_rate)
        k = carrier.n_subcarriers
        freqs = (np.arange(k) - k // 2) * (carrier.scs * 1e3)
        return self.frequency_response(freqs, times)

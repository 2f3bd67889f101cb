"""TR 38.901 §7.7.1 — clustered delay line (CDL) channel models CDL-A to CDL-E.

The cluster tables (Tables 7.7.1-1 to 7.7.1-5) live in ``data/cdl_clusters.csv`` and
``data/cdl_parameters.csv``. A channel realisation follows §7.7.1:

1. ray angles: cluster angle + c_x · α_m for the 20 ray offsets α_m of Table 7.5-3
   (c_ASD, c_ASA, c_ZSD, c_ZSA of the model);
2. random coupling of the rays within each cluster (AOD with AOA, ZOD with ZOA, AOD with ZOD,
   as in §7.5 step 8);
3. cross-polarisation power ratio κ = 10^(XPR/10) of the model, with four random initial phases
   per ray uniform in (−π, π) (§7.5 steps 9-10);
4. channel coefficients of §7.5 step 11: eq. 7.5-22 for the rays of the Laplacian clusters (each ray
   with power P_n / M, M = 20), with the field patterns and location vectors of the arrays
   (antenna.py) and the Doppler term exp(j2π r̂_rx·v̄ t / λ0); for CDL-D and CDL-E the specular
   path of cluster 1 adds the LOS ray of eq. 7.5-29 (polarisation matrix diag(1, −1), no random
   phase), with its table power (the K-factor split of cluster 1 is already in the tables).

Tables: transcribed once and compared entry by entry (delays, powers, four angles, c_ASD, c_ASA,
c_ZSD, c_ZSA, XPR: 619 values) with the CDL json files of NVIDIA Sionna; no difference. The
normalised rms delay spread of the tables is 1.0000 except for CDL-D (and TDL-D), 0.9937: the
tabulated powers are rounded to 0.1 dB and that rounding alone moves CDL-D's delay spread by up to
±0.007 (its long, weak tail weighs heavily), so the published table itself is 0.6 % short; the
delays are scaled by DS_desired as §7.7.3 says, without renormalising (as Sionna does too).
CDL-E cluster 14 has normalised delay 20.6419 (TDL-E tap 14: 20.6519); both as published.

Scaling: delays τ_n = τ_n,model · DS_desired (§7.7.3); optional angle scaling (§7.7.5.1, eq.
7.7-5) of the ray angles to desired rms angle spreads and mean angles (spreads and means of the
model computed per Annex A.1); optional K-factor scaling for CDL-D/E (§7.7.6). The path powers are
normalised to a total of one.

The clusters of a CDL model have no intra-cluster delay spread: the rays of a cluster share its
delay, and the LOS ray shares the delay of cluster 1, so the channel has one path per cluster.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from opennr._validate import check_choice
from opennr.channel._cdl_kernels import ray_sum
from opennr.channel.antenna import AntennaArray, element_locations, field_pattern
from opennr.channel.multipath import DEFAULT_FILTER_HALF_LENGTH, PathStream, paths_frequency_response
from opennr.channel.tdl import GAIN_SAMPLES_PER_DOPPLER_PERIOD, MAX_DOPPLER_FRACTION, symbol_times
from opennr.errors import ConfigError
from opennr.numerology import Carrier

__all__ = [
    "CDL_MODELS",
    "N_RAYS",
    "RAY_OFFSETS",
    "CdlChannel",
    "CdlConfig",
    "CdlProfile",
    "CdlRays",
    "cdl_profile",
    "circular_angle_spread",
]

CDL_MODELS = ("CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E")
SPEED_OF_LIGHT = 299_792_458.0

# Table 7.5-3: ray offset angles α_m within a cluster, for an rms angle spread normalised to 1.
RAY_OFFSETS = np.array([
    0.0447, -0.0447, 0.1413, -0.1413, 0.2492, -0.2492, 0.3715, -0.3715, 0.5129, -0.5129,
    0.6797, -0.6797, 0.8844, -0.8844, 1.1481, -1.1481, 1.5195, -1.5195, 2.1551, -2.1551,
])
N_RAYS = RAY_OFFSETS.size

_CLAUSE = "TR 38.901 §7.7.1"


class CdlProfile(NamedTuple):
    """One CDL model as tabulated (TR 38.901 Tables 7.7.1-1..5).

    Row arrays, one entry per table row (the specular LOS row of CDL-D/E first, flagged in
    ``los``): ``cluster`` (0-based cluster index), ``delay`` (normalised), ``power_db``, ``aod``,
    ``aoa``, ``zod``, ``zoa`` (degrees). Scalars: c_ASD, c_ASA, c_ZSD, c_ZSA (degrees), XPR (dB)
    and the table number.
    """

    model: str
    table: str
    cluster: np.ndarray
    los: np.ndarray
    delay: np.ndarray
    power_db: np.ndarray
    aod: np.ndarray
    aoa: np.ndarray
    zod: np.ndarray
    zoa: np.ndarray
    c_asd: float
    c_asa: float
    c_zsd: float
    c_zsa: float
    xpr_db: float

    @property
    def has_los(self) -> bool:
        return bool(self.los.any())

    @property
    def n_clusters(self) -> int:
        return int(self.cluster.max()) + 1


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("opennr.channel").joinpath("data", name).read_text()
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def cdl_profile(model: str) -> CdlProfile:
    """The tabulated CDL model ``model`` ("CDL-A" .. "CDL-E"), TR 38.901 §7.7.1.

    Raises
    ------
    ConfigError
        If ``model`` is not one of ``CDL_MODELS``.
    """
    check_choice("model", model, CDL_MODELS, clause=_CLAUSE)
    rows = [r for r in _read_csv("cdl_clusters.csv") if r["model"] == model]
    par = next(r for r in _read_csv("cdl_parameters.csv") if r["model"] == model)

    def col(key: str) -> np.ndarray:
        arr = np.array([float(r[key]) for r in rows])
        arr.setflags(write=False)
        return arr

    cluster = np.array([int(r["cluster"]) - 1 for r in rows])
    los = np.array([r["los"] == "1" for r in rows])
    cluster.setflags(write=False)
    los.setflags(write=False)
    return CdlProfile(model=model, table=par["table"], cluster=cluster, los=los, delay=col("delay"),
                      power_db=col("power_db"), aod=col("aod"), aoa=col("aoa"), zod=col("zod"),
                      zoa=col("zoa"), c_asd=float(par["c_asd"]), c_asa=float(par["c_asa"]),
                      c_zsd=float(par["c_zsd"]), c_zsa=float(par["c_zsa"]), xpr_db=float(par["xpr_db"]))


def circular_angle_spread(angles: np.ndarray, powers: np.ndarray) -> tuple[float, float]:
    """Power-weighted mean angle and rms circular angle spread (TR 38.901 Annex A.1, eq. A-1).

    σ_AS = sqrt(−2 ln |Σ P_i exp(jφ_i) / Σ P_i|), μ = arg Σ P_i exp(jφ_i).

    Parameters
    ----------
    angles : array_like
        Angles φ_i in degrees.
    powers : array_like
        Powers P_i (linear), same shape.

    Returns
    -------
    mean, spread : float
        Degrees.
    """
    a = np.deg2rad(np.asarray(angles, dtype=np.float64))
    p = np.asarray(powers, dtype=np.float64)
    s = np.sum(p * np.exp(1j * a)) / np.sum(p)
    r = min(abs(s), 1.0)
    spread = np.rad2deg(math.sqrt(-2.0 * math.log(r))) if r > 0 else np.inf
    return float(np.rad2deg(np.angle(s))), float(spread)


def _check_real(name: str, value: object, *, lo: float | None = None, strict: bool = False,
                clause: str = _CLAUSE) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(name, value, "must be a real number", clause)
    v = float(value)
    if not np.isfinite(v):
        raise ConfigError(name, value, "must be finite", clause)
    if lo is not None and (v <= lo if strict else v < lo):
        raise ConfigError(name, value, f"must be {'>' if strict else '>='} {lo}", clause)
    return v


def _check_quad(name: str, value: object, *, positive: bool, clause: str) -> None:
    if value is None:
        return
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        raise ConfigError(name, value, "must be a tuple of 4 numbers (AOD, AOA, ZOD, ZOA) in degrees", clause)
    for v in value:
        _check_real(name, v, lo=0.0 if positive else None, strict=positive, clause=clause)


@dataclass(frozen=True, slots=True, kw_only=True)
class CdlConfig:
    """Configuration of a CDL channel (TR 38.901 §7.7.1, §7.7.3, §7.7.5.1, §7.7.6).

    Parameters
    ----------
    model : str
        "CDL-A" .. "CDL-E".
    delay_spread : float
        Desired rms delay spread DS_desired in seconds, >= 0 (§7.7.3).
    carrier_frequency : float
        f_c in Hz, > 0 (wavelength λ0 = c / f_c for ``ut_speed``).
    max_doppler : float or None
        Maximum Doppler shift f_D = |v̄| / λ0 in Hz, >= 0. Give this or ``ut_speed``; with
        neither the channel is static (f_D = 0).
    ut_speed : float or None
        UT speed |v̄| in m/s, >= 0 (then f_D = |v̄| f_c / c).
    ut_direction : (float, float)
        Direction of travel of the UT (azimuth φ_v, zenith θ_v) in degrees, GCS.
    tx_array, rx_array : AntennaArray
        Transmit (BS in the downlink) and receive (UT) arrays.
    k_factor : float or None
        Desired K-factor K_desired in dB for CDL-D/E (§7.7.6); None keeps the model's.
    angle_spreads : (ASD, ASA, ZSD, ZSA) or None
        Desired rms angle spreads in degrees for angle scaling (§7.7.5.1).
    mean_angles : (AOD, AOA, ZOD, ZOA) or None
        Desired mean angles in degrees for angle scaling (§7.7.5.1).

    Raises
    ------
    ConfigError
        Naming the field, value and rule.
    """

    model: str = "CDL-A"
    delay_spread: float = 30e-9
    carrier_frequency: float = 4e9
    max_doppler: float | None = None
    ut_speed: float | None = None
    ut_direction: tuple[float, float] = (0.0, 90.0)
    tx_array: AntennaArray = field(default_factory=AntennaArray)
    rx_array: AntennaArray = field(default_factory=AntennaArray)
    k_factor: float | None = None
    angle_spreads: tuple[float, float, float, float] | None = None
    mean_angles: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        check_choice("model", self.model, CDL_MODELS, clause=_CLAUSE)
        _check_real("delay_spread", self.delay_spread, lo=0.0, clause="TR 38.901 §7.7.3")
        _check_real("carrier_frequency", self.carrier_frequency, lo=0.0, strict=True)
        if self.max_doppler is not None and self.ut_speed is not None:
            raise ConfigError("ut_speed", self.ut_speed,
                              f"give max_doppler or ut_speed, not both (max_doppler={self.max_doppler})")
        if self.max_doppler is not None:
            _check_real("max_doppler", self.max_doppler, lo=0.0)
        if self.ut_speed is not None:
            _check_real("ut_speed", self.ut_speed, lo=0.0)
        if not isinstance(self.ut_direction, (tuple, list)) or len(self.ut_direction) != 2:
            raise ConfigError("ut_direction", self.ut_direction, "must be (azimuth, zenith) in degrees")
        for v in self.ut_direction:
            _check_real("ut_direction", v)
        for name in ("tx_array", "rx_array"):
            if not isinstance(getattr(self, name), AntennaArray):
                raise ConfigError(name, getattr(self, name), "must be an AntennaArray")
        if self.k_factor is not None:
            _check_real("k_factor", self.k_factor, clause="TR 38.901 §7.7.6")
            if self.model not in ("CDL-D", "CDL-E"):
                raise ConfigError("k_factor", self.k_factor,
                                  f"K-factor scaling applies to CDL-D and CDL-E only, not {self.model}",
                                  "TR 38.901 §7.7.6")
        _check_quad("angle_spreads", self.angle_spreads, positive=True, clause="TR 38.901 §7.7.5.1")
        _check_quad("mean_angles", self.mean_angles, positive=False, clause="TR 38.901 §7.7.5.1")

    @property
    def doppler(self) -> float:
        """Maximum Doppler shift f_D in Hz."""
        if self.ut_speed is not None:
            return self.ut_speed * self.carrier_frequency / SPEED_OF_LIGHT
        return float(self.max_doppler or 0.0)

    @property
    def n_tx(self) -> int:
        return self.tx_array.n_elements

    @property
    def n_rx(self) -> int:
        return self.rx_array.n_elements


class CdlRays(NamedTuple):
    """The rays of one CDL realisation (after scaling and random coupling).

    All arrays have one entry per ray, (R,): ``cluster`` (0-based path index), ``los`` (the
    specular ray), ``power`` (linear, Σ = 1), ``aod``, ``aoa``, ``zod``, ``zoa`` (degrees),
    ``doppler`` (Hz, f_D r̂_rx·v̂), ``phases`` ((R, 4): Φ^θθ, Φ^θφ, Φ^φθ, Φ^φφ, radians).
    """

    cluster: np.ndarray
    los: np.ndarray
    power: np.ndarray
    aod: np.ndarray
    aoa: np.ndarray
    zod: np.ndarray
    zoa: np.ndarray
    doppler: np.ndarray
    phases: np.ndarray


def _scaled_powers_and_delays(prof: CdlProfile, k_factor: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Row powers (linear, Σ = 1) and normalised delays, with the K-factor scaling of §7.7.6."""
    p_db = prof.power_db.copy()
    delay = prof.delay.copy()
    if k_factor is not None:
        nlos = ~prof.los
        k_model = p_db[prof.los][0] - 10.0 * np.log10(np.sum(10.0 ** (p_db[nlos] / 10.0)))
        p_db[nlos] = p_db[nlos] - k_factor + k_model
        p = 10.0 ** (p_db / 10.0)
        p /= p.sum()
        mean = np.sum(p * delay)
        ds = math.sqrt(max(np.sum(p * delay**2) - mean**2, 0.0))
        # The delay spread of the rescaled profile is normalised back to one (§7.7.6).
        if ds > 0:
            delay = delay / ds
    p = 10.0 ** (p_db / 10.0)
    return p / p.sum(), delay


def _wrap_azimuth(a: np.ndarray) -> np.ndarray:
    return np.mod(a + 180.0, 360.0) - 180.0


def _wrap_zenith(z: np.ndarray) -> np.ndarray:
    z = np.mod(z, 360.0)
    return np.where(z > 180.0, 360.0 - z, z)


def _unit_vector(theta_deg: np.ndarray, phi_deg: np.ndarray) -> np.ndarray:
    th, ph = np.deg2rad(theta_deg), np.deg2rad(phi_deg)
    return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)


class CdlChannel:
    """A CDL channel realisation: fixed rays and random phases, continuous in time.

    Parameters
    ----------
    config : CdlConfig
    rng : numpy.random.Generator
        Source of the ray coupling and the initial phases (drawn once, here).

    Attributes
    ----------
    config : CdlConfig
    profile : CdlProfile
        The tabulated model.
    delays : (n_paths,) float64
        Path delays in seconds after scaling, one per cluster (TR 38.901 §7.7.3).
    path_powers : (n_paths,) float64
        Average path powers (linear, Σ = 1; the LOS ray included in path 0 for CDL-D/E).
    rays : CdlRays
        The rays of this realisation.

    Examples
    --------
    >>> ch = CdlChannel(CdlConfig(model="CDL-C", delay_spread=300e-9), np.random.default_rng(1))
    >>> ch.gains(np.arange(4) * 1e-3).shape
    (1, 1, 24, 4)
    """

    def __init__(self, config: CdlConfig, rng: np.random.Generator):
        if not isinstance(config, CdlConfig):
            raise ConfigError("config", config, "must be a CdlConfig")
        if not isinstance(rng, np.random.Generator):
            raise ConfigError("rng", rng, "must be a numpy.random.Generator")
        self.config = config
        prof = cdl_profile(config.model)
        self.profile = prof
        row_power, row_delay = _scaled_powers_and_delays(prof, config.k_factor)

        n_cl = prof.n_clusters
        first = np.array([np.flatnonzero(prof.cluster == c)[0] for c in range(n_cl)])
        self.delays = row_delay[first] * config.delay_spread
        self.path_powers = np.bincount(prof.cluster, weights=row_power, minlength=n_cl)

        # Step 1: ray angles = cluster angle + c_x α_m (the LOS row is a single ray).
        nlos_rows = np.flatnonzero(~prof.los)
        los_rows = np.flatnonzero(prof.los)
        alpha = RAY_OFFSETS[None, :]
        ang = {
            "aod": prof.aod[nlos_rows, None] + prof.c_asd * alpha,
            "aoa": prof.aoa[nlos_rows, None] + prof.c_asa * alpha,
            "zod": prof.zod[nlos_rows, None] + prof.c_zsd * alpha,
            "zoa": prof.zoa[nlos_rows, None] + prof.c_zsa * alpha,
        }
        ray_power = np.repeat(row_power[nlos_rows, None] / N_RAYS, N_RAYS, axis=1)
        los_ang = {"aod": prof.aod[los_rows], "aoa": prof.aoa[los_rows],
                   "zod": prof.zod[los_rows], "zoa": prof.zoa[los_rows]}

        # Angle scaling (§7.7.5.1, eq. 7.7-5) with the model's mean and spread per Annex A.1.
        if config.angle_spreads is not None or config.mean_angles is not None:
            all_power = np.concatenate([ray_power.ravel(), row_power[los_rows]])
            for i, key in enumerate(("aod", "aoa", "zod", "zoa")):
                values = np.concatenate([ang[key].ravel(), los_ang[key]])
                mu_model, as_model = circular_angle_spread(values, all_power)
                ratio = 1.0 if config.angle_spreads is None else config.angle_spreads[i] / as_model
                mu = mu_model if config.mean_angles is None else config.mean_angles[i]
                # Angles relative to the model mean, wrapped so that the scaling acts on the
                # smallest angular distance.
                ang[key] = ratio * _wrap_azimuth(ang[key] - mu_model) + mu
                los_ang[key] = ratio * _wrap_azimuth(los_ang[key] - mu_model) + mu
        for key in ("aod", "aoa"):
            ang[key] = _wrap_azimuth(ang[key])
            los_ang[key] = _wrap_azimuth(los_ang[key])
        for key in ("zod", "zoa"):
            ang[key] = _wrap_zenith(ang[key])
            los_ang[key] = _wrap_zenith(los_ang[key])

        # Step 2: random coupling of the rays within each cluster (AOD fixed; AOA, ZOD, ZOA permuted).
        n_nlos = nlos_rows.size
        for key in ("aoa", "zod", "zoa"):
            perm = np.argsort(rng.random((n_nlos, N_RAYS)), axis=1)
            ang[key] = np.take_along_axis(ang[key], perm, axis=1)

        # Step 3: random initial phases (Φ^θθ, Φ^θφ, Φ^φθ, Φ^φφ) of the NLOS rays.
        phases = rng.uniform(-np.pi, np.pi, size=(n_nlos * N_RAYS, 4))

        n_los = los_rows.size
        cluster = np.concatenate([np.repeat(prof.cluster[nlos_rows], N_RAYS), prof.cluster[los_rows]])
        is_los = np.concatenate([np.zeros(n_nlos * N_RAYS, bool), np.ones(n_los, bool)])
        power = np.concatenate([ray_power.ravel(), row_power[los_rows]])
        angles = {k: np.concatenate([ang[k].ravel(), los_ang[k]]) for k in ang}
        phases = np.concatenate([phases, np.zeros((n_los, 4))])

        v_hat = _unit_vector(np.float64(config.ut_direction[1]), np.float64(config.ut_direction[0]))
        r_rx = _unit_vector(angles["zoa"], angles["aoa"])
        doppler = config.doppler * (r_rx @ v_hat)
        self.rays = CdlRays(cluster=cluster, los=is_los, power=power, aod=angles["aod"],
                            aoa=angles["aoa"], zod=angles["zod"], zoa=angles["zoa"],
                            doppler=doppler, phases=phases)
        self._coef = self._ray_coefficients()
        self._stream = PathStream()

    #: Delay (samples) of the output of ``apply(..., causal=True)``: the look-ahead L − 1 of the
    #: fractional-delay interpolator.
    filter_delay = DEFAULT_FILTER_HALF_LENGTH - 1

    def reset(self) -> None:
        """Empty the delay line kept by :meth:`apply` (the realisation is not affected)."""
        self._stream.reset()

    def _ray_coefficients(self) -> np.ndarray:
        """Time-independent part of eq. 7.5-22 / 7.5-29 per ray and antenna pair: (R, n_rx*n_tx)."""
        cfg, rays = self.config, self.rays
        kappa_inv = math.sqrt(10.0 ** (-self.profile.xpr_db / 10.0))
        e = np.exp(1j * rays.phases)
        p_tt, p_tp, p_pt, p_pp = e[:, 0], kappa_inv * e[:, 1], kappa_inv * e[:, 2], e[:, 3]
        # LOS polarisation matrix diag(1, -1) (eq. 7.5-29).
        p_tt = np.where(rays.los, 1.0, p_tt)
        p_tp = np.where(rays.los, 0.0, p_tp)
        p_pt = np.where(rays.los, 0.0, p_pt)
        p_pp = np.where(rays.los, -1.0, p_pp)

        tx_t, tx_p = field_pattern(cfg.tx_array, rays.zod, rays.aod)     # (S, R)
        rx_t, rx_p = field_pattern(cfg.rx_array, rays.zoa, rays.aoa)     # (U, R)
        a_tx = np.exp(2j * np.pi * (element_locations(cfg.tx_array) @ _unit_vector(rays.zod, rays.aod).T))
        a_rx = np.exp(2j * np.pi * (element_locations(cfg.rx_array) @ _unit_vector(rays.zoa, rays.aoa).T))
        tx_a = (p_tt * tx_t + p_tp * tx_p) * a_tx
        tx_b = (p_pt * tx_t + p_pp * tx_p) * a_tx
        coef = np.einsum("ur,sr->rus", rx_t * a_rx, tx_a) + np.einsum("ur,sr->rus", rx_p * a_rx, tx_b)
        coef *= np.sqrt(rays.power)[:, None, None]
        return np.ascontiguousarray(coef.reshape(coef.shape[0], -1))

    @property
    def n_paths(self) -> int:
        return self.delays.size

    def gains(self, times: np.ndarray) -> np.ndarray:
        """Path gains at ``times`` (TR 38.901 eq. 7.5-22, 7.5-29, 7.5-30 summed per cluster).

        Parameters
        ----------
        times : array_like, (n,)
            Absolute times in seconds (the process is continuous: any times, any order).

        Returns
        -------
        (n_rx, n_tx, n_paths, n) complex64 ndarray
        """
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        if t.ndim != 1:
            raise ValueError(f"times: expected a 1-D array, got shape {t.shape}")
        if not np.all(np.isfinite(t)):
            raise ValueError("times: must be finite")
        out = np.zeros((self.n_paths, t.size, self._coef.shape[1]), dtype=np.complex128)
        ray_sum(self._coef, np.ascontiguousarray(self.rays.cluster, dtype=np.int64),
                np.ascontiguousarray(self.rays.doppler), t, out)
        g = out.reshape(self.n_paths, t.size, self.config.n_rx, self.config.n_tx)
        return np.ascontiguousarray(g.transpose(2, 3, 0, 1)).astype(np.complex64)

    def frequency_response(self, frequencies: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Channel frequency response H(f, t) = Σ_n g_n(t) e^{−j2π f τ_n}.

        Parameters
        ----------
        frequencies : array_like, (K,)
            Baseband frequencies in Hz (subcarrier offsets from the carrier).
        times : array_like, (n_symbols,)
            Times in seconds at which the gains are taken (OFDM symbol centres).

        Returns
        -------
        (n_rx, n_tx, n_symbols, K) complex64 ndarray
        """
        f = np.asarray(frequencies, dtype=np.float64)
        return paths_frequency_response(self.delays, self.gains(times), f)

    def ofdm_response(self, carrier: Carrier, n_slot: int = 0, *, nfft: int | None = None,
                      sample_rate: float | None = None) -> np.ndarray:
        """Channel of every resource element of slot ``n_slot``, gains at the symbol centres.

        Subcarrier k is at (k − K/2) · Δf (the convention of :mod:`opennr.ofdm`); slot 0 starts
        at t = 0 (the same grid as ``TdlChannel.ofdm_response``).

        Returns
        -------
        (n_rx, n_tx, symbols_per_slot, K) complex64 ndarray
        """
        times = symbol_times(carrier, n_slot, nfft=nfft, sample_rate=sample_rate)
        k = carrier.n_subcarriers
        return self.frequency_response((np.arange(k) - k // 2) * (carrier.scs * 1e3), times)

    def apply(self, waveform: np.ndarray, sample_rate: float, t0: float = 0.0, *,
              causal: bool = False) -> np.ndarray:
        """Pass ``waveform`` through the channel (sample n at absolute time t0 + n / sample_rate).

        The gains are computed on a grid of absolute instants, 128 per period of the maximum
        Doppler shift (one point for a static channel), and interpolated linearly in time by
        :func:`opennr.channel.multipath.apply_paths`. The delay line is kept between calls
        exactly as for :meth:`opennr.channel.tdl.TdlChannel.apply` (a call whose ``t0``
        continues the previous one sees its tail; :meth:`reset` empties it; ``causal=True``
        delays the output by :attr:`filter_delay` samples and makes slot-by-slot runs equal one
        call over the concatenated waveform).

        Parameters
        ----------
        waveform : array_like, (n_tx, n_samples) complex
        sample_rate : float
            Hz; f_D must not exceed 1 % of it (as for the TDL channel).
        t0 : float
            Time of the first sample in seconds.
        causal : bool
            Delay the output by :attr:`filter_delay` samples (exact block-by-block streaming).

        Returns
        -------
        (n_rx, n_samples) complex64 ndarray

        Raises
        ------
        ValueError
            If ``waveform`` is not (n_tx, n_samples).
        ConfigError
            If the sample rate is not positive or too low for the Doppler shift.
        """
        x = np.asarray(waveform)
        if x.ndim != 2 or x.shape[0] != self.config.n_tx:
            raise ValueError(f"waveform: expected shape (n_tx={self.config.n_tx}, n_samples), got {x.shape}")
        fs = _check_real("sample_rate", sample_rate, lo=0.0, strict=True)
        t0 = _check_real("t0", t0)
        f_d = self.config.doppler
        if f_d > MAX_DOPPLER_FRACTION * fs:
            raise ConfigError("max_doppler", f_d,
                              f"must be well below the sample rate: f_D <= {MAX_DOPPLER_FRACTION} · "
                              f"sample_rate = {MAX_DOPPLER_FRACTION * fs:g} Hz")
        step = None if f_d == 0.0 else 1.0 / (GAIN_SAMPLES_PER_DOPPLER_PERIOD * f_d)
        return self._stream.apply(x, self.delays, self.gains, fs, t0, step, causal=bool(causal))

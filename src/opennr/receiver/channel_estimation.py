"""PDSCH and PUSCH channel estimation from the DM-RS of TS 38.211 §7.4.1.1 / §6.4.1.1
(reference receiver, not normative).

The DM-RS of port p occupies the REs k = 4n + 2k' + Δ (type 1) or k = 6n + k' + Δ (type 2) of
the symbols l = l̄ + l', with the values a_{k,l} = β w_f(k') w_t(l') r(2n + k') of
§7.4.1.1.2. Every estimator here

1. divides each received DM-RS RE by its known value (per receive antenna and port),
2. despreads the code-division multiplexing (CDM): averages over the k' pair (and the l' pair
   of a double-symbol DM-RS); the ports of one CDM group differ in w_f / w_t, so the average
   cancels the other ports of the group when the channel is flat over the pair,
3. estimates the noise variance: LS from the second differences of adjacent despread
   estimates (which cancel a channel that varies linearly over three pilots); Wiener from the
   residuals of the despread pilots after a smoother that resolves the assumed channel model
   (unbiased by its degrees of freedom, and not fooled by the curvature of a channel with a long
   delay spread),
4. interpolates the despread pilots z onto the allocated REs with a separable filter: a
   frequency stage onto the allocated subcarriers of every DM-RS symbol (group), then a time
   stage onto the allocated symbols,
5. estimates the noise and interference covariance R_nn between the receive antennas from the
   DM-RS residuals e = y − Σ_j h_j a_j, averaged over PRB bundles, unbiased for the fit.

The least-squares (LS) estimator interpolates linearly in frequency (extrapolating at the band
edges) and in time between the DM-RS symbols (holding the nearest estimate outside them). The
Wiener (linear MMSE) estimator filters with the correlations of an assumed channel: in
frequency an exponential or uniform power-delay profile of RMS delay spread τ_rms,
r_f(Δf) = 1 / (1 + j2πΔf τ_rms) or e^{−jπΔf τ_max} sinc(Δf τ_max) (τ_max = √12 τ_rms), over a
sliding window of the pilots of ``window_prbs`` PRBs around each PRB; in time Jakes' Doppler
spectrum, r_t(Δt) = J0(2π f_D Δt). Its filters are constrained to unit gain at DC (ordinary
kriging), so a flat channel passes unchanged at every SNR, and they depend only on the layout,
the assumptions and the SNR rounded to 1 dB: they are built once and cached.

The perfect-CSI mode takes the true channel of every RE (for example
:meth:`opennr.channel.TdlChannel.ofdm_response`) and estimates the noise from the residual of
the received DM-RS after removing the known DM-RS through the true channel.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.special

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.numerology import Carrier, slot_number
from opennr.physical.pdsch import PdschConfig, pdsch_dmrs, pdsch_plan
from opennr.physical.pusch import PuschConfig, pusch_dmrs, pusch_plan
from opennr.receiver import _estimation_kernels as _k

__all__ = [
    "ESTIMATORS",
    "PDP_MODELS",
    "ChannelEstimate",
    "estimate_channel",
    "ls_channel_estimate",
    "perfect_channel_estimate",
    "wiener_channel_estimate",
]

_CLAUSE = "TS 38.211 §7.4.1.1"
ESTIMATORS = ("ls", "wiener", "perfect")
PDP_MODELS = ("exponential", "uniform")
_SNR_DB_RANGE = (-10, 40)       # SNR of a despread pilot, 1 dB bins, for the filter caches
_SNR_T_DB_RANGE = (-10, 50)     # SNR of a frequency-filtered pilot, for the time filter
_NOISE_SAMPLES = 4096           # pilot residuals enough for a noise estimate within about 2 %


@dataclass(frozen=True, slots=True)
class ChannelEstimate:
    """A channel estimate of the REs of one slot.

    Attributes
    ----------
    h : numpy.ndarray of complex64, shape (n_rx, ν, N_symb^slot, K)
        Channel from layer (DM-RS port) j to receive antenna r at every RE of the allocated
        PRBs and symbols; zero elsewhere.
    noise_var : float
        Estimated noise variance σ² per RE and receive antenna (> 0).
    noise_cov : numpy.ndarray of complex64, shape (N_grid^size, n_rx, n_rx), or None
        Noise and interference covariance R_nn = E[n nᴴ] between the receive antennas, one
        matrix per PRB of the carrier grid (the matrix of the PRB's bundle; zero outside the
        allocation). RE k of the grid uses ``noise_cov[k // 12]``.
    """

    h: np.ndarray
    noise_var: float
    noise_cov: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class _EstimationPlan:
    """Despreading, interpolation and covariance maps of one layout (independent of the slot)."""

    n_pairs: int              # P: despread estimates per DM-RS symbol group and port
    length: int               # DM-RS symbols per group (1 or 2)
    n_avg: int                # REs averaged per despread estimate (2 or 4)
    time_groups: int          # T: DM-RS symbol groups (l' pairs merged)
    idx: np.ndarray           # (ν, N) flat DM-RS REs ordered (t, l', i, k')
    pilot_k: np.ndarray       # (ν, P) subcarrier of each despread pilot (midpoint of the pair)
    half_pair: float          # distance of the pair REs from the midpoint (1 or 0.5)
    k_alloc: np.ndarray       # (Q,) allocated subcarriers, increasing, 12 per PRB
    runs: np.ndarray          # (n, 3) contiguous allocated subcarriers, in floats: first in
                              # the grid row, first in the allocation, count
    crbs: np.ndarray          # (n_prb,) allocated CRBs
    f_left: np.ndarray        # (ν, Q) left pilot of each allocated subcarrier
    f_weight: np.ndarray      # (ν, Q) weight of the right pilot
    l0: int                   # first allocated symbol
    n_sym: int                # allocated symbols
    dmrs_symbols: np.ndarray  # (T, L) DM-RS symbols of each group
    a_linear: np.ndarray      # (n_sym, T) float32 linear time interpolation (hold outside)
    second_diff: np.ndarray   # (ν, n) pilots i with (i−1, i, i+1) equally spaced
    groups: tuple             # ports (layer numbers) of each CDM group in use
    group_q: tuple            # (P, 2) allocated-subcarrier position of every DM-RS RE, per group


def _dmrs(carrier: Carrier, config: PdschConfig | PuschConfig, n_slot: int):
    """DM-RS indices and values of every layer of a PDSCH (§7.4.1.1) or PUSCH (§6.4.1.1)."""
    if isinstance(config, PuschConfig):
        return pusch_dmrs(carrier, config, n_slot)
    if isinstance(config, PdschConfig):
        return pdsch_dmrs(carrier, config, n_slot)
    raise TypeError(f"config: expected a PdschConfig or PuschConfig, got {type(config).__name__}")


@functools.lru_cache(maxsize=128)
def _dmrs_values(carrier: Carrier, config: PdschConfig | PuschConfig, n_slot: int):
    """DM-RS values a (ν, N) and conj(a) / |a|² of one slot, read-only."""
    _, val = _dmrs(carrier, config, n_slot)
    val = np.ascontiguousarray(val, dtype=np.complex64)
    vinv = (np.conj(val) / (np.abs(val) ** 2)).astype(np.complex64)
    for a in (val, vinv):
        a.setflags(write=False)
    return val, vinv


def _plan(carrier: Carrier, config: PdschConfig | PuschConfig):
    return pusch_plan(carrier, config) if isinstance(config, PuschConfig) \
        else pdsch_plan(carrier, config)


def _linear_weights(pilots: np.ndarray, targets: np.ndarray, hold: bool):
    """Left index i and weight w such that value = (1 − w) p[i] + w p[i+1]."""
    n = pilots.size
    if n == 1:
        return np.zeros(targets.size, np.int64), np.zeros(targets.size, np.float32)
    i = np.clip(np.searchsorted(pilots, targets, side="right") - 1, 0, n - 2)
    w = (targets - pilots[i]) / (pilots[i + 1] - pilots[i])
    if hold:
        w = np.clip(w, 0.0, 1.0)
    return i.astype(np.int64), w.astype(np.float32)


def _runs(k_alloc: np.ndarray) -> np.ndarray:
    """Runs of consecutive subcarriers of ``k_alloc`` as (2 k, 2 q, 2 length): float offsets
    into a complex64 grid row and into the allocation."""
    brk = np.flatnonzero(np.diff(k_alloc) != 1) + 1
    q0 = np.concatenate(([0], brk))
    n = np.diff(np.concatenate((q0, [k_alloc.size])))
    return np.ascontiguousarray(np.stack([2 * k_alloc[q0], 2 * q0, 2 * n], axis=1), dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _estimation_plan(carrier: Carrier, config: PdschConfig | PuschConfig) -> _EstimationPlan:
    plan = _plan(carrier, config)
    d = config.dmrs
    k_sc = plan.n_subcarriers
    # DM-RS subcarriers of each port (frequency order, k' pairs adjacent); slot 0 suffices.
    idx, _ = _dmrs(carrier, config, 0)
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    n_l = plan.dmrs_symbols.size
    k_dmrs = (idx[:, :idx.shape[1] // n_l] % k_sc).astype(np.float64)    # (ν, n_k)
    pairs = k_dmrs.reshape(config.n_layers, -1, 2)
    pilot_k = pairs.mean(axis=-1)                                         # (ν, P)
    half_pair = float(pairs[0, 0, 1] - pairs[0, 0, 0]) / 2.0
    k_alloc = ((plan.crbs - carrier.n_start_grid)[:, None] * 12
               + np.arange(12)[None, :]).reshape(-1)
    f_left, f_weight = zip(*(_linear_weights(pk, k_alloc.astype(np.float64), hold=False)
                             for pk in pilot_k), strict=True)
    dmrs_sym = plan.dmrs_symbols.reshape(-1, d.length)
    t_pilot = dmrs_sym.mean(axis=-1).astype(np.float64)
    s, n = config.symbol_allocation
    symbols = np.arange(s, s + n, dtype=np.int64)
    t_left, t_weight = _linear_weights(t_pilot, symbols.astype(np.float64), hold=True)
    a_linear = np.zeros((n, t_pilot.size), np.float32)
    a_linear[np.arange(n), t_left] = 1.0 - t_weight
    if t_pilot.size > 1:
        a_linear[np.arange(n), t_left + 1] += t_weight
    # equally spaced consecutive pilot triples (no PRB gap inside) for the noise estimate
    sd = []
    for pk in pilot_k:
        step = np.diff(pk)
        ok = np.flatnonzero(np.isclose(step[:-1], step[1:]) & np.isclose(step[:-1], step.min()))
        sd.append(ok + 1)
    n_sd = min(len(x) for x in sd)
    # CDM groups in use: the ports of a group share their REs
    first = idx[:, 0]
    groups, group_q = [], []
    for f in dict.fromkeys(first.tolist()):
        ports = np.flatnonzero(first == f).astype(np.int64)
        groups.append(ports)
        group_q.append(np.searchsorted(k_alloc, pairs[ports[0]]).astype(np.int64))
    out = _EstimationPlan(
        n_pairs=pilot_k.shape[1], length=d.length, n_avg=2 * d.length,
        time_groups=t_pilot.size, idx=idx, pilot_k=pilot_k, half_pair=half_pair,
        k_alloc=k_alloc.astype(np.int64), runs=_runs(k_alloc), crbs=np.asarray(plan.crbs, np.int64),
        f_left=np.ascontiguousarray(np.stack(f_left)),
        f_weight=np.ascontiguousarray(np.stack(f_weight)),
        l0=int(s), n_sym=int(n), dmrs_symbols=dmrs_sym.astype(np.int64), a_linear=a_linear,
        second_diff=np.ascontiguousarray(np.stack([x[:n_sd] for x in sd]), dtype=np.int64),
        groups=tuple(groups), group_q=tuple(group_q))
    for a in (out.idx, out.pilot_k, out.k_alloc, out.runs, out.crbs, out.f_left, out.f_weight,
              out.dmrs_symbols, out.a_linear, out.second_diff, *out.groups, *out.group_q):
        a.setflags(write=False)
    return out


def _check_grid(grid: object, carrier: Carrier) -> np.ndarray:
    y = np.asarray(grid)
    shape = (carrier.symbols_per_slot, carrier.n_subcarriers)
    if y.ndim != 3 or y.shape[1:] != shape:
        raise ValueError(f"grid: expected shape (n_rx, {shape[0]}, {shape[1]}) (receive antennas, "
                         f"symbols, subcarriers of the carrier), got {y.shape}")
    if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_):
        raise ValueError(f"grid: expected complex samples, got dtype {y.dtype}")
    y = np.ascontiguousarray(y, dtype=np.complex64)
    if not np.isfinite(y.view(np.float32)).all():
        raise ValueError("grid: must be finite (no NaN or inf)")
    return y


def _check_bundle(cov_bundle_size: int | None) -> int | None:
    if cov_bundle_size is None:
        return None
    return check_int("cov_bundle_size", cov_bundle_size, 1, 275, "TS 38.214 §5.1.2.3")


def _real(field: str, value: object, lo: float, hi: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        raise ConfigError(field, value, f"must be a finite number in [{lo:g}, {hi:g}] {unit}",
                          "assumption of the estimator, not normative")
    return float(value)


# --- common steps -----------------------------------------------------------------------------

def _despread(y, ep: _EstimationPlan, vinv) -> np.ndarray:
    hp = np.empty((y.shape[0], ep.idx.shape[0], ep.time_groups, ep.n_pairs), np.complex64)
    _k.despread(y.reshape(y.shape[0], -1), ep.idx, vinv, ep.time_groups, ep.length,
                ep.n_pairs, hp)
    return hp


def _pilot_noise(hp: np.ndarray, ep: _EstimationPlan) -> float:
    """σ_p² of a despread pilot: var(z[i−1] − 2 z[i] + z[i+1]) = 6 σ_p²."""
    if not ep.second_diff.shape[1]:
        return 0.0
    return _k.second_difference_power(hp, ep.second_diff) / 6.0


@dataclass(frozen=True, slots=True)
class _CovPlan:
    """PRB bundles of the covariance average and the bundle of every DM-RS RE."""

    prb_bundle: np.ndarray    # (n_prb,) bundle of each allocated PRB
    n_bundles: int
    re_bundle: tuple          # per CDM group: (N_g,) bundle of each DM-RS RE, idx order
    pair_bundle: tuple        # per CDM group: (P, 2) bundle of each DM-RS subcarrier


@functools.lru_cache(maxsize=128)
def _cov_plan(carrier: Carrier, config, bundle_size: int | None) -> _CovPlan:
    """Bundles of P' PRBs aligned to multiples of P' in CRBs (the PRGs of TS 38.214
    §5.1.2.3), or one bundle for the allocation."""
    ep = _estimation_plan(carrier, config)
    if bundle_size is None:
        prb_bundle = np.zeros(ep.crbs.size, np.int64)
    else:
        _, prb_bundle = np.unique(ep.crbs // bundle_size, return_inverse=True)
        prb_bundle = prb_bundle.astype(np.int64).reshape(-1)
    pair = tuple(prb_bundle[q // 12] for q in ep.group_q)
    re = tuple(np.ascontiguousarray(np.broadcast_to(p, (ep.time_groups * ep.length, *p.shape))
                                    .reshape(-1)) for p in pair)
    return _CovPlan(prb_bundle=prb_bundle, n_bundles=int(prb_bundle.max()) + 1,
                    re_bundle=re, pair_bundle=pair)


def _noise_covariance(y, h, ep: _EstimationPlan, val, carrier: Carrier, cp: _CovPlan,
                      dof: tuple, noise_floor: float):
    """R_nn per PRB of the carrier from the DM-RS residuals e = y − Σ_j h_j a_j; ``dof[g]``
    (P, 2) is the expected Σ|e|²/σ² over the symbols of each DM-RS subcarrier of CDM group g."""
    n_rx = y.shape[0]
    nu = h.shape[1]
    acc = np.zeros((cp.n_bundles, n_rx, n_rx), np.complex128)
    denom = np.zeros(cp.n_bundles)
    yf = y.reshape(n_rx, -1)
    hf = h.reshape(n_rx, nu, -1)
    for g, ports in enumerate(ep.groups):
        _k.residual_covariance(yf, hf, ep.idx[ports[0]], ports, np.ascontiguousarray(val[ports]),
                               cp.re_bundle[g], acc)
        denom += np.bincount(cp.pair_bundle[g].reshape(-1), weights=dof[g].reshape(-1),
                             minlength=cp.n_bundles)
    r = acc / np.maximum(denom, 1e-9)[:, None, None] + noise_floor * np.eye(n_rx)
    out = np.zeros((carrier.n_size_grid, n_rx, n_rx), np.complex64)
    out[ep.crbs - carrier.n_start_grid] = r[cp.prb_bundle]
    return out


def _filter_dof(ep: _EstimationPlan, a: np.ndarray, b_diag: tuple, b_norm: tuple) -> tuple:
    """Expected Σ|e|²/σ² of the DM-RS residuals of each subcarrier, per CDM group, for the
    separable filter (time a (n_sym, T), frequency B).

    In the domain y' = y a*/|a|², the estimate re-modulated onto the REs of a CDM group with
    m of its n cover codes c_j in use is P y' with P = (1/n) Σ_j c_j c_jᵀ ⊙ (A ⊗ B) (rows at
    the DM-RS REs), so E[Σ e eᴴ] = R_nn tr((I − P)(I − P)ᴴ), and per RE
    [(I − P)(I − P)ᴴ]_ii = 1 − 2(m/n) Re(A_tt B_ii) + (m/n) ‖A_t,:‖² ‖B_i,:‖².
    ``b_diag[g]``, ``b_norm[g]`` (P, 2) hold B_ii and ‖B_i,:‖² at the REs of group g.
    """
    rows = ep.dmrs_symbols - ep.l0                                       # (T, L)
    a_diag = float(a[rows, np.arange(ep.time_groups)[:, None]].sum())
    a_norm = float((a[rows].astype(np.float64) ** 2).sum())
    n_tl = ep.time_groups * ep.length
    out = []
    for g, ports in enumerate(ep.groups):
        m = ports.size / ep.n_avg
        out.append(n_tl - 2 * m * np.real(a_diag * b_diag[g]) + m * a_norm * b_norm[g])
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _ls_dof(carrier: Carrier, config) -> tuple:
    ep = _estimation_plan(carrier, config)
    diag, norm = [], []
    for ports, q in zip(ep.groups, ep.group_q, strict=True):
        left, w = ep.f_left[ports[0], q], ep.f_weight[ports[0], q].astype(np.float64)
        i = np.arange(ep.n_pairs)[:, None]
        diag.append(np.where(left == i, 1.0 - w, 0.0) + np.where(left + 1 == i, w, 0.0))
        norm.append((1.0 - w) ** 2 + w ** 2)
    return _filter_dof(ep, ep.a_linear, tuple(diag), tuple(norm))


def _check_estimate_inputs(grid, carrier, config, n_slot, cov_bundle_size):
    y = _check_grid(grid, carrier)
    n_slot = slot_number(carrier, n_slot)
    bundle = _check_bundle(cov_bundle_size)
    carrier0 = dataclasses.replace(carrier, n_slot=0, n_frame=0)
    ep = _estimation_plan(carrier0, config)
    val, vinv = _dmrs_values(carrier0, config, n_slot)
    return y, carrier0, ep, val, vinv, _cov_plan(carrier0, config, bundle)


def _new_estimate(y, config, carrier) -> np.ndarray:
    return np.zeros((y.shape[0], config.n_layers, carrier.symbols_per_slot,
                     carrier.n_subcarriers), np.complex64)


# --- least squares ------------------------------------------------------------------------------

def ls_channel_estimate(grid: np.ndarray, carrier: Carrier, config: PdschConfig | PuschConfig, *,
                        n_slot: int | None = None, noise_floor: float = 1e-10,
                        cov_bundle_size: int | None = None) -> ChannelEstimate:
    """Least-squares DM-RS channel estimate with CDM despreading and linear interpolation
    (TS 38.211 §7.4.1.1.2 / §6.4.1.1.3 DM-RS; the estimator is not normative).

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K)
        Received resource grid of one slot, K = 12 N_grid^size.
    carrier : Carrier
    config : PdschConfig or PuschConfig
        The PDSCH or PUSCH whose DM-RS ports (``config.dmrs_ports``, one per layer) are
        estimated. A PUSCH estimate is of the effective channel of each layer, precoding
        included (its DM-RS is precoded with the data).
    n_slot : int, optional
        Slot number n_s,f^μ of the DM-RS sequence; ``None`` uses ``carrier.n_slot``.
    noise_floor : float
        Lower bound of the returned noise variance (a noiseless grid gives σ² = 0), also added
        to the diagonal of the covariance.
    cov_bundle_size : int, optional
        PRB bundle size P' over which the noise covariance is averaged (bundles aligned to
        multiples of P' in CRBs, as the PRGs of TS 38.214 §5.1.2.3); ``None`` averages over
        the whole allocation.

    Returns
    -------
    ChannelEstimate
        h (n_rx, ν, N_symb^slot, K) complex64 over the allocated PRBs and symbols, σ² and the
        covariance R_nn of every PRB.

    Raises
    ------
    ValueError
        ``grid`` of the wrong shape, not numeric or not finite.
    ConfigError
        See :func:`opennr.physical.pdsch.pdsch_plan` / :func:`opennr.physical.pusch.pusch_plan`;
        ``n_slot`` outside the frame; ``cov_bundle_size`` outside 1..275.
    """
    y, carrier0, ep, val, vinv, cp = _check_estimate_inputs(grid, carrier, config, n_slot,
                                                            cov_bundle_size)
    hp = _despread(y, ep, vinv)
    noise = _pilot_noise(hp, ep) * config.dmrs.beta ** 2 * ep.n_avg
    h = _new_estimate(y, config, carrier)
    hf = np.empty((ep.time_groups, 2 * ep.k_alloc.size), np.float32)
    _k.interpolate_linear(hp.view(np.float32), ep.f_left, ep.f_weight, ep.a_linear, ep.l0,
                          ep.runs, hf, h.view(np.float32))
    noise_floor = float(noise_floor)
    cov = _noise_covariance(y, h, ep, val, carrier, cp, _ls_dof(carrier0, config), noise_floor)
    return ChannelEstimate(h=h, noise_var=max(noise, noise_floor), noise_cov=cov)


# --- Wiener -------------------------------------------------------------------------------------

def _freq_correlation(df_hz: np.ndarray, delay_spread: float, pdp: str) -> np.ndarray:
    """r_f(Δf) = ∫ p(τ) e^{−j2πΔfτ} dτ of a unit-power delay profile starting at τ = 0."""
    if pdp == "exponential":
        return 1.0 / (1.0 + 2j * np.pi * df_hz * delay_spread)
    t_max = math.sqrt(12.0) * delay_spread
    return np.exp(-1j * np.pi * df_hz * t_max) * np.sinc(df_hz * t_max)


def _kriging(obs_corr: np.ndarray, target_corr: np.ndarray, noise_rel: float) -> np.ndarray:
    """Rows w minimising E|h − wᵀz|² subject to Σ w = 1 (ordinary kriging), for observations of
    correlation obs_corr[i, m] = E[z_i z_m*] (plus noise_rel on the diagonal) and targets with
    target_corr[q, i] = E[h_q z_i*]."""
    c = obs_corr + noise_rel * np.eye(obs_corr.shape[0])
    cinv = np.linalg.inv(c)
    w = target_corr @ cinv
    b = cinv.sum(axis=0)
    mu = (1.0 - w.sum(axis=1)) / b.sum()
    return w + mu[:, None] * b[None, :]


@dataclass(frozen=True, slots=True, eq=False)
class _Windows:
    """Sliding pilot windows of one layout and their distinct geometries with the correlations
    of the assumed delay profile (hashed by identity: cached)."""

    start: np.ndarray     # (ν, n_prb) first pilot of each PRB's window
    fidx: np.ndarray      # (ν, n_prb) geometry of each PRB's window
    own: np.ndarray       # (F, ppp) window position of each pilot of the PRB itself
    obs: np.ndarray       # (F, M, M) E[z_i z_m*] of the window's pilots, complex128
    tgt: np.ndarray       # (F, 12, M) E[h_q z_m*] of the PRB's subcarriers, complex128


@functools.lru_cache(maxsize=64)
def _windows(carrier: Carrier, config, delay_spread: float, pdp: str,
             window_prbs: int) -> _Windows:
    ep = _estimation_plan(carrier, config)
    n_prb = ep.crbs.size
    n_p = ep.n_pairs
    ppp = n_p // n_prb                                   # pilots per PRB
    m = min(n_p, window_prbs * ppp)
    b = np.arange(n_prb)
    start = np.clip((b - (window_prbs - 1) // 2) * ppp, 0, n_p - m)
    # window geometry relative to the PRB's first subcarrier, in half subcarriers
    win = start[:, None] + np.arange(m)[None, :]
    k0 = ep.k_alloc[12 * b].astype(np.float64)
    geo = np.rint(2 * (ep.pilot_k[:, win] - k0[None, :, None])).astype(np.int64)  # (ν, n_prb, m)
    keys, inv = np.unique(geo.reshape(-1, m), axis=0, return_inverse=True)
    df = carrier.scs * 1e3
    offs = np.array([-ep.half_pair, ep.half_pair])
    q = np.arange(12, dtype=np.float64)
    own, obs, tgt = [], [], []
    for key in keys:
        own.append(np.flatnonzero((key >= 0) & (key < 24)))
        re = key[:, None] / 2.0 + offs[None, :]                           # (m, 2) REs
        dk = re[:, None, :, None] - re[None, :, None, :]
        obs.append(_freq_correlation(dk * df, delay_spread, pdp).mean(axis=(2, 3)))
        tk = q[:, None, None] - re[None, :, :]
        tgt.append(_freq_correlation(tk * df, delay_spread, pdp).mean(axis=2))
    out = _Windows(start=np.ascontiguousarray(np.broadcast_to(start, geo.shape[:2]),
                                              dtype=np.int64),
                   fidx=np.ascontiguousarray(inv.reshape(geo.shape[:2]), dtype=np.int64),
                   own=np.stack(own).astype(np.int64), obs=np.stack(obs), tgt=np.stack(tgt))
    for x in (out.start, out.fidx, out.own, out.obs, out.tgt):
        x.setflags(write=False)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class _Smoother:
    """Pilot-to-pilot smoothers of the windows for the noise estimate (identity-hashed)."""

    bank_re: np.ndarray   # (F, M, ppp) float32: weight of window pilot i for own pilot c
    bank_im: np.ndarray
    dof: np.ndarray       # (ν, n_prb) Σ over the own pilots of each PRB of
                          # E|z_i − ẑ_i|² / σ_p² = 1 − 2 Re w_ii + ‖w_i‖²


@functools.lru_cache(maxsize=64)
def _noise_smoother(carrier: Carrier, config, delay_spread: float, pdp: str,
                    window_prbs: int) -> _Smoother:
    """Wiener smoothers of each PRB's own pilots at the SNR where the channel model is
    resolved (its components 40 dB below the channel power count as noise)."""
    w = _windows(carrier, config, delay_spread, pdp, window_prbs)
    n_f, ppp = w.own.shape
    m = w.obs.shape[1]
    bank = np.empty((n_f, m, ppp), np.complex128)
    dof = np.empty(n_f)
    for f in range(n_f):
        rows = _kriging(w.obs[f], w.obs[f][w.own[f]], 10.0 ** (-_SNR_DB_RANGE[1] / 10.0))
        bank[f] = rows.T
        e = rows.copy()
        e[np.arange(ppp), w.own[f]] -= 1.0
        dof[f] = float(np.sum(np.abs(e) ** 2))
    out = _Smoother(bank_re=np.ascontiguousarray(bank.real, dtype=np.float32),
                    bank_im=np.ascontiguousarray(bank.imag, dtype=np.float32),
                    dof=np.ascontiguousarray(dof[w.fidx]))
    for x in (out.bank_re, out.bank_im, out.dof):
        x.setflags(write=False)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class _FreqFilter:
    """Frequency filters of one layout, SNR and assumptions (hashed by identity: cached)."""

    bank_re: np.ndarray   # (F, M, 12) float32: weight of window pilot i at subcarrier q
    bank_im: np.ndarray
    gain: float           # mean ‖row‖² (noise gain)
    b_diag: tuple         # per CDM group (P, 2): weight of a DM-RS RE's own pilot
    b_norm: tuple         # per CDM group (P, 2): ‖row‖² at each DM-RS RE


@functools.lru_cache(maxsize=256)
def _wiener_freq_filter(carrier: Carrier, config, snr_db: int, windows: _Windows) -> _FreqFilter:
    ep = _estimation_plan(carrier, config)
    noise_rel = 10.0 ** (-snr_db / 10.0)
    bank = np.stack([_kriging(o, t, noise_rel).T for o, t in zip(windows.obs, windows.tgt,
                                                                  strict=True)])
    m = bank.shape[1]
    start, fidx = windows.start, windows.fidx
    gain = float(np.mean(np.sum(np.abs(bank[fidx.reshape(-1)]) ** 2, axis=1)))
    b_diag, b_norm = [], []
    for ports, q in zip(ep.groups, ep.group_q, strict=True):
        blk, row = q // 12, q % 12
        s0, f = start[ports[0], blk], fidx[ports[0], blk]
        w = bank[f, :, row]                                               # (P, 2, M)
        pos = np.arange(ep.n_pairs)[:, None] - s0
        own = np.take_along_axis(w, np.clip(pos, 0, m - 1)[..., None], axis=-1)[..., 0]
        b_diag.append(np.where((pos >= 0) & (pos < m), own, 0.0))
        b_norm.append(np.sum(np.abs(w) ** 2, axis=-1))
    out = _FreqFilter(bank_re=np.ascontiguousarray(bank.real, dtype=np.float32),
                      bank_im=np.ascontiguousarray(bank.imag, dtype=np.float32), gain=gain,
                      b_diag=tuple(b_diag), b_norm=tuple(b_norm))
    for x in (out.bank_re, out.bank_im):
        x.setflags(write=False)
    return out


@functools.lru_cache(maxsize=256)
def _wiener_time_filter(carrier: Carrier, config, snr_db: int, max_doppler: float,
                        ff: _FreqFilter) -> tuple[np.ndarray, tuple]:
    """Time filter (n_sym, T) and the degrees of freedom of the residuals of the 2-D filter."""
    ep = _estimation_plan(carrier, config)
    t_symb = 1e-3 / (carrier.symbols_per_slot * carrier.slots_per_subframe)
    u = ep.dmrs_symbols.astype(np.float64)                                 # (T, L)
    lsym = ep.l0 + np.arange(ep.n_sym, dtype=np.float64)

    def r(dl):
        return scipy.special.j0(2 * np.pi * max_doppler * dl * t_symb)

    obs = r(u[:, None, :, None] - u[None, :, None, :]).mean(axis=(2, 3))
    tgt = r(lsym[:, None, None] - u[None, :, :]).mean(axis=2)
    a = _kriging(obs, tgt, 10.0 ** (-snr_db / 10.0)).astype(np.float32)
    a.setflags(write=False)
    return a, _filter_dof(ep, a, ff.b_diag, ff.b_norm)


def _snr_bin(snr: float, bounds: tuple[int, int]) -> int:
    db = 10.0 * math.log10(snr) if snr > 0 else -math.inf
    return int(min(max(round(db) if math.isfinite(db) else bounds[0], bounds[0]), bounds[1]))


def wiener_channel_estimate(grid: np.ndarray, carrier: Carrier,
                            config: PdschConfig | PuschConfig, *, n_slot: int | None = None,
                            delay_spread: float = 300e-9, max_doppler: float = 100.0,
                            pdp: str = "exponential", window_prbs: int = 5,
                            noise_floor: float = 1e-10,
                            cov_bundle_size: int | None = None) -> ChannelEstimate:
    """Two-dimensional Wiener (linear MMSE) DM-RS channel estimate: despread LS pilots,
    frequency-domain Wiener filtering, time-domain Wiener interpolation across the DM-RS symbols
    (TS 38.211 §7.4.1.1.2 / §6.4.1.1.3 DM-RS; the estimator is not normative).

    Each allocated PRB's 12 subcarriers are filtered from the despread pilots of the
    ``window_prbs`` PRBs around it (the window slides inward at the allocation edges) with the
    correlation r_f of the assumed power-delay profile; the DM-RS symbol groups are combined
    with r_t(Δt) = J0(2π f_D Δt). The filters are Wiener filters for the SNR of the pilots,
    rounded to 1 dB, constrained to unit DC gain, and are cached per layout, SNR and
    assumptions. The noise is estimated from the residuals z_i − ẑ_i of the despread pilots
    after a Wiener smoother of each window at 40 dB (which follows the assumed channel but not
    the noise), divided by their expected share 1 − 2 Re w_ii + ‖w_i‖² of σ_p².

    The ports of one CDM group are despread as for LS, so the leakage between them on a
    frequency-selective channel (the pair of REs is 1 or 2 subcarriers wide) stays in the
    estimate.

    Parameters
    ----------
    grid, carrier, config, n_slot, noise_floor, cov_bundle_size
        As for :func:`ls_channel_estimate`.
    delay_spread : float
        Assumed RMS delay spread τ_rms in seconds, 0 .. 1e-4 (default 300 ns).
    max_doppler : float
        Assumed maximum Doppler shift f_D in Hz, 0 .. 1e5 (default 100 Hz).
    pdp : {"exponential", "uniform"}
        Assumed power-delay profile, starting at delay 0.
    window_prbs : int
        PRBs of pilots filtered for each PRB, 1..275 (default 5).

    Returns
    -------
    ChannelEstimate
        h (n_rx, ν, N_symb^slot, K) complex64 over the allocated PRBs and symbols, σ² (from
        the smoother residuals) and the covariance R_nn of every PRB.

    Raises
    ------
    ValueError
        ``grid`` of the wrong shape, not numeric or not finite.
    ConfigError
        Assumptions out of range, unknown ``pdp``; see :func:`ls_channel_estimate`.
    """
    delay_spread = _real("delay_spread", delay_spread, 0.0, 1e-4, "s")
    max_doppler = _real("max_doppler", max_doppler, 0.0, 1e5, "Hz")
    check_choice("pdp", pdp, PDP_MODELS, "assumption of the estimator, not normative")
    window_prbs = check_int("window_prbs", window_prbs, 1, 275)
    y, carrier0, ep, val, vinv, cp = _check_estimate_inputs(grid, carrier, config, n_slot,
                                                            cov_bundle_size)
    hp = _despread(y, ep, vinv)
    hpf = hp.view(np.float32)
    win = _windows(carrier0, config, delay_spread, pdp, window_prbs)
    sm = _noise_smoother(carrier0, config, delay_spread, pdp, window_prbs)
    # the noise from about _NOISE_SAMPLES pilot residuals (every step-th PRB)
    n_prb = win.start.shape[1]
    step = max(1, hp.size // _NOISE_SAMPLES)
    res = _k.pilot_residual_power(hpf, win.start, win.fidx, win.own, sm.bank_re, sm.bank_im,
                                  step)
    s2p = res / (float(sm.dof[:, 0:n_prb:step].sum()) * hp.shape[0] * hp.shape[2])
    noise = s2p * config.dmrs.beta ** 2 * ep.n_avg
    power = float(np.dot(hpf.reshape(-1), hpf.reshape(-1))) / hp.size - s2p
    snr_f = _snr_bin(power / s2p if s2p > 0 else math.inf, _SNR_DB_RANGE)
    ff = _wiener_freq_filter(carrier0, config, snr_f, win)
    snr_t = _snr_bin(10.0 ** (snr_f / 10.0) / ff.gain, _SNR_T_DB_RANGE)
    a, dof = _wiener_time_filter(carrier0, config, snr_t, max_doppler, ff)
    h = _new_estimate(y, config, carrier)
    hf = np.empty((ep.time_groups, 2 * ep.k_alloc.size), np.float32)
    _k.interpolate_blocks(hpf, win.start, win.fidx, ff.bank_re, ff.bank_im, a, ep.l0, ep.runs, hf,
                          h.view(np.float32))
    noise_floor = float(noise_floor)
    cov = _noise_covariance(y, h, ep, val, carrier, cp, dof, noise_floor)
    return ChannelEstimate(h=h, noise_var=max(noise, noise_floor), noise_cov=cov)


# --- perfect CSI ----------------------------------------------------------------------------------

def perfect_channel_estimate(grid: np.ndarray, h_true: np.ndarray, carrier: Carrier,
                             config: PdschConfig | PuschConfig, *, n_slot: int | None = None,
                             noise_floor: float = 1e-10,
                             cov_bundle_size: int | None = None) -> ChannelEstimate:
    """The true channel of every RE, with the noise variance and covariance measured on the
    DM-RS (TS 38.211 §7.4.1.1.2 / §6.4.1.1.3 DM-RS; not normative).

    σ² is the mean of |y − Σ_j h_j a_j|² over the DM-RS REs of the configured ports, a_j the
    DM-RS values of port j; R_nn the mean of e eᴴ of these residuals per bundle.

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K)
        Received resource grid of one slot.
    h_true : array_like of complex, shape (n_rx, ν, N_symb^slot, K)
        Channel from layer j (antenna port j) to receive antenna r at every RE, for example
        :meth:`opennr.channel.TdlChannel.ofdm_response` with n_tx = ν.
    carrier, config, n_slot, noise_floor, cov_bundle_size
        As for :func:`ls_channel_estimate`.

    Returns
    -------
    ChannelEstimate

    Raises
    ------
    ValueError
        Arrays of the wrong shape, not numeric or not finite.
    """
    y, _, ep, val, _, cp = _check_estimate_inputs(grid, carrier, config, n_slot,
                                                  cov_bundle_size)
    h = np.asarray(h_true)
    shape = (y.shape[0], config.n_layers, carrier.symbols_per_slot, carrier.n_subcarriers)
    if h.shape != shape:
        raise ValueError(f"h_true: expected shape {shape} (n_rx, layers, symbols, subcarriers), "
                         f"got {h.shape}")
    if not np.issubdtype(h.dtype, np.number) or not np.all(np.isfinite(h)):
        raise ValueError("h_true: must be finite numbers (no NaN or inf)")
    h = np.ascontiguousarray(h, dtype=np.complex64)
    n_tl = float(ep.time_groups * ep.length)
    dof = tuple(np.full(q.shape, n_tl) for q in ep.group_q)
    cov = _noise_covariance(y, h, ep, val, carrier, cp, dof, 0.0)
    # σ²: the mean over all DM-RS REs, whatever the bundles
    n_re = sum(q.size for q in ep.group_q) * n_tl
    per_prb = np.einsum("prr->p", cov[ep.crbs - carrier.n_start_grid]).real
    weight = np.zeros(cp.n_bundles)
    for q in ep.group_q:
        weight += np.bincount(cp.prb_bundle[q // 12].reshape(-1), minlength=cp.n_bundles) * n_tl
    bundle_trace = np.zeros(cp.n_bundles)
    bundle_trace[cp.prb_bundle] = per_prb
    noise = float(np.dot(bundle_trace, weight)) / (n_re * y.shape[0])
    noise_floor = float(noise_floor)
    cov[ep.crbs - carrier.n_start_grid] += noise_floor * np.eye(y.shape[0], dtype=np.complex64)
    return ChannelEstimate(h=h, noise_var=max(noise, noise_floor), noise_cov=cov)


def estimate_channel(grid: np.ndarray, carrier: Carrier, config: PdschConfig | PuschConfig, *,
                     estimator: str = "ls", h_true: np.ndarray | None = None,
                     n_slot: int | None = None, delay_spread: float = 300e-9,
                     max_doppler: float = 100.0, pdp: str = "exponential",
                     window_prbs: int = 5,
                     cov_bundle_size: int | None = None) -> ChannelEstimate:
    """Channel estimate of a PDSCH or PUSCH slot by name (TS 38.211 §7.4.1.1 / §6.4.1.1
    DM-RS; the estimators are not normative).

    ``"ls"``: :func:`ls_channel_estimate`; ``"wiener"``: :func:`wiener_channel_estimate` with
    the assumptions ``delay_spread``, ``max_doppler``, ``pdp`` and ``window_prbs``;
    ``"perfect"``: :func:`perfect_channel_estimate` (needs ``h_true``). ``cov_bundle_size``
    applies to all.

    Raises
    ------
    ConfigError
        Unknown ``estimator``; see the estimators.
    ValueError
        ``"perfect"`` without ``h_true``.
    """
    check_choice("estimator", estimator, ESTIMATORS, _CLAUSE)
    if estimator == "perfect":
        if h_true is None:
            raise ValueError("h_true: the perfect estimator needs the true channel "
                             "(n_rx, layers, symbols, subcarriers)")
        return perfect_channel_estimate(grid, h_true, carrier, config, n_slot=n_slot,
                                        cov_bundle_size=cov_bundle_size)
    if estimator == "wiener":
        return wiener_channel_estimate(grid, carrier, config, n_slot=n_slot,
                                       delay_spread=delay_spread, max_doppler=max_doppler,
                                       pdp=pdp, window_prbs=window_prbs,
                                       cov_bundle_size=cov_bundle_size)
    return ls_channel_estimate(grid, carrier, config, n_slot=n_slot,
                               cov_bundle_size=cov_bundle_size)

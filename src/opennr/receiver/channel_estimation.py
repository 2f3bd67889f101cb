"""PDSCH and PUSCH channel estimation from the DM-RS of TS 38.211 §7.4.1.1 / §6.4.1.1
(reference receiver, not normative).

The DM-RS of port p occupies the REs k = 4n + 2k' + Δ (type 1) or k = 6n + k' + Δ (type 2) of
the symbols l = l̄ + l', with the values a_{k,l} = β w_f(k') w_t(l') r(2n + k') of
§7.4.1.1.2. The least-squares (LS) estimator here

1. divides each received DM-RS RE by its known value (per receive antenna and port),
2. despreads the code-division multiplexing (CDM): averages over the k' pair (and the l' pair
   of a double-symbol DM-RS); the ports of one CDM group differ in w_f / w_t, so the average
   cancels the other ports of the group when the channel is flat over the pair,
3. interpolates linearly in frequency over the allocated subcarriers (linear extrapolation at
   the band edges) and linearly in time between the DM-RS symbols (holding the nearest DM-RS
   estimate before the first and after the last),
4. estimates the noise variance from the second differences of adjacent despread estimates
   (which cancel a channel that varies linearly over three pilots).

The perfect-CSI mode takes the true channel of every RE (for example
:meth:`opennr.channel.TdlChannel.ofdm_response`) and estimates the noise from the residual of
the received DM-RS after removing the known DM-RS through the true channel.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.numerology import Carrier
from opennr.physical.pdsch import PdschConfig, pdsch_dmrs, pdsch_plan
from opennr.physical.pusch import PuschConfig, pusch_dmrs, pusch_plan

__all__ = [
    "ChannelEstimate",
    "estimate_channel",
    "ls_channel_estimate",
    "perfect_channel_estimate",
]

_CLAUSE = "TS 38.211 §7.4.1.1"
ESTIMATORS = ("ls", "perfect")


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
    """

    h: np.ndarray
    noise_var: float


@dataclass(frozen=True, slots=True)
class _EstimationPlan:
    """Despreading and interpolation maps of one PDSCH layout (independent of the slot)."""

    n_pairs: int              # despread estimates per DM-RS symbol group and port
    n_avg: int                # REs averaged per despread estimate (2 or 4)
    time_groups: int          # DM-RS symbol groups (l' pairs merged)
    k_alloc: np.ndarray       # allocated subcarriers, increasing
    f_left: np.ndarray        # left pilot of each allocated subcarrier (per CDM group)
    f_weight: np.ndarray      # weight of the right pilot
    symbols: np.ndarray       # allocated OFDM symbols
    t_left: np.ndarray
    t_weight: np.ndarray
    second_diff: np.ndarray   # pilot triples (i-1, i, i+1) equally spaced, per CDM group


def _dmrs(carrier: Carrier, config: PdschConfig | PuschConfig, n_slot: int):
    """DM-RS indices and values of every layer of a PDSCH (§7.4.1.1) or PUSCH (§6.4.1.1)."""
    if isinstance(config, PuschConfig):
        return pusch_dmrs(carrier, config, n_slot)
    if isinstance(config, PdschConfig):
        return pdsch_dmrs(carrier, config, n_slot)
    raise TypeError(f"config: expected a PdschConfig or PuschConfig, got {type(config).__name__}")


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


@functools.lru_cache(maxsize=64)
def _estimation_plan(carrier: Carrier, config: PdschConfig | PuschConfig) -> _EstimationPlan:
    plan = _plan(carrier, config)
    d = config.dmrs
    k_sc = plan.n_subcarriers
    # DM-RS subcarriers of each port (frequency order, k' pairs adjacent); slot 0 suffices.
    idx, _ = _dmrs(carrier, config, 0)
    n_l = plan.dmrs_symbols.size
    k_dmrs = (idx[:, :idx.shape[1] // n_l] % k_sc).astype(np.float64)    # (ν, n_k)
    pilot_k = k_dmrs.reshape(config.n_layers, -1, 2).mean(axis=-1)        # (ν, n_pairs)
    k_alloc = ((plan.crbs - carrier.n_start_grid)[:, None] * 12
               + np.arange(12)[None, :]).reshape(-1)
    f_left, f_weight = zip(*(_linear_weights(pk, k_alloc.astype(np.float64), hold=False)
                             for pk in pilot_k), strict=True)
    t_pilot = plan.dmrs_symbols.reshape(-1, d.length).mean(axis=-1).astype(np.float64)
    s, n = config.symbol_allocation
    symbols = np.arange(s, s + n, dtype=np.int64)
    t_left, t_weight = _linear_weights(t_pilot, symbols.astype(np.float64), hold=True)
    # equally spaced consecutive pilot triples (no PRB gap inside) for the noise estimate
    sd = []
    for pk in pilot_k:
        step = np.diff(pk)
        ok = np.flatnonzero(np.isclose(step[:-1], step[1:]) & np.isclose(step[:-1], step.min()))
        sd.append(ok + 1)
    n_sd = min(len(x) for x in sd)
    return _EstimationPlan(n_pairs=pilot_k.shape[1], n_avg=2 * d.length,
                           time_groups=t_pilot.size, k_alloc=k_alloc,
                           f_left=np.stack(f_left), f_weight=np.stack(f_weight),
                           symbols=symbols, t_left=t_left, t_weight=t_weight,
                           second_diff=np.stack([x[:n_sd] for x in sd]))


def _check_grid(grid: object, carrier: Carrier) -> np.ndarray:
    y = np.asarray(grid)
    shape = (carrier.symbols_per_slot, carrier.n_subcarriers)
    if y.ndim != 3 or y.shape[1:] != shape:
        raise ValueError(f"grid: expected shape (n_rx, {shape[0]}, {shape[1]}) (receive antennas, "
                         f"symbols, subcarriers of the carrier), got {y.shape}")
    if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_):
        raise ValueError(f"grid: expected complex samples, got dtype {y.dtype}")
    if not np.all(np.isfinite(y)):
        raise ValueError("grid: must be finite (no NaN or inf)")
    return y.astype(np.complex64, copy=False)


def _slot(carrier: Carrier, n_slot: int | None) -> int:
    n = carrier.n_slot if n_slot is None else n_slot
    return check_int("n_slot", n, 0, carrier.slots_per_frame - 1, "TS 38.211 §4.3.2")


def ls_channel_estimate(grid: np.ndarray, carrier: Carrier, config: PdschConfig | PuschConfig, *,
                        n_slot: int | None = None,
                        noise_floor: float = 1e-10) -> ChannelEstimate:
    """Least-squares DM-RS channel estimate with CDM despreading and linear interpolation
    (TS 38.211 §7.4.1.1.2 DM-RS; the estimator is not normative).

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
        Lower bound of the returned noise variance (a noiseless grid gives σ² = 0).

    Returns
    -------
    ChannelEstimate
        h (n_rx, ν, N_symb^slot, K) complex64 over the allocated PRBs and symbols, and σ².

    Raises
    ------
    ValueError
        ``grid`` of the wrong shape, not numeric or not finite.
    ConfigError
        See :func:`opennr.physical.pdsch.pdsch_plan` / :func:`opennr.physical.pusch.pusch_plan`;
        ``n_slot`` outside the frame.
    """
    y = _check_grid(grid, carrier)
    n_slot = _slot(carrier, n_slot)
    ep = _estimation_plan(dataclasses.replace(carrier, n_slot=0, n_frame=0), config)
    idx, val = _dmrs(carrier, config, n_slot)
    n_rx = y.shape[0]
    nu = config.n_layers
    # 1. LS: z = y conj(a) / |a|^2 at each DM-RS RE of each port
    yd = y.reshape(n_rx, -1)[:, idx]                                     # (n_rx, ν, N_DMRS)
    z = yd * (np.conj(val) / (np.abs(val) ** 2))[None]
    # 2. CDM despreading over k' (and l') pairs
    z = z.reshape(n_rx, nu, ep.time_groups, config.dmrs.length, ep.n_pairs, 2)
    hp = z.mean(axis=(3, 5)).astype(np.complex64)                        # (n_rx, ν, T, P)
    # 4. noise from second differences along frequency: var(d2) = 6 σ² / (β² n_avg)
    beta = config.dmrs.beta
    sd = ep.second_diff
    if sd.shape[1]:
        j = np.arange(nu)[:, None]
        d2 = hp[:, j, :, sd - 1] - 2 * hp[:, j, :, sd] + hp[:, j, :, sd + 1]
        noise = float(np.mean(np.abs(d2) ** 2)) * beta ** 2 * ep.n_avg / 6.0
    else:
        noise = 0.0
    # 3. frequency then time interpolation
    wf = ep.f_weight[None, :, None, :]
    left = np.take_along_axis(hp, ep.f_left[None, :, None, :], axis=-1)
    right = np.take_along_axis(hp, ep.f_left[None, :, None, :] + 1, axis=-1)
    hf = left + wf * (right - left)                                      # (n_rx, ν, T, K_alloc)
    wt = ep.t_weight[None, None, :, None]
    if ep.time_groups == 1:
        ht = np.broadcast_to(hf, (n_rx, nu, ep.symbols.size, ep.k_alloc.size))
    else:
        a = hf[:, :, ep.t_left]
        b = hf[:, :, ep.t_left + 1]
        ht = a + wt * (b - a)
    h = np.zeros((n_rx, nu, carrier.symbols_per_slot, carrier.n_subcarriers), np.complex64)
    h[:, :, ep.symbols[0]:ep.symbols[-1] + 1, ep.k_alloc] = ht
    return ChannelEstimate(h=h, noise_var=max(noise, float(noise_floor)))


def perfect_channel_estimate(grid: np.ndarray, h_true: np.ndarray, carrier: Carrier,
                             config: PdschConfig | PuschConfig, *, n_slot: int | None = None,
                             noise_floor: float = 1e-10) -> ChannelEstimate:
    """The true channel of every RE, with the noise variance measured on the DM-RS
    (TS 38.211 §7.4.1.1.2 DM-RS; not normative).

    σ² is the mean of |y − Σ_j h_j a_j|² over the DM-RS REs of the configured ports, a_j the
    DM-RS values of port j.

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K)
        Received resource grid of one slot.
    h_true : array_like of complex, shape (n_rx, ν, N_symb^slot, K)
        Channel from layer j (antenna port j) to receive antenna r at every RE, for example
        :meth:`opennr.channel.TdlChannel.ofdm_response` with n_tx = ν.
    carrier, config, n_slot, noise_floor
        As for :func:`ls_channel_estimate`.

    Returns
    -------
    ChannelEstimate

    Raises
    ------
    ValueError
        Arrays of the wrong shape, not numeric or not finite.
    """
    y = _check_grid(grid, carrier)
    n_slot = _slot(carrier, n_slot)
    h = np.asarray(h_true)
    shape = (y.shape[0], config.n_layers, carrier.symbols_per_slot, carrier.n_subcarriers)
    if h.shape != shape:
        raise ValueError(f"h_true: expected shape {shape} (n_rx, layers, symbols, subcarriers), "
                         f"got {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("h_true: must be finite (no NaN or inf)")
    h = h.astype(np.complex64, copy=False)
    idx, val = _dmrs(carrier, config, n_slot)
    n_rx = y.shape[0]
    hf = h.reshape(n_rx, config.n_layers, -1)
    yf = y.reshape(n_rx, -1)
    # Ports of one CDM group share REs: rebuild the DM-RS of every port on the union of REs.
    re = np.unique(idx)
    model = np.zeros((n_rx, re.size), np.complex64)
    for j in range(config.n_layers):
        pos = np.searchsorted(re, idx[j])
        model[:, pos] += hf[:, j, idx[j]] * val[j][None, :]
    noise = float(np.mean(np.abs(yf[:, re] - model) ** 2))
    return ChannelEstimate(h=np.ascontiguousarray(h), noise_var=max(noise, float(noise_floor)))


def estimate_channel(grid: np.ndarray, carrier: Carrier, config: PdschConfig | PuschConfig, *,
                     estimator: str = "ls", h_true: np.ndarray | None = None,
                     n_slot: int | None = None) -> ChannelEstimate:
    """Channel estimate of a PDSCH or PUSCH slot by name: ``"ls"`` (:func:`ls_channel_estimate`) or
    ``"perfect"`` (:func:`perfect_channel_estimate`, needs ``h_true``) (TS 38.211 §7.4.1.1).

    Raises
    ------
    ConfigError
        Unknown ``estimator``.
    ValueError
        ``"perfect"`` without ``h_true``.
    """
    check_choice("estimator", estimator, ESTIMATORS, _CLAUSE)
    if estimator == "perfect":
        if h_true is None:
            raise ValueError("h_true: the perfect estimator needs the true channel "
                             "(n_rx, layers, symbols, subcarriers)")
        return perfect_channel_estimate(grid, h_true, carrier, config, n_slot=n_slot)
    return ls_channel_estimate(grid, carrier, config, n_slot=n_slot)

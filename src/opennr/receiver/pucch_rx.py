"""PUCCH reference receivers (not normative): the inverse of TS 38.211 §6.3.2 with the DM-RS of
§6.4.1.3, and UCI decoding of TS 38.212 §6.3.1.

* Format 0: correlation of each receive antenna and symbol with the sequences of the candidate
  cyclic shifts m_cs (TS 38.213 Tables 9.2.3-3/-4, 9.2.5-1/-2); the decision statistic of a
  candidate is the share of the received energy in the direction of its sequence,
  ρ = Σ_{r,l} |Σ_n y_{r,l}(n) x_l*(n)|² / (12 Σ|y|²). On noise alone ρ is Beta(R L, 11 R L)
  distributed (the twelve cyclic shifts are an orthogonal basis of the PRB), which sets the
  DTX threshold for a target false-alarm probability.
* Format 1: the same statistic over the DM-RS and data symbols of each hop, despread
  coherently with w_i(m) (so that users on other time-domain covers do not count): 2 H
  directions per antenna out of 12 N_symb^PUCCH dimensions. The symbol d(0) is estimated by
  maximum-ratio combining against the DM-RS channel estimate of each hop: the mean over the
  DM-RS symbols of the hop (base sequence and cover removed), Wiener-smoothed across the 12
  subcarriers of the PRB for a uniform power-delay profile over the cyclic prefix, with the
  noise variance measured outside the despread directions.
* Formats 2, 3, 4: least-squares estimates on the DM-RS (averaged over the two symbols of a
  format 2 PUCCH without hopping), Wiener-filtered in frequency for a uniform power-delay
  profile over [0, T] (T a quarter of the cyclic prefix unless given), with the noise variance measured in the
  noise subspace of the pilot correlation; linear interpolation in time within each hop
  (formats 3 and 4); MMSE combining of the
  receive antennas; for formats 3 and 4 the IDFT of §6.3.2.6.4 with the bias of the MMSE
  filter removed per symbol and the despreading of format 4 by w_n (Tables 6.3.2.6.3-1/-2);
  max-log soft demapping, descrambling and UCI decoding.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta as beta_distribution

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.modulation import demodulate
from opennr.numerology import Carrier
from opennr.physical.pucch import (
    PUCCH0_CYCLIC_SHIFTS,
    PucchConfig,
    pucch_bit_capacity,
    pucch_dmrs,
    pucch_plan,
    pucch_sequence_table,
)
from opennr.physical.pucch_sequences import PUCCH1_SPREADING_FACTORS, pucch1_occ, pucch4_occ
from opennr.physical.scrambling import descramble_llrs, scrambling_c_init
from opennr.physical.transform_precoding import transform_deprecode
from opennr.receiver._common import rx_slot_grid
from opennr.transport.uci import A_UCI_MAX, uci_decode, uci_min_e

__all__ = [
    "PUCCH1_ACK_MARGIN",
    "PucchDemodResult",
    "PucchDetection",
    "PucchReceiveResult",
    "pucch0_detect",
    "pucch1_detect",
    "pucch_demodulate",
    "pucch_dtx_threshold",
    "pucch_receive",
]

_NOISE_FLOOR = 1e-10
#: Reliability margin of the format 1 ACK decision, in noise standard deviations of the soft value
#: (see :func:`pucch1_detect`). With the channel smoothed across the PRB, the 4-antenna rows of
#: TS 38.104 Tables 8.3.3.1.2-1 and 8.3.3.2.2-1 measured, at margin 0, NACK-to-ACK 0.05 % (limit
#: 0.1 %) at -8.4 dB and ACK missed 0.30 % (limit 1 %) at -8.6 dB; at 0.5, 0/4000 NACK-to-ACK and
#: ACK missed 0.38 % (0.57 % for 2 antennas at -5 dB): headroom on both sides.
PUCCH1_ACK_MARGIN = 0.5
#: Delay window of the Wiener filter as a fraction of the cyclic prefix, when not given.
_DELAY_FRACTION = 0.25
#: Delay window of the format 1 channel smoothing across the PRB, as a fraction of the cyclic prefix.
_PUCCH1_DELAY_FRACTION = 1.0


@dataclass(frozen=True, slots=True)
class PucchDetection:
    """Decision of a format 0 or format 1 receiver.

    Attributes
    ----------
    dtx : bool
        Nothing detected (the statistic stayed below the threshold).
    ack : numpy.ndarray of uint8
        Detected HARQ-ACK bits (format 0) or bits b(i) (format 1); empty on DTX.
    sr : bool
        Positive SR detected (format 0).
    metric : float
        Decision statistic ρ of the best candidate, in [0, 1].
    threshold : float
        DTX threshold it was compared with.
    """

    dtx: bool
    ack: np.ndarray
    sr: bool
    metric: float
    threshold: float


@dataclass(frozen=True, slots=True)
class PucchDemodResult:
    """Soft output of :func:`pucch_demodulate` (formats 2..4).

    Attributes
    ----------
    llrs : numpy.ndarray of float32, shape (E,)
        Descrambled LLRs of the UCI codeword (ln P(b=0)/P(b=1)).
    symbols : numpy.ndarray of complex64
        Detected modulation symbols d(i) (after transform deprecoding and despreading).
    noise_var_eff : numpy.ndarray of float32
        Effective noise variance of each detected symbol.
    noise_var : float
        Noise variance per RE used (estimated from the DM-RS unless given).
    """

    llrs: np.ndarray
    symbols: np.ndarray
    noise_var_eff: np.ndarray
    noise_var: float


@dataclass(frozen=True, slots=True)
class PucchReceiveResult:
    """Output of :func:`pucch_receive`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (A,)
        Decoded UCI payload.
    crc_ok : bool
        CRC of every code block passed (always True for A <= 11, which has no CRC).
    metric : float
        Correlation of the LLRs with the re-encoded decision (see
        :class:`opennr.transport.uci.UciDecodeResult`).
    demod : PucchDemodResult
    """

    bits: np.ndarray
    crc_ok: bool
    metric: float
    demod: PucchDemodResult


def _rx(rx_grid: object, carrier: Carrier) -> np.ndarray:
    y = rx_slot_grid("rx_grid", rx_grid, carrier)
    return y.reshape(y.shape[0], -1)


def _check_format(config: PucchConfig, formats: tuple[int, ...], what: str) -> None:
    if config.format not in formats:
        raise ConfigError("format", config.format, f"{what} handles PUCCH formats "
                          f"{', '.join(map(str, formats))}", "TS 38.211 §6.3.2")


@functools.lru_cache(maxsize=64)
def pucch_dtx_threshold(n_directions: int, n_dimensions: int, n_candidates: int,
                        false_alarm: float) -> float:
    """Threshold on the energy share ρ for a false-alarm probability on noise alone.

    With white Gaussian noise, the energy in ``n_directions`` orthonormal directions out of
    ``n_dimensions`` complex dimensions, divided by the total, is Beta(D, N − D) distributed;
    the threshold is its upper quantile at ``false_alarm / n_candidates`` (union bound over
    the candidates).

    Parameters
    ----------
    n_directions, n_dimensions : int
        D and N.
    n_candidates : int
        Number of hypotheses compared with the threshold.
    false_alarm : float
        Target probability, in (0, 1).

    Returns
    -------
    float
    """
    if not 0.0 < false_alarm < 1.0:
        raise ValueError(f"false_alarm={false_alarm!r}: must be in (0, 1)")
    return float(beta_distribution.isf(false_alarm / n_candidates, n_directions,
                                       n_dimensions - n_directions))


def pucch0_detect(rx_grid: np.ndarray, carrier: Carrier, config: PucchConfig, *, n_ack: int,
                  sr: bool = False, false_alarm: float = 0.01, threshold: float | None = None,
                  n_slot: int | None = None) -> PucchDetection:
    """Detect the HARQ-ACK bits and SR of a PUCCH format 0 (TS 38.211 §6.3.2.3; TS 38.213
    §9.2.3-§9.2.5) or declare DTX.

    Parameters
    ----------
    rx_grid : array_like of complex, shape (n_rx, N_symb^slot, K) or (N_symb^slot, K)
        Received slot grid.
    carrier : Carrier
    config : PucchConfig
        Format 0.
    n_ack : int
        Number of HARQ-ACK bits expected, 0 .. 2.
    sr : bool
        The slot is an SR opportunity (a positive SR may be multiplexed).
    false_alarm : float
        Target probability of declaring anything on noise alone (sets the threshold).
    threshold : float, optional
        Threshold on ρ instead of the one from ``false_alarm``.
    n_slot : int, optional
        Slot number; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    PucchDetection

    Raises
    ------
    ConfigError
        Not format 0, n_ack outside 0 .. 2, or nothing to detect (n_ack = 0 without SR).
    """
    _check_format(config, (0,), "pucch0_detect")
    n_ack = check_int("n_ack", n_ack, 0, 2, "TS 38.213 §9.2.3")
    if n_ack == 0 and not sr:
        raise ConfigError("n_ack", 0, "nothing to detect without HARQ-ACK bits or an SR "
                          "opportunity", "TS 38.213 §9.2.4")
    hyps = [(key, m_cs) for key, m_cs in PUCCH0_CYCLIC_SHIFTS.items()
            if len(key[1]) == n_ack and (sr or not key[0])]
    y = _rx(rx_grid, carrier)
    plan = pucch_plan(carrier, config)
    length = len(plan.data_symbols)
    yd = y[:, plan.data_indices].reshape(y.shape[0], length, 12)
    seq = pucch_sequence_table(carrier, config, plan.data_symbols, m0=config.initial_cyclic_shift,
                               m_cs=np.array([m for _, m in hyps]), n_slot=n_slot)
    corr = np.einsum("rln,hln->hrl", yd, seq.conj())
    energy = float(np.sum(np.abs(yd) ** 2))
    rho = np.sum(np.abs(corr) ** 2, axis=(1, 2)) / (12.0 * max(energy, _NOISE_FLOOR))
    best = int(np.argmax(rho))
    n_rx = y.shape[0]
    thr = threshold if threshold is not None else pucch_dtx_threshold(
        n_rx * length, 12 * n_rx * length, len(hyps), false_alarm)
    (is_sr, ack), _ = hyps[best]
    if rho[best] < thr:
        return PucchDetection(dtx=True, ack=np.zeros(0, np.uint8), sr=False,
                              metric=float(rho[best]), threshold=float(thr))
    return PucchDetection(dtx=False, ack=np.array(ack, np.uint8), sr=is_sr,
                          metric=float(rho[best]), threshold=float(thr))


def pucch1_detect(rx_grid: np.ndarray, carrier: Carrier, config: PucchConfig, *, n_bits: int,
                  false_alarm: float = 0.01, threshold: float | None = None,
                  ack_margin: float = PUCCH1_ACK_MARGIN,
                  n_slot: int | None = None) -> PucchDetection:
    """Detect the 1 or 2 bits of a PUCCH format 1 (TS 38.211 §6.3.2.4, §6.4.1.3.1) or declare
    DTX.

    Parameters
    ----------
    rx_grid : array_like of complex, shape (n_rx, N_symb^slot, K) or (N_symb^slot, K)
    carrier : Carrier
    config : PucchConfig
        Format 1.
    n_bits : int
        1 (BPSK) or 2 (QPSK).
    false_alarm, threshold, n_slot
        As for :func:`pucch0_detect`. The energy share ρ of the 2 H despread directions per
        antenna (DM-RS and data of each hop) among the 12 N_symb^PUCCH dimensions per antenna
        is exactly Beta(2 H R, 12 N R − 2 H R) on white noise, so the threshold from
        ``false_alarm`` holds without calibration.
    ack_margin : float
        Reliability margin γ of the ACK decision (TS 38.104 §8.3.3 asks NACK-to-ACK <= 0.1 %,
        ten times below ACK missed detection): each bit's soft value, the maximum-ratio
        combined d(0) projected on its BPSK/QPSK axis and divided by its noise standard
        deviation (noise variance measured outside the despread directions), must exceed γ
        towards ACK (b = 1); an uncertain bit is reported as NACK (b = 0), which the base
        station treats like DTX (retransmission), the safe side of the asymmetric costs.

    Returns
    -------
    PucchDetection
        ``ack`` holds b(0) (and b(1)); ``sr`` is False.

    Raises
    ------
    ConfigError
        Not format 1 or n_bits not 1 or 2.
    """
    _check_format(config, (1,), "pucch1_detect")
    n_bits = check_int("n_bits", n_bits, 1, 2, "TS 38.211 §6.3.2.4.1")
    y = _rx(rx_grid, carrier)
    n_rx = y.shape[0]
    plan = pucch_plan(carrier, config)
    if not (np.isfinite(ack_margin) and ack_margin >= 0):
        raise ConfigError("ack_margin", ack_margin, "must be a finite number >= 0", "TS 38.104 §8.3.3")
    n_data, n_dmrs = len(plan.data_symbols), len(plan.dmrs_symbols)
    yd = y[:, plan.data_indices].reshape(n_rx, n_data, 12)
    yr = y[:, plan.dmrs_indices].reshape(n_rx, n_dmrs, 12)
    xr = pucch_dmrs(carrier, config, n_slot=n_slot).reshape(n_dmrs, 12)
    seq = pucch_sequence_table(carrier, config, plan.data_symbols, m0=config.initial_cyclic_shift,
                               n_slot=n_slot)
    n_sf = PUCCH1_SPREADING_FACTORS[config.symbol_allocation[1]]
    n_sf = n_sf[1:] if config.hopping else n_sf[:1]
    w = np.concatenate([pucch1_occ(sf, config.occ_index) for sf in n_sf])
    xd = w[:, None] * seq                       # data reference without d(0)
    hop_d = np.array([plan.hop[l] for l in plan.data_symbols])
    hop_r = np.array([plan.hop[l] for l in plan.dmrs_symbols])
    n_hops = len(n_sf)
    zr = [yr[:, hop_r == h] * xr[hop_r == h].conj() for h in range(n_hops)]    # (n_rx, M_r, 12)
    zd = [yd[:, hop_d == h] * xd[hop_d == h].conj() for h in range(n_hops)]    # (n_rx, M_d, 12)
    num = sum(np.sum(np.abs(z.sum(axis=(1, 2))) ** 2) / z[0].size for z in zr + zd)
    energy = float(np.sum(np.abs(yd) ** 2) + np.sum(np.abs(yr) ** 2))
    rho = float(num) / max(energy, _NOISE_FLOOR)
    n_dir, n_dim = 2 * n_hops * n_rx, 12 * n_rx * (n_data + n_dmrs)
    thr = threshold if threshold is not None else pucch_dtx_threshold(n_dir, n_dim, 1, false_alarm)
    if rho < thr:
        return PucchDetection(dtx=True, ack=np.zeros(0, np.uint8), sr=False, metric=rho,
                              threshold=float(thr))
    # noise variance per RE from the dimensions outside the despread directions
    sigma2 = max((energy - float(num)) / (n_dim - n_dir), _NOISE_FLOOR)
    t_norm = _cp_duration(carrier) * _PUCCH1_DELAY_FRACTION * carrier.scs * 1e3     # T Δf
    d_hat = 0.0 + 0.0j
    d_var = 0.0                                 # var(d_hat | channel estimate) / σ²
    for h in range(n_hops):
        # mean over the DM-RS symbols of the hop, Wiener-smoothed across the PRB
        h_est = _wiener_known(zr[h].mean(axis=1), t_norm, sigma2 / zr[h].shape[1])
        d_hat += np.sum(h_est.conj() * zd[h].sum(axis=1))
        d_var += zd[h].shape[1] * float(np.sum(np.abs(h_est) ** 2))
    std = np.sqrt(max(d_var, _NOISE_FLOOR) * sigma2 / 2.0)      # per real component
    if n_bits == 1:
        # BPSK: d = (1 − 2b)(1 + j)/√2, projected on (1 + j)/√2
        soft = np.array([(d_hat * (1 - 1j)).real / np.sqrt(2.0)])
    else:
        soft = np.array([d_hat.real, d_hat.imag])
    bits = (soft / std < -ack_margin).astype(np.uint8)
    return PucchDetection(dtx=False, ack=bits, sr=False, metric=rho, threshold=float(thr))


def _cp_duration(carrier: Carrier) -> float:
    """Cyclic prefix duration (s) of the symbols other than the first of a half subframe."""
    return (144 if carrier.cyclic_prefix == "normal" else 512) / 2048 * 1e-3 / carrier.scs


def _wiener_known(h_ls: np.ndarray, t_norm: float, noise: float) -> np.ndarray:
    """Wiener smoothing of per-subcarrier estimates (last axis, 12 subcarriers of one PRB) with a
    known noise variance of the estimates, for a uniform power-delay profile over [0, T]."""
    k = np.arange(h_ls.shape[-1])
    lam, u, rdu, _ = _wiener_basis(tuple(k.tolist()), tuple(k.tolist()), t_norm)
    flat = h_ls.reshape(-1, h_ls.shape[-1])
    power = max(float(np.mean(np.abs(flat) ** 2)) - noise, _NOISE_FLOOR)
    w = (rdu / (lam + max(noise, _NOISE_FLOOR) / power)) @ u.conj().T
    return (flat @ w.T).reshape(h_ls.shape)


@functools.lru_cache(maxsize=64)
def _wiener_basis(pilots: tuple[int, ...], outputs: tuple[int, ...],
                  t_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Eigen-decomposition R_pp = U Λ U^H of the frequency correlation of the pilots, R_dp U,
    and the noise subspace of R_pp.

    The correlation is that of a uniform power-delay profile over [0, T] (T the cyclic prefix),
    r(Δ) = (1 − e^{−j2πΔT}) / (j2πΔT) for subcarriers Δ (in units of the spacing) apart.
    """
    def corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        x = 2.0 * np.pi * (a[:, None] - b[None, :]) * t_max
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (1.0 - np.exp(-1j * x)) / (1j * x)
        return np.where(x == 0, 1.0 + 0j, r)

    kp, kd = np.asarray(pilots, float), np.asarray(outputs, float)
    lam, u = np.linalg.eigh(corr(kp, kp))
    lam = np.maximum(lam, 0.0)
    noise_space = u[:, lam < 1e-2]
    return lam, u, corr(kd, kp) @ u, noise_space


def _wiener(h_ls: np.ndarray, pilots: np.ndarray, outputs: np.ndarray,
            t_max: float) -> tuple[np.ndarray, float]:
    """Wiener interpolation of LS pilot estimates along the last axis, with the noise variance
    measured in the noise subspace of the pilot correlation (the part of the LS estimates that
    no channel with delays within the cyclic prefix explains)."""
    lam, u, rdu, noise_space = _wiener_basis(tuple(pilots.tolist()), tuple(outputs.tolist()),
                                             t_max)
    flat = h_ls.reshape(-1, h_ls.shape[-1])
    if noise_space.shape[1]:
        noise = float(np.mean(np.abs(flat @ noise_space.conj()) ** 2))
    else:
        noise = 0.0
    power = max(float(np.mean(np.abs(flat) ** 2)) - noise, _NOISE_FLOOR)
    rel = max(noise, _NOISE_FLOOR) / power
    w = (rdu / (lam + rel)) @ u.conj().T                        # R_dp (R_pp + σ²/P I)^-1
    out = flat @ w.T
    return out.reshape(*h_ls.shape[:-1], outputs.size), noise


def _estimate(y: np.ndarray, carrier: Carrier, config: PucchConfig, n_slot: int | None,
              max_delay: float | None) -> tuple[np.ndarray, float]:
    """Channel of every data RE, (n_rx, n_data_re), and the noise variance per RE."""
    plan = pucch_plan(carrier, config)
    n_rx = y.shape[0]
    ref = pucch_dmrs(carrier, config, n_slot=n_slot)
    n_dm = len(plan.dmrs_symbols)
    h_ls = (y[:, plan.dmrs_indices] * ref.conj() / np.abs(ref) ** 2).reshape(n_rx, n_dm, -1)
    m_sc = plan.m_sc
    if max_delay is None:
        max_delay = _cp_duration(carrier) * _DELAY_FRACTION
    t_norm = max_delay * carrier.scs * 1e3                      # T Δf
    k = np.arange(m_sc)
    if config.format == 2:
        if n_dm == 2 and not config.hopping:
            # both symbols on the same PRBs: one estimate from the two, used for both
            h, noise = _wiener(h_ls, k[k % 3 == 1], k[k % 3 != 1], t_norm)
            h_avg, _ = _wiener(h_ls.mean(axis=1, keepdims=True), k[k % 3 == 1], k[k % 3 != 1],
                               t_norm)
            h = np.broadcast_to(h_avg, h.shape)
        else:
            h, noise = _wiener(h_ls, k[k % 3 == 1], k[k % 3 != 1], t_norm)
        return h.reshape(n_rx, -1), noise
    hs, noise = _wiener(h_ls, k, k, t_norm)
    data, dmrs = plan.data_symbols, np.array(plan.dmrs_symbols)
    h = np.empty((n_rx, len(data), m_sc), np.complex128)
    for i, l in enumerate(data):
        same = np.array([plan.hop[d] == plan.hop[l] for d in dmrs])
        pos, est = dmrs[same], hs[:, same]
        if pos.size == 1:
            h[:, i] = est[:, 0]
            continue
        # linear interpolation between the DM-RS symbols of the hop, constant beyond them
        right = int(np.clip(np.searchsorted(pos, l), 1, pos.size - 1))
        t = float(np.clip((l - pos[right - 1]) / (pos[right] - pos[right - 1]), 0.0, 1.0))
        h[:, i] = (1.0 - t) * est[:, right - 1] + t * est[:, right]
    return h.reshape(n_rx, -1), noise


def pucch_demodulate(rx_grid: np.ndarray, carrier: Carrier, config: PucchConfig, *,
                     noise_var: float | None = None, channel: np.ndarray | None = None,
                     max_delay: float | None = None, n_slot: int | None = None) -> PucchDemodResult:
    """Soft bits of a PUCCH format 2, 3 or 4 (inverse of TS 38.211 §6.3.2.5, §6.3.2.6).

    Parameters
    ----------
    rx_grid : array_like of complex, shape (n_rx, N_symb^slot, K) or (N_symb^slot, K)
        Received slot grid.
    carrier : Carrier
    config : PucchConfig
        Format 2, 3 or 4.
    noise_var : float, optional
        Noise variance per RE; ``None`` estimates it from the DM-RS.
    channel : array_like of complex, shape like ``rx_grid``, optional
        Known channel of every RE (perfect CSI) instead of the DM-RS estimate; needs
        ``noise_var``.
    max_delay : float, optional
        Delay spread T (s) assumed by the Wiener filter (uniform power-delay profile over
        [0, T]); ``None`` uses a quarter of the cyclic prefix.
    n_slot : int, optional
        Slot number; ``None`` uses ``carrier.n_slot``.

    Returns
    -------
    PucchDemodResult

    Raises
    ------
    ConfigError
        Format 0 or 1.
    ValueError
        A grid of the wrong shape, or ``channel`` without ``noise_var``.
    """
    _check_format(config, (2, 3, 4), "pucch_demodulate")
    y = _rx(rx_grid, carrier)
    plan = pucch_plan(carrier, config)
    if channel is not None:
        if noise_var is None:
            raise ValueError("channel: perfect channel knowledge needs noise_var")
        hg = _rx(channel, carrier)
        if hg.shape != y.shape:
            raise ValueError(f"channel: expected the shape of rx_grid, got {np.shape(channel)}")
        h, n0 = hg[:, plan.data_indices].astype(np.complex128), 0.0
    else:
        if max_delay is not None and not (np.isfinite(max_delay) and max_delay > 0):
            raise ValueError(f"max_delay={max_delay!r}: must be a positive number of seconds")
        h, n0 = _estimate(y, carrier, config, n_slot, max_delay)
    if noise_var is not None:
        if not np.isfinite(noise_var) or noise_var < 0:
            raise ValueError(f"noise_var={noise_var!r}: must be a finite number >= 0")
        n0 = float(noise_var)
    n0 = max(n0, _NOISE_FLOOR)
    yd = y[:, plan.data_indices].astype(np.complex128)
    gain = np.sum(np.abs(h) ** 2, axis=0)
    z = np.sum(h.conj() * yd, axis=0) / (gain + n0)           # MMSE combining
    if config.format == 2:
        g = np.maximum(gain / (gain + n0), _NOISE_FLOOR)
        d = z / g                                              # unbiased
        nv = 1.0 / g - 1.0
    else:
        m_sc = plan.m_sc
        g = np.maximum((gain / (gain + n0)).reshape(-1, m_sc).mean(axis=1), _NOISE_FLOOR)
        x = transform_deprecode(z.astype(np.complex64), m_sc).reshape(-1, m_sc) / g[:, None]
        nv = np.repeat(1.0 / g - 1.0, m_sc).reshape(-1, m_sc)
        if config.format == 4:
            n_sf = config.spreading_factor
            w = pucch4_occ(n_sf, config.occ_index).reshape(n_sf, 12 // n_sf)
            x = np.einsum("lsj,sj->lj", x.reshape(-1, n_sf, 12 // n_sf), w.conj()) / n_sf
            nv = nv[:, : 12 // n_sf] / n_sf
        d, nv = x.reshape(-1), nv.reshape(-1)
    nv = np.maximum(nv, _NOISE_FLOOR)
    llrs = demodulate(d.astype(np.complex64), config.modulation, nv.astype(np.float32))
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    llrs = descramble_llrs(llrs, scrambling_c_init(config.n_rnti, n_id))
    return PucchDemodResult(llrs=llrs, symbols=d.astype(np.complex64),
                            noise_var_eff=nv.astype(np.float32), noise_var=n0)


def pucch_receive(rx_grid: np.ndarray, carrier: Carrier, config: PucchConfig, n_uci_bits: int, *,
                  noise_var: float | None = None, channel: np.ndarray | None = None,
                  max_delay: float | None = None, n_slot: int | None = None,
                  list_size: int = 8) -> PucchReceiveResult:
    """Receive the UCI of a PUCCH format 2, 3 or 4: :func:`pucch_demodulate` followed by UCI
    decoding (TS 38.212 §6.3.1, :func:`opennr.transport.uci.uci_decode`).

    Parameters
    ----------
    rx_grid, carrier, config, noise_var, channel, max_delay, n_slot
        As for :func:`pucch_demodulate`.
    n_uci_bits : int
        Payload length A, 3 .. 1706.
    list_size : int
        CA-SCL list size of the polar decoder.

    Returns
    -------
    PucchReceiveResult

    Raises
    ------
    ConfigError
        Format 0 or 1, or a payload the PUCCH cannot carry.
    """
    _check_format(config, (2, 3, 4), "pucch_receive")
    a = check_int("n_uci_bits", n_uci_bits, 3, A_UCI_MAX, "TS 38.213 §9.2.1")
    e = pucch_bit_capacity(carrier, config)
    if uci_min_e(a, e) > e:
        raise ConfigError("n_uci_bits", a, f"payload too large for PUCCH format {config.format} "
                          f"with E_tot={e} coded bits (needs E >= {uci_min_e(a, e)})",
                          "TS 38.212 §6.3.1.4")
    demod = pucch_demodulate(rx_grid, carrier, config, noise_var=noise_var, channel=channel,
                             max_delay=max_delay, n_slot=n_slot)
    res = uci_decode(demod.llrs, a, qm=config.qm, list_size=list_size)
    return PucchReceiveResult(bits=res.bits, crc_ok=bool(res.crc_ok), metric=float(res.metric),
                              demod=demod)

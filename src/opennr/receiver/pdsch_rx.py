"""PDSCH reference receiver: the inverse of TS 38.211 §7.3.1 followed by DL-SCH decoding of
TS 38.212 §7.2 (not normative).

Processing order: extraction of the data REs (§7.3.1.5, :func:`opennr.physical.pdsch.pdsch_indices`),
DM-RS channel estimation (:mod:`opennr.receiver.channel_estimation`), when the PDSCH has a PT-RS
(§7.4.1.2) the common phase error of every OFDM symbol measured on the PT-RS against the DM-RS
estimate and removed from the estimate of that symbol, per-RE MMSE/ZF detection
of the ν layers (:mod:`opennr.receiver.equalization`), layer demapping (§7.3.1.3), soft
demapping with the post-detection noise variance of each RE and layer (§7.3.1.2), descrambling
(§7.3.1.1) and DL-SCH decoding with optional HARQ soft combining.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice
from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.modulation import demodulate
from opennr.numerology import Carrier
from opennr.physical.layermap import layer_demap, per_codeword
from opennr.physical.pdsch import PdschConfig, pdsch_indices, pdsch_plan, pdsch_ptrs
from opennr.physical.scrambling import descramble_llrs, scrambling_c_init
from opennr.receiver._common import check_noise_var
from opennr.receiver.channel_estimation import ChannelEstimate, estimate_channel
from opennr.receiver.equalization import EQUALIZERS, equalize_resource_elements
from opennr.transport.harq import HarqBuffer
from opennr.transport.sch import SchConfig, SchDecodeResult, sch_decode

__all__ = ["PdschDemodResult", "PdschReceiveResult", "pdsch_demodulate", "pdsch_receive",
           "ptrs_phase_error"]

#: Effective noise variances are floored here before soft demapping (a noiseless grid would
#: otherwise give σ² = 0); the LLRs stay finite in float32.
NOISE_FLOOR = 1e-10
#: Layers whose effective noise variance is infinite (no channel) get this one: LLRs ≈ 0.
NOISE_CEILING = 1e10


@dataclass(frozen=True, slots=True)
class PdschDemodResult:
    """Soft output of :func:`pdsch_demodulate`.

    Attributes
    ----------
    llrs : tuple of numpy.ndarray of float32
        Descrambled LLRs of each codeword, shape (G_q,).
    symbols : numpy.ndarray of complex64, shape (ν, M_symb^layer)
        Detected layer symbols.
    noise_var_eff : numpy.ndarray of float32, shape (ν, M_symb^layer)
        Effective noise variance of each detected symbol.
    estimate : ChannelEstimate
        Channel estimate and noise variance from the DM-RS (before the phase correction).
    phase : numpy.ndarray of complex64, shape (N_symb^slot,) or None
        Correction c_l of the DM-RS estimate of each OFDM symbol measured on the PT-RS (its
        angle is the common phase error; see :func:`ptrs_phase_error`); ``None`` without PT-RS
        tracking. The channel of symbol l was taken as c_l times the DM-RS estimate.
    """

    llrs: tuple[np.ndarray, ...]
    symbols: np.ndarray
    noise_var_eff: np.ndarray
    estimate: ChannelEstimate
    phase: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class PdschReceiveResult:
    """Output of :func:`pdsch_receive`.

    Attributes
    ----------
    codewords : tuple of SchDecodeResult
        DL-SCH decoding result of each codeword.
    demod : PdschDemodResult
        The soft output the decoder was given.
    """

    codewords: tuple[SchDecodeResult, ...]
    demod: PdschDemodResult

    @property
    def tb(self) -> np.ndarray:
        """Decoded transport block of codeword 0."""
        return self.codewords[0].tb

    @property
    def tb_crc_ok(self) -> bool:
        """Every codeword decoded with a passing CRC."""
        return bool(all(np.all(c.tb_crc_ok) for c in self.codewords))


def ptrs_phase_error(grid: np.ndarray, h: np.ndarray, carrier: Carrier, config: PdschConfig, *,
                     n_slot: int | None = None,
                     reserved: np.ndarray | None = None) -> np.ndarray | None:
    """Common phase error of every OFDM symbol from the PT-RS, as a complex correction of the
    DM-RS channel estimate (TS 38.211 §7.4.1.2; the estimator is not normative).

    In each PT-RS symbol l, c_l = Σ_r Σ_k y_r(l, k) conj(ĥ_r,j(l, k) a_k) / Σ_r Σ_k
    |ĥ_r,j(l, k) a_k|² over the PT-RS subcarriers k and receive antennas r, with j the PT-RS
    layer, a_k the PT-RS values and ĥ the DM-RS channel estimate: the common phase error
    e^{jθ_l} of the symbol, together with the common gain by which an estimate interpolated
    between DM-RS symbols of different phase falls short (the same for every layer and
    antenna). The DM-RS symbols are the reference (c = 1); the phase (unwrapped) and the
    magnitude of c are interpolated linearly over the other symbols of the allocation (held
    before the first and after the last known symbol).

    Parameters
    ----------
    grid : numpy.ndarray of complex64, shape (n_rx, N_symb^slot, K)
    h : numpy.ndarray of complex64, shape (n_rx, ν, N_symb^slot, K)
        DM-RS channel estimate.
    carrier, config, n_slot, reserved
        As for :func:`pdsch_demodulate`.

    Returns
    -------
    numpy.ndarray of complex64, shape (N_symb^slot,), or None
        c_l (1 outside the allocation); ``None`` when the PDSCH has no PT-RS RE.
    """
    plan = pdsch_plan(carrier, config)
    idx, val = pdsch_ptrs(carrier, config, n_slot, reserved=reserved)
    if idx.size == 0:
        return None
    n_rx = grid.shape[0]
    n_symb = plan.n_symb_slot
    y = grid.reshape(n_rx, -1)[:, idx]
    ref = h.reshape(n_rx, config.n_layers, -1)[:, plan.ptrs_layer, idx] * val[None, :]
    corr = np.sum(y * np.conj(ref), axis=0)
    power = np.sum(np.abs(ref) ** 2, axis=0)
    sym = idx // plan.n_subcarriers
    num = np.bincount(sym, corr.real, n_symb) + 1j * np.bincount(sym, corr.imag, n_symb)
    den = np.bincount(sym, power, n_symb)
    ptrs_l = np.unique(sym)
    ptrs_l = ptrs_l[den[ptrs_l] > 0]
    if ptrs_l.size == 0:
        return None
    c = num[ptrs_l] / den[ptrs_l]
    points = np.concatenate([ptrs_l, plan.dmrs_symbols])
    phases = np.concatenate([np.angle(c), np.zeros(plan.dmrs_symbols.size)])
    mags = np.concatenate([np.abs(c), np.ones(plan.dmrs_symbols.size)])
    order = np.argsort(points, kind="stable")
    points, phases, mags = points[order], np.unwrap(phases[order]), mags[order]
    s, n = config.symbol_allocation
    target = np.arange(s, s + n)
    out = np.ones(n_symb, np.complex64)
    out[s:s + n] = np.interp(target, points, mags) * np.exp(1j * np.interp(target, points, phases))
    return out


def pdsch_demodulate(grid: np.ndarray, carrier: Carrier, config: PdschConfig, *,
                     n_slot: int | None = None, estimator: str = "ls",
                     h_true: np.ndarray | None = None, noise_var: float | None = None,
                     equalizer: str = "mmse", reserved: np.ndarray | None = None,
                     method: str = "maxlog", phase_tracking: bool = True) -> PdschDemodResult:
    """From a received slot grid to the descrambled LLRs of the PDSCH codewords (inverse of
    TS 38.211 §7.3.1.1-§7.3.1.5; the estimator and detector are not normative).

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K)
        Received resource grid of one slot.
    carrier : Carrier
        Supplies N_ID^cell for the scrambling when ``config.n_id`` is None.
    config : PdschConfig
    n_slot : int, optional
        Slot number n_s,f^μ of the DM-RS; ``None`` uses ``carrier.n_slot``.
    estimator : {"ls", "wiener", "perfect"}
        Channel estimator (see :func:`opennr.receiver.channel_estimation.estimate_channel`).
    h_true : array_like of complex, shape (n_rx, ν, N_symb^slot, K), optional
        True channel of every RE from layer j to antenna r, for ``estimator="perfect"``.
    noise_var : float, optional
        Known σ² per RE and antenna; ``None`` uses the estimate from the DM-RS.
    equalizer : {"mmse", "zf", "irc"}
        Detector (:func:`opennr.receiver.equalization.equalize`); ``"irc"`` whitens with the
        per-PRB noise-and-interference covariance of the estimate.
    reserved : array_like of int, optional
        REs not carrying PDSCH data (as for :func:`opennr.physical.pdsch.pdsch_indices`).
    method : {"maxlog", "exact"}
        Soft demapping (:func:`opennr.modulation.demodulate`).
    phase_tracking : bool
        With a PT-RS in ``config``, correct the channel estimate of each OFDM symbol by the
        common phase error of :func:`ptrs_phase_error` (default ``True``).

    Returns
    -------
    PdschDemodResult

    Raises
    ------
    ConfigError
        Unknown ``estimator``, ``equalizer`` or ``method``; see
        :func:`opennr.physical.pdsch.pdsch_plan`.
    ValueError
        Arrays of the wrong shape or not finite; ``noise_var`` not positive; ``"perfect"``
        without ``h_true``; ZF with fewer antennas than layers.
    """
    check_choice("equalizer", equalizer, EQUALIZERS)
    est = estimate_channel(grid, carrier, config, estimator=estimator, h_true=h_true,
                           n_slot=n_slot)
    known = check_noise_var(noise_var)
    s2 = est.noise_var if known is None else known
    y = np.asarray(grid).astype(np.complex64, copy=False)
    n_rx = y.shape[0]
    idx = pdsch_indices(carrier, config, reserved=reserved)
    yd = y.reshape(n_rx, -1)[:, idx]
    hd = est.h.reshape(n_rx, config.n_layers, -1)[:, :, idx]
    phase = None
    if phase_tracking and config.ptrs is not None:
        phase = ptrs_phase_error(y, est.h, carrier, config, n_slot=n_slot, reserved=reserved)
        if phase is not None:
            hd = hd * phase[idx // carrier.n_subcarriers]
    x, nv = equalize_resource_elements(yd, hd, max(s2, NOISE_FLOOR), idx, carrier.n_subcarriers,
                                       method=equalizer, noise_cov=est.noise_cov)
    nv_d = np.clip(nv, NOISE_FLOOR, NOISE_CEILING)
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    llrs = []
    for q, (sym, var, mod) in enumerate(zip(layer_demap(x), layer_demap(nv_d),
                                            config.modulations, strict=True)):
        llr = demodulate(sym, mod, var, method=method)
        llrs.append(descramble_llrs(llr, scrambling_c_init(config.n_rnti, n_id, q)))
    return PdschDemodResult(llrs=tuple(llrs), symbols=x, noise_var_eff=nv, estimate=est,
                            phase=phase)


def pdsch_receive(grid: np.ndarray, carrier: Carrier, config: PdschConfig, *,
                  sch_config: SchConfig | Sequence[SchConfig], rv: int | Sequence[int] = 0,
                  harq: HarqBuffer | Sequence[HarqBuffer] | None = None,
                  ndi: int | None = None, n_slot: int | None = None, estimator: str = "ls",
                  h_true: np.ndarray | None = None, noise_var: float | None = None,
                  equalizer: str = "mmse", reserved: np.ndarray | None = None,
                  decoder: LdpcDecoderConfig | None = None,
                  phase_tracking: bool = True) -> PdschReceiveResult:
    """Receive one PDSCH slot and decode its transport block(s) (inverse of TS 38.211 §7.3.1
    and TS 38.212 §7.2; not normative).

    Parameters
    ----------
    grid, carrier, config, n_slot, estimator, h_true, noise_var, equalizer, reserved, \
    phase_tracking
        As for :func:`pdsch_demodulate`.
    sch_config : SchConfig or sequence of two
        Transport block parameters of each codeword (two when ν > 4); G of each codeword is
        the bit capacity of the allocation.
    rv : int or sequence of int
        Redundancy version(s) of this transmission.
    harq : HarqBuffer or sequence of HarqBuffer, optional
        Soft buffers of the HARQ process (one per codeword) for soft combining.
    ndi : int, optional
        New-data indicator (with ``harq``; see :func:`opennr.transport.sch.sch_decode`).
    decoder : LdpcDecoderConfig, optional
        LDPC decoder settings.

    Returns
    -------
    PdschReceiveResult

    Raises
    ------
    ValueError
        Not one ``sch_config`` / ``rv`` / ``harq`` per codeword; see
        :func:`pdsch_demodulate` and :func:`opennr.transport.sch.sch_decode`.
    """
    n_cw = config.n_codewords
    schs = per_codeword("sch_config", sch_config, n_cw)
    rvs = per_codeword("rv", rv, n_cw, broadcast=True)
    harqs = (None,) * n_cw if harq is None else per_codeword("harq", harq, n_cw)
    for s in schs:
        if not isinstance(s, SchConfig):
            raise TypeError(f"sch_config: expected SchConfig, got {type(s).__name__}")
    demod = pdsch_demodulate(grid, carrier, config, n_slot=n_slot, estimator=estimator,
                             h_true=h_true, noise_var=noise_var, equalizer=equalizer,
                             reserved=reserved, phase_tracking=phase_tracking)
    out = tuple(sch_decode(llr, s, g=llr.size, rv=r, harq=hb, ndi=ndi if hb is not None else None,
                           decoder=decoder)
                for llr, s, r, hb in zip(demod.llrs, schs, rvs, harqs, strict=True))
    return PdschReceiveResult(codewords=out, demod=demod)

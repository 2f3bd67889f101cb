"""PUSCH reference receiver: the inverse of TS 38.211 §6.3.1 followed by UL-SCH decoding of
TS 38.212 §6.2 (not normative).

Processing order: extraction of the data REs (§6.3.1.6, :func:`opennr.physical.pusch.pusch_plan`),
DM-RS channel estimation of the effective channel of each layer, precoding included
(:mod:`opennr.receiver.channel_estimation`; each hop on its own with intra-slot frequency
hopping), per-RE MMSE/ZF detection of the ν layers (:mod:`opennr.receiver.equalization`),
common phase correction from the PT-RS (§6.4.1.2, when configured), transform deprecoding when
transform precoding is enabled (§6.3.1.4; the PT-RS samples are then taken out of each block),
layer demapping (§6.3.1.3),
soft demapping with the effective noise variance of each symbol (§6.3.1.2, pi/2-BPSK included),
descrambling with the UCI placeholders (§6.3.1.1), demultiplexing and decoding of the UCI
(TS 38.212 §6.2.7, §6.3.2) and UL-SCH decoding with optional HARQ soft combining.

Transform deprecoding. The equalised subcarriers ŷ(k) = y(k) + e(k) of one OFDM symbol are
spread back with the IDFT of §6.3.1.4 (1/√M_sc). The IDFT is unitary, so the errors e(k), with
variances σ_k² after detection, reach every deprecoded symbol as a mix of all of them: each
deprecoded symbol is given the average (1/M_sc) Σ_k σ_k² of its OFDM symbol as its effective
noise variance (exact for ZF with independent errors; for MMSE the average of the unbiased
per-subcarrier variances).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from opennr.coding.ldpc.decoder import LdpcDecoderConfig
from opennr.modulation import demodulate
from opennr.numerology import Carrier
from opennr.physical.layermap import layer_demap
from opennr.physical.pusch import (
    PuschConfig,
    pusch_descramble_llrs,
    pusch_mux_plan,
    pusch_plan,
    pusch_ptrs,
    pusch_tp_ptrs,
)
from opennr.physical.scrambling import scrambling_c_init
from opennr.physical.transform_precoding import transform_deprecode
from opennr.receiver._common import check_noise_var
from opennr.receiver.channel_estimation import ChannelEstimate, estimate_channel
from opennr.receiver.equalization import equalize_resource_elements
from opennr.receiver.pdsch_rx import NOISE_CEILING, NOISE_FLOOR
from opennr.transport.harq import HarqBuffer
from opennr.transport.sch import SchConfig, SchDecodeResult, sch_decode
from opennr.transport.uci import UciDecodeResult
from opennr.transport.uci_pusch import (
    PuschUciDecodeResult,
    UciPuschConfig,
    pusch_uci_decode,
    pusch_uci_placeholders,
)

__all__ = ["PuschDemodResult", "PuschReceiveResult", "pusch_demodulate", "pusch_estimate", "pusch_receive"]


@dataclass(frozen=True, slots=True)
class PuschDemodResult:
    """Soft output of :func:`pusch_demodulate`.

    Attributes
    ----------
    llrs : numpy.ndarray of float32, shape (G,)
        Descrambled LLRs of the codeword (LLR = ln P(b=0)/P(b=1)).
    symbols : numpy.ndarray of complex64, shape (ν, M_symb^layer)
        Detected layer symbols (after transform deprecoding when it is enabled).
    noise_var_eff : numpy.ndarray of float32, shape (ν, M_symb^layer)
        Effective noise variance of each detected symbol.
    estimate : ChannelEstimate
        Channel estimate (effective channel of each layer) and noise variance used.
    """

    llrs: np.ndarray
    symbols: np.ndarray
    noise_var_eff: np.ndarray
    estimate: ChannelEstimate


@dataclass(frozen=True, slots=True)
class PuschReceiveResult:
    """Output of :func:`pusch_receive`.

    Attributes
    ----------
    ulsch : SchDecodeResult or None
        UL-SCH decoding result (None for a PUSCH without UL-SCH).
    demod : PuschDemodResult
        The soft output the decoders were given (codeword LLRs descrambled with the UCI
        placeholders).
    uci : PuschUciDecodeResult or None
        HARQ-ACK, CSI part 1 and CSI part 2 decoded from the demultiplexed LLRs (None without
        UCI).
    """

    ulsch: SchDecodeResult | None
    demod: PuschDemodResult
    uci: PuschUciDecodeResult | None = None

    @property
    def tb(self) -> np.ndarray | None:
        """Decoded transport block (None without UL-SCH)."""
        return None if self.ulsch is None else self.ulsch.tb

    @property
    def tb_crc_ok(self) -> bool:
        """The transport block CRC passed (False without UL-SCH)."""
        return self.ulsch is not None and bool(np.all(self.ulsch.tb_crc_ok))

    @property
    def ack(self) -> UciDecodeResult | None:
        """Decoded HARQ-ACK (``bits``, ``crc_ok``, ``metric``), None when absent."""
        return None if self.uci is None else self.uci.ack

    @property
    def csi1(self) -> UciDecodeResult | None:
        """Decoded CSI part 1, None when absent."""
        return None if self.uci is None else self.uci.csi1

    @property
    def csi2(self) -> UciDecodeResult | None:
        """Decoded CSI part 2, None when absent."""
        return None if self.uci is None else self.uci.csi2


def pusch_estimate(grid: np.ndarray, carrier: Carrier, config: PuschConfig, *,
                   n_slot: int | None = None, estimator: str = "ls",
                   h_true: np.ndarray | None = None) -> ChannelEstimate:
    """Channel estimate of the layers of a PUSCH slot, precoding included (TS 38.211 §6.4.1.1;
    the estimator is not normative).

    Calls :func:`opennr.receiver.channel_estimation.estimate_channel` with ``estimator`` as given.
    With intra-slot frequency hopping (TS 38.214 §6.3) each hop is estimated on its own from its
    DM-RS (the channels of the two hops are unrelated): h of each hop's symbols comes from the
    hop's estimate, σ² is the mean of the two, and a noise covariance per PRB is that of the hop
    occupying the PRB (the mean where both do).

    Returns
    -------
    ChannelEstimate
        h of shape (n_rx, ν, N_symb^slot, K).
    """
    if not isinstance(config, PuschConfig):
        raise TypeError(f"config: expected PuschConfig, got {type(config).__name__}")
    if config.frequency_hopping == "disabled" or config.hop is not None:
        return estimate_channel(grid, carrier, config, estimator=estimator, h_true=h_true,
                                n_slot=n_slot)
    plan = pusch_plan(carrier, config)
    s, n = config.symbol_allocation
    bounds = (*plan.hop_symbols, s + n)
    ests = [estimate_channel(grid, carrier, dataclasses.replace(config, hop=i),
                             estimator=estimator, h_true=h_true, n_slot=n_slot)
            for i in range(2)]
    h = ests[0].h.copy()
    h[:, :, bounds[1]:bounds[2]] = ests[1].h[:, :, bounds[1]:bounds[2]]
    fields = {"h": h, "noise_var": 0.5 * (ests[0].noise_var + ests[1].noise_var)}
    covs = [getattr(e, "noise_cov", None) for e in ests]
    if all(c is not None for c in covs):
        used = [np.any(c != 0, axis=(1, 2)) for c in covs]
        count = np.maximum(used[0].astype(np.float32) + used[1], 1.0)
        fields["noise_cov"] = ((covs[0] + covs[1]) / count[:, None, None]).astype(covs[0].dtype)
    return dataclasses.replace(ests[0], **fields)


def pusch_demodulate(grid: np.ndarray, carrier: Carrier, config: PuschConfig, *,
                     n_slot: int | None = None, estimator: str = "ls",
                     h_true: np.ndarray | None = None, noise_var: float | None = None,
                     equalizer: str = "mmse", method: str = "maxlog",
                     x_indices: np.ndarray | None = None,
                     y_indices: np.ndarray | None = None) -> PuschDemodResult:
    """From a received slot grid to the descrambled LLRs of the PUSCH codeword (inverse of
    TS 38.211 §6.3.1.1-§6.3.1.6; the estimator and detector are not normative).

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K)
        Received resource grid of one slot.
    carrier : Carrier
        Supplies N_ID^cell when ``config.n_id`` (or a DM-RS identity) is None.
    config : PuschConfig
    n_slot : int, optional
        Slot number n_s,f^μ of the DM-RS; ``None`` uses ``carrier.n_slot``.
    estimator : str
        Channel estimator by name (``"ls"``, ``"perfect"``, ...; see
        :func:`opennr.receiver.channel_estimation.estimate_channel`).
    h_true : array_like of complex, shape (n_rx, ν, N_symb^slot, K), optional
        True effective channel of every RE from layer j (precoding included) to antenna r, for
        ``estimator="perfect"``.
    noise_var : float, optional
        Known σ² per RE and antenna; ``None`` uses the estimate from the DM-RS.
    equalizer : str
        Detector by name (``"mmse"``, ``"zf"``, ...; see
        :func:`opennr.receiver.equalization.equalize`).
    method : {"maxlog", "exact"}
        Soft demapping (:func:`opennr.modulation.demodulate`).
    x_indices, y_indices : array_like of int, optional
        0-based positions of the UCI placeholders x and y in the codeword (see
        :func:`opennr.physical.pusch.pusch_descramble_llrs`).

    Returns
    -------
    PuschDemodResult

    Raises
    ------
    ConfigError
        Unknown ``estimator``, ``equalizer`` or ``method``; see
        :func:`opennr.physical.pusch.pusch_plan`.
    ValueError
        Arrays of the wrong shape or not finite; ``noise_var`` not positive; ``"perfect"``
        without ``h_true``; ZF with fewer antennas than layers; bad placeholder positions.
    """
    est = pusch_estimate(grid, carrier, config, n_slot=n_slot, estimator=estimator,
                         h_true=h_true)
    known = check_noise_var(noise_var)
    s2 = est.noise_var if known is None else known
    plan = pusch_plan(carrier, config)
    y = np.asarray(grid).astype(np.complex64, copy=False)
    n_rx, nu = y.shape[0], config.n_layers
    idx = plan.data_indices
    yd = np.take(y.reshape(n_rx, -1), idx, axis=1)
    hd = np.take(est.h.reshape(n_rx * nu, -1), idx, axis=1).reshape(n_rx, nu, -1)
    x, nv = equalize_resource_elements(yd, hd, max(s2, NOISE_FLOOR), idx, plan.n_subcarriers,
                                       method=equalizer, noise_cov=est.noise_cov)
    if plan.ptrs_layer >= 0:
        # CP-OFDM PT-RS: the common phase of each PT-RS symbol, from its detected PT-RS
        p_idx, p_val = pusch_ptrs(carrier, config, n_slot)
        yp = np.take(y.reshape(n_rx, -1), p_idx, axis=1)
        hp = np.take(est.h.reshape(n_rx * nu, -1), p_idx, axis=1).reshape(n_rx, nu, -1)
        xp, _ = equalize_resource_elements(yp, hp, max(s2, NOISE_FLOOR), p_idx,
                                           plan.n_subcarriers, method=equalizer,
                                           noise_cov=est.noise_cov)
        phase = _common_phase(xp[plan.ptrs_layer] * np.conj(p_val), p_idx // plan.n_subcarriers,
                              plan.ptrs_symbols, idx // plan.n_subcarriers)
        x = x * phase
    if config.transform_precoding:
        x, nv = _transform_deprecode(x, nv, plan.m_sc)
        if plan.tp_data_positions is not None:
            rows = np.repeat(plan.data_symbols, plan.m_sc)
            p_pos = plan.tp_ptrs_positions
            z = x[0, p_pos] * np.conj(pusch_tp_ptrs(carrier, config, n_slot))
            phase = _common_phase(z, rows[p_pos], plan.ptrs_symbols,
                                  rows[plan.tp_data_positions])
            x = x[:, plan.tp_data_positions] * phase
            nv = np.ascontiguousarray(nv[:, plan.tp_data_positions])
    nv_d = np.clip(nv, NOISE_FLOOR, NOISE_CEILING)
    (sym,), (var,) = layer_demap(x), layer_demap(nv_d)
    llr = demodulate(sym, config.modulation, var, method=method)
    n_id = carrier.n_cell_id if config.n_id is None else config.n_id
    llr = pusch_descramble_llrs(llr, scrambling_c_init(config.n_rnti, n_id),
                                x_indices=x_indices, y_indices=y_indices)
    return PuschDemodResult(llrs=llr, symbols=x, noise_var_eff=nv, estimate=est)


def _common_phase(z: np.ndarray, z_symbols: np.ndarray, ptrs_symbols: np.ndarray,
                  symbols: np.ndarray) -> np.ndarray:
    """e^{−jφ(l)} of each entry of ``symbols``: φ is the angle of Σ z over the PT-RS of each
    PT-RS symbol (z = detected PT-RS times the conjugate of its known value), interpolated
    linearly in l between PT-RS symbols and held beyond them (TS 38.211 §6.4.1.2 PT-RS; the
    phase tracking is not normative)."""
    pos = np.searchsorted(ptrs_symbols, z_symbols)
    acc = np.zeros(ptrs_symbols.size, np.complex128)
    np.add.at(acc, pos, z)
    phi = np.unwrap(np.angle(acc))
    est = np.interp(symbols.astype(np.float64), ptrs_symbols.astype(np.float64), phi)
    return np.exp(-1j * est).astype(np.complex64)


def _transform_deprecode(x: np.ndarray, nv: np.ndarray, m_sc: int) -> tuple[np.ndarray, np.ndarray]:
    """IDFT of every OFDM symbol (§6.3.1.4) and the symbol's mean noise variance for each of its
    deprecoded symbols (module docstring)."""
    xd = transform_deprecode(x, m_sc)
    blocks = nv.reshape(nv.shape[0], -1, m_sc)
    mean = blocks.mean(axis=-1, dtype=np.float64).astype(np.float32)
    nvd = np.broadcast_to(mean[..., None], blocks.shape).reshape(nv.shape)
    return xd, np.ascontiguousarray(nvd)


def pusch_receive(grid: np.ndarray, carrier: Carrier, config: PuschConfig, *,
                  sch_config: SchConfig | None = None, uci: UciPuschConfig | None = None,
                  target_code_rate: float | None = None, rv: int = 0,
                  harq: HarqBuffer | None = None, ndi: int | None = None,
                  n_slot: int | None = None, estimator: str = "ls",
                  h_true: np.ndarray | None = None, noise_var: float | None = None,
                  equalizer: str = "mmse", decoder: LdpcDecoderConfig | None = None,
                  list_size: int = 8) -> PuschReceiveResult:
    """Receive one PUSCH slot and decode its transport block and its UCI (inverse of
    TS 38.211 §6.3.1, TS 38.212 §6.2.7, §6.2 and §6.3.2; not normative).

    Without ``uci`` the whole codeword is UL-SCH. With it the multiplexing plan of
    :func:`opennr.physical.pusch.pusch_mux_plan` gives the UCI placeholders for descrambling
    (§6.3.1.1) and the demultiplexing (:func:`opennr.transport.uci_pusch.pusch_uci_decode`):
    HARQ-ACK, CSI part 1 and CSI part 2 are decoded from their LLRs, and the UL-SCH from its
    G_ULSCH LLRs (the bits that 1-2 HARQ-ACK bits punctured are erasures).

    The receiver must know every payload size of ``uci``. The size of CSI part 2 may depend on
    the content of CSI part 1 (its rank indicator, TS 38.212 §6.3.2.1.2, TS 38.214 §5.2.3): the
    caller then decodes CSI part 1 first (the positions of HARQ-ACK and CSI part 1 do not depend
    on O_CSI2, only on whether CSI part 2 is present) and calls again, or calls
    :func:`~opennr.transport.uci_pusch.pusch_uci_decode` on ``demod.llrs`` with a plan for the
    O_CSI2 it found.

    Parameters
    ----------
    grid, carrier, config, n_slot, estimator, h_true, noise_var, equalizer
        As for :func:`pusch_demodulate`.
    sch_config : SchConfig, optional
        Transport block parameters; ``None`` for a PUSCH without UL-SCH (then ``uci`` is
        required).
    uci : UciPuschConfig, optional
        The UCI multiplexed on the PUSCH (sizes, β offsets, α); ``None`` for UL-SCH alone.
    target_code_rate : float, optional
        R of the MCS, needed for UCI without UL-SCH (TS 38.212 §6.3.2.4.1).
    rv : int
        Redundancy version of this transmission.
    harq : HarqBuffer, optional
        Soft buffer of the HARQ process for soft combining.
    ndi : int, optional
        New-data indicator (with ``harq``; see :func:`opennr.transport.sch.sch_decode`).
    decoder : LdpcDecoderConfig, optional
        LDPC decoder settings.
    list_size : int
        CA-SCL list size of the polar-coded UCI.

    Returns
    -------
    PuschReceiveResult
        ``ulsch`` (None without UL-SCH), ``uci`` with ``ack``, ``csi1``, ``csi2`` (each a
        :class:`~opennr.transport.uci.UciDecodeResult`: ``bits``, ``crc_ok`` for polar codes,
        ``metric`` for DTX detection of small blocks).

    Raises
    ------
    TypeError
        ``sch_config`` or ``uci`` of the wrong type.
    ValueError
        Neither ``sch_config`` nor ``uci``; see :func:`pusch_demodulate` and
        :func:`opennr.transport.sch.sch_decode`.
    ConfigError
        See :func:`opennr.physical.pusch.pusch_mux_plan`.
    """
    if sch_config is not None and not isinstance(sch_config, SchConfig):
        raise TypeError(f"sch_config: expected SchConfig, got {type(sch_config).__name__}")
    if uci is not None and not isinstance(uci, UciPuschConfig):
        raise TypeError(f"uci: expected UciPuschConfig, got {type(uci).__name__}")
    if sch_config is None and uci is None:
        raise ValueError("sch_config and uci: a PUSCH carries UL-SCH, UCI or both")
    plan = None
    x_ind = y_ind = None
    if uci is not None:
        plan = pusch_mux_plan(carrier, config, uci, sch=sch_config,
                              target_code_rate=target_code_rate)
        x_ind, y_ind = pusch_uci_placeholders(plan)
    demod = pusch_demodulate(grid, carrier, config, n_slot=n_slot, estimator=estimator,
                             h_true=h_true, noise_var=noise_var, equalizer=equalizer,
                             x_indices=x_ind, y_indices=y_ind)
    llr, dec = demod.llrs, None
    if plan is not None:
        dec = pusch_uci_decode(plan, demod.llrs, list_size=list_size)
        llr = dec.ulsch_llr
    res = None
    if sch_config is not None:
        res = sch_decode(llr, sch_config, g=llr.size, rv=rv, harq=harq,
                         ndi=ndi if harq is not None else None, decoder=decoder)
    return PuschReceiveResult(ulsch=res, demod=demod, uci=dec)

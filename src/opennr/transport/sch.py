"""TS 38.212 §7.2 (DL-SCH) and §6.2 (UL-SCH without UCI) — shared channel coding chain.

Both chains are the same sequence of steps, implemented once here:

1. transport block CRC attachment (§7.2.1 / §6.2.1): CRC24A when A > 3824, else CRC16;
2. LDPC base graph selection (§7.2.2 / §6.2.2): base graph 2 when A <= 292, or A <= 3824 and
   R <= 0.67, or R <= 0.25; base graph 1 otherwise;
3. code block segmentation and code block CRC attachment (§7.2.3 / §6.2.3, §5.2.2);
4. LDPC encoding (§7.2.4 / §6.2.4, §5.3.2);
5. rate matching (§7.2.5 / §6.2.5, §5.4.2) with N_cb = N, or limited-buffer rate matching
   when TBS_LBRM is given (N_cb = min(N, floor(TBS_LBRM / (C * 2/3))));
6. code block concatenation (§7.2.6 / §6.2.6, §5.5).

A transport block is described by a frozen :class:`SchConfig`; everything derived from it
(CRC, base graph, segmentation, N, N_cb) is computed once into a cached :class:`SchPlan`.
The slot-dependent quantities (G, rv) are arguments of :func:`sch_encode` /
:func:`sch_decode`. With two codewords (PDSCH with more than 4 layers) each transport block has
its own :class:`SchConfig` (its own TBS, Q_m and number of layers) and is encoded on its own.

The receiver (:func:`sch_decode`) reverses the chain: rate recovery into a soft buffer
(optionally a :class:`~opennr.transport.harq.HarqBuffer` that accumulates the transmissions of
one transport block), LDPC decoding of the C code blocks as one batch, code block CRC checks,
desegmentation and the transport block CRC check.

MATLAB's ``nrDLSCH``/``nrULSCH`` use N_ref = 25344 by default, which is at least N for every
code block: that is ``tbs_lbrm=None`` here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int, check_last_dim
from opennr.coding.crc import CRC_LENGTHS, crc_attach, crc_check
from opennr.coding.ldpc.decoder import LdpcDecoderConfig, ldpc_decode
from opennr.coding.ldpc.encoder import ldpc_encode
from opennr.coding.ldpc.ratematch import (
    ldpc_n_cb,
    ldpc_rate_match,
    ldpc_rate_match_plan,
    ldpc_rate_recover,
)
from opennr.coding.segmentation import (
    LdpcSegmentation,
    desegment_code_blocks,
    ldpc_segmentation,
    segment_code_blocks,
)
from opennr.errors import ConfigError
from opennr.transport.harq import HarqBuffer

__all__ = [
    "SchConfig",
    "SchDecodeResult",
    "SchPlan",
    "sch_base_graph",
    "sch_decode",
    "sch_encode",
    "sch_plan",
]

_CLAUSE = "TS 38.212 §7.2, §6.2"
_QM = (1, 2, 4, 6, 8, 10)


def sch_base_graph(a: int, target_code_rate: float) -> int:
    """LDPC base graph of a transport block (TS 38.212 §7.2.2, §6.2.2).

    Parameters
    ----------
    a : int
        Transport block size A (bits, >= 1).
    target_code_rate : float
        Target code rate R of the MCS (of the initial transmission), in (0, 1).

    Returns
    -------
    int
        2 if ``A <= 292``, or ``A <= 3824`` and ``R <= 0.67``, or ``R <= 0.25``; else 1.
    """
    if a <= 292 or (a <= 3824 and target_code_rate <= 0.67) or target_code_rate <= 0.25:
        return 2
    return 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SchConfig:
    """Transport block parameters of a DL-SCH (TS 38.212 §7.2) or UL-SCH (§6.2) codeword.

    Parameters
    ----------
    tbs : int
        Transport block size A in bits (>= 1), for example from
        :func:`~opennr.transport.tbs.transport_block_size`.
    target_code_rate : float
        Target code rate R of the MCS, in (0, 1) (that of the initial transmission when a
        retransmission uses a reserved MCS index); selects the base graph.
    qm : int
        Modulation order Q_m (1, 2, 4, 6, 8 or 10).
    n_layers : int
        N_L, number of layers the codeword is mapped to (1..4).
    tbs_lbrm : int or None, optional
        TBS_LBRM for limited-buffer rate matching (TS 38.212 §5.4.2.1, see
        :func:`~opennr.transport.tbs.tbs_lbrm`); ``None`` (default) for a full circular buffer,
        N_cb = N (what MATLAB's default ``Nref = 25344`` amounts to).

    Raises
    ------
    ConfigError
        A field outside its range.
    """

    tbs: int
    target_code_rate: float
    qm: int
    n_layers: int = 1
    tbs_lbrm: int | None = None

    def __post_init__(self) -> None:
        check_int("tbs", self.tbs, 1, None, _CLAUSE)
        r = self.target_code_rate
        if isinstance(r, bool) or not isinstance(r, (int, float, np.floating)) or not 0 < r < 1:
            raise ConfigError("target_code_rate", r, "must be a real number in (0, 1)",
                              "TS 38.212 §7.2.2, §6.2.2")
        check_int("qm", self.qm, clause=_CLAUSE)
        check_choice("qm", self.qm, _QM, _CLAUSE)
        check_int("n_layers", self.n_layers, 1, 4, _CLAUSE)
        if self.tbs_lbrm is not None:
            check_int("tbs_lbrm", self.tbs_lbrm, 1, None, "TS 38.212 §5.4.2.1")

    @property
    def crc(self) -> str:
        """Transport block CRC polynomial: ``"24A"`` when A > 3824, else ``"16"`` (§7.2.1)."""
        return "24A" if self.tbs > 3824 else "16"

    @property
    def bg(self) -> int:
        """LDPC base graph, see :func:`sch_base_graph`."""
        return sch_base_graph(self.tbs, float(self.target_code_rate))

    @property
    def b(self) -> int:
        """B = A + L, the transport block length with its CRC."""
        return self.tbs + CRC_LENGTHS[self.crc]


@dataclass(frozen=True, slots=True)
class SchPlan:
    """What a :class:`SchConfig` implies for the coding chain (built by :func:`sch_plan`).

    Attributes
    ----------
    config : SchConfig
        The configuration.
    crc : str
        Transport block CRC (``"24A"`` or ``"16"``).
    bg : int
        LDPC base graph (1 or 2).
    seg : LdpcSegmentation
        Code block segmentation of the B = A + L bits (C, K', K, Z_c, ...).
    n : int
        N, the LDPC code block length after the 2 Z_c systematic puncture (66 Z_c / 50 Z_c).
    n_cb : int
        N_cb, the circular buffer length (N, or min(N, N_ref) with TBS_LBRM).
    """

    config: SchConfig
    crc: str
    bg: int
    seg: LdpcSegmentation
    n: int
    n_cb: int


@functools.lru_cache(maxsize=512)
def sch_plan(config: SchConfig) -> SchPlan:
    """Build (and cache) the coding plan of a transport block.

    TS 38.212 §7.2.1-7.2.3, §6.2.1-6.2.3 and §5.4.2.1 (N_cb): CRC, base graph, segmentation,
    N and N_cb with ``N_ref = floor(TBS_LBRM / (C * R_LBRM))``, ``R_LBRM = 2/3``.

    Parameters
    ----------
    config : SchConfig
        Transport block parameters.

    Returns
    -------
    SchPlan
    """
    if not isinstance(config, SchConfig):
        raise TypeError(f"config: expected SchConfig, got {type(config).__name__}")
    bg = config.bg
    seg = ldpc_segmentation(config.b, bg)
    n = (66 if bg == 1 else 50) * seg.zc
    n_cb = ldpc_n_cb(n, seg.c, config.tbs_lbrm)
    return SchPlan(config=config, crc=config.crc, bg=bg, seg=seg, n=n, n_cb=n_cb)


def _rate_match_plan(plan: SchPlan, g: object, rv: object):
    if type(g) is int and type(rv) is int:
        return _cached_rate_match_plan(plan, g, rv)
    return _build_rate_match_plan(plan, g, rv)


@functools.lru_cache(maxsize=256)
def _cached_rate_match_plan(plan: SchPlan, g: int, rv: int):
    """The rate matching plan of (plan, G, rv), validated once per configuration."""
    return _build_rate_match_plan(plan, g, rv)


def _build_rate_match_plan(plan: SchPlan, g: object, rv: object):
    cfg = plan.config
    g = check_int("g", g, 1, None, "TS 38.212 §5.4.2.1")
    if g % (cfg.qm * cfg.n_layers):
        raise ConfigError("g", g, f"must be a multiple of Q_m * N_L = {cfg.qm} * {cfg.n_layers}",
                          "TS 38.212 §5.4.2.1")
    rv = check_int("rv", rv, 0, 3, "TS 38.212 §5.4.2.1")
    seg = plan.seg
    return ldpc_rate_match_plan(bg=plan.bg, zc=seg.zc, k=seg.k, k_prime=seg.k_prime, c=seg.c,
                                g=g, qm=cfg.qm, n_layers=cfg.n_layers, rv=rv, n_cb=plan.n_cb)


def sch_encode(tb: object, config: SchConfig, *, g: int, rv: int) -> np.ndarray:
    """Encode a transport block into a DL-SCH or UL-SCH codeword.

    TS 38.212 §7.2 (DL-SCH) / §6.2 (UL-SCH without UCI): CRC, segmentation, LDPC encoding,
    rate matching for redundancy version ``rv`` and concatenation into G bits. The result is the
    codeword before scrambling (TS 38.211 §7.3.1.1 / §6.3.1.1).

    Parameters
    ----------
    tb : array_like of uint8, shape (..., A)
        Transport block bits a_0..a_{A-1}; leading dimensions are a batch.
    config : SchConfig
        Transport block parameters (A must equal ``config.tbs``).
    g : int
        G, number of coded bits available for the transport block in this transmission
        (a multiple of Q_m * N_L).
    rv : int
        Redundancy version rv_id, 0..3.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., G)
        The codeword f_0..f_{G-1}.

    Raises
    ------
    ConfigError
        ``g`` not a positive multiple of Q_m * N_L, or ``rv`` outside 0..3.
    ValueError
        ``tb`` not bits, or its last dimension is not ``config.tbs``.

    Examples
    --------
    >>> cfg = SchConfig(tbs=1800, target_code_rate=157 / 1024, qm=2, n_layers=1)
    >>> sch_encode(np.zeros(1800, np.uint8), cfg, g=11448, rv=0).shape
    (11448,)
    """
    plan = sch_plan(config)
    bits = as_bits("tb", tb)
    check_last_dim("tb", bits, config.tbs, "the transport block size A = config.tbs")
    rm = _rate_match_plan(plan, g, rv)
    b = crc_attach(bits, plan.crc)
    c = segment_code_blocks(b, plan.seg)
    d = ldpc_encode(c, plan.bg)
    return ldpc_rate_match(d, rm)


@dataclass(frozen=True, slots=True)
class SchDecodeResult:
    """Output of :func:`sch_decode`.

    Attributes
    ----------
    tb : numpy.ndarray of uint8, shape (..., A)
        Decoded transport block bits (whatever the CRC says).
    tb_crc_ok : numpy.ndarray of bool, shape (...)
        The transport block is decoded: its CRC passed *and* the LDPC decoder ended on a
        codeword in every code block (see Notes of :func:`sch_decode`).
    block_crc_ok : numpy.ndarray of bool, shape (..., C)
        Code block CRC24B passed (all ``True`` when C = 1, which has no code block CRC).
    iterations : numpy.ndarray of int32, shape (..., C)
        LDPC decoder iterations per code block.
    parity_ok : numpy.ndarray of bool, shape (..., C)
        The LDPC decoder's hard decisions satisfy the parity checks, per code block.
    """

    tb: np.ndarray
    tb_crc_ok: np.ndarray
    block_crc_ok: np.ndarray
    iterations: np.ndarray
    parity_ok: np.ndarray


def sch_decode(llr: object, config: SchConfig, *, g: int, rv: int,
               harq: HarqBuffer | None = None, ndi: int | None = None,
               decoder: LdpcDecoderConfig | None = None) -> SchDecodeResult:
    """Decode a DL-SCH or UL-SCH codeword (receiver of TS 38.212 §7.2 / §6.2).

    Rate recovery (inverse of §5.4.2 and §5.5) of the G LLRs into soft circular buffers, which
    are combined with earlier transmissions held in ``harq``; LDPC decoding of the C code blocks
    as one batch; code block CRC24B check and desegmentation (§5.2.2); transport block CRC
    check (§7.2.1).

    Parameters
    ----------
    llr : array_like of float32, shape (..., G)
        LLRs of the descrambled codeword, ``ln P(b=0)/P(b=1)``.
    config : SchConfig
        Transport block parameters.
    g : int
        G of this transmission (a multiple of Q_m * N_L; ``llr.shape[-1]``).
    rv : int
        Redundancy version of this transmission, 0..3.
    harq : HarqBuffer, optional
        Soft buffer of the HARQ process. Without it each call decodes on its own. With it the
        LLRs are added to what the buffer holds (a retransmission of the same transport block,
        possibly with another ``rv``, G, Q_m or N_L), and the buffer keeps the sum.
    ndi : int, optional
        New-data indicator (0/1) of this transmission; only with ``harq``. When it differs from
        the buffer's NDI (or the buffer has none) the buffer is flushed first (new transport
        block). Without ``ndi`` the buffer is always combined (flush with
        :meth:`HarqBuffer.reset`).
    decoder : LdpcDecoderConfig, optional
        LDPC decoder settings (default: ``LdpcDecoderConfig()``).

    Returns
    -------
    SchDecodeResult
        ``(tb, tb_crc_ok, block_crc_ok, iterations, parity_ok)``.

    Raises
    ------
    ConfigError
        ``g`` or ``rv`` invalid, or ``ndi`` not 0/1.
    ValueError
        ``llr`` not real or its last dimension is not ``g``; ``ndi`` without ``harq``; or the
        HARQ buffer holds a transport block of another size, base graph, N_cb or batch shape
        (a retransmission must keep them: toggle the NDI or reset the buffer for new data).

    Notes
    -----
    The CRCs of TS 38.212 §5.1 start from a zero register, so the all-zero word passes every
    CRC. When a transmission holds no systematic bit (for example rv 2 or 3 alone at a high
    code rate) the decoder has nothing to start from and returns all zeros, which is not a
    codeword of the received parity bits but passes the CRC. ``tb_crc_ok`` therefore also
    requires every code block to end on a codeword (``parity_ok``); ``block_crc_ok`` is the bare
    CRC24B result.
    """
    plan = sch_plan(config)
    rm = _rate_match_plan(plan, g, rv)
    if (isinstance(llr, np.ndarray) and llr.dtype == np.float32 and llr.flags.c_contiguous
            and llr.ndim >= 1):
        x = llr  # NaN is rejected by the rate recovery
    else:
        x = as_llrs("llr", llr)
    check_last_dim("llr", x, int(g), "G")
    seg = plan.seg
    buffer = None
    if harq is not None:
        if ndi is not None:
            harq.new_data_indicator(ndi)
        key = (config.tbs, plan.bg, seg.c, plan.n, plan.n_cb)
        if harq.soft is not None:
            expect = (*x.shape[:-1], seg.c, plan.n)
            if harq.key != key or harq.soft.shape != expect:
                raise ValueError(
                    f"harq: the buffer holds a transport block with (A, BG, C, N, N_cb) = "
                    f"{harq.key} and shape {harq.soft.shape}, this transmission has {key} and "
                    f"shape {expect}: a retransmission must keep the transport block; toggle the "
                    "NDI or reset the buffer for new data")
            buffer = harq.soft
        harq.key = key
    elif ndi is not None:
        raise ValueError("ndi: a new-data indicator needs a HARQ buffer (harq=...)")
    soft = ldpc_rate_recover(x, rm, buffer=buffer)
    if harq is not None:
        harq.soft = soft
        harq.n_transmissions += 1
    dec = ldpc_decode(soft, plan.bg, decoder)
    b, block_ok = desegment_code_blocks(dec.bits, seg)
    parity_ok = np.asarray(dec.parity_ok, dtype=bool)
    tb_ok = np.asarray(crc_check(b, plan.crc), dtype=bool) & parity_ok.all(axis=-1)
    return SchDecodeResult(tb=np.ascontiguousarray(b[..., :config.tbs]),
                           tb_crc_ok=tb_ok,
                           block_crc_ok=np.asarray(block_ok, dtype=bool),
                           iterations=np.asarray(dec.iterations, dtype=np.int32),
                           parity_ok=parity_ok)

"""LDPC decoding of the TS 38.212 §5.3.2 codes (layered belief propagation; not normative).

The decoder works on the parity-check matrix ``H`` of base graph 1 or 2 lifted by ``Z_c``
(TS 38.212 §5.3.2, Tables 5.3.2-2/3) and processes the base graph rows as layers: normalized
min-sum (``"nms"``, default), offset min-sum (``"oms"``) or sum-product with the exact boxplus
(``"spa"``); both min-sum variants may combine normalization and offset, and the default
``"nms"`` does, with a normalization that grows and an offset that shrinks over the iterations.
Its input is the soft counterpart of the encoder output ``d`` (``N`` = 66 ``Z_c`` or
50 ``Z_c`` LLRs, the first 2 ``Z_c`` systematic bits punctured, as produced by rate recovery), and
its output the ``K`` = 22 ``Z_c`` or 10 ``Z_c`` systematic bits ``c`` (the punctured ones and the
filler positions included), as MATLAB ``nrLDPCDecode`` returns them.

High code rates cost less: rows whose degree-one parity column received only zero LLRs (the
positions rate matching did not transmit) cannot pass any information and are skipped, so the
work per iteration follows the transmitted length ``E`` automatically.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from opennr._validate import as_llrs, check_choice, check_int
from opennr.coding.ldpc import _decoder_kernels as _k
from opennr.coding.ldpc.basegraph import LIFTING_SIZES, ldpc_code
from opennr.errors import ConfigError

__all__ = ["LdpcDecodeResult", "LdpcDecoderConfig", "ldpc_decode"]

_CLAUSE = "TS 38.212 §5.3.2"

#: Saturation of the channel LLRs and of the min-sum message magnitudes inside the decoder: every
#: a posteriori LLR (channel LLR plus at most 30 messages) stays finite.
_LLR_MAX = 1.0e20
_MSG_MAX = 1.0e18
#: Clamp of the check-node inputs of the sum-product algorithm (phi stays finite in float32).
_SPA_A_MIN = 1.0e-20
_SPA_A_MAX = 60.0

#: Min-sum check-node magnitude max(alpha_k * m - beta_k, 0) in iteration k: the "nms" rule
#: ramps alpha_k and beta_k linearly from the first to the second value over the iterations
#: k = 0 .. max_iterations - 1; "oms" uses alpha = 1 and a constant offset.
_NMS_ALPHA = (0.75, 0.95)
_NMS_BETA = (0.3, 0.2)
_OMS_BETA = 0.5

_N_CORE_ROWS = 4  # rows 0..3 of both base graphs hold the double-diagonal core parity part


@dataclass(frozen=True, slots=True, kw_only=True)
class LdpcDecoderConfig:
    """Parameters of the layered LDPC decoder.

    Parameters
    ----------
    algorithm : {"nms", "oms", "spa"}
        Layered normalized min-sum (default), layered offset min-sum, or layered sum-product
        (belief propagation with the exact boxplus, computed in float32).
    max_iterations : int
        Maximum number of iterations (one iteration processes every used row once), 1..1000.
        Default 10.
    scaling : float or None
        Normalization factor ``alpha`` of the min-sum check-node messages, in (0, 1], used in
        every iteration. The two min-sum algorithms send the magnitude
        ``max(alpha_k * m - beta_k, 0)`` in iteration ``k`` (``m``: smallest magnitude among the
        other inputs of the check). None (default) takes the algorithm's rule: for ``"nms"`` a
        linear ramp over the iteration budget, ``alpha_k = 0.75 + 0.2 k / (I - 1)`` (``k = 0 ..
        I - 1``, ``I`` = ``max_iterations``; 0.75 when ``I`` = 1), for ``"oms"`` 1.
    offset : float or None
        Offset ``beta`` of the min-sum check-node magnitudes, >= 0, in the units of the input
        LLRs (which must be true LLRs, e.g. ``2y/sigma^2`` for BPSK over AWGN), used in every
        iteration. None (default) takes the algorithm's rule: for ``"nms"``
        ``beta_k = 0.3 - 0.1 k / (I - 1)`` (0.3 when ``I`` = 1), for ``"oms"`` 0.5. Pass
        ``offset=0`` for a purely normalized min-sum.

        The ``"nms"`` rule (normalization and offset combined, the normalization growing from
        0.75 to 0.95 and the offset shrinking from 0.3 to 0.2 over the iterations) came from
        sweeps for BG1 R=1/3 and BG2 R=1/5 with ``Z_c`` = 384 over AWGN near BLER 1e-2
        (``benchmarks/ldpc_quality.py``): constant ``alpha`` 0.5625..1 with ``beta`` 0..0.35 (best
        0.85 and 0.275), separate values for the degree-19 core rows and the extension rows (no
        gain), and linear ramps over the iterations: at 10 iterations a third of the block
        errors of the best constant pair (0.06-0.11 dB), at 20 and 50 iterations 1.5 to 5 times
        fewer; a ramp over a fixed number of iterations and then flat was worse at 20 and 50.
    early_termination : bool
        Stop a code block as soon as its hard decisions satisfy every used parity check.
        Default True.
    """

    algorithm: str = "nms"
    max_iterations: int = 10
    scaling: float | None = None
    offset: float | None = None
    early_termination: bool = True

    def __post_init__(self) -> None:
        check_choice("algorithm", self.algorithm, ("nms", "oms", "spa"))
        check_int("max_iterations", self.max_iterations, 1, 1000)
        for name in ("scaling", "offset"):
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ConfigError(name, v, "must be a real number")
            if not math.isfinite(float(v)):
                raise ConfigError(name, v, "must be finite")
        if self.scaling is not None and not 0.0 < float(self.scaling) <= 1.0:
            raise ConfigError("scaling", self.scaling, "must be in (0, 1]")
        if self.offset is not None and float(self.offset) < 0.0:
            raise ConfigError("offset", self.offset, "must be >= 0")
        if not isinstance(self.early_termination, (bool, np.bool_)):
            raise ConfigError("early_termination", self.early_termination, "must be a bool")

    def minsum_parameters(self, k: int) -> tuple[float, float]:
        """``(alpha_k, beta_k)`` of the min-sum check-node rule in iteration ``k`` (0-based).

        ``scaling``/``offset`` when given, otherwise the algorithm's rule (see the class
        docstring); ``(1, 0)`` for ``"spa"``, which does not use them.
        """
        if self.algorithm == "nms":
            x = k / (self.max_iterations - 1) if self.max_iterations > 1 else 0.0
            alpha = _NMS_ALPHA[0] + (_NMS_ALPHA[1] - _NMS_ALPHA[0]) * x
            beta = _NMS_BETA[0] + (_NMS_BETA[1] - _NMS_BETA[0]) * x
        elif self.algorithm == "oms":
            alpha, beta = 1.0, _OMS_BETA
        else:
            return 1.0, 0.0
        return (alpha if self.scaling is None else float(self.scaling),
                beta if self.offset is None else float(self.offset))


@dataclass(frozen=True, slots=True)
class LdpcDecodeResult:
    """Output of :func:`ldpc_decode`.

    Attributes
    ----------
    bits : numpy.ndarray
        ``(..., K)`` uint8 hard decisions on the systematic bits ``c_0 .. c_{K-1}``, the 2 ``Z_c``
        punctured bits and the filler positions included.
    parity_ok : numpy.ndarray
        ``(...)`` bool: the hard decisions satisfy every used parity check (see
        :func:`ldpc_decode`).
    iterations : numpy.ndarray
        ``(...)`` int32 number of iterations run.
    llr : numpy.ndarray or None
        ``(..., N)`` float32 a posteriori LLRs in the positions of the input, when requested with
        ``return_llr=True``; otherwise None.
    """

    bits: np.ndarray
    parity_ok: np.ndarray
    iterations: np.ndarray
    llr: np.ndarray | None = None


_VALID_N = {1: {66 * z: z for z in LIFTING_SIZES}, 2: {50 * z: z for z in LIFTING_SIZES}}


def ldpc_decode(llr, bg: int, config: LdpcDecoderConfig | None = None, *,
                return_llr: bool = False) -> LdpcDecodeResult:
    """Decode LDPC code blocks of TS 38.212 §5.3.2 (layered belief propagation).

    Parameters
    ----------
    llr : array_like
        ``(..., N)`` float LLRs ``ln P(d=0)/P(d=1)`` of the encoder output ``d_0 .. d_{N-1}``
        (TS 38.212 §5.3.2, the first 2 ``Z_c`` systematic bits punctured), with
        ``N = 66 Z_c`` (BG1) or ``50 Z_c`` (BG2). ``Z_c`` is inferred from ``N``. Positions not
        transmitted carry 0; filler bits carry a large positive LLR. Leading dimensions (code
        blocks, transport blocks) are batch dimensions. Infinite values are saturated to
        ``±1e20``.
    bg : int
        Base graph, 1 or 2.
    config : LdpcDecoderConfig, optional
        Algorithm and iterations; ``LdpcDecoderConfig()`` by default.
    return_llr : bool
        Also return the a posteriori LLRs.

    Returns
    -------
    LdpcDecodeResult
        ``bits`` ``(..., K)`` uint8 with ``K = 22 Z_c`` or ``10 Z_c``, ``parity_ok`` ``(...)`` bool,
        ``iterations`` ``(...)`` int32, ``llr`` ``(..., N)`` float32 or None.

    Raises
    ------
    ConfigError
        If ``bg`` is not 1 or 2, or ``config`` is not an :class:`LdpcDecoderConfig`.
    ValueError
        If ``N`` is not 66 ``Z_c`` (BG1) or 50 ``Z_c`` (BG2) for a lifting size ``Z_c`` of Table
        5.3.2-1, or if ``llr`` holds NaN or is not real.

    Notes
    -----
    The parity checks of a base graph row ``i >= 4`` involve one degree-one parity column,
    ``k_b + i``. When that column and all the columns after it carry only zero LLRs (they were
    not transmitted), the rows from ``i`` on cannot pass any information: they are skipped,
    which gives the same decisions as processing them, at a cost proportional to the transmitted
    length. ``parity_ok`` then covers the rows used (the untransmitted parity bits are whatever
    re-encoding of ``bits`` gives). Each code block stops on its own under early termination;
    blocks are decoded in parallel on numba threads, and the result does not depend on the
    number of threads.
    """
    check_choice("bg", bg, (1, 2), _CLAUSE)
    if config is None:
        config = LdpcDecoderConfig()
    if not isinstance(config, LdpcDecoderConfig):
        raise ConfigError("config", config, "must be an LdpcDecoderConfig")
    if isinstance(llr, np.ndarray) and llr.dtype == np.float32 and llr.ndim >= 1:
        arr = np.ascontiguousarray(llr)  # NaN is detected by the kernel, without a temporary
    else:
        arr = as_llrs("llr", llr)
    n = arr.shape[-1]
    zc = _VALID_N[bg].get(n)
    if zc is None:
        per = 66 if bg == 1 else 50
        raise ValueError(
            f"llr: last dimension N={n} is not valid for base graph {bg}: N must be {per}*Zc "
            f"for a lifting size Zc of TS 38.212 Table 5.3.2-1 ({_CLAUSE})")
    code, max_degree = _code(bg, zc)
    batch = arr.shape[:-1]
    flat = arr.reshape(-1, n)
    n_blocks = flat.shape[0]
    bits = np.empty((n_blocks, code.k), np.uint8)
    parity_ok = np.empty(n_blocks, np.bool_)
    iterations = np.empty(n_blocks, np.int32)
    app = np.empty((n_blocks if return_llr else 0, n), np.float32)
    alg, scales, offsets = _iteration_parameters(config)
    if n_blocks:
        f32 = np.float32
        args = (code.row_ptr, code.cols, code.shifts, zc, code.k_b, _N_CORE_ROWS, code.n_rows,
                code.n_cols, max_degree, alg, config.max_iterations, scales, offsets,
                bool(config.early_termination), f32(_LLR_MAX), f32(_MSG_MAX), f32(_SPA_A_MIN),
                f32(_SPA_A_MAX), f32(0.0))
        threads = numba.get_num_threads()
        if threads == 1 or n_blocks == 1:
            # One thread: the same decoding without the launch of a parallel region.
            _k.decode_range(flat, 0, n_blocks, *args, bits, parity_ok, iterations, app)
        else:
            _k.decode_batch(flat, *args, min(n_blocks, 4 * threads), bits, parity_ok, iterations,
                            app)
        if iterations.min() < 0:
            raise ValueError("llr: LLRs contain NaN")
    return LdpcDecodeResult(
        bits=bits.reshape(*batch, code.k),
        parity_ok=parity_ok.reshape(batch),
        iterations=iterations.reshape(batch),
        llr=app.reshape(*batch, n) if return_llr else None,
    )


@functools.lru_cache(maxsize=128)
def _code(bg: int, zc: int):
    """The lifted code and its largest row degree."""
    code = ldpc_code(bg, zc)
    return code, int(np.diff(code.row_ptr).max())


@functools.lru_cache(maxsize=64)
def _iteration_parameters(config: LdpcDecoderConfig) -> tuple[int, np.ndarray, np.ndarray]:
    """Algorithm code and the float32 min-sum scales and offsets of every iteration."""
    alg = _k.ALG_SPA if config.algorithm == "spa" else _k.ALG_MINSUM
    params = np.array([config.minsum_parameters(k) for k in range(config.max_iterations)],
                      np.float32).reshape(config.max_iterations, 2)
    scales = np.ascontiguousarray(params[:, 0])
    offsets = np.ascontiguousarray(params[:, 1])
    scales.setflags(write=False)
    offsets.setflags(write=False)
    return alg, scales, offsets

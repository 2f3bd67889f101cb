"""TS 38.212 §5.3.1 — CRC-aided successive-cancellation list (CA-SCL) decoding of polar codes.

The decoder walks the ``N`` bit indices of ``u`` in natural order with up to ``L`` paths
(min-sum ``f``/``g`` updates, LLR = ln P(0)/P(1), path metric penalty ``|LLR|`` for a decision
against the LLR). Frozen bits are 0; parity-check bits (§5.3.1.2) follow each path's own cyclic
register; each data bit splits every path and the ``L`` best survive. At the end the data bits
of each path are de-interleaved (§5.3.1.1) into ``c`` and the first path in metric order whose
CRC checks is returned. With ``list_size=1`` this is the SC decoder.

The bit indices are decoded by subtrees (rate-0, repetition, rate-1 and single-parity-check
nodes, see ``_decoder_kernels``), which keeps the list of bit-by-bit decoding (path metrics equal
up to float32 rounding inside rate-1 and parity-check nodes).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_int
from opennr.coding.crc import CRC_LENGTHS, CRC_POLYNOMIALS
from opennr.coding.polar._decoder_kernels import (
    NODE_PC,
    NODE_RATE0,
    NODE_RATE1,
    NODE_REP,
    NODE_SPC,
    scl_decode_kernel,
)
from opennr.coding.polar.construction import BIT_DATA, BIT_FROZEN, BIT_PC, PolarCode, polar_code
from opennr.errors import ConfigError

__all__ = ["MAX_LIST_SIZE", "PolarDecodeResult", "polar_decode"]

_CLAUSE = "TS 38.212 §5.3.1"

#: Largest list size accepted by :func:`polar_decode`.
MAX_LIST_SIZE = 32


@dataclass(frozen=True, slots=True)
class PolarDecodeResult:
    """Output of :func:`polar_decode`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (..., K)
        Decoded ``c_0 .. c_{K-1}`` (payload and CRC, in the order of §5.3.1 before interleaving),
        like MATLAB ``nrPolarDecode``.
    crc_ok : numpy.ndarray of bool, shape (...)
        True where the returned path passes the CRC (always True when ``crc`` is None).
    """

    bits: np.ndarray
    crc_ok: np.ndarray


@functools.lru_cache(maxsize=256)
def _code_nodes(code: PolarCode) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decoding schedule of ``code``: the subtrees covering the bit indices, in order.

    Each node is the largest subtree of one of the kinds of ``_decoder_kernels`` (rate-0,
    repetition or single data leaf, rate-1, single parity check, parity-check leaf); returns its
    kind, first leaf and layer as int8, int32 and int8 arrays.
    """
    bt = code.bit_type
    kinds: list[int] = []
    phis: list[int] = []
    layers: list[int] = []

    def visit(lo: int, s: int) -> None:
        seg = bt[lo:lo + (1 << s)]
        kind = -1
        if (seg == BIT_FROZEN).all():
            kind = NODE_RATE0
        elif s == 0:
            kind = NODE_PC if seg[0] == BIT_PC else NODE_REP
        elif (seg == BIT_DATA).all():
            kind = NODE_RATE1
        elif (seg[:-1] == BIT_FROZEN).all() and seg[-1] == BIT_DATA:
            kind = NODE_REP
        elif s >= 2 and seg[0] == BIT_FROZEN and (seg[1:] == BIT_DATA).all():
            kind = NODE_SPC
        if kind < 0:
            visit(lo, s - 1)
            visit(lo + (1 << (s - 1)), s - 1)
        else:
            kinds.append(kind)
            phis.append(lo)
            layers.append(s)

    visit(0, code.n_log)
    out = (np.array(kinds, dtype=np.int8), np.array(phis, dtype=np.int32), np.array(layers, dtype=np.int8))
    for a in out:
        a.setflags(write=False)
    return out


def polar_decode(llr, *, k: int, e: int, n_max: int, i_il: bool, list_size: int = 8,
                 crc: str | None = "24C", n_pc: int = 0, n_pc_wm: int = 0,
                 crc_prefix_ones: int = 0, crc_mask=None) -> PolarDecodeResult:
    """CA-SCL decoding of polar codes (TS 38.212 §5.3.1), like MATLAB ``nrPolarDecode``.

    Parameters
    ----------
    llr : array_like of float32, shape (..., N)
        LLRs of ``d_0 .. d_{N-1}`` (after :func:`polar_rate_recover`; LLR = ln P(0)/P(1)).
    k : int
        Decoded length ``K`` (payload and CRC).
    e : int
        Rate-matching length ``E`` used by the transmitter.
    n_max : int
        9 (downlink) or 10 (uplink).
    i_il : bool
        Input bit interleaving ``I_IL``.
    list_size : int
        List size ``L``, 1 .. 32 (1 is SC decoding).
    crc : str or None
        CRC of §5.1 carried in the last bits of ``c`` and used to select the path: ``"24C"``
        (BCH, DCI), ``"11"`` or ``"6"`` (UCI), ``"24A"``, ``"24B"``, ``"16"``; None selects the
        best metric.
    n_pc, n_pc_wm : int
        Parity-check bits ``n_PC`` and ``n_PC^wm`` (§5.3.1.2).
    crc_prefix_ones : int
        Ones prepended to the payload before the CRC computation (24 for DCI, §7.3.2).
    crc_mask : array_like of uint8, shape (L_crc,), optional
        Bits XORed onto the received CRC bits before the comparison (DCI: 0s then the RNTI on the
        last 16, §7.3.2).

    Returns
    -------
    PolarDecodeResult

    Raises
    ------
    ConfigError
        If a parameter is out of range.
    ValueError
        If ``llr`` is not a real array whose last dimension is ``N``, or ``crc_mask`` has the wrong
        length.
    """
    code = polar_code(k, e, n_max, i_il, n_pc, n_pc_wm)
    list_size = check_int("list_size", list_size, lo=1, hi=MAX_LIST_SIZE)
    crc_prefix_ones = check_int("crc_prefix_ones", crc_prefix_ones, lo=0, clause="TS 38.212 §7.3.2")
    if crc is None:
        poly, crc_len = 0, 0
    else:
        if crc not in CRC_LENGTHS:
            raise ConfigError("crc", crc, "must be None or one of " + ", ".join(CRC_LENGTHS),
                              "TS 38.212 §5.1")
        poly, crc_len = CRC_POLYNOMIALS[crc], CRC_LENGTHS[crc]
        if crc_len > code.k:
            raise ConfigError("k", k, f"must be >= the CRC length {crc_len}", _CLAUSE)
    if crc_mask is None:
        mask = np.zeros(max(crc_len, 1), dtype=np.uint8)
    else:
        mask = as_bits("crc_mask", crc_mask)
        if mask.ndim != 1 or mask.size != crc_len:
            raise ValueError(f"crc_mask: must have shape ({crc_len},) for crc={crc!r}, got {mask.shape}")
    arr = as_llrs("llr", llr)
    if arr.shape[-1] != code.n:
        raise ValueError(f"llr: last dimension must be N={code.n} (K={code.k}, E={code.e}, "
                         f"n_max={code.n_max}), got shape {arr.shape}")
    lead = arr.shape[:-1]
    flat = arr.reshape(-1, code.n)
    bits = np.zeros((flat.shape[0], code.k), dtype=np.uint8)
    ok = np.zeros(flat.shape[0], dtype=bool)
    if flat.shape[0]:
        kinds, phis, layers = _code_nodes(code)
        scl_decode_kernel(flat, code.n_log, kinds, phis, layers, code.bit_type, code.interleaver, list_size,
                          code.n_pc > 0, poly, crc_len, crc_prefix_ones, mask, bits, ok)
    return PolarDecodeResult(bits.reshape(*lead, code.k), ok.reshape(lead))

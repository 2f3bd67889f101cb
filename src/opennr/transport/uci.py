"""TS 38.212 §6.3.1.2-§6.3.1.5 (UCI on PUCCH) and §6.3.2.2-§6.3.2.5 (UCI on PUSCH) — coding of
uplink control information.

The chain is the same on both channels; it is the one of MATLAB ``nrUCIEncode``:

- ``A <= 11``: the small block codes of §5.3.3 (:mod:`opennr.coding.smallblock`) and circular
  repetition to ``E`` (§6.3.1.4.2, §6.3.2.4.2); for ``A <= 2`` the output carries the
  placeholders x (−1) and y (−2).
- ``12 <= A <= 1706``: code block segmentation and CRC attachment (§6.3.1.2.1, §5.2.1: CRC6 for
  ``A <= 19``, CRC11 above; ``C = 2`` when ``A >= 1013``, or ``A >= 360`` and ``E >= 1088``),
  polar coding of each block (§6.3.1.3.1, §5.3.1: ``n_max = 10``, ``I_IL = 0``, three
  parity-check bits for ``A <= 19``), rate matching to ``E_r = floor(E / C)`` with
  ``I_BIL = 1`` (§6.3.1.4.1, §5.4.1) and code block concatenation (§6.3.1.5, §5.5). When
  ``C E_r < E`` (``C = 2``, odd ``E``) the last bit is set to 0.

The decoder is the ML small-block decoder or CA-SCL polar decoding per block with the CRC of
the block selecting the list path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_int
from opennr.coding.polar import (
    polar_code,
    polar_decode,
    polar_encode,
    polar_rate_match,
    polar_rate_recover,
    uci_parity_check_bits,
)
from opennr.coding.polar.construction import E_MAX
from opennr.coding.segmentation import (
    A_UCI_MAX,
    desegment_uci_blocks,
    segment_uci_blocks,
    uci_segmentation,
)
from opennr.coding.smallblock import (
    QM_VALUES,
    smallblock_decode,
    smallblock_encode,
    smallblock_rate_match,
)
from opennr.errors import ConfigError

__all__ = [
    "A_UCI_MAX",
    "UciDecodeResult",
    "uci_crc_length",
    "uci_decode",
    "uci_encode",
    "uci_min_e",
]

_CLAUSE = "TS 38.212 §6.3.1.2, §6.3.2.2"
_N_MAX = 10


def _check_a(a: int) -> int:
    return check_int("a", a, lo=1, hi=A_UCI_MAX, clause=_CLAUSE)


def _check_qm(qm: int) -> int:
    qm = check_int("qm", qm, clause="TS 38.212 §5.3.3")
    if qm not in QM_VALUES:
        raise ConfigError("qm", qm, "must be one of " + ", ".join(map(str, QM_VALUES)),
                          "TS 38.212 §5.3.3")
    return qm


def uci_crc_length(a: int) -> int:
    """CRC length ``L`` of a UCI payload of ``A`` bits (TS 38.212 §6.3.1.2.1, §6.3.2.2.1).

    0 for ``A <= 11`` (small block codes), 6 for ``12 <= A <= 19``, 11 for ``A >= 20``. This is
    the ``L`` of the resource formulas of §6.3.1.4 and §6.3.2.4.1 (counted once even when the
    payload is split into two code blocks).

    Parameters
    ----------
    a : int
        Payload length ``A``, 1 .. 1706.

    Returns
    -------
    int
    """
    a = _check_a(a)
    return 0 if a <= 11 else (6 if a <= 19 else 11)


def uci_min_e(a: int, e: int | None = None) -> int:
    """Smallest rate-matching output length ``E`` that carries ``A`` UCI bits.

    ``A`` for the small block codes; ``K + n_PC`` per code block for polar codes
    (TS 38.212 §5.4.1 requires ``E_r >= K_r + n_PC``), i.e. ``A + 9`` for ``12 <= A <= 19``,
    ``A + 11`` for one CRC11 block and ``2 (ceil(A/2) + 11)`` for two blocks.

    Parameters
    ----------
    a : int
        Payload length ``A``, 1 .. 1706.
    e : int, optional
        The intended ``E``: it decides the segmentation for ``360 <= A < 1013``; without it the
        unsegmented minimum is returned for those payloads.

    Returns
    -------
    int
    """
    a = _check_a(a)
    if a <= 11:
        return a
    seg = uci_segmentation(a, max(int(e) if e is not None else 1, 1))
    n_pc = 3 if 12 <= a <= 19 else 0
    return seg.c * (seg.k + n_pc)


def _plan_checks(a: int, e: int):
    """Validated segmentation and per-block polar parameters for ``A >= 12``."""
    seg = uci_segmentation(a, e)
    n_pc, n_pc_wm = uci_parity_check_bits(seg.k, seg.e_r)
    if seg.e_r < seg.k + n_pc:
        raise ConfigError("e", e, f"too small for A = {a} UCI bits: needs E >= {uci_min_e(a, e)} "
                          f"(E_r = floor(E/C) >= K_r + n_PC = {seg.k + n_pc})", "TS 38.212 §5.4.1")
    if seg.e_r > E_MAX:
        raise ConfigError("e", e, f"E_r = floor(E/C) = {seg.e_r} exceeds {E_MAX}", "TS 38.212 §5.4.1")
    return seg, n_pc, n_pc_wm


def uci_encode(bits, e: int, *, qm: int = 2) -> np.ndarray:
    """Encode a UCI payload and rate-match it to ``E`` bits (TS 38.212 §6.3.1.2-§6.3.1.5,
    §6.3.2.2-§6.3.2.5), like MATLAB ``nrUCIEncode(bits, E, modulation)``.

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A)
        Payload ``a_0 .. a_{A-1}``, ``1 <= A <= 1706``.
    e : int
        Rate-matching output length ``E`` (``E_UCI`` on the PUCCH, ``E_UCI`` = ``G_ACK``,
        ``G_CSI1`` or ``G_CSI2`` on the PUSCH).
    qm : int
        Modulation order ``Q_m``: shapes the placeholders of ``A <= 2`` (Tables 5.3.3.1-1 and
        5.3.3.2-1), otherwise unused.

    Returns
    -------
    numpy.ndarray of int8, shape (..., E)
        The codeword ``g_0 .. g_{E-1}``; for ``A <= 2`` with the placeholders x = −1, y = −2.

    Raises
    ------
    ConfigError
        ``A`` out of 1 .. 1706, ``qm`` not a modulation order, or ``E`` too small for the
        payload (or a polar block longer than 8192 bits).
    ValueError
        ``bits`` is not a 0/1 array.
    """
    arr = as_bits("bits", bits)
    a = _check_a(arr.shape[-1])
    qm = _check_qm(qm)
    e = check_int("e", e, lo=1, clause=_CLAUSE)
    if a <= 11:
        if e < a:
            raise ConfigError("e", e, f"too small for A = {a} UCI bits: needs E >= {a}",
                              "TS 38.212 §6.3.1.4.2")
        return smallblock_rate_match(smallblock_encode(arr, qm=qm), e)
    seg, n_pc, n_pc_wm = _plan_checks(a, e)
    blocks = segment_uci_blocks(arr, seg)  # (..., C, K_r)
    d = polar_encode(blocks, e=seg.e_r, n_max=_N_MAX, i_il=False, n_pc=n_pc, n_pc_wm=n_pc_wm)
    f = polar_rate_match(d, k=seg.k, e=seg.e_r, i_bil=True)  # (..., C, E_r)
    out = np.zeros((*arr.shape[:-1], e), dtype=np.int8)
    out[..., : seg.c * seg.e_r] = f.reshape(*arr.shape[:-1], seg.c * seg.e_r)
    return out


@dataclass(frozen=True, slots=True)
class UciDecodeResult:
    """Output of :func:`uci_decode`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (..., A)
        Decoded payload ``a_0 .. a_{A-1}``.
    crc_ok : numpy.ndarray of bool, shape (...)
        True where every code block passes its CRC (polar codes); always True for the small
        block codes, which have no CRC (use ``metric``).
    metric : numpy.ndarray of float32, shape (...)
        Normalised correlation of the LLRs with the re-encoded decision, in [−1, 1] (see
        :class:`~opennr.coding.smallblock.SmallBlockDecodeResult`): near 1 for a clean
        reception, small for noise alone (DTX).
    """

    bits: np.ndarray
    crc_ok: np.ndarray
    metric: np.ndarray


def _correlation(llr: np.ndarray, code: np.ndarray) -> np.ndarray:
    used = code >= 0
    s = np.where(used, 1.0 - 2.0 * code, 0.0)
    num = (s * llr).sum(axis=-1)
    den = np.sqrt(used.sum(axis=-1)) * np.sqrt((np.where(used, llr, 0.0) ** 2).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0).astype(np.float32)


def uci_decode(llr, a: int, *, qm: int = 2, list_size: int = 8) -> UciDecodeResult:
    """Decode a UCI codeword (inverse of :func:`uci_encode`; TS 38.212 §6.3.1, §6.3.2).

    Small block codes (``A <= 11``) are decoded by ML correlation over all ``2^A`` codewords;
    polar codes by rate recovery (§5.4.1) and CA-SCL decoding of each code block (§5.3.1) with
    its CRC6/CRC11 choosing the list path, then desegmentation (§5.2.1).

    Parameters
    ----------
    llr : array_like of float32, shape (..., E)
        Descrambled LLRs (ln P(0)/P(1)) of ``g_0 .. g_{E-1}``. LLRs at placeholder positions are
        ignored.
    a : int
        Payload length ``A``, 1 .. 1706.
    qm : int
        Modulation order ``Q_m`` used by the encoder (matters for ``A <= 2``).
    list_size : int
        CA-SCL list size (1 .. 32).

    Returns
    -------
    UciDecodeResult

    Raises
    ------
    ConfigError
        As :func:`uci_encode`, or a list size out of range.
    ValueError
        ``llr`` is not a real array.
    """
    a = _check_a(a)
    qm = _check_qm(qm)
    arr = as_llrs("llr", llr)
    e = arr.shape[-1]
    e = check_int("e", e, lo=1, clause=_CLAUSE)
    lead = arr.shape[:-1]
    if a <= 11:
        if e < a:
            raise ConfigError("e", e, f"too small for A = {a} UCI bits: needs E >= {a}",
                              "TS 38.212 §6.3.1.4.2")
        res = smallblock_decode(arr, a, qm=qm)
        return UciDecodeResult(bits=res.bits, crc_ok=np.ones(lead, dtype=bool), metric=res.metric)
    seg, n_pc, n_pc_wm = _plan_checks(a, e)
    code = polar_code(seg.k, seg.e_r, _N_MAX, False, n_pc, n_pc_wm)
    blocks_llr = arr[..., : seg.c * seg.e_r].reshape(*lead, seg.c, seg.e_r)
    d_llr = polar_rate_recover(blocks_llr, k=seg.k, n=code.n, i_bil=True)
    res = polar_decode(d_llr, k=seg.k, e=seg.e_r, n_max=_N_MAX, i_il=False, list_size=list_size,
                       crc=seg.crc, n_pc=n_pc, n_pc_wm=n_pc_wm)
    bits, _ = desegment_uci_blocks(res.bits, seg)
    crc_ok = res.crc_ok.all(axis=-1)
    metric = _correlation(arr, uci_encode(bits, e, qm=qm))
    return UciDecodeResult(bits=bits, crc_ok=crc_ok, metric=metric)

"""TS 38.212 §7.3.2-§7.3.4 — coding of downlink control information (DCI).

Transmit chain: the payload ``a_0 .. a_{A-1}`` is zero-padded to 12 bits when ``A < 12``
(§7.3.1); the CRC24C parity bits are computed over 24 ones followed by the payload, and the last
16 parity bits are XORed with the RNTI ``x_rnti,0 .. x_rnti,15`` (MSB first) to form
``c_0 .. c_{K-1}``, ``K = A + 24`` (§7.3.2); polar encoding with ``n_max = 9``, ``I_IL = 1`` and
no parity-check bits (§7.3.3); rate matching to ``E`` bits without coded-bit interleaving,
``I_BIL = 0`` (§7.3.4). ``E`` is the PDCCH bit capacity, 108 bits per CCE (TS 38.211
§7.3.2: 6 REGs of 9 data REs, QPSK).

The decoder inverts rate matching, runs CA-SCL polar decoding whose CRC check includes the
24 prepended ones and the RNTI mask, and returns the payload.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_int
from opennr.coding.crc import crc_attach
from opennr.coding.polar import polar_code, polar_decode, polar_encode, polar_rate_match, polar_rate_recover
from opennr.errors import ConfigError

__all__ = [
    "DCI_A_MAX",
    "DCI_A_MIN",
    "DCI_CRC_LENGTH",
    "DciDecodeResult",
    "dci_crc_mask",
    "dci_decode",
    "dci_encode",
]

_CLAUSE = "TS 38.212 §7.3.2"

#: Payloads shorter than this are zero-padded to it (TS 38.212 §7.3.1).
DCI_A_MIN = 12
#: Largest payload: K = A + 24 <= 164 = K_IL^max (TS 38.212 §5.3.1.1, §7.3.3).
DCI_A_MAX = 140
#: CRC24C (TS 38.212 §7.3.2).
DCI_CRC_LENGTH = 24
_N_MAX = 9


def dci_crc_mask(rnti: int) -> np.ndarray:
    """The 24 bits XORed onto the DCI CRC parity bits: 8 zeros then the RNTI, MSB first (§7.3.2).

    Parameters
    ----------
    rnti : int
        RNTI, 0 .. 65535.

    Returns
    -------
    numpy.ndarray of uint8, shape (24,)
    """
    rnti = check_int("rnti", rnti, lo=0, hi=65535, clause=_CLAUSE)
    mask = np.zeros(DCI_CRC_LENGTH, dtype=np.uint8)
    mask[8:] = (rnti >> np.arange(15, -1, -1)) & 1
    return mask


def _check_e(e: int, k: int) -> int:
    e = check_int("e", e, lo=1, hi=8192, clause="TS 38.212 §7.3.4")
    if e < k:
        raise ConfigError("e", e, f"must be >= K = A + 24 = {k}", "TS 38.212 §7.3.4")
    return e


def _padded_length(a: int) -> int:
    if a < 1 or a > DCI_A_MAX:
        raise ConfigError("A", a, f"DCI payload length must be 1 .. {DCI_A_MAX} bits "
                          "(K = A + 24 <= 164)", "TS 38.212 §7.3.1, §7.3.3")
    return max(a, DCI_A_MIN)


def dci_encode(bits, rnti: int, e: int) -> np.ndarray:
    """DCI channel coding (TS 38.212 §7.3.2-§7.3.4), like MATLAB ``nrDCIEncode``.

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A)
        Payload ``a_0 .. a_{A-1}``, 1 <= A <= 140 (zero-padded to 12 when shorter).
    rnti : int
        RNTI scrambling the CRC, 0 .. 65535.
    e : int
        Rate-matched length ``E`` (108 per CCE for a PDCCH).

    Returns
    -------
    numpy.ndarray of uint8, shape (..., E)
        The rate-matched bits ``f_0 .. f_{E-1}`` (input to PDCCH scrambling, TS 38.211 §7.3.2.3).

    Raises
    ------
    ConfigError
        If ``A``, ``rnti`` or ``e`` is out of range.
    ValueError
        If ``bits`` is not a 0/1 array.
    """
    a_bits = as_bits("bits", bits)
    a = _padded_length(a_bits.shape[-1])
    mask = dci_crc_mask(rnti)
    k = a + DCI_CRC_LENGTH
    e = _check_e(e, k)
    if a_bits.shape[-1] < a:
        pad = np.zeros((*a_bits.shape[:-1], a - a_bits.shape[-1]), dtype=np.uint8)
        a_bits = np.concatenate([a_bits, pad], axis=-1)
    ones = np.ones((*a_bits.shape[:-1], DCI_CRC_LENGTH), dtype=np.uint8)
    c = crc_attach(np.concatenate([ones, a_bits], axis=-1), "24C")[..., DCI_CRC_LENGTH:]
    c[..., a:] ^= mask
    d = polar_encode(c, e=e, n_max=_N_MAX, i_il=True)
    return polar_rate_match(d, k=k, e=e, i_bil=False)


@dataclass(frozen=True, slots=True)
class DciDecodeResult:
    """Output of :func:`dci_decode`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (..., A)
        Decoded payload (the 12-bit padded payload is cut back to ``A``).
    crc_ok : numpy.ndarray of bool, shape (...)
        True where the CRC, masked with the RNTI, checks (and the zero padding of a payload
        shorter than 12 bits decodes as zeros).
    """

    bits: np.ndarray
    crc_ok: np.ndarray


def dci_decode(llr, a: int, rnti: int, *, list_size: int = 8) -> DciDecodeResult:
    """DCI channel decoding (inverse of TS 38.212 §7.3.2-§7.3.4), like MATLAB ``nrDCIDecode``.

    Rate recovery (§7.3.4), CA-SCL polar decoding (§7.3.3) with the CRC24C computed over 24
    ones and the payload and the last 16 parity bits unmasked with ``rnti`` (§7.3.2).

    Parameters
    ----------
    llr : array_like of float32, shape (..., E)
        LLRs of ``f_0 .. f_{E-1}`` (after PDCCH descrambling; LLR = ln P(0)/P(1)).
    a : int
        Payload length ``A`` (1 .. 140).
    rnti : int
        RNTI expected on the CRC, 0 .. 65535.
    list_size : int
        List size of the polar decoder (1 .. 32).

    Returns
    -------
    DciDecodeResult

    Raises
    ------
    ConfigError
        If ``a``, ``rnti``, ``list_size`` or ``E`` is out of range.
    ValueError
        If ``llr`` is not a real array without NaN.
    """
    a = check_int("a", a, clause=_CLAUSE)
    a_pad = _padded_length(a)
    mask = dci_crc_mask(rnti)
    arr = as_llrs("llr", llr)
    k = a_pad + DCI_CRC_LENGTH
    e = _check_e(arr.shape[-1], k)
    n = polar_code(k, e, _N_MAX, True).n
    soft = polar_rate_recover(arr, k=k, n=n, i_bil=False)
    res = polar_decode(soft, k=k, e=e, n_max=_N_MAX, i_il=True, list_size=list_size, crc="24C",
                       crc_prefix_ones=DCI_CRC_LENGTH, crc_mask=mask)
    ok = res.crc_ok
    if a < a_pad:  # the zero padding of §7.3.1 is known: a 1 there is a failed decoding
        ok = ok & ~res.bits[..., a:a_pad].any(axis=-1)
    return DciDecodeResult(np.ascontiguousarray(res.bits[..., :a]), ok)

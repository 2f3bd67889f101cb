"""TS 38.212 §5.2.1 and §5.2.2 — code block segmentation and code block CRC attachment.

§5.2.1 (polar-coded UCI): a payload of ``A >= 12`` bits is split into ``C = 2`` blocks when
``A >= 1013``, or ``A >= 360`` and ``E_UCI >= 1088`` (§6.3.1.2.1, §6.3.2.2.1), else kept whole;
with ``C = 2`` and odd ``A`` one 0 is prepended. Each block gets a CRC6 (``A <= 19``) or a CRC11.

§5.2.2 (LDPC): the input bit sequence ``b_0 .. b_{B-1}`` (a transport block with its CRC) is split into ``C``
code blocks of ``K`` bits: each carries ``K' - L`` input bits, then a CRC24B (``L = 24``) when
``C > 1``, then ``F = K - K'`` filler bits (<NULL>, carried as 0 here).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.coding._segmentation_kernels import desegment_kernel
from opennr.coding.crc import CRC_LENGTHS, crc_attach, crc_check, crc_slicing_table
from opennr.coding.ldpc.basegraph import LIFTING_SIZES, lifting_set_index
from opennr.errors import ConfigError

__all__ = [
    "LdpcSegmentation",
    "UciSegmentation",
    "desegment_code_blocks",
    "desegment_uci_blocks",
    "ldpc_segmentation",
    "segment_code_blocks",
    "segment_uci_blocks",
    "uci_segmentation",
]

_CLAUSE = "TS 38.212 §5.2.2"

#: Maximum code block size K_cb of each base graph (§5.2.2).
K_CB = {1: 8448, 2: 3840}


@dataclass(frozen=True, slots=True, kw_only=True)
class LdpcSegmentation:
    """Code block segmentation parameters of TS 38.212 §5.2.2.

    Build it with :func:`ldpc_segmentation`, which derives every field from ``b`` and ``bg``.

    Attributes
    ----------
    b : int
        Input length ``B`` (transport block plus its CRC).
    bg : int
        LDPC base graph, 1 or 2.
    c : int
        Number of code blocks ``C``.
    l : int
        Code block CRC length ``L`` (24 when ``C > 1``, else 0).
    b_prime : int
        ``B' = B + C L``.
    k_prime : int
        Bits per code block before filler, ``K' = B'/C`` (rounded up; see
        :func:`ldpc_segmentation`).
    k_b : int
        Systematic columns used for the choice of ``Z_c``: 22 (BG1) or 10/9/8/6 (BG2, by ``B``).
    zc : int
        Lifting size ``Z_c``: the smallest ``Z`` of Table 5.3.2-1 with ``K_b Z >= K'``.
    i_ls : int
        Lifting set index of ``zc``.
    k : int
        Code block length ``K`` = 22 ``Z_c`` (BG1) or 10 ``Z_c`` (BG2).
    """

    b: int
    bg: int
    c: int
    l: int
    b_prime: int
    k_prime: int
    k_b: int
    zc: int
    i_ls: int
    k: int

    def __post_init__(self) -> None:
        expected = _derive(self.b, self.bg)
        if expected != {f: getattr(self, f) for f in expected}:
            raise ConfigError("LdpcSegmentation", self,
                              "fields must be those derived from b and bg (use ldpc_segmentation)",
                              _CLAUSE)

    @property
    def f(self) -> int:
        """Filler bits per code block, ``F = K - K'``."""
        return self.k - self.k_prime

    @property
    def n_data(self) -> int:
        """Input bits carried per code block, ``K' - L``."""
        return self.k_prime - self.l


def _derive(b: int, bg: int) -> dict:
    b = check_int("b", b, lo=1, clause=_CLAUSE)
    check_choice("bg", bg, (1, 2), _CLAUSE)
    k_cb = K_CB[bg]
    if b <= k_cb:
        l, c = 0, 1
    else:
        l = 24
        c = math.ceil(b / (k_cb - l))
    b_prime = b + c * l
    k_prime = math.ceil(b_prime / c)
    if bg == 1:
        k_b = 22
    elif b > 640:
        k_b = 10
    elif b > 560:
        k_b = 9
    elif b > 192:
        k_b = 8
    else:
        k_b = 6
    zc = next(z for z in LIFTING_SIZES if k_b * z >= k_prime)
    k = (22 if bg == 1 else 10) * zc
    return dict(b=b, bg=bg, c=c, l=l, b_prime=b_prime, k_prime=k_prime, k_b=k_b, zc=zc,
                i_ls=lifting_set_index(zc), k=k)


@functools.lru_cache(maxsize=1024)
def ldpc_segmentation(b: int, bg: int) -> LdpcSegmentation:
    """Return the code block segmentation of ``B`` bits for base graph ``bg`` (TS 38.212 §5.2.2).

    ``C = 1`` and ``L = 0`` when ``B <= K_cb`` (8448 for BG1, 3840 for BG2); otherwise ``L = 24``
    and ``C = ceil(B / (K_cb - L))``. ``K' = B'/C`` with ``B' = B + C L``; when ``B'`` is not a
    multiple of ``C`` (never the case for a transport block size of TS 38.214) ``K'`` is rounded
    up and the input is padded with zeros at its end.

    Parameters
    ----------
    b : int
        Input length ``B`` >= 1.
    bg : int
        LDPC base graph, 1 or 2.

    Returns
    -------
    LdpcSegmentation

    Raises
    ------
    ConfigError
        If ``b`` is not a positive integer or ``bg`` is not 1 or 2.
    """
    return LdpcSegmentation(**_derive(b, bg))


def segment_code_blocks(bits, seg: LdpcSegmentation) -> np.ndarray:
    """Split ``bits`` into code blocks with CRC24B and filler (TS 38.212 §5.2.2).

    Parameters
    ----------
    bits : array_like of uint8, shape (..., B)
        Input bits ``b_0 .. b_{B-1}``.
    seg : LdpcSegmentation

    Returns
    -------
    numpy.ndarray of uint8, shape (..., C, K)
        Code blocks ``c_r0 .. c_r(K-1)``: ``K' - L`` input bits, the CRC24B when ``C > 1``,
        then ``F`` filler bits set to 0.

    Raises
    ------
    ValueError
        If ``bits`` is not a 0/1 array whose last dimension is ``B``.
    """
    arr = as_bits("bits", bits)
    if arr.shape[-1] != seg.b:
        raise ValueError(f"bits: last dimension must be B={seg.b}, got shape {arr.shape}")
    lead = arr.shape[:-1]
    pad = seg.c * seg.n_data - seg.b
    if pad:
        arr = np.concatenate([arr, np.zeros((*lead, pad), np.uint8)], axis=-1)
    blocks = arr.reshape(*lead, seg.c, seg.n_data)
    if seg.c > 1:
        blocks = crc_attach(blocks, "24B")
    out = np.zeros((*lead, seg.c, seg.k), dtype=np.uint8)
    out[..., : seg.k_prime] = blocks
    return out


def desegment_code_blocks(blocks, seg: LdpcSegmentation) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild the input bits from decoded code blocks (inverse of TS 38.212 §5.2.2).

    Parameters
    ----------
    blocks : array_like of uint8, shape (..., C, K'') with ``K'' >= K'``
        Decoded code blocks (anything after position ``K'`` is ignored).
    seg : LdpcSegmentation

    Returns
    -------
    bits : numpy.ndarray of uint8, shape (..., B)
        ``b_0 .. b_{B-1}``.
    block_crc_ok : numpy.ndarray of bool, shape (..., C)
        Result of the CRC24B check of each block when ``C > 1``; all True when ``C == 1``.

    Raises
    ------
    ValueError
        If ``blocks`` is not a 0/1 array of shape (..., C, >= K').
    """
    arr = as_bits("blocks", blocks, min_ndim=2)
    if arr.shape[-2] != seg.c or arr.shape[-1] < seg.k_prime:
        raise ValueError(f"blocks: shape must be (..., C={seg.c}, >= K'={seg.k_prime}), "
                         f"got {arr.shape}")
    return _desegment(arr, seg)


def _desegment(arr: np.ndarray, seg: LdpcSegmentation) -> tuple[np.ndarray, np.ndarray]:
    """:func:`desegment_code_blocks` of checked C-contiguous uint8 blocks (..., C, >= K')."""
    lead = arr.shape[:-2]
    n = math.prod(lead)
    bits = np.empty((n, seg.b), np.uint8)
    rem = np.zeros((n, seg.c), np.int64)
    crc_len = CRC_LENGTHS["24B"] if seg.c > 1 else 0
    desegment_kernel(arr.reshape(n, seg.c, arr.shape[-1]), seg.c, seg.k_prime, seg.n_data, seg.b,
                     crc_slicing_table("24B"), crc_len, bits, rem)
    return bits.reshape(*lead, seg.b), (rem == 0).reshape(*lead, seg.c)


_UCI_CLAUSE = "TS 38.212 §5.2.1"

#: Largest UCI payload ``A`` of polar-coded UCI (TS 38.212 §6.3.1.2.1).
A_UCI_MAX = 1706


@dataclass(frozen=True, slots=True, kw_only=True)
class UciSegmentation:
    """Code block segmentation of polar-coded UCI (TS 38.212 §5.2.1).

    Build it with :func:`uci_segmentation`, which derives every field from ``a`` and ``e_uci``.

    Attributes
    ----------
    a : int
        Payload length ``A`` (12 .. 1706).
    e_uci : int
        Rate-matching output length ``E_UCI`` of the whole payload.
    c : int
        Number of code blocks ``C`` (1 or 2; ``I_seg = C - 1``).
    crc : str
        ``"6"`` when ``A <= 19``, else ``"11"``.
    l : int
        CRC length ``L`` (6 or 11).
    a_prime : int
        ``A' = ceil(A / C) C`` (one leading 0 when ``C = 2`` and ``A`` is odd).
    k : int
        Polar input length per block ``K_r = A'/C + L``.
    e_r : int
        Rate-matching output length per block ``E_r = floor(E_UCI / C)``.
    """

    a: int
    e_uci: int
    c: int
    crc: str
    l: int
    a_prime: int
    k: int
    e_r: int

    def __post_init__(self) -> None:
        expected = _derive_uci(self.a, self.e_uci)
        if expected != {f: getattr(self, f) for f in expected}:
            raise ConfigError("UciSegmentation", self,
                              "fields must be those derived from a and e_uci (use uci_segmentation)",
                              _UCI_CLAUSE)


def _derive_uci(a: int, e_uci: int) -> dict:
    a = check_int("a", a, lo=12, hi=A_UCI_MAX, clause="TS 38.212 §6.3.1.2.1")
    e_uci = check_int("e_uci", e_uci, lo=1, clause="TS 38.212 §6.3.1.2.1")
    c = 2 if a >= 1013 or (a >= 360 and e_uci >= 1088) else 1
    crc = "6" if a <= 19 else "11"
    l = 6 if a <= 19 else 11
    a_prime = -(-a // c) * c
    return dict(a=a, e_uci=e_uci, c=c, crc=crc, l=l, a_prime=a_prime, k=a_prime // c + l,
                e_r=e_uci // c)


@functools.lru_cache(maxsize=1024)
def uci_segmentation(a: int, e_uci: int) -> UciSegmentation:
    """Return the code block segmentation of ``A`` UCI bits (TS 38.212 §5.2.1).

    Parameters
    ----------
    a : int
        Payload length ``A``, 12 .. 1706 (smaller payloads use the small block codes of §5.3.3).
    e_uci : int
        Rate-matching output length ``E_UCI`` >= 1.

    Returns
    -------
    UciSegmentation

    Raises
    ------
    ConfigError
        If ``a`` or ``e_uci`` is out of range.
    """
    return UciSegmentation(**_derive_uci(a, e_uci))


def segment_uci_blocks(bits, seg: UciSegmentation) -> np.ndarray:
    """Split UCI bits into code blocks with their CRC (TS 38.212 §5.2.1).

    Parameters
    ----------
    bits : array_like of uint8, shape (..., A)
        Payload ``a_0 .. a_{A-1}``.
    seg : UciSegmentation

    Returns
    -------
    numpy.ndarray of uint8, shape (..., C, K_r)
        Blocks ``c_r0 .. c_r(K_r-1)``: ``A'/C`` payload bits (the first block starts with the
        ``A' - A`` prepended zeros) then the CRC6/CRC11.

    Raises
    ------
    ValueError
        If ``bits`` is not a 0/1 array whose last dimension is ``A``.
    """
    arr = as_bits("bits", bits)
    if arr.shape[-1] != seg.a:
        raise ValueError(f"bits: last dimension must be A={seg.a}, got shape {arr.shape}")
    lead = arr.shape[:-1]
    pad = seg.a_prime - seg.a
    if pad:
        arr = np.concatenate([np.zeros((*lead, pad), np.uint8), arr], axis=-1)
    return crc_attach(arr.reshape(*lead, seg.c, seg.a_prime // seg.c), seg.crc)


def desegment_uci_blocks(blocks, seg: UciSegmentation) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild the UCI payload from decoded code blocks (inverse of TS 38.212 §5.2.1).

    Parameters
    ----------
    blocks : array_like of uint8, shape (..., C, K_r)
        Decoded blocks with their CRC.
    seg : UciSegmentation

    Returns
    -------
    bits : numpy.ndarray of uint8, shape (..., A)
        ``a_0 .. a_{A-1}``.
    block_crc_ok : numpy.ndarray of bool, shape (..., C)
        CRC check of each block.

    Raises
    ------
    ValueError
        If ``blocks`` is not a 0/1 array of shape (..., C, K_r).
    """
    arr = as_bits("blocks", blocks, min_ndim=2)
    if arr.shape[-2:] != (seg.c, seg.k):
        raise ValueError(f"blocks: shape must be (..., C={seg.c}, K_r={seg.k}), got {arr.shape}")
    lead = arr.shape[:-2]
    ok = crc_check(arr, seg.crc)
    payload = arr[..., : seg.k - seg.l].reshape(*lead, seg.a_prime)
    return np.ascontiguousarray(payload[..., seg.a_prime - seg.a:]), ok

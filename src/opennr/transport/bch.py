"""TS 38.212 §7.1 — broadcast channel (BCH) coding, with the MIB of TS 38.331 §6.2.2.

Transmit chain (§7.1.1-§7.1.5): the 24-bit BCCH-BCH message (MIB) plus 8 additional timing
bits form the 32-bit payload ``ā``; it is interleaved with the pattern ``G(j)`` of Table 7.1.1-1,
scrambled (§7.1.2: Gold sequence with ``c_init = N_ID^cell`` from offset ``v M``, leaving the
half-frame bit, the 2nd/3rd LSBs of the SFN and, for ``L_max = 64``, the SS/PBCH block index bits
unscrambled), CRC24C-attached (§7.1.3), polar-encoded with ``K = 56``, ``n_max = 9``,
``I_IL = 1`` (§7.1.4) and rate-matched to ``E = 864`` with ``I_BIL = 0`` (§7.1.5).

The receiver does not know ``v`` before decoding: it polar-decodes first, reads the two SFN bits
that were not scrambled, derives ``v`` from them, then descrambles and de-interleaves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int
from opennr.coding.crc import crc_attach
from opennr.coding.polar import polar_encode, polar_rate_match, polar_rate_recover
from opennr.coding.polar.decoder import polar_decode
from opennr.errors import ConfigError
from opennr.sequences.gold import gold_sequence

__all__ = [
    "BCH_A",
    "BCH_E",
    "BCH_K",
    "PBCH_PAYLOAD_INTERLEAVER",
    "BchDecodeResult",
    "Mib",
    "bch_bit_source",
    "bch_decode",
    "bch_encode",
    "mib_bits",
    "mib_from_bits",
]

_CLAUSE = "TS 38.212 §7.1"
_MIB_CLAUSE = "TS 38.331 §6.2.2"

#: TS 38.212 Table 7.1.1-1: value of the PBCH payload interleaver pattern ``G(j)``, j = 0 .. 31.
PBCH_PAYLOAD_INTERLEAVER = (16, 23, 18, 17, 8, 30, 10, 6, 24, 7, 0, 5, 3, 2, 1, 4,
                            9, 11, 12, 13, 14, 15, 19, 20, 21, 22, 25, 26, 27, 28, 29, 31)

#: Payload size ``A`` (BCCH-BCH message plus 8 additional timing bits), CRC-attached size ``K``
#: and rate-matched size ``E`` of the BCH.
BCH_A, BCH_K, BCH_E = 32, 56, 864

_MIB_LEN = 24
_N_MAX = 9
_L_MAX_VALUES = (4, 8, 64)
# Positions j of G(j) for the SFN bits (10), the half-frame bit, the SSB index bits and the rest.
_J_SFN, _J_HRF, _J_SSB, _J_OTHER = 0, 10, 11, 14


@dataclass(frozen=True, slots=True, kw_only=True)
class Mib:
    """The MIB of TS 38.331 §6.2.2 without its two per-block fields.

    ``systemFrameNumber`` (6 MSBs of the SFN) and ``ssb-SubcarrierOffset`` (4 LSBs of
    ``k_SSB``) change from block to block: they come from the ``sfn`` and ``k_ssb`` given to
    :func:`mib_bits` and :func:`bch_encode`.

    Attributes
    ----------
    subcarrier_spacing_common : int
        ``subCarrierSpacingCommon`` in kHz: 15 or 30 (FR1), 60 or 120 (FR2).
    dmrs_type_a_position : int
        ``dmrs-TypeA-Position``: 2 or 3.
    pdcch_config_sib1 : int
        ``pdcch-ConfigSIB1`` (``controlResourceSetZero`` x 16 + ``searchSpaceZero``), 0 .. 255.
    cell_barred : bool
        ``cellBarred``: True for ``barred``.
    intra_freq_reselection : bool
        ``intraFreqReselection``: True for ``allowed``.
    spare : int
        The spare bit, 0 or 1.
    """

    subcarrier_spacing_common: int = 15
    dmrs_type_a_position: int = 2
    pdcch_config_sib1: int = 0
    cell_barred: bool = False
    intra_freq_reselection: bool = True
    spare: int = 0

    def __post_init__(self) -> None:
        check_choice("subcarrier_spacing_common", self.subcarrier_spacing_common, (15, 30, 60, 120),
                     _MIB_CLAUSE)
        check_choice("dmrs_type_a_position", self.dmrs_type_a_position, (2, 3), _MIB_CLAUSE)
        check_int("pdcch_config_sib1", self.pdcch_config_sib1, lo=0, hi=255, clause=_MIB_CLAUSE)
        for name in ("cell_barred", "intra_freq_reselection"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ConfigError(name, getattr(self, name), "must be a boolean", _MIB_CLAUSE)
        check_choice("spare", self.spare, (0, 1), _MIB_CLAUSE)


def _int_bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def _bits_int(bits) -> int:
    out = 0
    for b in bits:
        out = (out << 1) | int(b)
    return out


def mib_bits(mib: Mib, sfn: int, k_ssb: int) -> np.ndarray:
    """The 24-bit BCCH-BCH message carrying ``mib`` (TS 38.331 §6.2.2, unaligned PER).

    Bits, in order: the message choice (0 = ``mib``), ``systemFrameNumber`` (6 MSBs of ``sfn``),
    ``subCarrierSpacingCommon``, ``ssb-SubcarrierOffset`` (4 LSBs of ``k_ssb``),
    ``dmrs-TypeA-Position``, ``pdcch-ConfigSIB1`` (8), ``cellBarred``, ``intraFreqReselection``
    and ``spare``; enumerations are coded by their index (``scs15or60``/``pos2``/``barred``/
    ``allowed`` = 0).

    Parameters
    ----------
    mib : Mib
    sfn : int
        System frame number, 0 .. 1023.
    k_ssb : int
        ``k_SSB``, 0 .. 23 (only its 4 LSBs are carried here).

    Returns
    -------
    numpy.ndarray of uint8, shape (24,)

    Raises
    ------
    ConfigError
        If ``sfn`` or ``k_ssb`` is out of range.
    """
    sfn = check_int("sfn", sfn, lo=0, hi=1023, clause=_MIB_CLAUSE)
    k_ssb = check_int("k_ssb", k_ssb, lo=0, hi=23, clause="TS 38.213 §4.1")
    bits = [0, *_int_bits(sfn >> 4, 6), int(mib.subcarrier_spacing_common in (30, 120)),
            *_int_bits(k_ssb & 15, 4), int(mib.dmrs_type_a_position == 3),
            *_int_bits(mib.pdcch_config_sib1, 8), int(not mib.cell_barred),
            int(not mib.intra_freq_reselection), mib.spare]
    return np.asarray(bits, dtype=np.uint8)


def mib_from_bits(bits, *, fr2: bool = False) -> tuple[Mib, int, int]:
    """Parse a 24-bit BCCH-BCH message (inverse of :func:`mib_bits`).

    Parameters
    ----------
    bits : array_like of uint8, shape (24,)
    fr2 : bool
        Read ``subCarrierSpacingCommon`` as 60/120 kHz (FR2) instead of 15/30 kHz.

    Returns
    -------
    mib : Mib
    sfn_msbs : int
        ``systemFrameNumber``: the 6 MSBs of the SFN (0 .. 63).
    k_ssb_lsbs : int
        ``ssb-SubcarrierOffset``: the 4 LSBs of ``k_SSB`` (0 .. 15).

    Raises
    ------
    ValueError
        If ``bits`` is not 24 bits or its first (message choice) bit is not 0.
    """
    b = as_bits("bits", bits)
    if b.shape != (_MIB_LEN,):
        raise ValueError(f"bits: must have shape (24,), got {b.shape}")
    if b[0]:
        raise ValueError("bits: the BCCH-BCH message choice bit must be 0 (mib)")
    scs = (60, 120) if fr2 else (15, 30)
    mib = Mib(subcarrier_spacing_common=scs[int(b[7])], dmrs_type_a_position=2 + int(b[12]),
              pdcch_config_sib1=_bits_int(b[13:21]), cell_barred=not b[21],
              intra_freq_reselection=not b[22], spare=int(b[23]))
    return mib, _bits_int(b[1:7]), _bits_int(b[8:12])


def _check_common(n_cell_id, l_max):
    n_cell_id = check_int("n_cell_id", n_cell_id, lo=0, hi=1007, clause="TS 38.211 §7.4.2.1")
    check_choice("l_max", l_max, _L_MAX_VALUES, "TS 38.213 §4.1")
    return n_cell_id, int(l_max)


def _payload_roles(l_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Interleaver map (a'[perm[i]] = ā[i]) and mask of unscrambled a' positions (§7.1.1-§7.1.2)."""
    g = PBCH_PAYLOAD_INTERLEAVER
    perm = np.empty(BCH_A, dtype=np.int64)
    j_sfn, j_ssb, j_other = _J_SFN, _J_SSB, _J_OTHER
    for i in range(BCH_A):
        if 1 <= i <= 6 or _MIB_LEN <= i <= _MIB_LEN + 3:  # SFN bits
            perm[i] = g[j_sfn]
            j_sfn += 1
        elif i == _MIB_LEN + 4:  # half-frame bit
            perm[i] = g[_J_HRF]
        elif i >= _MIB_LEN + 5:  # SS/PBCH block index bits (k_SSB MSB and reserved for L_max < 64)
            perm[i] = g[j_ssb]
            j_ssb += 1
        else:
            perm[i] = g[j_other]
            j_other += 1
    keep = np.zeros(BCH_A, dtype=bool)
    keep[[g[7], g[8], g[_J_HRF]]] = True  # SFN 3rd and 2nd LSBs, half-frame bit
    if l_max == 64:
        keep[list(g[_J_SSB:_J_SSB + 3])] = True
    return perm, keep


def _scrambling(n_cell_id: int, l_max: int, v: int, keep: np.ndarray) -> np.ndarray:
    """The sequence ``s_0 .. s_{A-1}`` of §7.1.2."""
    m = BCH_A - (6 if l_max == 64 else 3)
    c = gold_sequence(n_cell_id, m, offset=v * m)
    s = np.zeros(BCH_A, dtype=np.uint8)
    s[~keep] = c
    return s


def bch_encode(mib, sfn: int, half_frame: int, ssb_index: int, k_ssb: int, l_max: int,
               n_cell_id: int) -> np.ndarray:
    """BCH transport channel coding (TS 38.212 §7.1), like MATLAB ``nrBCH``.

    Parameters
    ----------
    mib : Mib or array_like of uint8, shape (24,)
        The MIB; a 24-bit array is taken as the BCCH-BCH message as is (its SFN and
        ``k_SSB`` fields are then not checked against ``sfn`` and ``k_ssb``).
    sfn : int
        System frame number, 0 .. 1023.
    half_frame : int
        Half-frame bit ``n_hf``, 0 or 1.
    ssb_index : int
        Candidate SS/PBCH block index, 0 .. L_max - 1 (its 3 MSBs are carried when
        ``L_max = 64``).
    k_ssb : int
        ``k_SSB`` (TS 38.213 §4.1): 0 .. 23 for ``L_max`` 4/8 (its MSB is carried in the timing
        bits), 0 .. 15 for ``L_max = 64``.
    l_max : int
        Maximum number of SS/PBCH blocks in a half frame, ``L_max``: 4, 8 or 64.
    n_cell_id : int
        Physical cell identity ``N_ID^cell``, 0 .. 1007.

    Returns
    -------
    numpy.ndarray of uint8, shape (864,)
        The rate-matched bits ``f_0 .. f_{E-1}`` (input to PBCH scrambling, TS 38.211 §7.3.3.1).

    Raises
    ------
    ConfigError
        If a parameter is out of range.
    ValueError
        If ``mib`` is an array that is not 24 bits.
    """
    n_cell_id, l_max = _check_common(n_cell_id, l_max)
    sfn = check_int("sfn", sfn, lo=0, hi=1023, clause=_CLAUSE)
    check_choice("half_frame", half_frame, (0, 1), _CLAUSE)
    ssb_index = check_int("ssb_index", ssb_index, lo=0, hi=l_max - 1, clause="TS 38.213 §4.1")
    k_ssb = check_int("k_ssb", k_ssb, lo=0, hi=15 if l_max == 64 else 23, clause="TS 38.213 §4.1")
    if isinstance(mib, Mib):
        fr2 = mib.subcarrier_spacing_common in (60, 120)
        if fr2 != (l_max == 64):
            raise ConfigError("subcarrier_spacing_common", mib.subcarrier_spacing_common,
                              f"must be {'60 or 120' if l_max == 64 else '15 or 30'} kHz with "
                              f"L_max = {l_max}", _MIB_CLAUSE)
        message = mib_bits(mib, sfn, k_ssb)
    else:
        message = as_bits("mib", mib)
        if message.shape != (_MIB_LEN,):
            raise ValueError(f"mib: a bit array must have shape (24,), got {message.shape}")
    # §7.1.1: payload ā with the additional timing bits.
    extra = [(sfn >> 3) & 1, (sfn >> 2) & 1, (sfn >> 1) & 1, sfn & 1, int(half_frame)]
    if l_max == 64:
        extra += [(ssb_index >> 5) & 1, (ssb_index >> 4) & 1, (ssb_index >> 3) & 1]
    else:
        extra += [(k_ssb >> 4) & 1, 0, 0]
    a_bar = np.concatenate([message, np.asarray(extra, dtype=np.uint8)])
    perm, keep = _payload_roles(l_max)
    a_prime = np.empty(BCH_A, dtype=np.uint8)
    a_prime[perm] = a_bar
    # §7.1.2: scrambling, v from the 3rd and 2nd LSBs of the SFN.
    v = 2 * ((sfn >> 2) & 1) + ((sfn >> 1) & 1)
    a_2 = a_prime ^ _scrambling(n_cell_id, l_max, v, keep)
    # §7.1.3-§7.1.5.
    c = crc_attach(a_2, "24C")
    d = polar_encode(c, e=BCH_E, n_max=_N_MAX, i_il=True)
    return polar_rate_match(d, k=BCH_K, e=BCH_E, i_bil=False)


def bch_bit_source(mib, k_ssb: int, l_max: int,
                   n_cell_id: int) -> Callable[[int, int, int], np.ndarray]:
    """A PBCH bit source carrying one MIB: ``f(sfn, n_hf, i_ssb) -> 864 bits`` (TS 38.212 §7.1).

    The callable returns :func:`bch_encode` of ``mib`` with the timing of each block (SFN,
    half-frame bit ``n_hf``, candidate block index ``i_SSB``); it is the PBCH bit source taken
    by ``opennr.physical.ssb.ss_burst_grid`` and ``ss_burst_waveform``. Codewords are cached
    per (sfn, n_hf, i_ssb).

    Parameters
    ----------
    mib : Mib or array_like of uint8, shape (24,)
        As for :func:`bch_encode`.
    k_ssb : int
        ``k_SSB``: 0 .. 23 for ``L_max`` 4/8, 0 .. 15 for 64.
    l_max : int
        4, 8 or 64.
    n_cell_id : int
        Physical cell identity ``N_ID^cell``, 0 .. 1007.

    Returns
    -------
    callable
        ``f(sfn, n_hf, i_ssb)`` returning a read-only ``np.uint8`` array of shape (864,).

    Raises
    ------
    ConfigError
        If a parameter is out of range (checked here once, and per block for the timing).
    ValueError
        If ``mib`` is an array that is not 24 bits.
    """
    bch_encode(mib, 0, 0, 0, k_ssb, l_max, n_cell_id)      # validate once, eagerly
    cache: dict[tuple[int, int, int], np.ndarray] = {}

    def source(sfn: int, n_hf: int, i_ssb: int) -> np.ndarray:
        exact = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    for v in (sfn, n_hf, i_ssb))
        key = (int(sfn), int(n_hf), int(i_ssb)) if exact else None
        bits = cache.get(key) if exact else None
        if bits is None:
            bits = bch_encode(mib, sfn, n_hf, i_ssb, k_ssb, l_max, n_cell_id)
            bits.setflags(write=False)
            if exact:
                cache[key] = bits
        return bits

    return source


@dataclass(frozen=True, slots=True)
class BchDecodeResult:
    """Output of :func:`bch_decode`.

    Attributes
    ----------
    mib : Mib
        The decoded MIB fields (meaningless when ``crc_ok`` is False).
    mib_bits : numpy.ndarray of uint8, shape (24,)
        The BCCH-BCH message.
    sfn : int
        Full system frame number (6 MSBs from the MIB, 4 LSBs from the timing bits).
    half_frame : int
        Half-frame bit.
    ssb_index_msbs : int or None
        For ``L_max = 64``: the 6th, 5th and 4th bits of the SS/PBCH block index as a number
        0 .. 7 (the index is ``8 ssb_index_msbs + i_SSB`` with ``i_SSB`` from the PBCH DM-RS);
        None otherwise.
    k_ssb : int
        ``k_SSB``: 0 .. 23 for ``L_max`` 4/8 (MSB from the timing bits), 0 .. 15 for 64.
    crc_ok : bool
        CRC24C check.
    """

    mib: Mib | None
    mib_bits: np.ndarray
    sfn: int
    half_frame: int
    ssb_index_msbs: int | None
    k_ssb: int
    crc_ok: bool


def bch_decode(llr, n_cell_id: int, l_max: int, *, list_size: int = 8) -> BchDecodeResult:
    """BCH transport channel decoding (inverse of TS 38.212 §7.1), like MATLAB ``nrBCHDecode``.

    Rate recovery, CA-SCL polar decoding with CRC24C, then descrambling with ``v`` read from
    the two unscrambled SFN bits of the decoded payload, and payload de-interleaving.

    Parameters
    ----------
    llr : array_like of float32, shape (864,)
        LLRs of the rate-matched bits (after PBCH descrambling; LLR = ln P(0)/P(1)).
    n_cell_id : int
        Physical cell identity, 0 .. 1007.
    l_max : int
        4, 8 or 64.
    list_size : int
        List size of the polar decoder (1 .. 32).

    Returns
    -------
    BchDecodeResult
        ``mib`` is None when the decoded message choice bit is not 0.

    Raises
    ------
    ConfigError
        If a parameter is out of range.
    ValueError
        If ``llr`` is not 864 real values.
    """
    n_cell_id, l_max = _check_common(n_cell_id, l_max)
    arr = as_llrs("llr", llr)
    if arr.shape != (BCH_E,):
        raise ValueError(f"llr: must have shape ({BCH_E},), got {arr.shape}")
    soft = polar_rate_recover(arr, k=BCH_K, n=512, i_bil=False)
    res = polar_decode(soft, k=BCH_K, e=BCH_E, n_max=_N_MAX, i_il=True, list_size=list_size,
                       crc="24C")
    a_2 = res.bits[:BCH_A]
    perm, keep = _payload_roles(l_max)
    g = PBCH_PAYLOAD_INTERLEAVER
    v = 2 * int(a_2[g[7]]) + int(a_2[g[8]])
    a_bar = (a_2 ^ _scrambling(n_cell_id, l_max, v, keep))[perm]
    message = np.ascontiguousarray(a_bar[:_MIB_LEN])
    if message[0] == 0:
        mib, sfn_msbs, k_lsbs = mib_from_bits(message, fr2=l_max == 64)
    else:
        mib, sfn_msbs, k_lsbs = None, _bits_int(message[1:7]), _bits_int(message[8:12])
    t = a_bar[_MIB_LEN:]
    sfn = (sfn_msbs << 4) | _bits_int(t[:4])
    if l_max == 64:
        ssb_msbs, k_ssb = _bits_int(t[5:8]), k_lsbs
    else:
        ssb_msbs, k_ssb = None, (int(t[5]) << 4) | k_lsbs
    return BchDecodeResult(mib=mib, mib_bits=message, sfn=sfn, half_frame=int(t[4]),
                           ssb_index_msbs=ssb_msbs, k_ssb=k_ssb, crc_ok=bool(res.crc_ok))

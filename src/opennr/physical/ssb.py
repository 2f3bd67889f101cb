"""TS 38.211 §7.4.3 and TS 38.213 §4.1 — the SS/PBCH block and the SS burst.

An SS/PBCH block is 4 OFDM symbols × 240 subcarriers holding the PSS, the SSS, the PBCH and
its DM-RS (TS 38.211 §7.4.3.1, Table 7.4.3.1-1). Candidate blocks sit at the first symbols of
TS 38.213 §4.1 (cases A to G) within a half frame, indexed i_SSB = 0 .. L_max − 1 in time
order; a bitmap chooses the ones that are transmitted, and a burst repeats with a period of
5 .. 160 ms. :func:`ss_burst_grid` places the blocks in a carrier resource grid and
:func:`ss_burst_waveform` OFDM-modulates it (:mod:`opennr.ofdm`).

The 864 PBCH bits of each block come from the caller (an array, or a callable of
(SFN, half frame, i_SSB)), so that the burst can carry any BCH payload; a callable built from
the BCH transport channel (TS 38.212 §7.1) is the usual source.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.errors import ConfigError
from opennr.numerology import N_SC_RB, Carrier
from opennr.ofdm import ofdm_modulate
from opennr.physical.pbch import PBCH_M_BIT, pbch_dmrs, pbch_modulate
from opennr.physical.sync import pss, split_cell_id, sss

__all__ = [
    "SSB_CASES",
    "SSB_CASE_SCS",
    "SSB_PERIODS",
    "SSB_SUBCARRIERS",
    "SSB_SYMBOLS",
    "PbchBitSource",
    "SsBurstConfig",
    "SsbIndices",
    "ss_burst_grid",
    "ss_burst_waveform",
    "ssb_block",
    "ssb_candidate_symbols",
    "ssb_extract",
    "ssb_indices",
    "ssb_l_max",
]

#: SS/PBCH block size: 4 OFDM symbols × 240 subcarriers (TS 38.211 §7.4.3.1).
SSB_SYMBOLS = 4
SSB_SUBCARRIERS = 240

#: Candidate SS/PBCH block patterns of TS 38.213 §4.1 and their subcarrier spacing in kHz.
SSB_CASE_SCS = {"A": 15, "B": 30, "C": 30, "D": 120, "E": 240, "F": 480, "G": 960}
SSB_CASES = tuple(SSB_CASE_SCS)

#: SS burst periodicities in ms (TS 38.213 §4.1, ssb-periodicityServingCell).
SSB_PERIODS = (5, 10, 20, 40, 80, 160)

# TS 38.213 §4.1: first symbols {base} + period · n of the candidate SS/PBCH blocks in a half
# frame, with the values of n for each L_max (operation without shared spectrum access). The
# frequency ranges that select L_max for cases A, B and C are in ssb_l_max.
_CANDIDATES: dict[str, tuple[tuple[int, ...], int, dict[int, tuple[int, ...]]]] = {
    "A": ((2, 8), 14, {4: (0, 1), 8: (0, 1, 2, 3)}),
    "B": ((4, 8, 16, 20), 28, {4: (0,), 8: (0, 1)}),
    "C": ((2, 8), 14, {4: (0, 1), 8: (0, 1, 2, 3)}),
    "D": ((4, 8, 16, 20), 28, {64: (0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18)}),
    "E": ((8, 12, 16, 20, 32, 36, 40, 44), 56, {64: (0, 1, 2, 3, 5, 6, 7, 8)}),
    "F": ((2, 9), 14, {64: tuple(range(32))}),
    "G": ((2, 9), 14, {64: tuple(range(32))}),
}

# TS 38.211 Table 7.4.3.1-1 (subcarrier ranges within the block, end exclusive).
_PSS_SSS_K = (56, 183)          # PSS in symbol 0, SSS in symbol 2: k = 56 .. 182
_PBCH_EDGE = 48                 # PBCH in symbol 2: k = 0 .. 47 and 192 .. 239

_CLAUSE_CAND = "TS 38.213 §4.1"
_CLAUSE_MAP = "TS 38.211 §7.4.3.1"

#: A source of the 864 PBCH bits of a block: ``f(sfn, n_hf, i_ssb) -> (864,) uint8``.
PbchBitSource = Callable[[int, int, int], np.ndarray]


def _check_case(case: object) -> str:
    return str(check_choice("case", case, SSB_CASES, _CLAUSE_CAND))


def ssb_candidate_symbols(case: str, l_max: int) -> np.ndarray:
    """First OFDM symbols of the candidate SS/PBCH blocks of a half frame (TS 38.213 §4.1).

    Symbol indexes are counted from symbol 0 of the first slot of the half frame, at the
    subcarrier spacing of the case; entry i is candidate block i_SSB = i (ascending time).

    * Case A (15 kHz): {2, 8} + 14 n, n = 0, 1 (L_max = 4) or 0 .. 3 (L_max = 8).
    * Case B (30 kHz): {4, 8, 16, 20} + 28 n, n = 0 (L_max = 4) or 0, 1 (L_max = 8).
    * Case C (30 kHz): {2, 8} + 14 n, n = 0, 1 (L_max = 4) or 0 .. 3 (L_max = 8).
    * Case D (120 kHz): {4, 8, 16, 20} + 28 n, n = 0-3, 5-8, 10-13, 15-18 (L_max = 64).
    * Case E (240 kHz): {8, 12, 16, 20, 32, 36, 40, 44} + 56 n, n = 0-3, 5-8 (L_max = 64).
    * Case F (480 kHz) and G (960 kHz): {2, 9} + 14 n, n = 0 .. 31 (L_max = 64).

    Parameters
    ----------
    case : str
        ``"A"`` .. ``"G"``.
    l_max : int
        L_max: 4 or 8 for cases A, B, C; 64 for cases D to G.

    Returns
    -------
    numpy.ndarray
        ``np.int64`` (L_max,).

    Raises
    ------
    ConfigError
        If the case is unknown or L_max is not allowed for it.
    """
    return _candidate_symbols(_check_case(case), _check_case_l_max(case, l_max)).copy()


def _check_case_l_max(case: str, l_max: int) -> int:
    l_max = check_int("l_max", l_max, clause=_CLAUSE_CAND)
    allowed = tuple(_CANDIDATES[case][2])
    if l_max not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise ConfigError("l_max", l_max, f"must be one of {shown} for case {case}", _CLAUSE_CAND)
    return l_max


@functools.cache
def _candidate_symbols(case: str, l_max: int) -> np.ndarray:
    base, period, ns = _CANDIDATES[case]
    sym = np.sort(np.array([b + period * n for n in ns[l_max] for b in base], dtype=np.int64))
    sym.setflags(write=False)
    return sym


def ssb_l_max(case: str, carrier_frequency: float, *, paired: bool = True) -> int:
    """L_max of a case and carrier frequency (TS 38.213 §4.1, no shared spectrum access).

    Cases A and B: 4 for f ≤ 3 GHz, else 8. Case C: 4 for f ≤ 3 GHz (paired spectrum) or
    f ≤ 1.88 GHz (unpaired spectrum), else 8. Cases D to G: 64.

    Parameters
    ----------
    case : str
        ``"A"`` .. ``"G"``.
    carrier_frequency : float
        Carrier frequency in Hz (> 0).
    paired : bool
        Paired (FDD) or unpaired (TDD) spectrum; matters only for case C.

    Raises
    ------
    ConfigError
        If the case is unknown or the frequency is not a positive number.
    """
    case = _check_case(case)
    if isinstance(carrier_frequency, bool) or not isinstance(carrier_frequency,
                                                             (int, float, np.number)) \
            or not math.isfinite(float(carrier_frequency)) or carrier_frequency <= 0:
        raise ConfigError("carrier_frequency", carrier_frequency, "must be a positive number in Hz",
                          _CLAUSE_CAND)
    if case in "DEFG":
        return 64
    threshold = 3e9 if (case != "C" or paired) else 1.88e9
    return 4 if float(carrier_frequency) <= threshold else 8


@dataclass(frozen=True, slots=True)
class SsbIndices:
    """Positions of the SS/PBCH block signals, linear indices l · 240 + k into a 4 × 240 block.

    TS 38.211 Table 7.4.3.1-1 and §7.4.3.1.1-§7.4.3.1.3, in mapping order (k first, then l).

    Attributes
    ----------
    pss, sss : numpy.ndarray
        ``np.int64`` (127,): symbol 0 / 2, k = 56 .. 182.
    pbch : numpy.ndarray
        ``np.int64`` (432,): symbols 1 and 3 (k = 0 .. 239) and 2 (k = 0 .. 47, 192 .. 239)
        without the DM-RS.
    dmrs : numpy.ndarray
        ``np.int64`` (144,): k = 4 i + ν, ν = N_ID^cell mod 4, in the same ranges.
    zero : numpy.ndarray
        ``np.int64`` (144,): the REs set to 0 (symbol 0: k = 0 .. 55, 183 .. 239; symbol 2:
        k = 48 .. 55, 183 .. 191).
    """

    pss: np.ndarray
    sss: np.ndarray
    pbch: np.ndarray
    dmrs: np.ndarray
    zero: np.ndarray


def ssb_indices(n_cell_id: int) -> SsbIndices:
    """Resource elements of the PSS, SSS, PBCH, PBCH DM-RS in an SS/PBCH block (TS 38.211 §7.4.3.1).

    Parameters
    ----------
    n_cell_id : int
        N_ID^cell, 0 .. 1007 (the DM-RS shift is ν = N_ID^cell mod 4).

    Returns
    -------
    SsbIndices
        Read-only index arrays (cached per ν).

    Raises
    ------
    ConfigError
        If N_ID^cell is outside 0 .. 1007.
    """
    n_cell_id = check_int("n_cell_id", n_cell_id, 0, 1007, _CLAUSE_MAP)
    return _ssb_indices(n_cell_id % 4)


@functools.cache
def _ssb_indices(v: int) -> SsbIndices:
    w = SSB_SUBCARRIERS
    k = np.arange(w)
    sync_k = np.arange(*_PSS_SSS_K)
    edge = (k < _PBCH_EDGE) | (k >= w - _PBCH_EDGE)
    pbch_all = [(l, kk) for l in (1, 2, 3) for kk in k if l != 2 or edge[kk]]
    dmrs = np.array([l * w + kk for l, kk in pbch_all if kk % 4 == v], dtype=np.int64)
    pbch = np.array([l * w + kk for l, kk in pbch_all if kk % 4 != v], dtype=np.int64)
    zero0 = k[(k < _PSS_SSS_K[0]) | (k >= _PSS_SSS_K[1])]
    zero2 = k[((k >= _PBCH_EDGE) & (k < _PSS_SSS_K[0])) | ((k >= _PSS_SSS_K[1]) & (k < w - _PBCH_EDGE))]
    out = SsbIndices(pss=sync_k.astype(np.int64), sss=(2 * w + sync_k).astype(np.int64), pbch=pbch,
                     dmrs=dmrs, zero=np.concatenate([zero0, 2 * w + zero2]).astype(np.int64))
    for a in (out.pss, out.sss, out.pbch, out.dmrs, out.zero):
        a.setflags(write=False)
    return out


def _check_beta(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(float(value)) or float(value) < 0:
        raise ConfigError(field, value, "must be a finite number >= 0", _CLAUSE_MAP)
    return float(value)


def ssb_block(n_cell_id: int, i_ssb: int, l_max: int, pbch_bits: np.ndarray, *, n_hf: int = 0,
              beta_pss: float = 1.0, beta_sss: float = 1.0, beta_pbch: float = 1.0,
              beta_dmrs: float = 1.0) -> np.ndarray:
    """One SS/PBCH block, 4 × 240 (TS 38.211 §7.4.3.1, Table 7.4.3.1-1).

    PSS (§7.4.2.2) scaled by β_PSS in symbol 0, SSS (§7.4.2.3) scaled by β_SSS in symbol 2,
    PBCH symbols (§7.3.3: scrambling with ν from i_SSB, QPSK) scaled by β_PBCH and PBCH DM-RS
    (§7.4.1.4.1) scaled by β_PBCH^DM-RS in symbols 1 to 3, k first then l; zeros elsewhere.

    Parameters
    ----------
    n_cell_id : int
        N_ID^cell, 0 .. 1007.
    i_ssb : int
        Candidate SS/PBCH block index, 0 .. L_max − 1.
    l_max : int
        L_max: 4, 8 or 64.
    pbch_bits : array_like of 0/1, shape (864,)
        The BCH codeword of this block, before PBCH scrambling.
    n_hf : int
        Half-frame number (0 or 1) of the block, for the DM-RS when L_max = 4.
    beta_pss, beta_sss, beta_pbch, beta_dmrs : float
        Amplitude scaling factors (≥ 0).

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (4, 240), indexed [l, k].

    Raises
    ------
    ValueError
        If ``pbch_bits`` is not 864 bits.
    ConfigError
        If an identity, index or scaling factor is outside its range.
    """
    bits = as_bits("pbch_bits", pbch_bits)
    if bits.shape != (PBCH_M_BIT,):
        raise ValueError(f"pbch_bits: expected shape ({PBCH_M_BIT},) (M_bit, TS 38.211 §7.3.3.1), "
                         f"got {bits.shape}")
    n_id_1, n_id_2 = split_cell_id(n_cell_id)
    betas = [_check_beta(f, v) for f, v in (("beta_pss", beta_pss), ("beta_sss", beta_sss),
                                            ("beta_pbch", beta_pbch), ("beta_dmrs", beta_dmrs))]
    idx = _ssb_indices(n_cell_id % 4)
    block = np.zeros(SSB_SYMBOLS * SSB_SUBCARRIERS, dtype=np.complex64)
    block[idx.pss] = betas[0] * pss(n_id_2)
    block[idx.sss] = betas[1] * sss(n_id_1, n_id_2)
    block[idx.pbch] = betas[2] * pbch_modulate(bits, n_cell_id, i_ssb, l_max)
    block[idx.dmrs] = betas[3] * pbch_dmrs(n_cell_id, i_ssb, l_max, n_hf)
    return block.reshape(SSB_SYMBOLS, SSB_SUBCARRIERS)


def ssb_extract(block: np.ndarray, n_cell_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                             np.ndarray]:
    """Split SS/PBCH blocks into PSS, SSS, PBCH and PBCH DM-RS REs (inverse of the mapping).

    TS 38.211 §7.4.3.1, Table 7.4.3.1-1.

    Parameters
    ----------
    block : array_like, shape (..., 4, 240)
        SS/PBCH blocks (e.g. cut from a demodulated grid).
    n_cell_id : int
        N_ID^cell, 0 .. 1007 (gives the DM-RS positions).

    Returns
    -------
    tuple of numpy.ndarray
        (pss (..., 127), sss (..., 127), pbch (..., 432), dmrs (..., 144)) in mapping order,
        in the dtype of ``block``.

    Raises
    ------
    ValueError
        If the last two dimensions are not (4, 240).
    ConfigError
        If N_ID^cell is outside 0 .. 1007.
    """
    arr = np.asarray(block)
    if arr.ndim < 2 or arr.shape[-2:] != (SSB_SYMBOLS, SSB_SUBCARRIERS):
        raise ValueError(f"block: expected shape (..., {SSB_SYMBOLS}, {SSB_SUBCARRIERS}), "
                         f"got {arr.shape}")
    idx = ssb_indices(n_cell_id)
    flat = arr.reshape(*arr.shape[:-2], SSB_SYMBOLS * SSB_SUBCARRIERS)
    return flat[..., idx.pss], flat[..., idx.sss], flat[..., idx.pbch], flat[..., idx.dmrs]


@dataclass(frozen=True, slots=True, kw_only=True)
class SsBurstConfig:
    """An SS burst on one carrier (TS 38.211 §7.4.3.1, TS 38.213 §4.1).

    Parameters
    ----------
    carrier : Carrier
        The carrier grid; its subcarrier spacing must be the case's and its cyclic prefix
        normal. The SS/PBCH block must lie inside it.
    case : str
        Candidate pattern ``"A"`` .. ``"G"`` (TS 38.213 §4.1); fixes the SS/PBCH subcarrier
        spacing (A: 15, B and C: 30, D: 120, E: 240, F: 480, G: 960 kHz), which must be the
        carrier's.
    l_max : int
        L_max: 4 or 8 for cases A to C (see :func:`ssb_l_max`), 64 for D to G.
    transmitted : sequence of 0/1
        Bitmap of length L_max (ssb-PositionsInBurst): entry i set means candidate block i is
        transmitted. Default: all.
    period : int
        Burst periodicity in ms: 5, 10, 20, 40, 80 or 160. A half frame h (counted from frame 0)
        holds a burst when 5 h is a multiple of the period.
    n_crb_ssb : int
        N_CRB^SSB, the common resource block holding subcarrier 0 of the block (offsetToPointA),
        in 15 kHz resource blocks for cases A to C (block type A) and in 60 kHz resource blocks
        for cases D to G (block type B), 0 .. 2199.
    k_ssb : int
        k_SSB, subcarrier offset from subcarrier 0 of CRB N_CRB^SSB to subcarrier 0 of the block:
        0 .. 23 in 15 kHz units (type A), 0 .. 11 in units of ``scs_common`` (type B).
    scs_common : int, optional
        subCarrierSpacingCommon in kHz, the unit of k_SSB for block type B (cases D, E: 60 or
        120; F, G: 120, 480 or 960; default the smallest). Not used for type A.
    n_cell_id : int
        N_ID^cell, 0 .. 1007.
    beta_pss, beta_sss, beta_pbch, beta_dmrs : float
        Amplitude scaling factors β (≥ 0) of §7.4.2.2, §7.4.2.3, §7.4.3.1.2, §7.4.3.1.3.

    Raises
    ------
    ConfigError
        If a field is out of range, the carrier does not match the case, or the block does not
        fall on the carrier's subcarriers.
    """

    carrier: Carrier
    case: str = "A"
    l_max: int = 4
    transmitted: tuple[int, ...] | None = None
    period: int = 20
    n_crb_ssb: int = 0
    k_ssb: int = 0
    scs_common: int | None = None
    n_cell_id: int = 0
    beta_pss: float = 1.0
    beta_sss: float = 1.0
    beta_pbch: float = 1.0
    beta_dmrs: float = 1.0

    def __post_init__(self) -> None:
        case = _check_case(self.case)
        l_max = _check_case_l_max(case, self.l_max)
        if self.transmitted is None:
            bitmap = (1,) * l_max
        else:
            try:
                arr = as_bits("transmitted", np.asarray(self.transmitted))
            except ValueError as exc:
                raise ConfigError("transmitted", self.transmitted, "must be a bitmap of 0/1 values",
                                  _CLAUSE_CAND) from exc
            if arr.shape != (l_max,):
                raise ConfigError("transmitted", self.transmitted,
                                  f"must be a bitmap of length L_max={l_max}", _CLAUSE_CAND)
            bitmap = tuple(int(b) for b in arr)
        object.__setattr__(self, "transmitted", bitmap)
        period = check_int("period", self.period, clause=_CLAUSE_CAND)
        check_choice("period", period, SSB_PERIODS, _CLAUSE_CAND)
        object.__setattr__(self, "period", period)
        type_a = case in "ABC"
        object.__setattr__(self, "n_crb_ssb",
                           check_int("n_crb_ssb", self.n_crb_ssb, 0, 2199, _CLAUSE_MAP))
        object.__setattr__(self, "k_ssb",
                           check_int("k_ssb", self.k_ssb, 0, 23 if type_a else 11, _CLAUSE_MAP))
        if type_a:
            scs_common = self.scs_common
        else:
            allowed = (60, 120) if case in "DE" else (120, 480, 960)
            scs_common = allowed[0] if self.scs_common is None else self.scs_common
            scs_common = check_int("scs_common", scs_common, clause=_CLAUSE_MAP)
            check_choice("scs_common", scs_common, allowed, _CLAUSE_MAP)
        object.__setattr__(self, "scs_common", scs_common)
        object.__setattr__(self, "n_cell_id",
                           check_int("n_cell_id", self.n_cell_id, 0, 1007, "TS 38.211 §7.4.2.1"))
        if not isinstance(self.carrier, Carrier):
            raise ConfigError("carrier", self.carrier, "must be an opennr.numerology.Carrier")
        scs = SSB_CASE_SCS[case]
        if self.carrier.scs != scs:
            raise ConfigError("carrier", f"scs={self.carrier.scs}",
                              f"case {case} SS/PBCH blocks use {scs} kHz: the carrier must too",
                              _CLAUSE_CAND)
        if self.carrier.cyclic_prefix != "normal":
            raise ConfigError("carrier", f"cyclic_prefix={self.carrier.cyclic_prefix!r}",
                              "SS/PBCH blocks use the normal cyclic prefix", _CLAUSE_MAP)
        for f in ("beta_pss", "beta_sss", "beta_pbch", "beta_dmrs"):
            object.__setattr__(self, f, _check_beta(f, getattr(self, f)))
        k0 = self._offset_khz / scs
        if k0 != int(k0):
            raise ConfigError("k_ssb", self.k_ssb,
                              f"subcarrier 0 of the SS/PBCH block ({self._offset_khz} kHz above "
                              f"point A) is not on the {scs} kHz subcarrier grid of the carrier",
                              _CLAUSE_MAP)
        first = int(k0) - N_SC_RB * self.carrier.n_start_grid
        if first < 0 or first + SSB_SUBCARRIERS > self.carrier.n_subcarriers:
            raise ConfigError("n_crb_ssb", self.n_crb_ssb,
                              f"the SS/PBCH block (subcarriers {first} .. {first + 239}) must lie "
                              f"inside the carrier's {self.carrier.n_subcarriers} subcarriers",
                              _CLAUSE_MAP)

    @property
    def _offset_khz(self) -> int:
        """Frequency of subcarrier 0 of the block above point A, in kHz."""
        if self.case in "ABC":
            return 15 * (N_SC_RB * self.n_crb_ssb + self.k_ssb)
        return 60 * N_SC_RB * self.n_crb_ssb + self.scs_common * self.k_ssb

    @property
    def scs(self) -> int:
        """Subcarrier spacing of the SS/PBCH blocks in kHz."""
        return SSB_CASE_SCS[self.case]

    @property
    def first_subcarrier(self) -> int:
        """Index in the carrier grid of subcarrier 0 of the SS/PBCH block.

        (12 N_CRB^SSB + k_SSB) · 15 kHz / Δf − 12 N_grid^start for type A, and
        (12 N_CRB^SSB · 60 kHz + k_SSB · Δf_common) / Δf − 12 N_grid^start for type B.
        """
        return self._offset_khz // self.scs - N_SC_RB * self.carrier.n_start_grid

    @property
    def candidate_symbols(self) -> np.ndarray:
        """First symbols of the candidate blocks in a half frame (:func:`ssb_candidate_symbols`)."""
        return ssb_candidate_symbols(self.case, self.l_max)

    @property
    def symbols_per_half_frame(self) -> int:
        """OFDM symbols in a half frame (5 ms) at the block subcarrier spacing."""
        return 5 * self.carrier.symbols_per_subframe

    def has_burst(self, half_frame: int) -> bool:
        """Whether half frame ``half_frame`` (counted from frame 0, 2 per frame) holds a burst."""
        return (5 * half_frame) % self.period == 0


def _bit_source(pbch_bits: object, n_half_frames: int,
                l_max: int) -> Callable[[int, int, int, int], np.ndarray]:
    """A callable (half frame of the grid, sfn, n_hf, i_ssb) -> 864 bits from either input form."""
    if callable(pbch_bits):
        def from_callable(h: int, sfn: int, n_hf: int, i_ssb: int) -> np.ndarray:
            bits = as_bits("pbch_bits", pbch_bits(sfn, n_hf, i_ssb))
            if bits.shape != (PBCH_M_BIT,):
                raise ValueError(f"pbch_bits: the callable returned shape {bits.shape} for "
                                 f"sfn={sfn}, n_hf={n_hf}, i_ssb={i_ssb}; expected ({PBCH_M_BIT},)")
            return bits
        return from_callable
    bits = as_bits("pbch_bits", pbch_bits)
    try:
        table = np.broadcast_to(bits, (n_half_frames, l_max, PBCH_M_BIT))
    except ValueError:
        raise ValueError(f"pbch_bits: expected a callable or an array broadcastable to "
                         f"(n_half_frames, L_max, {PBCH_M_BIT}) = ({n_half_frames}, {l_max}, "
                         f"{PBCH_M_BIT}), got shape {bits.shape}") from None

    def from_table(h: int, sfn: int, n_hf: int, i_ssb: int) -> np.ndarray:
        return table[h, i_ssb]
    return from_table


def ss_burst_grid(config: SsBurstConfig, pbch_bits: PbchBitSource | np.ndarray, *,
                  n_half_frames: int = 2) -> np.ndarray:
    """Resource grid of SS bursts on a carrier (TS 38.211 §7.4.3, TS 38.213 §4.1).

    The grid starts at slot 0 of frame ``config.carrier.n_frame`` and spans ``n_half_frames``
    half frames. In every half frame that holds a burst (see :meth:`SsBurstConfig.has_burst`),
    each transmitted candidate block i_SSB is built by :func:`ssb_block` (with the half-frame
    number n_hf for its DM-RS) and placed at OFDM symbol ``candidate_symbols[i_SSB]`` of that
    half frame and subcarriers ``first_subcarrier`` .. + 239. Other REs are 0.

    Parameters
    ----------
    config : SsBurstConfig
    pbch_bits : callable or array_like of 0/1
        The BCH codeword (864 bits, before PBCH scrambling) of each block: either a callable
        ``f(sfn, n_hf, i_ssb) -> (864,)`` called for every transmitted block (for example a
        closure over ``opennr.transport.bch.bch_encode`` and a MIB), or an array broadcastable
        to (n_half_frames, L_max, 864), indexed by half frame of the grid and i_SSB.
    n_half_frames : int
        Number of half frames (5 ms each), ≥ 1.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (1, n_half_frames · 5 · 14 · 2^μ, 12 N_grid^size): one antenna port.

    Raises
    ------
    ValueError
        If ``pbch_bits`` has the wrong shape or values, or the callable returns something other
        than 864 bits.
    ConfigError
        If ``n_half_frames`` is below 1.
    """
    if not isinstance(config, SsBurstConfig):
        raise ConfigError("config", type(config).__name__, "must be an SsBurstConfig")
    n_half_frames = check_int("n_half_frames", n_half_frames, 1)
    carrier = config.carrier
    source = _bit_source(pbch_bits, n_half_frames, config.l_max)
    n_sym = config.symbols_per_half_frame
    grid = np.zeros((1, n_half_frames * n_sym, carrier.n_subcarriers), dtype=np.complex64)
    k0 = config.first_subcarrier
    cand = config.candidate_symbols
    for h in range(n_half_frames):
        h_abs = 2 * carrier.n_frame + h
        if not config.has_burst(h_abs):
            continue
        sfn, n_hf = (h_abs // 2) % 1024, h_abs % 2
        for i_ssb in np.flatnonzero(config.transmitted):
            i = int(i_ssb)
            bits = source(h, sfn, n_hf, i)
            block = ssb_block(config.n_cell_id, i, config.l_max, bits, n_hf=n_hf,
                              beta_pss=config.beta_pss, beta_sss=config.beta_sss,
                              beta_pbch=config.beta_pbch, beta_dmrs=config.beta_dmrs)
            l0 = h * n_sym + int(cand[i])
            grid[0, l0:l0 + SSB_SYMBOLS, k0:k0 + SSB_SUBCARRIERS] = block
    return grid


def ss_burst_waveform(config: SsBurstConfig, pbch_bits: PbchBitSource | np.ndarray, *,
                      n_half_frames: int = 2, carrier_frequency: float = 0.0,
                      nfft: int | None = None, sample_rate: float | None = None) -> np.ndarray:
    """Time-domain SS-burst waveform (TS 38.211 §5.3.1, §5.4, §7.4.3).

    :func:`ss_burst_grid` OFDM-modulated by :func:`opennr.ofdm.ofdm_modulate` from slot 0,
    with the upconversion phase term of carrier frequency f0 (0 disables it). The default
    sample rate is Δf · N with N = max(128, 2^⌈log2(12 N_grid^size / 0.85)⌉).

    Parameters
    ----------
    config : SsBurstConfig
    pbch_bits : callable or array_like
        As for :func:`ss_burst_grid`.
    n_half_frames : int
        Number of half frames, ≥ 1.
    carrier_frequency : float
        f0 in Hz.
    nfft, sample_rate : optional
        See :func:`opennr.numerology.ofdm_info`.

    Returns
    -------
    numpy.ndarray
        ``np.complex64`` (1, samples), one antenna port.

    Raises
    ------
    ValueError, ConfigError
        As for :func:`ss_burst_grid` and :func:`opennr.ofdm.ofdm_modulate`.
    """
    grid = ss_burst_grid(config, pbch_bits, n_half_frames=n_half_frames)
    return ofdm_modulate(grid, config.carrier, nfft=nfft, sample_rate=sample_rate,
                         carrier_frequency=carrier_frequency, n_slot=0)

"""TS 38.211 §4 — numerology, frame structure and resource grids.

The carrier configuration (subcarrier spacing, cyclic prefix, grid size and position), the
frame structure derived from it (§4.3: slots per subframe and frame, OFDM symbols per slot),
the OFDM dimensions used by :mod:`opennr.ofdm` (FFT size, sample rate and cyclic-prefix lengths
of §5.3.1, with the defaults of MATLAB's ``nrOFDMInfo``), bandwidth parts (§4.4.5) and
resource-grid shapes (§4.4.2).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError

__all__ = [
    "KAPPA",
    "MAX_GRID_OCCUPANCY",
    "N_SC_RB",
    "SUBCARRIER_SPACINGS",
    "Bwp",
    "Carrier",
    "OfdmInfo",
    "bwp_offset",
    "channel_bwp",
    "check_bwp",
    "check_bwp_fields",
    "grid_shape",
    "ofdm_info",
    "resource_grid",
    "slot_number",
]

#: N_sc^RB, subcarriers per resource block (§4.4.4.1).
N_SC_RB = 12

#: Δf = 2^μ · 15 kHz for μ = 0 .. 6 (Table 4.2-1), in kHz.
SUBCARRIER_SPACINGS = (15, 30, 60, 120, 240, 480, 960)

#: κ = T_s / T_c = 64 (§4.1).
KAPPA = 64

#: Largest ratio of occupied subcarriers to FFT size chosen by default (``nrOFDMInfo`` rule).
MAX_GRID_OCCUPANCY = 0.85

_CLAUSE_SCS = "TS 38.211 Table 4.2-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Carrier:
    """Carrier configuration (TS 38.211 §4.2, §4.3, §4.4.2).

    Parameters
    ----------
    scs : int
        Subcarrier spacing Δf in kHz: 15, 30, 60, 120, 240, 480 or 960 (μ = 0 .. 6, Table 4.2-1).
    cyclic_prefix : str
        ``"normal"`` or ``"extended"``; the extended cyclic prefix exists only at 60 kHz.
    n_size_grid : int
        N_grid^size, carrier bandwidth in resource blocks, 1 .. 275.
    n_start_grid : int
        N_grid^start, first common resource block of the carrier, 0 .. 2199.
    n_slot : int
        n_s,f^μ, slot number within the frame, 0 .. slots_per_frame - 1 (§4.3.2).
    n_frame : int
        n_f, system frame number, 0 .. 1023.
    n_cell_id : int
        N_ID^cell, physical-layer cell identity, 0 .. 1007 (§7.4.2.1).

    Raises
    ------
    ConfigError
        If a field is outside its range.
    """

    scs: int = 15
    cyclic_prefix: str = "normal"
    n_size_grid: int = 52
    n_start_grid: int = 0
    n_slot: int = 0
    n_frame: int = 0
    n_cell_id: int = 1

    def __post_init__(self) -> None:
        scs = check_int("scs", self.scs, clause=_CLAUSE_SCS)
        check_choice("scs", scs, SUBCARRIER_SPACINGS, _CLAUSE_SCS)
        check_choice("cyclic_prefix", self.cyclic_prefix, ("normal", "extended"), _CLAUSE_SCS)
        if self.cyclic_prefix == "extended" and scs != 60:
            raise ConfigError("cyclic_prefix", self.cyclic_prefix,
                              f"the extended cyclic prefix exists only at scs=60 kHz, not {scs}",
                              _CLAUSE_SCS)
        object.__setattr__(self, "scs", scs)
        object.__setattr__(self, "n_size_grid",
                           check_int("n_size_grid", self.n_size_grid, 1, 275, "TS 38.211 §4.4.2"))
        object.__setattr__(self, "n_start_grid",
                           check_int("n_start_grid", self.n_start_grid, 0, 2199,
                                     "TS 38.211 §4.4.2"))
        object.__setattr__(self, "n_slot",
                           check_int("n_slot", self.n_slot, 0, self.slots_per_frame - 1,
                                     "TS 38.211 §4.3.2"))
        object.__setattr__(self, "n_frame",
                           check_int("n_frame", self.n_frame, 0, 1023, "TS 38.211 §4.3.1"))
        object.__setattr__(self, "n_cell_id",
                           check_int("n_cell_id", self.n_cell_id, 0, 1007, "TS 38.211 §7.4.2.1"))

    @property
    def mu(self) -> int:
        """Subcarrier spacing configuration μ, with Δf = 2^μ · 15 kHz (Table 4.2-1)."""
        return SUBCARRIER_SPACINGS.index(self.scs)

    @property
    def symbols_per_slot(self) -> int:
        """N_symb^slot: 14 with the normal and 12 with the extended cyclic prefix (Tables 4.3.2-1/2)."""
        return 14 if self.cyclic_prefix == "normal" else 12

    @property
    def slots_per_subframe(self) -> int:
        """N_slot^subframe,μ = 2^μ (Tables 4.3.2-1/2)."""
        return 1 << self.mu

    @property
    def slots_per_frame(self) -> int:
        """N_slot^frame,μ = 10 · 2^μ (Tables 4.3.2-1/2)."""
        return 10 << self.mu

    @property
    def symbols_per_subframe(self) -> int:
        """N_symb^subframe,μ = N_symb^slot · N_slot^subframe,μ (§4.3.1)."""
        return self.symbols_per_slot * self.slots_per_subframe

    @property
    def n_subcarriers(self) -> int:
        """Subcarriers of the carrier grid, N_grid^size · N_sc^RB (§4.4.2)."""
        return self.n_size_grid * N_SC_RB


@dataclass(frozen=True, slots=True, kw_only=True)
class Bwp:
    """Bandwidth part (TS 38.211 §4.4.5).

    Parameters
    ----------
    n_start_bwp : int
        N_BWP^start, first common resource block of the bandwidth part, 0 .. 2473.
    n_size_bwp : int
        N_BWP^size, size in resource blocks, 1 .. 275.

    Raises
    ------
    ConfigError
        If a field is outside its range. Whether the part lies inside a carrier is checked by
        :func:`check_bwp`.
    """

    n_start_bwp: int = 0
    n_size_bwp: int = 52

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_start_bwp",
                           check_int("n_start_bwp", self.n_start_bwp, 0, 2473, "TS 38.211 §4.4.5"))
        object.__setattr__(self, "n_size_bwp",
                           check_int("n_size_bwp", self.n_size_bwp, 1, 275, "TS 38.211 §4.4.5"))


def check_bwp(carrier: Carrier, bwp: Bwp) -> None:
    """Check that a bandwidth part lies inside the carrier grid (TS 38.211 §4.4.5).

    N_grid^start ≤ N_BWP^start and N_BWP^start + N_BWP^size ≤ N_grid^start + N_grid^size.

    Raises
    ------
    ConfigError
        If the bandwidth part starts before or ends after the carrier.
    """
    if bwp.n_start_bwp < carrier.n_start_grid:
        raise ConfigError("n_start_bwp", bwp.n_start_bwp,
                          f"must be >= n_start_grid={carrier.n_start_grid}", "TS 38.211 §4.4.5")
    end = carrier.n_start_grid + carrier.n_size_grid
    if bwp.n_start_bwp + bwp.n_size_bwp > end:
        raise ConfigError("n_size_bwp", bwp.n_size_bwp,
                          f"n_start_bwp + n_size_bwp must be <= n_start_grid + n_size_grid = {end}",
                          "TS 38.211 §4.4.5")


def slot_number(carrier: Carrier, n_slot: int | None = None) -> int:
    """n_s,f^μ, the slot number within the frame (TS 38.211 §4.3.2): ``n_slot`` checked to be
    0 .. N_slot^frame,μ − 1, or ``carrier.n_slot`` when None.

    Raises
    ------
    ConfigError
        ``n_slot`` outside the frame.
    """
    if n_slot is None:
        return carrier.n_slot
    return check_int("n_slot", n_slot, 0, carrier.slots_per_frame - 1, "TS 38.211 §4.3.2")


def check_bwp_fields(n_start_bwp: int | None, n_size_bwp: int | None) -> None:
    """Check the optional bandwidth part fields of a channel configuration (TS 38.211 §4.4.5):
    N_BWP^start and N_BWP^size both given (in range, see :class:`Bwp`) or both None.

    Raises
    ------
    ConfigError
        One given without the other, or a value out of range.
    """
    if (n_start_bwp is None) != (n_size_bwp is None):
        raise ConfigError("n_start_bwp", n_start_bwp,
                          "n_start_bwp and n_size_bwp must both be given or both None",
                          "TS 38.211 §4.4.5")
    if n_start_bwp is not None:
        Bwp(n_start_bwp=n_start_bwp, n_size_bwp=n_size_bwp)


def channel_bwp(carrier: Carrier, n_start_bwp: int | None, n_size_bwp: int | None) -> Bwp:
    """The bandwidth part of a channel: N_BWP^start and N_BWP^size when given, else the whole
    carrier grid, checked to lie inside the carrier (TS 38.211 §4.4.5, :func:`check_bwp`).

    Raises
    ------
    ConfigError
        The bandwidth part leaves the carrier or a value is out of range.
    """
    if n_start_bwp is None:
        return Bwp(n_start_bwp=carrier.n_start_grid, n_size_bwp=carrier.n_size_grid)
    bwp = Bwp(n_start_bwp=n_start_bwp, n_size_bwp=n_size_bwp)
    check_bwp(carrier, bwp)
    return bwp


def bwp_offset(carrier: Carrier, bwp: Bwp) -> int:
    """Offset in resource blocks of the bandwidth part within the carrier grid (TS 38.211 §4.4.5).

    Returns N_BWP^start − N_grid^start, after :func:`check_bwp`.
    """
    check_bwp(carrier, bwp)
    return bwp.n_start_bwp - carrier.n_start_grid


def grid_shape(carrier: Carrier, n_ports: int = 1, *, bwp: Bwp | None = None,
               n_slots: int = 1) -> tuple[int, int, int]:
    """Shape ``(ports, symbols, subcarriers)`` of a resource grid (TS 38.211 §4.4.2).

    Parameters
    ----------
    carrier : Carrier
    n_ports : int
        Number of antenna ports (≥ 1).
    bwp : Bwp, optional
        When given, the grid spans the bandwidth part (N_BWP^size · 12 subcarriers) instead of
        the carrier; it must lie inside the carrier.
    n_slots : int
        Number of slots (≥ 1); symbols = n_slots · N_symb^slot.

    Raises
    ------
    ConfigError
        If ``n_ports`` or ``n_slots`` is below 1, or the bandwidth part is outside the carrier.
    """
    n_ports = check_int("n_ports", n_ports, 1)
    n_slots = check_int("n_slots", n_slots, 1)
    if bwp is None:
        n_sc = carrier.n_subcarriers
    else:
        check_bwp(carrier, bwp)
        n_sc = bwp.n_size_bwp * N_SC_RB
    return (n_ports, n_slots * carrier.symbols_per_slot, n_sc)


def resource_grid(carrier: Carrier, n_ports: int = 1, *, bwp: Bwp | None = None,
                  n_slots: int = 1) -> np.ndarray:
    """Empty resource grid, ``np.complex64`` of shape :func:`grid_shape` (TS 38.211 §4.4.2)."""
    return np.zeros(grid_shape(carrier, n_ports, bwp=bwp, n_slots=n_slots), dtype=np.complex64)


@dataclass(frozen=True, slots=True, kw_only=True)
class OfdmInfo:
    """OFDM dimensions of a carrier (TS 38.211 §5.3.1), as returned by :func:`ofdm_info`.

    Attributes
    ----------
    nfft : int
        FFT size N.
    sample_rate : float
        Sample rate in Hz, N · Δf.
    cp_lengths : tuple of int
        Cyclic-prefix length N_CP,l in samples of every OFDM symbol l of one subframe.
    symbol_lengths : tuple of int
        N + N_CP,l for every OFDM symbol of one subframe.
    symbols_per_slot, slots_per_subframe, slots_per_frame, symbols_per_subframe : int
        Frame structure of the carrier (§4.3).
    """

    nfft: int
    sample_rate: float
    cp_lengths: tuple[int, ...]
    symbol_lengths: tuple[int, ...]
    symbols_per_slot: int
    slots_per_subframe: int
    slots_per_frame: int
    symbols_per_subframe: int

    @property
    def samples_per_subframe(self) -> int:
        """Samples in one subframe (1 ms)."""
        return sum(self.symbol_lengths)

    @property
    def samples_per_slot(self) -> int:
        """Samples in one slot (the same for every slot, §5.3.1)."""
        return self.samples_per_subframe // self.slots_per_subframe


def _check_nfft(nfft: int, carrier: Carrier, field: str, value: object) -> None:
    if nfft % 128:
        raise ConfigError(field, value,
                          "the FFT size must be a multiple of 128 (integer cyclic-prefix lengths)",
                          "TS 38.211 §5.3.1")
    if nfft < carrier.n_subcarriers:
        raise ConfigError(field, value,
                          f"the FFT size must be >= the {carrier.n_subcarriers} subcarriers "
                          "of the carrier", "TS 38.211 §5.3.1")


def ofdm_info(carrier: Carrier, *, nfft: int | None = None,
              sample_rate: float | None = None) -> OfdmInfo:
    """OFDM dimensions of a carrier: FFT size, sample rate, cyclic prefixes (TS 38.211 §5.3.1).

    With neither ``nfft`` nor ``sample_rate``, N is the smallest power of two, at least 128,
    for which the carrier occupies at most 85 % of the FFT, N = max(128,
    2^ceil(log2(N_grid^size · 12 / 0.85))), and the sample rate is N · Δf (MATLAB
    ``nrOFDMInfo`` defaults). A given ``sample_rate`` fixes N = sample_rate / Δf (no
    resampling is done). The cyclic prefix of symbol l of a subframe is, in samples,

    * normal: N_CP,l = 144 · N / 2048, plus 16 · N · 2^μ / 2048 when l = 0 or l = 7 · 2^μ
      (N_CP,l^μ = 144κ·2^−μ + 16κ or 144κ·2^−μ in units of T_c, scaled by N · Δf · T_c);
    * extended: N_CP,l = 512 · N / 2048.

    Parameters
    ----------
    carrier : Carrier
    nfft : int, optional
        FFT size N: a multiple of 128 and at least N_grid^size · 12.
    sample_rate : float, optional
        Sample rate in Hz; must equal N · Δf for an admissible N.

    Returns
    -------
    OfdmInfo

    Raises
    ------
    ConfigError
        If ``nfft`` is not a multiple of 128 or is smaller than the grid, if ``sample_rate`` is
        not N · Δf for such an N, or if both are given and disagree.
    """
    if nfft is not None:
        nfft = check_int("nfft", nfft, 1, clause="TS 38.211 §5.3.1")
        _check_nfft(nfft, carrier, "nfft", nfft)
    if sample_rate is not None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.number)):
            raise ConfigError("sample_rate", sample_rate, "must be a number in Hz")
        ratio = float(sample_rate) / (carrier.scs * 1e3)
        n_from_rate = round(ratio)
        if not math.isfinite(ratio) or n_from_rate < 1 or abs(ratio - n_from_rate) > 1e-9 * ratio:
            raise ConfigError("sample_rate", sample_rate,
                              f"must be an integer multiple N of the subcarrier spacing "
                              f"{carrier.scs} kHz (resampling is not supported)",
                              "TS 38.211 §5.3.1")
        if nfft is not None and nfft != n_from_rate:
            raise ConfigError("sample_rate", sample_rate,
                              f"must equal nfft * scs = {nfft * carrier.scs * 1000} Hz",
                              "TS 38.211 §5.3.1")
        _check_nfft(n_from_rate, carrier, "sample_rate", sample_rate)
        nfft = n_from_rate
    if nfft is None:
        nfft = max(128, 1 << math.ceil(math.log2(carrier.n_subcarriers / MAX_GRID_OCCUPANCY)))
    return _ofdm_info(carrier.scs, carrier.cyclic_prefix, nfft)


@functools.lru_cache(maxsize=256)
def _ofdm_info(scs: int, cyclic_prefix: str, nfft: int) -> OfdmInfo:
    mu = SUBCARRIER_SPACINGS.index(scs)
    symbols_per_slot = 14 if cyclic_prefix == "normal" else 12
    symbols_per_subframe = symbols_per_slot << mu
    if cyclic_prefix == "normal":
        short = 144 * nfft // 2048
        extra = (16 * nfft << mu) // 2048
        half = 7 << mu
        cp = tuple(short + (extra if l % half == 0 else 0) for l in range(symbols_per_subframe))
    else:
        cp = (512 * nfft // 2048,) * symbols_per_subframe
    return OfdmInfo(
        nfft=nfft,
        sample_rate=float(nfft * scs * 1000),
        cp_lengths=cp,
        symbol_lengths=tuple(nfft + c for c in cp),
        symbols_per_slot=symbols_per_slot,
        slots_per_subframe=1 << mu,
        slots_per_frame=10 << mu,
        symbols_per_subframe=symbols_per_subframe,
    )

"""TS 38.211 §7.3.2.2 — control-resource sets (CORESETs) and the CCE-to-REG mapping.

A CORESET holds ``N_RB^CORESET`` resource blocks, given by a bitmap of groups of 6 RBs
(``frequencyDomainResources`` of TS 38.331, the first group starting at common RB
``6 ceil(N_BWP^start / 6)``, or ``N_BWP^start + rb-Offset``), over ``N_symb^CORESET`` = 1, 2 or
3 OFDM symbols. A resource-element group (REG) is one RB in one OFDM symbol; the REGs are
numbered time first (REG ``r`` sits in symbol ``r mod N_symb`` of RB ``floor(r / N_symb)`` of the
CORESET, its RBs in increasing order). A CCE is 6 REGs. REG bundle ``i`` holds REGs
``iL .. iL + L - 1`` and CCE ``j`` holds the REG bundles ``f(6j/L) .. f(6j/L + 6/L - 1)``:

* non-interleaved: ``L = 6`` and ``f(x) = x``;
* interleaved: ``L`` in {2, 6} (1 symbol) or {N_symb, 6} (2 or 3 symbols), interleaver size
  ``R`` in {2, 3, 6}, ``C = N_REG^CORESET / (L R)`` an integer, ``x = cR + r`` and
  ``f(x) = (rC + c + n_shift) mod (N_REG^CORESET / L)``, ``n_shift`` in 0 .. 274.

CORESET 0 (configured by the MIB, TS 38.213 §13) is interleaved with ``L = 6``, ``R = 2`` and
``n_shift = N_ID^cell``; its RBs are contiguous from the first RB of the initial BWP and its
DM-RS is counted from its own first RB (TS 38.211 §7.4.1.3.2), see :meth:`CoresetConfig.coreset0`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.numerology import Carrier

__all__ = [
    "CCE_REG_MAPPINGS",
    "CORESET_MAX_DURATION",
    "N_REG_PER_CCE",
    "PRECODER_GRANULARITIES",
    "CoresetConfig",
    "cce_reg_bundles",
    "cce_regs",
    "check_coreset",
    "reg_bundle_interleaver",
]

_CLAUSE = "TS 38.211 §7.3.2.2"
_CLAUSE_RRC = "TS 38.331 ControlResourceSet"

#: REGs per CCE (TS 38.211 §7.3.2.2).
N_REG_PER_CCE = 6
#: Largest N_symb^CORESET (TS 38.211 §7.3.2.2).
CORESET_MAX_DURATION = 3
#: ``cce-REG-MappingType`` values.
CCE_REG_MAPPINGS = ("interleaved", "noninterleaved")
#: ``precoderGranularity`` values (TS 38.211 §7.3.2.2, §7.4.1.3.2).
PRECODER_GRANULARITIES = ("sameAsREG-bundle", "allContiguousRBs")
#: Interleaver sizes R (TS 38.211 §7.3.2.2).
INTERLEAVER_SIZES = (2, 3, 6)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoresetConfig:
    """A control-resource set (TS 38.211 §7.3.2.2, TS 38.331 ``ControlResourceSet``).

    Parameters
    ----------
    coreset_id : int
        ``controlResourceSetId`` p, 0 .. 15; 0 is CORESET 0 (DM-RS counted from the CORESET's
        first RB, TS 38.211 §7.4.1.3.2). ``p mod 3`` picks ``A_p`` of the search-space hashing.
    frequency_resources : tuple of int
        Bitmap of groups of 6 RBs (``frequencyDomainResources``, at most 45 bits, at least one
        1); bit 0 is the lowest group.
    duration : int
        N_symb^CORESET, 1 .. 3.
    cce_reg_mapping : str
        ``"interleaved"`` or ``"noninterleaved"``.
    reg_bundle_size : int
        L: 6 when non-interleaved; 2 or 6 (1 symbol), or ``duration`` or 6 (2, 3 symbols) when
        interleaved.
    interleaver_size : int
        R in {2, 3, 6} (interleaved only).
    shift_index : int
        n_shift, 0 .. 274 (interleaved only).
    precoder_granularity : str
        ``"sameAsREG-bundle"`` or ``"allContiguousRBs"``.
    n_start_bwp : int
        N_BWP^start, first common RB of the bandwidth part holding the CORESET.
    n_size_bwp : int or None
        N_BWP^size; when given, the CORESET must lie inside the bandwidth part.
    rb_offset : int or None
        ``rb-Offset`` 0 .. 5: the first group starts at CRB ``N_BWP^start + rb_offset``
        instead of ``6 ceil(N_BWP^start / 6)``.

    Raises
    ------
    ConfigError
        If a field is out of range, the interleaving parameters do not divide the CORESET, or the
        CORESET does not fit its bandwidth part.
    """

    coreset_id: int = 1
    frequency_resources: tuple[int, ...] = (1,)
    duration: int = 1
    cce_reg_mapping: str = "noninterleaved"
    reg_bundle_size: int = 6
    interleaver_size: int = 2
    shift_index: int = 0
    precoder_granularity: str = "sameAsREG-bundle"
    n_start_bwp: int = 0
    n_size_bwp: int | None = None
    rb_offset: int | None = None

    def __post_init__(self) -> None:
        check_int("coreset_id", self.coreset_id, 0, 15, _CLAUSE_RRC)
        bits = tuple(self.frequency_resources)
        if not 1 <= len(bits) <= 45 or any(b not in (0, 1) for b in bits):
            raise ConfigError("frequency_resources", self.frequency_resources,
                              "must be a bitmap of 1 .. 45 bits of 0/1 (one per group of 6 RBs)",
                              _CLAUSE_RRC)
        if not any(bits):
            raise ConfigError("frequency_resources", self.frequency_resources,
                              "must select at least one group of 6 RBs", _CLAUSE_RRC)
        object.__setattr__(self, "frequency_resources", tuple(int(b) for b in bits))
        dur = check_int("duration", self.duration, 1, CORESET_MAX_DURATION, _CLAUSE)
        check_choice("cce_reg_mapping", self.cce_reg_mapping, CCE_REG_MAPPINGS, _CLAUSE)
        check_choice("precoder_granularity", self.precoder_granularity, PRECODER_GRANULARITIES,
                     _CLAUSE)
        check_int("n_start_bwp", self.n_start_bwp, 0, 2473, "TS 38.211 §4.4.5")
        if self.rb_offset is not None:
            check_int("rb_offset", self.rb_offset, 0, 5, _CLAUSE_RRC)
        if self.interleaved:
            allowed = (2, 6) if dur == 1 else (dur, 6)
            check_choice("reg_bundle_size", self.reg_bundle_size, allowed,
                         f"{_CLAUSE} (interleaved, N_symb^CORESET={dur})")
            check_choice("interleaver_size", self.interleaver_size, INTERLEAVER_SIZES, _CLAUSE)
            # n_shift = N_ID^cell (0 .. 1007) for CORESET 0, shiftIndex (0 .. 274) otherwise.
            check_int("shift_index", self.shift_index, 0, 1007 if self.coreset_id == 0 else 274,
                      _CLAUSE)
            lr = self.reg_bundle_size * self.interleaver_size
            if self.n_reg % lr:
                raise ConfigError("interleaver_size", self.interleaver_size,
                                  f"L * R = {lr} must divide N_REG^CORESET = {self.n_reg} "
                                  f"({self.n_rb} RBs x {dur} symbols)", _CLAUSE)
        elif self.reg_bundle_size != 6:
            raise ConfigError("reg_bundle_size", self.reg_bundle_size,
                              "must be 6 for the non-interleaved CCE-to-REG mapping", _CLAUSE)
        if self.n_size_bwp is not None:
            size = check_int("n_size_bwp", self.n_size_bwp, 1, 275, "TS 38.211 §4.4.5")
            first, last = int(self.crbs[0]), int(self.crbs[-1])
            if first < self.n_start_bwp or last >= self.n_start_bwp + size:
                raise ConfigError("frequency_resources", self.frequency_resources,
                                  f"the CORESET RBs (CRB {first} .. {last}) must lie inside the "
                                  f"bandwidth part (CRB {self.n_start_bwp} .. "
                                  f"{self.n_start_bwp + size - 1})", "TS 38.213 §10.1")

    @classmethod
    def coreset0(cls, *, n_start: int, n_rb: int, duration: int, n_cell_id: int) -> CoresetConfig:
        """CORESET 0 (TS 38.213 §13): ``n_rb`` contiguous RBs from CRB ``n_start``.

        Interleaved with L = 6, R = 2, n_shift = N_ID^cell, precoder granularity
        ``sameAsREG-bundle``; the initial DL bandwidth part is the CORESET itself.

        Parameters
        ----------
        n_start : int
            First common RB of CORESET 0.
        n_rb : int
            N_RB^CORESET: 24, 48 or 96 (TS 38.213 Tables 13-1 .. 13-10).
        duration : int
            N_symb^CORESET, 1 .. 3.
        n_cell_id : int
            N_ID^cell, 0 .. 1007.
        """
        check_choice("n_rb", n_rb, (24, 48, 96), "TS 38.213 §13")
        n_cell_id = check_int("n_cell_id", n_cell_id, 0, 1007, "TS 38.211 §7.4.2.1")
        return cls(coreset_id=0, frequency_resources=(1,) * (n_rb // 6), duration=duration,
                   cce_reg_mapping="interleaved", reg_bundle_size=6, interleaver_size=2,
                   shift_index=n_cell_id, precoder_granularity="sameAsREG-bundle",
                   n_start_bwp=n_start, n_size_bwp=n_rb, rb_offset=0)

    @property
    def interleaved(self) -> bool:
        """True for the interleaved CCE-to-REG mapping."""
        return self.cce_reg_mapping == "interleaved"

    @property
    def rb_origin(self) -> int:
        """Common RB index of the first RB of group 0 of ``frequency_resources``."""
        if self.rb_offset is not None:
            return self.n_start_bwp + self.rb_offset
        return 6 * (-(-self.n_start_bwp // 6))

    @property
    def crbs(self) -> np.ndarray:
        """Common RB indices of the CORESET, ascending (``int64``, length N_RB^CORESET)."""
        return _crbs(self)

    @property
    def n_rb(self) -> int:
        """N_RB^CORESET."""
        return 6 * sum(self.frequency_resources)

    @property
    def n_reg(self) -> int:
        """N_REG^CORESET = N_RB^CORESET N_symb^CORESET."""
        return self.n_rb * self.duration

    @property
    def n_cce(self) -> int:
        """N_CCE of the CORESET (N_REG^CORESET / 6)."""
        return self.n_reg // N_REG_PER_CCE

    @property
    def n_bundle(self) -> int:
        """Number of REG bundles, N_REG^CORESET / L."""
        return self.n_reg // self.reg_bundle_size


@functools.lru_cache(maxsize=256)
def _crbs(coreset: CoresetConfig) -> np.ndarray:
    groups = np.flatnonzero(np.asarray(coreset.frequency_resources))
    crbs = (coreset.rb_origin + 6 * groups[:, None] + np.arange(6)[None, :]).reshape(-1)
    crbs = crbs.astype(np.int64)
    crbs.setflags(write=False)
    return crbs


@functools.lru_cache(maxsize=256)
def reg_bundle_interleaver(coreset: CoresetConfig) -> np.ndarray:
    """The REG bundle interleaver f(x), x = 0 .. N_REG^CORESET/L − 1 (TS 38.211 §7.3.2.2).

    Returns
    -------
    numpy.ndarray of int64, shape (N_REG^CORESET / L,)
        Read-only; the identity for the non-interleaved mapping.
    """
    n_bundle = coreset.n_bundle
    x = np.arange(n_bundle)
    if coreset.interleaved:
        r_size = coreset.interleaver_size
        c_size = n_bundle // r_size
        c, r = np.divmod(x, r_size)
        f = (r * c_size + c + coreset.shift_index) % n_bundle
    else:
        f = x
    f = f.astype(np.int64)
    f.setflags(write=False)
    return f


@functools.lru_cache(maxsize=256)
def cce_reg_bundles(coreset: CoresetConfig) -> np.ndarray:
    """REG bundles of each CCE (TS 38.211 §7.3.2.2): CCE j holds f(6j/L) .. f(6j/L + 6/L − 1).

    Returns
    -------
    numpy.ndarray of int64, shape (N_CCE, 6 / L)
        Read-only.
    """
    per = N_REG_PER_CCE // coreset.reg_bundle_size
    out = reg_bundle_interleaver(coreset).reshape(coreset.n_cce, per).copy()
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=256)
def cce_regs(coreset: CoresetConfig) -> np.ndarray:
    """REG indices of each CCE, bundle by bundle (TS 38.211 §7.3.2.2).

    REG r sits in OFDM symbol ``r mod N_symb^CORESET`` of the CORESET and in its RB
    ``floor(r / N_symb^CORESET)`` (time-first numbering).

    Returns
    -------
    numpy.ndarray of int64, shape (N_CCE, 6)
        Read-only.
    """
    size = coreset.reg_bundle_size
    bundles = cce_reg_bundles(coreset)
    out = (bundles[:, :, None] * size + np.arange(size)).reshape(coreset.n_cce, N_REG_PER_CCE)
    out.setflags(write=False)
    return out


def check_coreset(carrier: Carrier, coreset: CoresetConfig, start_symbol: int = 0) -> None:
    """Check that a CORESET lies inside the carrier grid and the slot (TS 38.211 §7.3.2.2).

    Parameters
    ----------
    carrier : Carrier
    coreset : CoresetConfig
    start_symbol : int
        First OFDM symbol of the CORESET in the slot (from the search space).

    Raises
    ------
    ConfigError
        If the CORESET RBs leave the carrier or its symbols leave the slot.
    """
    first, last = int(coreset.crbs[0]), int(coreset.crbs[-1])
    if first < carrier.n_start_grid or last >= carrier.n_start_grid + carrier.n_size_grid:
        raise ConfigError("frequency_resources", coreset.frequency_resources,
                          f"the CORESET RBs (CRB {first} .. {last}) must lie inside the carrier "
                          f"(CRB {carrier.n_start_grid} .. "
                          f"{carrier.n_start_grid + carrier.n_size_grid - 1})", _CLAUSE)
    start_symbol = check_int("start_symbol", start_symbol, 0, carrier.symbols_per_slot - 1,
                             "TS 38.213 §10.1")
    if start_symbol + coreset.duration > carrier.symbols_per_slot:
        raise ConfigError("start_symbol", start_symbol,
                          f"start_symbol + duration ({coreset.duration}) must be <= "
                          f"{carrier.symbols_per_slot}", "TS 38.213 §10.1")


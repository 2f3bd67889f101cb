"""TS 38.211 §7.3.2, §7.4.1.3 — the physical downlink control channel (PDCCH) and its DM-RS.

Processing order of §7.3.2: scrambling of the ``M_bit = 108 L`` rate-matched DCI bits with
``c_init = (n_RNTI 2^16 + n_ID) mod 2^31`` (§7.3.2.3: ``n_ID`` = ``pdcch-DMRS-ScramblingID``
when configured, else N_ID^cell; ``n_RNTI`` = the C-RNTI for a UE-specific search space with
``pdcch-DMRS-ScramblingID`` configured, else 0), QPSK (§7.3.2.4) and mapping to the REs of the
candidate's REGs that do not carry DM-RS, first in increasing subcarrier ``k`` then in increasing
OFDM symbol ``l`` (§7.3.2.5). The candidate's CCEs come from the search space hashing
(:mod:`opennr.physical.search_space`) and the CCE-to-REG mapping (:mod:`opennr.physical.coreset`).

DM-RS (§7.4.1.3): ``r_l(m) = (1 − 2c(2m))/√2 + j(1 − 2c(2m+1))/√2`` with
``c_init = (2^17 (N_symb^slot n_s,f^μ + l + 1)(2 N_ID + 1) + 2 N_ID) mod 2^31`` (§7.4.1.3.1),
mapped to ``k = 12n + 4k' + 1``, ``k' = 0, 1, 2`` with value ``r_l(3n + k')`` (§7.4.1.3.2), where
``n`` counts RBs from CRB 0, or from the first RB of the CORESET for CORESET 0. The DM-RS
occupies the REG bundles of the PDCCH (``sameAsREG-bundle``) or every REG of the contiguous RB
runs of the CORESET in which the PDCCH lies (``allContiguousRBs``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.errors import ConfigError
from opennr.modulation import modulate
from opennr.numerology import Carrier, slot_number
from opennr.physical.coreset import CoresetConfig, cce_regs, check_coreset
from opennr.physical.search_space import (
    AGGREGATION_LEVELS,
    SearchSpaceConfig,
    candidate_cces,
)
from opennr.sequences.gold import gold_sequence

__all__ = [
    "DMRS_SUBCARRIERS",
    "PDCCH_BITS_PER_CCE",
    "PdcchConfig",
    "PdcchResources",
    "pdcch_bit_capacity",
    "pdcch_cce_dmrs",
    "pdcch_cce_indices",
    "pdcch_dmrs",
    "pdcch_dmrs_c_init",
    "pdcch_dmrs_values",
    "pdcch_grid",
    "pdcch_indices",
    "pdcch_modulate",
    "pdcch_resources",
    "pdcch_scrambling_c_init",
    "pdcch_scrambling_n_rnti",
    "pdcch_symbols",
]

_CLAUSE = "TS 38.211 §7.3.2"
_CLAUSE_DMRS = "TS 38.211 §7.4.1.3"

#: Subcarriers of an RB carrying PDCCH DM-RS, 4k' + 1 (TS 38.211 §7.4.1.3.2).
DMRS_SUBCARRIERS = (1, 5, 9)
#: Bits per CCE: 6 REGs x 9 data REs x 2 (QPSK) (TS 38.211 §7.3.2).
PDCCH_BITS_PER_CCE = 108
_DATA_SUBCARRIERS = tuple(k for k in range(12) if k not in DMRS_SUBCARRIERS)


@dataclass(frozen=True, slots=True, kw_only=True)
class PdcchConfig:
    """One PDCCH transmission (TS 38.211 §7.3.2, TS 38.213 §10.1).

    Parameters
    ----------
    coreset : CoresetConfig
    search_space : SearchSpaceConfig
        Search space set of the candidate (its ``start_symbol`` is the first CORESET symbol).
    aggregation_level : int
        L in {1, 2, 4, 8, 16}.
    candidate : int
        Candidate index m, 0 .. M_s^(L) − 1 (0-based).
    rnti : int
        RNTI of the DCI: the C-RNTI that seeds the UE-specific hashing and the scrambling, 0 ..
        65535.
    n_id : int or None
        ``pdcch-DMRS-ScramblingID`` (0 .. 65535), used as N_ID of the DM-RS and n_ID of the
        scrambling; None uses N_ID^cell of the carrier for both.
    n_ci : int
        Carrier indicator n_CI of the hashing function, 0 .. 7.

    Raises
    ------
    ConfigError
        If a field is out of range or the candidate does not exist in the search space.
    """

    coreset: CoresetConfig
    search_space: SearchSpaceConfig
    aggregation_level: int = 1
    candidate: int = 0
    rnti: int = 1
    n_id: int | None = None
    n_ci: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.coreset, CoresetConfig):
            raise ConfigError("coreset", type(self.coreset).__name__, "must be a CoresetConfig",
                              _CLAUSE)
        if not isinstance(self.search_space, SearchSpaceConfig):
            raise ConfigError("search_space", type(self.search_space).__name__,
                              "must be a SearchSpaceConfig", _CLAUSE)
        check_choice("aggregation_level", self.aggregation_level, AGGREGATION_LEVELS,
                     "TS 38.211 Table 7.3.2.1-1")
        check_int("rnti", self.rnti, 0, 65535, _CLAUSE)
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 65535, "TS 38.211 §7.3.2.3")
        check_int("n_ci", self.n_ci, 0, 7, "TS 38.213 §10.1")
        # Validates the level's candidate count against the CORESET and the candidate index.
        candidate_cces(self.coreset, self.search_space, self.aggregation_level, self.candidate,
                       0, max(self.rnti, 1), n_ci=self.n_ci)

    @property
    def scrambling_n_rnti(self) -> int:
        """n_RNTI of the scrambling (TS 38.211 §7.3.2.3, :func:`pdcch_scrambling_n_rnti`)."""
        return pdcch_scrambling_n_rnti(self.rnti, self.n_id,
                                       self.search_space.search_space_type == "ue")


def pdcch_bit_capacity(aggregation_level: int) -> int:
    """M_bit = 108 L, the rate-matched DCI length E of a PDCCH (TS 38.211 §7.3.2, TS 38.212 §7.3.4)."""
    level = check_choice("aggregation_level", aggregation_level, AGGREGATION_LEVELS,
                         "TS 38.211 Table 7.3.2.1-1")
    return PDCCH_BITS_PER_CCE * int(level)


def pdcch_scrambling_n_rnti(rnti: int, n_id: int | None, ue_specific: bool) -> int:
    """n_RNTI of the PDCCH scrambling (TS 38.211 §7.3.2.3): the C-RNTI ``rnti`` for a PDCCH in a
    UE-specific search space with ``pdcch-DMRS-ScramblingID`` (``n_id``) configured, else 0."""
    return int(rnti) if (ue_specific and n_id is not None) else 0


def pdcch_scrambling_c_init(n_rnti: int, n_id: int) -> int:
    """c_init = (n_RNTI 2^16 + n_ID) mod 2^31 of the PDCCH scrambling (TS 38.211 §7.3.2.3)."""
    n_rnti = check_int("n_rnti", n_rnti, 0, 65535, "TS 38.211 §7.3.2.3")
    n_id = check_int("n_id", n_id, 0, 65535, "TS 38.211 §7.3.2.3")
    return ((n_rnti << 16) + n_id) % (1 << 31)


def pdcch_dmrs_c_init(n_slot: int, symbol: int, n_id: int, symbols_per_slot: int = 14) -> int:
    """c_init = (2^17 (N_symb^slot n_s,f^μ + l + 1)(2 N_ID + 1) + 2 N_ID) mod 2^31 (TS 38.211 §7.4.1.3.1)."""
    n_slot = check_int("n_slot", n_slot, 0, 639, _CLAUSE_DMRS)
    symbol = check_int("symbol", symbol, 0, symbols_per_slot - 1, _CLAUSE_DMRS)
    n_id = check_int("n_id", n_id, 0, 65535, _CLAUSE_DMRS)
    return ((1 << 17) * (symbols_per_slot * n_slot + symbol + 1) * (2 * n_id + 1) + 2 * n_id) % (1 << 31)


@dataclass(frozen=True, slots=True)
class PdcchResources:
    """Resource elements of one PDCCH candidate in the CORESET (TS 38.211 §7.3.2.5, §7.4.1.3.2).

    Positions are relative to the CORESET: ``symbol`` is the OFDM symbol offset from the first
    CORESET symbol, ``rb`` the index among the CORESET's RBs (ascending CRBs) and ``sc`` the
    subcarrier within the RB.

    Attributes
    ----------
    data : numpy.ndarray of int64, shape (3, 54 L)
        (symbol, rb, sc) of the data REs in mapping order (subcarrier first, then symbol).
    dmrs : numpy.ndarray of int64, shape (3, N_DMRS)
        (symbol, rb, sc) of the DM-RS REs, subcarrier first, then symbol.
    """

    data: np.ndarray
    dmrs: np.ndarray


def _sorted_positions(symbols: np.ndarray, rbs: np.ndarray, subcarriers: tuple[int, ...]) -> np.ndarray:
    sc = np.asarray(subcarriers, dtype=np.int64)
    sym = np.repeat(symbols, sc.size)
    rb = np.repeat(rbs, sc.size)
    s = np.tile(sc, symbols.size)
    order = np.lexsort((s, rb, sym))
    out = np.stack([sym[order], rb[order], s[order]])
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=4096)
def _resources(coreset: CoresetConfig, cces: tuple[int, ...]) -> PdcchResources:
    dur = coreset.duration
    regs = np.sort(cce_regs(coreset)[np.asarray(cces, dtype=np.int64)].reshape(-1))
    data = _sorted_positions(regs % dur, regs // dur, _DATA_SUBCARRIERS)
    if coreset.precoder_granularity == "sameAsREG-bundle":
        dmrs = _sorted_positions(regs % dur, regs // dur, DMRS_SUBCARRIERS)
    else:
        crbs = coreset.crbs
        run = np.concatenate([[0], np.cumsum(np.diff(crbs) != 1)])  # contiguous-run label per RB
        used = np.isin(run, np.unique(run[regs // dur]))
        rbs = np.flatnonzero(used)
        sym = np.repeat(np.arange(dur), rbs.size)
        dmrs = _sorted_positions(sym, np.tile(rbs, dur), DMRS_SUBCARRIERS)
    return PdcchResources(data, dmrs)


def pdcch_resources(coreset: CoresetConfig, cces) -> PdcchResources:
    """Data and DM-RS REs of the PDCCH candidate on CCEs ``cces`` (TS 38.211 §7.3.2.5, §7.4.1.3.2).

    Parameters
    ----------
    coreset : CoresetConfig
    cces : sequence of int
        CCE indices of the candidate (0 .. N_CCE − 1).

    Returns
    -------
    PdcchResources
        Read-only arrays, cached per (CORESET, CCEs).

    Raises
    ------
    ConfigError
        If a CCE index is outside the CORESET.
    """
    cc = tuple(int(c) for c in np.asarray(cces, dtype=np.int64).reshape(-1))
    if not cc or min(cc) < 0 or max(cc) >= coreset.n_cce:
        raise ConfigError("cces", cc, f"must be CCE indices in 0 .. {coreset.n_cce - 1}", _CLAUSE)
    return _resources(coreset, cc)


def _dmrs_rb_origin(coreset: CoresetConfig) -> int:
    """CRB of the DM-RS reference point: CRB 0, or the CORESET's first RB for CORESET 0."""
    return int(coreset.crbs[0]) if coreset.coreset_id == 0 else 0


@functools.lru_cache(maxsize=512)
def _coreset_dmrs(coreset: CoresetConfig, start_symbol: int, n_id: int, n_slot: int,
                  symbols_per_slot: int) -> np.ndarray:
    """DM-RS values on every RB and symbol of the CORESET, shape (duration, N_RB, 3)."""
    crbs = coreset.crbs
    n = crbs - _dmrs_rb_origin(coreset)
    m_len = 3 * (int(n[-1]) + 1)
    out = np.empty((coreset.duration, crbs.size, 3), dtype=np.complex64)
    m = (3 * n[:, None] + np.arange(3)[None, :]).reshape(-1)
    for i in range(coreset.duration):
        c = gold_sequence(pdcch_dmrs_c_init(n_slot, start_symbol + i, n_id, symbols_per_slot),
                          2 * m_len).astype(np.float32)
        r = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2])) / np.sqrt(2)
        out[i] = r[m].reshape(crbs.size, 3)
    out.setflags(write=False)
    return out


def pdcch_dmrs_values(carrier: Carrier, coreset: CoresetConfig, start_symbol: int, n_id: int,
                      n_slot: int) -> np.ndarray:
    """PDCCH DM-RS values on every REG of a CORESET (TS 38.211 §7.4.1.3).

    Parameters
    ----------
    carrier : Carrier
        Supplies N_symb^slot.
    coreset : CoresetConfig
    start_symbol : int
        First OFDM symbol of the CORESET.
    n_id : int
        N_ID, 0 .. 65535.
    n_slot : int
        n_s,f^μ.

    Returns
    -------
    numpy.ndarray of complex64, shape (N_symb^CORESET, N_RB^CORESET, 3)
        ``r_l(3n + k')`` at subcarriers 1, 5, 9 of each CORESET RB (read-only).
    """
    check_coreset(carrier, coreset, start_symbol)
    n_id = check_int("n_id", n_id, 0, 65535, _CLAUSE_DMRS)
    n_slot = slot_number(carrier, n_slot)
    return _coreset_dmrs(coreset, int(start_symbol), n_id, n_slot, carrier.symbols_per_slot)


def _grid_index(carrier: Carrier, coreset: CoresetConfig, start_symbol: int,
                pos: np.ndarray) -> np.ndarray:
    """Flat slot-grid indices l · K + k of CORESET positions (symbol, rb, sc)."""
    k = 12 * (coreset.crbs[pos[1]] - carrier.n_start_grid) + pos[2]
    return (start_symbol + pos[0]) * carrier.n_subcarriers + k


def _dmrs_res(carrier: Carrier, coreset: CoresetConfig, start_symbol: int, res: PdcchResources,
              n_id: int, n_s: int) -> tuple[np.ndarray, np.ndarray]:
    table = _coreset_dmrs(coreset, start_symbol, n_id, n_s, carrier.symbols_per_slot)
    pos = res.dmrs
    return _grid_index(carrier, coreset, start_symbol, pos), table[pos[0], pos[1], (pos[2] - 1) // 4]


def pdcch_cce_indices(carrier: Carrier, coreset: CoresetConfig, cces, *,
                      start_symbol: int) -> np.ndarray:
    """Data REs of a PDCCH on given CCEs of a CORESET, in mapping order (TS 38.211 §7.3.2.5).

    As :func:`pdcch_indices` with the CCEs given instead of a search-space candidate.

    Parameters
    ----------
    carrier : Carrier
    coreset : CoresetConfig
    cces : sequence of int
        CCE indices of the PDCCH (0 .. N_CCE − 1).
    start_symbol : int
        First OFDM symbol of the CORESET in the slot.

    Returns
    -------
    numpy.ndarray of int64, shape (54 L,)
        Flat indices l · K + k into the (N_symb^slot, K) slot grid.

    Raises
    ------
    ConfigError
        If the CORESET does not fit the carrier or the slot, or a CCE is outside it.
    """
    check_coreset(carrier, coreset, start_symbol)
    res = pdcch_resources(coreset, cces)
    return _grid_index(carrier, coreset, int(start_symbol), res.data)


def pdcch_cce_dmrs(carrier: Carrier, coreset: CoresetConfig, cces, *, start_symbol: int,
                   n_id: int, n_slot: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """DM-RS REs and values of a PDCCH on given CCEs of a CORESET (TS 38.211 §7.4.1.3).

    As :func:`pdcch_dmrs` with the CCEs given instead of a search-space candidate.

    Parameters
    ----------
    carrier : Carrier
    coreset : CoresetConfig
    cces : sequence of int
        CCE indices of the PDCCH (0 .. N_CCE − 1).
    start_symbol : int
        First OFDM symbol of the CORESET in the slot.
    n_id : int
        N_ID of the DM-RS (``pdcch-DMRS-ScramblingID``, else N_ID^cell), 0 .. 65535.
    n_slot : int, optional
        Slot number n_s,f^μ; None uses ``carrier.n_slot``.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (N_DMRS,)
        Flat indices l · K + k in the slot grid, subcarrier first then symbol.
    values : numpy.ndarray of complex64, shape (N_DMRS,)

    Raises
    ------
    ConfigError
        If the CORESET does not fit the carrier or the slot, a CCE is outside it, or ``n_id`` or
        ``n_slot`` is out of range.
    """
    check_coreset(carrier, coreset, start_symbol)
    n_id = check_int("n_id", n_id, 0, 65535, _CLAUSE_DMRS)
    res = pdcch_resources(coreset, cces)
    return _dmrs_res(carrier, coreset, int(start_symbol), res, n_id, slot_number(carrier, n_slot))


def _candidate(carrier: Carrier, pdcch: PdcchConfig, n_slot: int | None) -> tuple[int, PdcchResources]:
    check_coreset(carrier, pdcch.coreset, pdcch.search_space.start_symbol)
    n_s = slot_number(carrier, n_slot)
    cces = candidate_cces(pdcch.coreset, pdcch.search_space, pdcch.aggregation_level,
                          pdcch.candidate, n_s, max(pdcch.rnti, 1), n_ci=pdcch.n_ci)
    return n_s, pdcch_resources(pdcch.coreset, cces)


def pdcch_indices(carrier: Carrier, pdcch: PdcchConfig, *, n_slot: int | None = None) -> np.ndarray:
    """Data REs of the PDCCH in mapping order (TS 38.211 §7.3.2.5).

    Parameters
    ----------
    carrier : Carrier
    pdcch : PdcchConfig
    n_slot : int, optional
        Slot number n_s,f^μ (decides the UE-specific hashing); None uses ``carrier.n_slot``.

    Returns
    -------
    numpy.ndarray of int64, shape (54 L,)
        Flat indices l · K + k into the (N_symb^slot, K) slot grid, K = 12 N_grid^size.

    Raises
    ------
    ConfigError
        If the CORESET does not fit the carrier or the slot.
    """
    _, res = _candidate(carrier, pdcch, n_slot)
    return _grid_index(carrier, pdcch.coreset, pdcch.search_space.start_symbol, res.data)


def pdcch_dmrs(carrier: Carrier, pdcch: PdcchConfig, *,
               n_slot: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PDCCH DM-RS resource elements and values (TS 38.211 §7.4.1.3).

    Returns
    -------
    indices : numpy.ndarray of int64, shape (N_DMRS,)
        Flat indices l · K + k in the slot grid, subcarrier first then symbol.
    values : numpy.ndarray of complex64, shape (N_DMRS,)

    Raises
    ------
    ConfigError
        If the CORESET does not fit the carrier or the slot.
    """
    n_s, res = _candidate(carrier, pdcch, n_slot)
    n_id = carrier.n_cell_id if pdcch.n_id is None else pdcch.n_id
    return _dmrs_res(carrier, pdcch.coreset, pdcch.search_space.start_symbol, res, n_id, n_s)


def pdcch_symbols(bits, carrier: Carrier, pdcch: PdcchConfig) -> np.ndarray:
    """Scrambling and QPSK modulation of the PDCCH bits (TS 38.211 §7.3.2.3-§7.3.2.4).

    Parameters
    ----------
    bits : array_like of uint8, shape (..., M_bit)
        Rate-matched DCI bits (:func:`opennr.transport.dci_coding.dci_encode`), M_bit even.
    carrier : Carrier
        Supplies N_ID^cell when ``pdcch.n_id`` is None.
    pdcch : PdcchConfig

    Returns
    -------
    numpy.ndarray of complex64, shape (..., M_bit / 2)
    """
    n_id = carrier.n_cell_id if pdcch.n_id is None else pdcch.n_id
    return pdcch_modulate(bits, pdcch.scrambling_n_rnti, n_id)


def pdcch_modulate(bits, n_rnti: int, n_id: int) -> np.ndarray:
    """Scrambling with c_init = (n_RNTI 2^16 + n_ID) mod 2^31 and QPSK modulation of PDCCH bits
    (TS 38.211 §7.3.2.3-§7.3.2.4).

    Parameters
    ----------
    bits : array_like of uint8, shape (..., M_bit)
        Rate-matched DCI bits, M_bit even.
    n_rnti : int
        n_RNTI of the scrambling (:func:`pdcch_scrambling_n_rnti`), 0 .. 65535.
    n_id : int
        n_ID of the scrambling (``pdcch-DMRS-ScramblingID``, else N_ID^cell), 0 .. 65535.

    Returns
    -------
    numpy.ndarray of complex64, shape (..., M_bit / 2)
    """
    b = as_bits("bits", bits)
    c = gold_sequence(pdcch_scrambling_c_init(n_rnti, n_id), b.shape[-1])
    return modulate(b ^ c, "QPSK")


def pdcch_grid(bits, carrier: Carrier, pdcch: PdcchConfig, *, n_slot: int | None = None,
               grid: np.ndarray | None = None) -> np.ndarray:
    """Slot grid carrying one PDCCH and its DM-RS (TS 38.211 §7.3.2, §7.4.1.3).

    Parameters
    ----------
    bits : array_like of uint8, shape (108 L,)
        Rate-matched DCI bits.
    carrier : Carrier
    pdcch : PdcchConfig
    n_slot : int, optional
        Slot number; None uses ``carrier.n_slot``.
    grid : numpy.ndarray of complex64, shape (1, N_symb^slot, K), optional
        A grid to write into (other PDCCHs of the slot); a new zero grid when None.

    Returns
    -------
    numpy.ndarray of complex64, shape (1, N_symb^slot, K)

    Raises
    ------
    ConfigError
        If the CORESET does not fit the carrier or the slot.
    ValueError
        If ``bits`` is not 108 L bits, or ``grid`` has the wrong shape.
    """
    b = as_bits("bits", bits)
    e = pdcch_bit_capacity(pdcch.aggregation_level)
    if b.shape != (e,):
        raise ValueError(f"bits: expected shape ({e},) = 108 L for L={pdcch.aggregation_level} "
                         f"({_CLAUSE}), got {b.shape}")
    shape = (1, carrier.symbols_per_slot, carrier.n_subcarriers)
    if grid is None:
        grid = np.zeros(shape, dtype=np.complex64)
    elif grid.shape != shape:
        raise ValueError(f"grid: expected shape {shape}, got {grid.shape}")
    flat = grid.reshape(-1)
    flat[pdcch_indices(carrier, pdcch, n_slot=n_slot)] = pdcch_symbols(b, carrier, pdcch)
    idx, val = pdcch_dmrs(carrier, pdcch, n_slot=n_slot)
    flat[idx] = val
    return grid

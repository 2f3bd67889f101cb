"""TS 38.214 §5.1.4 — resource elements not available for the PDSCH (rate matching), as flat
indices ``l * K + k`` of a slot grid (K = 12 N_grid^size), the form taken by the ``reserved``
argument of :mod:`opennr.physical.pdsch`.

* a CORESET (TS 38.211 §7.3.2.2, :class:`opennr.physical.coreset.CoresetConfig`): every RE of its
  resource blocks in its N_symb^CORESET symbols (rate matching around a CORESET, TS 38.214
  §5.1.4.1);
* SS/PBCH blocks (TS 38.214 §5.1.4: the PRBs containing SS/PBCH block resources are not
  available in the OFDM symbols of the block), placed by :class:`opennr.physical.ssb.SsBurstConfig`;
* CSI-RS (or any other signal) given explicitly as (symbol, subcarrier) lists.

:func:`reserved_union` merges any number of such sets.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.numerology import N_SC_RB, Carrier, slot_number
from opennr.physical.coreset import CoresetConfig, check_coreset
from opennr.physical.ssb import SSB_SUBCARRIERS, SSB_SYMBOLS, SsBurstConfig

__all__ = ["coreset_reserved", "re_list_reserved", "reserved_union", "ssb_reserved"]

_CLAUSE = "TS 38.214 §5.1.4"


def _rb_res(carrier: Carrier, crbs: np.ndarray, symbols: np.ndarray) -> np.ndarray:
    k = ((np.asarray(crbs, np.int64) - carrier.n_start_grid)[:, None] * N_SC_RB
         + np.arange(N_SC_RB)[None, :]).reshape(-1)
    return (np.asarray(symbols, np.int64)[:, None] * carrier.n_subcarriers
            + k[None, :]).reshape(-1)


def coreset_reserved(carrier: Carrier, coreset: CoresetConfig, start_symbol: int) -> np.ndarray:
    """REs of a CORESET in a slot (TS 38.211 §7.3.2.2, TS 38.214 §5.1.4.1).

    The resource blocks of the ``frequencyDomainResources`` bitmap (groups of 6 RBs from
    :attr:`CoresetConfig.rb_origin`) in symbols ``start_symbol`` .. ``start_symbol +
    N_symb^CORESET − 1``.

    Parameters
    ----------
    carrier : Carrier
    coreset : CoresetConfig
    start_symbol : int
        First OFDM symbol of the CORESET in the slot (monitoringSymbolsWithinSlot).

    Returns
    -------
    numpy.ndarray of int64
        Sorted flat indices l · K + k.

    Raises
    ------
    ConfigError
        The CORESET leaves the carrier or the slot.
    """
    if not isinstance(coreset, CoresetConfig):
        raise ConfigError("coreset", type(coreset).__name__, "must be a CoresetConfig",
                          "TS 38.211 §7.3.2.2")
    check_coreset(carrier, coreset, start_symbol)
    syms = np.arange(start_symbol, start_symbol + coreset.duration)
    return np.sort(_rb_res(carrier, coreset.crbs, syms))


def ssb_reserved(carrier: Carrier, ssb: SsBurstConfig, n_slot: int | None = None,
                 n_frame: int | None = None) -> np.ndarray:
    """REs of the PRBs holding SS/PBCH blocks in a slot (TS 38.214 §5.1.4, TS 38.211 §7.4.3.1).

    Every transmitted block of a half frame that holds a burst (:meth:`SsBurstConfig.has_burst`)
    occupies 4 symbols from its candidate symbol (TS 38.213 §4.1) and the 240 subcarriers from
    :attr:`SsBurstConfig.first_subcarrier`; the whole resource blocks of the carrier that
    overlap those subcarriers are returned in those symbols.

    Parameters
    ----------
    carrier : Carrier
        The PDSCH carrier: its grid and subcarrier spacing must be those of ``ssb.carrier``.
    ssb : SsBurstConfig
    n_slot, n_frame : int, optional
        Slot n_s,f^μ and frame (SFN) of the PDSCH; ``None`` takes them from ``carrier``.

    Returns
    -------
    numpy.ndarray of int64
        Sorted flat indices l · K + k (empty in a slot without SS/PBCH block).

    Raises
    ------
    ConfigError
        The two carriers differ in subcarrier spacing, cyclic prefix or grid; ``n_slot`` out of
        range.
    """
    if not isinstance(ssb, SsBurstConfig):
        raise ConfigError("ssb", type(ssb).__name__, "must be an SsBurstConfig",
                          "TS 38.211 §7.4.3.1")
    c = ssb.carrier
    if (c.scs, c.cyclic_prefix, c.n_start_grid, c.n_size_grid) != \
            (carrier.scs, carrier.cyclic_prefix, carrier.n_start_grid, carrier.n_size_grid):
        raise ConfigError("ssb", f"carrier scs={c.scs}, grid {c.n_start_grid}+{c.n_size_grid}",
                          "the SS burst must be on the PDSCH carrier grid (same subcarrier "
                          "spacing and resource grid)", _CLAUSE)
    n_slot = slot_number(carrier, n_slot)
    n_frame = carrier.n_frame if n_frame is None else check_int("n_frame", n_frame, 0)
    slots_hf = carrier.slots_per_frame // 2
    if not ssb.has_burst(2 * n_frame + n_slot // slots_hf):
        return np.zeros(0, np.int64)
    n_symb = carrier.symbols_per_slot
    first = (n_slot % slots_hf) * n_symb
    syms = []
    for i in np.flatnonzero(ssb.transmitted):
        l0 = int(ssb.candidate_symbols[i]) - first
        syms.extend(x for x in range(l0, l0 + SSB_SYMBOLS) if 0 <= x < n_symb)
    if not syms:
        return np.zeros(0, np.int64)
    k0 = ssb.first_subcarrier
    rbs = np.arange(k0 // N_SC_RB, (k0 + SSB_SUBCARRIERS - 1) // N_SC_RB + 1) + carrier.n_start_grid
    return np.sort(_rb_res(carrier, rbs, np.unique(syms)))


def re_list_reserved(carrier: Carrier, symbols: np.ndarray, subcarriers: np.ndarray) -> np.ndarray:
    """Flat indices of explicitly listed REs, e.g. CSI-RS (TS 38.214 §5.1.4, TS 38.211 §7.4.1.5).

    Parameters
    ----------
    carrier : Carrier
    symbols, subcarriers : array_like of int, same shape
        OFDM symbol l in the slot and subcarrier k of the carrier grid (0 .. 12 N_grid^size − 1)
        of each RE.

    Returns
    -------
    numpy.ndarray of int64
        Sorted, unique flat indices l · K + k.

    Raises
    ------
    ValueError
        Shapes differ, non-integer values, or an RE outside the slot grid.
    """
    l_arr, k_arr = np.asarray(symbols), np.asarray(subcarriers)
    if l_arr.shape != k_arr.shape:
        raise ValueError(f"symbols and subcarriers: shapes differ ({l_arr.shape} and {k_arr.shape})")
    for name, a in (("symbols", l_arr), ("subcarriers", k_arr)):
        if a.size and not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"{name}: expected integers, got {a.dtype}")
    if l_arr.size and (l_arr.min() < 0 or l_arr.max() >= carrier.symbols_per_slot):
        raise ValueError(f"symbols: must be in 0 .. {carrier.symbols_per_slot - 1}")
    if k_arr.size and (k_arr.min() < 0 or k_arr.max() >= carrier.n_subcarriers):
        raise ValueError(f"subcarriers: must be in 0 .. {carrier.n_subcarriers - 1}")
    flat = l_arr.astype(np.int64) * carrier.n_subcarriers + k_arr.astype(np.int64)
    return np.unique(flat.reshape(-1))


def reserved_union(*sets: np.ndarray) -> np.ndarray:
    """The union of reserved RE sets (flat indices), sorted (TS 38.214 §5.1.4).

    Returns
    -------
    numpy.ndarray of int64
    """
    arrs = [np.asarray(s, np.int64).reshape(-1) for s in sets]
    return np.unique(np.concatenate(arrs)) if arrs else np.zeros(0, np.int64)

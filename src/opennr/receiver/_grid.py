"""Received slot grids as the receivers take them (not normative)."""

from __future__ import annotations

import numpy as np

from opennr.numerology import Carrier


def rx_slot_grid(name: str, grid: object, carrier: Carrier) -> np.ndarray:
    """A received slot grid as an (n_rx, N_symb^slot, K) array, K = 12 N_grid^size (TS 38.211
    §4.4.2); one receive antenna may be given as (N_symb^slot, K). The dtype is kept.

    Raises
    ------
    ValueError
        ``name`` with another shape or a non-numeric dtype.
    """
    y = np.asarray(grid)
    if y.ndim == 2:
        y = y[None]
    shape = (carrier.symbols_per_slot, carrier.n_subcarriers)
    if y.ndim != 3 or y.shape[1:] != shape:
        raise ValueError(f"{name}: expected shape (n_rx, {shape[0]}, {shape[1]}) or {shape}, "
                         f"got {np.shape(grid)}")
    if not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"{name}: expected complex resource elements, got {y.dtype}")
    return y

"""What the receivers share: the received slot grid and the known noise variance they take (not
normative)."""

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


def check_noise_var(noise_var: float | None) -> float | None:
    """A known noise variance σ² per RE and antenna as a float (None: estimate it).

    Raises
    ------
    ValueError
        Not a positive finite number.
    """
    if noise_var is None:
        return None
    s2 = float(noise_var)
    if not np.isfinite(s2) or s2 <= 0:
        raise ValueError(f"noise_var: must be a positive finite number, got {noise_var!r}")
    return s2

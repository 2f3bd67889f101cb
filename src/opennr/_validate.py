"""Validation helpers shared by the public functions: one place for the common checks."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from opennr.errors import ConfigError


def check_int(field: str, value: object, lo: int | None = None, hi: int | None = None,
              clause: str | None = None) -> int:
    """Return ``value`` as an ``int`` after checking that it is integral and in ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(field, value, "must be an integer", clause)
    v = int(value)
    if lo is not None and v < lo:
        raise ConfigError(field, value, f"must be >= {lo}", clause)
    if hi is not None and v > hi:
        raise ConfigError(field, value, f"must be <= {hi}", clause)
    return v


def check_choice(field: str, value: object, allowed: Iterable[object],
                 clause: str | None = None) -> object:
    """Return ``value`` after checking that it is one of ``allowed``."""
    allowed = tuple(allowed)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ConfigError(field, value, f"must be one of {shown}", clause)
    return value


def as_bits(field: str, bits: object, *, min_ndim: int = 1) -> np.ndarray:
    """Return ``bits`` as a C-contiguous ``np.uint8`` array of 0/1 values.

    Raises
    ------
    ValueError
        If the array is not integral or boolean, holds values other than 0 and 1, or has fewer
        than ``min_ndim`` dimensions.
    """
    arr = np.asarray(bits)
    if arr.ndim < min_ndim:
        raise ValueError(f"{field}: expected at least {min_ndim} dimension(s), got shape {arr.shape}")
    if arr.dtype != np.uint8:
        if not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_):
            raise ValueError(f"{field}: bits must be an integer or boolean array, got {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(f"{field}: bits must be 0 or 1, found values in [{arr.min()}, {arr.max()}]")
        arr = arr.astype(np.uint8)
    elif arr.size and arr.max() > 1:
        raise ValueError(f"{field}: bits must be 0 or 1, found value {int(arr.max())}")
    return np.ascontiguousarray(arr)


def as_llrs(field: str, llrs: object, *, min_ndim: int = 1) -> np.ndarray:
    """Return ``llrs`` as a C-contiguous ``np.float32`` array; NaN is rejected."""
    arr = np.asarray(llrs)
    if arr.ndim < min_ndim:
        raise ValueError(f"{field}: expected at least {min_ndim} dimension(s), got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"{field}: LLRs must be real numbers, got {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if np.isnan(arr).any():
        raise ValueError(f"{field}: LLRs contain NaN")
    return arr


def check_last_dim(field: str, arr: np.ndarray, expected: int, rule: str = "") -> None:
    """Raise ``ValueError`` unless ``arr.shape[-1] == expected``."""
    if arr.shape[-1] != expected:
        extra = f" ({rule})" if rule else ""
        raise ValueError(f"{field}: last dimension must be {expected}{extra}, got shape {arr.shape}")

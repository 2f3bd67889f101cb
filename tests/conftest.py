"""Shared test fixtures: the reference vectors under ``tests/vectors``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from hypothesis import settings

# Property tests draw the same examples on every run: CI and a developer see the same outcome.
settings.register_profile("opennr", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("opennr")

VECTORS = Path(__file__).parent / "vectors"


def vector_files(family: str, pattern: str = "*.mat") -> list[Path]:
    """Every vector file of ``family`` matching ``pattern``; an empty family is an error."""
    files = sorted((VECTORS / family).glob(pattern))
    if not files:
        raise FileNotFoundError(f"no reference vectors {family}/{pattern} under {VECTORS}")
    return files


def load_vector(path: Path) -> dict:
    """Load one MATLAB vector file (squeezed, structs as attribute objects)."""
    return scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)


def as_int(x) -> np.ndarray:
    """A stored field as ``int64``: MATLAB saves whole doubles in small integer types."""
    return np.asarray(x).astype(np.int64)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)

"""Tests of TS 38.212 §5.4.1 polar rate matching and recovery (nrRateMatchPolar, nrRateRecoverPolar)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.coding.polar import (
    SHORTENED_LLR,
    polar_bit_interleaver_pattern,
    polar_mother_length,
    polar_rate_match,
    polar_rate_recover,
)
from opennr.errors import ConfigError

MATCH_FILES = vector_files("polar", "polarratematch_testvec_*.mat")
RECOVER_FILES = vector_files("polar", "polarRM_recover_testvec_*.mat")


@pytest.mark.parametrize("path", MATCH_FILES, ids=lambda p: p.stem.replace("polarratematch_testvec_", ""))
def test_rate_match_vectors(path):
    v = load_vector(path)
    f = polar_rate_match(as_int(v["in"]), k=int(v["K"]), e=int(v["E"]), i_bil=bool(v["iBIL"]))
    assert f.dtype == np.uint8
    np.testing.assert_array_equal(f, as_int(v["outd"]))


@pytest.mark.parametrize("path", RECOVER_FILES, ids=lambda p: p.stem.replace("polarRM_recover_testvec_", ""))
def test_rate_recover_vectors(path):
    v = load_vector(path)
    llr = 1.0 - 2.0 * as_int(v["in"])
    soft = polar_rate_recover(llr, k=int(v["K"]), n=int(v["N"]), i_bil=bool(v["iBIL"]))
    assert soft.dtype == np.float32 and soft.shape == (int(v["N"]),)
    np.testing.assert_array_equal((soft < 0).astype(np.uint8), as_int(v["outd"]))


def test_bit_interleaver_small_case():
    # E = 5 -> T = 3: rows (e0 e1 e2), (e3 e4), (NULL); read by columns.
    assert polar_bit_interleaver_pattern(5).tolist() == [0, 3, 1, 4, 2]


@settings(max_examples=25)
@given(st.integers(1, 160), st.integers(0, 1000), st.sampled_from([9, 10]), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_recover_inverts_match(k, extra, n_max, i_bil, seed):
    e = k + extra
    n = polar_mother_length(k, e, n_max)
    rng = np.random.default_rng(seed)
    d = rng.integers(0, 2, (2, n), dtype=np.uint8)
    f = polar_rate_match(d, k=k, e=e, i_bil=i_bil)
    soft = polar_rate_recover(1.0 - 2.0 * f, k=k, n=n, i_bil=i_bil)
    sent = soft != 0
    if e < n and 16 * k > 7 * e:  # shortening: unsent positions are certain zeros
        shortened = soft == SHORTENED_LLR
        assert shortened.sum(axis=1).tolist() == [n - e] * 2
        sent &= ~shortened
    else:
        assert sent.sum(axis=1).tolist() == [min(e, n)] * 2
    np.testing.assert_array_equal((soft[sent] < 0), d[sent].astype(bool))
    if e >= n:  # every position repeated floor(E/N) or ceil(E/N) times
        assert set(np.abs(soft).ravel().tolist()) <= {e // n, -(-e // n)}


def test_errors():
    with pytest.raises(ValueError, match="power of 2"):
        polar_rate_match(np.zeros(48, np.uint8), k=10, e=40, i_bil=False)
    with pytest.raises(ConfigError, match="i_bil"):
        polar_rate_match(np.zeros(64, np.uint8), k=10, e=40, i_bil=2)
    with pytest.raises(ConfigError, match="n"):
        polar_rate_recover(np.zeros(40, np.float32), k=10, n=100, i_bil=False)
    with pytest.raises(ValueError, match="NaN"):
        polar_rate_recover(np.full(40, np.nan, np.float32), k=10, n=64, i_bil=False)

"""Tests of PDSCH layer mapping (TS 38.211 §7.3.1.3, Table 7.3.1.3-1) and its inverse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennr.errors import ConfigError
from opennr.physical.layermap import codeword_layers, layer_demap, layer_map, per_codeword


def test_codeword_layers_table():
    # Table 7.3.1.3-1: codeword 0 / codeword 1 layers for 1..8 layers
    expected = {1: (1,), 2: (2,), 3: (3,), 4: (4,), 5: (2, 3), 6: (3, 3), 7: (3, 4), 8: (4, 4)}
    for v, nu in expected.items():
        assert codeword_layers(v) == nu


def test_literal_mapping_three_layers():
    x = layer_map(np.arange(6), 3)
    np.testing.assert_array_equal(x, [[0, 3], [1, 4], [2, 5]])


def test_literal_mapping_five_layers():
    x = layer_map([np.arange(4), 10 + np.arange(6)], 5)
    np.testing.assert_array_equal(x, [[0, 2], [1, 3], [10, 13], [11, 14], [12, 15]])


@settings(max_examples=30)
@given(n_layers=st.integers(1, 8), m=st.integers(1, 20), batch=st.integers(1, 3))
def test_round_trip(n_layers, m, batch):
    rng = np.random.default_rng(n_layers * 100 + m)
    nu = codeword_layers(n_layers)
    cws = [(rng.standard_normal((batch, v * m)) + 1j * rng.standard_normal((batch, v * m)))
           .astype(np.complex64) for v in nu]
    x = layer_map(cws if len(cws) == 2 else cws[0], n_layers)
    assert x.shape == (batch, n_layers, m)
    # symbol i of codeword q sits on layer k_q + (i mod ν_q)
    assert x[0, 0, 0] == cws[0][0, 0]
    back = layer_demap(x, len(nu))
    assert len(back) == len(nu)
    for a, b in zip(back, cws, strict=True):
        np.testing.assert_array_equal(a, b)


def test_errors():
    with pytest.raises(ConfigError, match="n_layers"):
        layer_map(np.zeros(9), 9)
    with pytest.raises(ValueError, match="codeword"):
        layer_map(np.zeros(10), 5)
    with pytest.raises(ValueError, match="multiple"):
        layer_map(np.zeros(7), 2)
    with pytest.raises(ValueError, match="same number"):
        layer_map([np.zeros(4), np.zeros(9)], 5)
    with pytest.raises(ValueError, match="scalar"):
        layer_map([np.float64(1.0)], 1)
    with pytest.raises(ValueError, match="n_codewords"):
        layer_demap(np.zeros((6, 4)), 1)
    with pytest.raises(ValueError, match="shape"):
        layer_demap(np.zeros(4))


def test_per_codeword_single_values_sequences_and_bits():
    cw = np.array([1, 0, 1], dtype=np.uint8)
    # One codeword: an array, a list of bits or a config-like object is one value.
    np.testing.assert_array_equal(per_codeword("codewords", cw, 1, bits=True)[0], cw)
    (b,) = per_codeword("codewords", [1, 0, 1], 1, bits=True)
    assert b.dtype == np.uint8 and b.tolist() == [1, 0, 1]
    assert per_codeword("sch", "x", 1) == ("x",)
    # Two codewords: a sequence with one value each; a list of ints is per codeword unless bits.
    two = per_codeword("tb", [cw, [0, 1]], 2, bits=True)
    assert [t.tolist() for t in two] == [[1, 0, 1], [0, 1]]
    assert per_codeword("rv", [0, 2], 2) == (0, 2)
    assert per_codeword("rv", 3, 2, broadcast=True) == (3, 3)
    with pytest.raises(ConfigError, match="rv"):
        per_codeword("rv", 3, 2)
    with pytest.raises(ConfigError, match="one per codeword"):
        per_codeword("codewords", cw, 2, bits=True)
    with pytest.raises(ValueError, match=r"codewords\[1\]"):
        per_codeword("codewords", [cw, [0, 2]], 2, bits=True)

"""Tests of TS 38.212 §5.2.1 UCI code block segmentation against the polar_cbsegment vectors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.coding.crc import crc_check
from opennr.coding.segmentation import (
    UciSegmentation,
    desegment_uci_blocks,
    segment_uci_blocks,
    uci_segmentation,
)
from opennr.errors import ConfigError

SEGMENT_FILES = vector_files("polar", "polar_cbsegment_testvec_*.mat")


@pytest.mark.parametrize("path", SEGMENT_FILES, ids=lambda p: p.stem.replace("polar_cbsegment_testvec_", ""))
def test_segmentation_vectors(path):
    v = load_vector(path)
    seg = uci_segmentation(int(v["A"]), int(v["Euci"]))
    expected = np.atleast_2d(as_int(v["outd"]))
    assert (seg.c, seg.e_r) == (int(v["C"]), int(v["Er"]))
    assert (seg.c, seg.k) == expected.shape
    blocks = segment_uci_blocks(as_int(v["in"]), seg)
    assert blocks.dtype == np.uint8
    np.testing.assert_array_equal(blocks, expected)
    bits, ok = desegment_uci_blocks(blocks, seg)
    np.testing.assert_array_equal(bits, as_int(v["in"]))
    assert ok.shape == (seg.c,) and ok.all()


@pytest.mark.parametrize(("a", "e", "c", "crc"), [(12, 30, 1, "6"), (19, 2000, 1, "6"), (20, 2000, 1, "11"),
                                                  (359, 5000, 1, "11"), (360, 1087, 1, "11"),
                                                  (360, 1088, 2, "11"), (1012, 1000, 1, "11"),
                                                  (1013, 100, 2, "11"), (1706, 9000, 2, "11")])
def test_parameters_rule(a, e, c, crc):
    seg = uci_segmentation(a, e)
    assert (seg.c, seg.crc, seg.l) == (c, crc, int(crc))
    assert seg.a_prime == a + (c == 2 and a % 2)
    assert seg.k == seg.a_prime // c + seg.l and seg.e_r == e // c


@settings(max_examples=20)
@given(st.integers(12, 1706), st.integers(1, 3000), st.integers(0, 2**32 - 1))
def test_round_trip(a, e, seed):
    seg = uci_segmentation(a, e)
    bits = np.random.default_rng(seed).integers(0, 2, (2, a), dtype=np.uint8)
    blocks = segment_uci_blocks(bits, seg)
    assert blocks.shape == (2, seg.c, seg.k) and crc_check(blocks, seg.crc).all()
    if seg.a_prime > a:
        assert not blocks[:, 0, 0].any()
    out, ok = desegment_uci_blocks(blocks, seg)
    np.testing.assert_array_equal(out, bits)
    assert ok.all()
    blocks[0, -1, 0] ^= 1
    assert not desegment_uci_blocks(blocks, seg)[1][0, -1]


def test_errors():
    with pytest.raises(ConfigError, match="a"):
        uci_segmentation(11, 100)
    with pytest.raises(ConfigError, match="a"):
        uci_segmentation(1707, 100)
    with pytest.raises(ConfigError, match="UciSegmentation"):
        UciSegmentation(a=20, e_uci=100, c=2, crc="11", l=11, a_prime=20, k=21, e_r=50)
    seg = uci_segmentation(20, 100)
    with pytest.raises(ValueError, match="A=20"):
        segment_uci_blocks(np.zeros(21, np.uint8), seg)
    with pytest.raises(ValueError, match="K_r"):
        desegment_uci_blocks(np.zeros((1, 30), np.uint8), seg)

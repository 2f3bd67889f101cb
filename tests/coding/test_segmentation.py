"""Tests of TS 38.212 §5.2.2 LDPC code block segmentation against nrCodeBlockSegmentLDPC."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.coding.crc import crc_check
from opennr.coding.ldpc.basegraph import LIFTING_SIZES
from opennr.coding.segmentation import (
    LdpcSegmentation,
    desegment_code_blocks,
    ldpc_segmentation,
    segment_code_blocks,
)
from opennr.errors import ConfigError

SEGMENT_FILES = vector_files("ldpc", "ldpc_cbsegment_testvec_*.mat")


@pytest.mark.parametrize("path", SEGMENT_FILES, ids=lambda p: p.stem)
def test_segmentation_vectors(path):
    v = load_vector(path)
    b, bg = int(v["B"]), int(v["bgn"])
    cbs = np.atleast_2d(as_int(v["cbs"]))
    seg = ldpc_segmentation(b, bg)
    assert (seg.c, seg.k) == cbs.shape
    filler = cbs < 0
    assert filler.sum(axis=1).tolist() == [seg.f] * seg.c
    assert filler[:, seg.k_prime:].all()
    blocks = segment_code_blocks(as_int(v["in"]), seg)
    assert blocks.dtype == np.uint8 and blocks.shape == (seg.c, seg.k)
    np.testing.assert_array_equal(blocks, np.where(filler, 0, cbs))
    bits, ok = desegment_code_blocks(blocks, seg)
    np.testing.assert_array_equal(bits, as_int(v["in"]))
    assert ok.shape == (seg.c,) and ok.all()


def _reference(b, bg):
    """The §5.2.2 rules written out again, plainly."""
    k_cb = 8448 if bg == 1 else 3840
    c = 1 if b <= k_cb else math.ceil(b / (k_cb - 24))
    l = 0 if c == 1 else 24
    k_prime = math.ceil((b + c * l) / c)
    if bg == 1:
        k_b = 22
    else:
        k_b = 10 if b > 640 else 9 if b > 560 else 8 if b > 192 else 6
    zc = min(z for z in LIFTING_SIZES if k_b * z >= k_prime)
    return c, l, k_prime, k_b, zc


@pytest.mark.parametrize("bg", [1, 2])
def test_parameters_rule(bg):
    for b in [1, 24, 192, 193, 560, 561, 640, 641, 3816, 3840, 3841, 7632, 7633, 8424, 8448,
              8449, 16848, 16849, 100_000, 1_277_992]:
        seg = ldpc_segmentation(b, bg)
        c, l, k_prime, k_b, zc = _reference(b, bg)
        assert (seg.c, seg.l, seg.k_prime, seg.k_b, seg.zc) == (c, l, k_prime, k_b, zc)
        assert seg.k == (22 if bg == 1 else 10) * zc
        assert seg.k_prime <= seg.k and seg.f == seg.k - seg.k_prime
        assert seg.b_prime == b + c * l
        assert seg.k_prime <= (8448 if bg == 1 else 3840)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40000), st.sampled_from([1, 2]), st.integers(0, 2**32 - 1))
def test_round_trip(b, bg, seed):
    seg = ldpc_segmentation(b, bg)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (2, b), dtype=np.uint8)
    blocks = segment_code_blocks(bits, seg)
    assert blocks.shape == (2, seg.c, seg.k)
    assert not blocks[..., seg.k_prime:].any()
    if seg.c > 1:
        assert crc_check(blocks[..., : seg.k_prime], "24B").all()
    out, ok = desegment_code_blocks(blocks, seg)
    np.testing.assert_array_equal(out, bits)
    assert ok.shape == (2, seg.c) and ok.all()


def test_block_crc_flags_corrupted_block(rng):
    seg = ldpc_segmentation(20000, 1)
    bits = rng.integers(0, 2, seg.b, dtype=np.uint8)
    blocks = segment_code_blocks(bits, seg)
    blocks[1, 17] ^= 1
    _, ok = desegment_code_blocks(blocks, seg)
    assert ok.tolist() == [True, False, True]


def test_cached_and_frozen():
    seg = ldpc_segmentation(8800, 1)
    assert seg is ldpc_segmentation(8800, 1)
    with pytest.raises(AttributeError):
        seg.c = 3
    with pytest.raises(ConfigError, match="derived from b and bg"):
        LdpcSegmentation(b=8800, bg=1, c=1, l=0, b_prime=8800, k_prime=8800, k_b=22, zc=384,
                         i_ls=1, k=8448)


def test_bad_inputs():
    with pytest.raises(ConfigError, match="b=0: must be >= 1"):
        ldpc_segmentation(0, 1)
    with pytest.raises(ConfigError, match=r"b=1\.5"):
        ldpc_segmentation(1.5, 1)
    with pytest.raises(ConfigError, match="bg=3"):
        ldpc_segmentation(100, 3)
    seg = ldpc_segmentation(100, 2)
    with pytest.raises(ValueError, match="B=100"):
        segment_code_blocks(np.zeros(99, np.uint8), seg)
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        segment_code_blocks(np.full(100, 3), seg)
    with pytest.raises(ValueError, match=r"C=1, >= K'=100"):
        desegment_code_blocks(np.zeros((1, 99), np.uint8), seg)

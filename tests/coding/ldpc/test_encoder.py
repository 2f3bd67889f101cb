"""Tests of the TS 38.212 §5.3.2 LDPC encoder against nrLDPCEncode vectors and the H oracle."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.ldpc import ldpc_code, ldpc_encode, ldpc_lifting_size, parity_check_matrix
from opennr.errors import ConfigError

ENCODE_FILES = vector_files("ldpc", "ldpc_encode_testvec_*.mat")


@pytest.mark.parametrize("path", ENCODE_FILES, ids=lambda p: p.stem.replace("ldpc_encode_testvec_", ""))
def test_encode_vectors(path):
    v = load_vector(path)
    d = ldpc_encode(as_int(v["in"]).astype(np.uint8), int(v["bgn"]))
    assert d.dtype == np.uint8
    np.testing.assert_array_equal(d, as_int(v["dn"]))


@pytest.mark.parametrize(("bg", "zc"), [(1, 2), (1, 13), (1, 104), (1, 384), (2, 7), (2, 15),
                                        (2, 56), (2, 240), (2, 384)])
def test_codewords_satisfy_parity_checks(bg, zc, rng):
    code = ldpc_code(bg, zc)
    c = rng.integers(0, 2, (3, code.k), dtype=np.uint8)
    d = ldpc_encode(c, bg)
    h = parity_check_matrix(code).astype(np.int64)
    for b in range(3):
        cw = np.concatenate([c[b], d[b, code.k - 2 * zc:]]).astype(np.int64)
        assert not ((h @ cw) % 2).any()
        np.testing.assert_array_equal(d[b, : code.k - 2 * zc], c[b, 2 * zc:])


def test_batched_matches_single(rng):
    c = rng.integers(0, 2, (2, 3, 10 * 36), dtype=np.uint8)
    d = ldpc_encode(c, 2)
    assert d.shape == (2, 3, 50 * 36)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(d[i, j], ldpc_encode(c[i, j], 2))
    assert ldpc_encode(np.zeros((0, 22 * 8), np.uint8), 1).shape == (0, 66 * 8)


def test_linearity_and_filler(rng):
    zc = 20
    a = rng.integers(0, 2, 22 * zc, dtype=np.uint8)
    b = rng.integers(0, 2, 22 * zc, dtype=np.uint8)
    np.testing.assert_array_equal(ldpc_encode(a ^ b, 1), ldpc_encode(a, 1) ^ ldpc_encode(b, 1))
    # filler bits (0 at the end of the block) stay 0 at d positions K'-2Zc .. K-2Zc
    k_prime = 22 * zc - 37
    a[k_prime:] = 0
    d = ldpc_encode(a, 1)
    assert not d[k_prime - 2 * zc: 22 * zc - 2 * zc].any()


def test_lifting_size_from_k():
    assert ldpc_lifting_size(8448, 1) == 384
    assert ldpc_lifting_size(3840, 2) == 384
    assert ldpc_lifting_size(20, 2) == 2


@pytest.mark.parametrize(("k", "bg"), [(22 * 17, 1), (100, 1), (10 * 400, 2), (8448 + 22, 1),
                                       (22 * 384, 2), (0, 1)])
def test_bad_block_length(k, bg):
    with pytest.raises(ValueError, match=f"K={k}.*Table 5\\.3\\.2-1"):
        ldpc_encode(np.zeros(k, np.uint8), bg)


def test_bad_inputs():
    with pytest.raises(ConfigError, match="bg=3"):
        ldpc_encode(np.zeros(22 * 8, np.uint8), 3)
    with pytest.raises(ValueError, match="c: bits must be 0 or 1"):
        ldpc_encode(np.full(22 * 8, 2, np.uint8), 1)
    with pytest.raises(ValueError, match="c: bits must be an integer"):
        ldpc_encode(np.zeros(22 * 8, np.float32), 1)
    with pytest.raises(ValueError, match="c: expected at least 1 dimension"):
        ldpc_encode(np.uint8(1), 1)

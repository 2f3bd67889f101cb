"""Tests of the small block codes of TS 38.212 §5.3.3, their rate matching and ML decoding:
the smallblock MATLAB vectors, code properties, round trips through noise and validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.smallblock import (
    PLACEHOLDER_X,
    PLACEHOLDER_Y,
    REED_MULLER_BASIS,
    smallblock_codebook,
    smallblock_decode,
    smallblock_encode,
    smallblock_length,
    smallblock_rate_match,
)
from opennr.errors import ConfigError

FILES = vector_files("smallblock")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[26:])
def test_smallblock_vectors(path):
    v = load_vector(path)
    k = int(v["K"])
    qm = int(v["Qm"])
    qm = 2 if qm == 255 else qm  # 255: not used (K >= 3)
    c = np.atleast_1d(as_int(v["inbits"]))
    d = smallblock_encode(c, qm=qm)
    assert d.dtype == np.int8
    assert d.shape == (smallblock_length(k, qm),)
    np.testing.assert_array_equal(d, np.atleast_1d(as_int(v["dn"])))


def test_placeholder_layout():
    # Table 5.3.3.1-1 and 5.3.3.2-1 for Q_m = 6
    x, y = PLACEHOLDER_X, PLACEHOLDER_Y
    assert smallblock_encode([1], qm=6).tolist() == [1, y, x, x, x, x]
    assert smallblock_encode([1, 0], qm=6).tolist() == [1, 0, x, x, x, x, 1, 1, x, x, x, x,
                                                        0, 1, x, x, x, x]
    assert smallblock_encode([1, 0], qm=1).tolist() == [1, 0, 1]


def test_reed_muller_basis_properties():
    basis = np.asarray(REED_MULLER_BASIS)
    assert basis.shape == (32, 11)
    # the (32, 11) code is linear with minimum distance 10 (weights of all non-zero codewords)
    cb = smallblock_codebook(11).astype(np.int64)
    weights = cb[1:].sum(axis=1)
    assert weights.min() == 10
    # first column all ones, last row the unit vector of c_0 (Table 5.3.3.3-1)
    assert basis[:, 0].all() and basis[31].tolist() == [1] + [0] * 10
    # distinct codewords for every K
    for k in range(3, 12):
        assert np.unique(smallblock_codebook(k), axis=0).shape[0] == 1 << k


def test_rate_match_is_circular():
    d = smallblock_encode([1, 0, 1, 1, 0], qm=2)
    e = smallblock_rate_match(d, 70)
    np.testing.assert_array_equal(e, np.concatenate([d, d, d[:6]]))
    np.testing.assert_array_equal(smallblock_rate_match(d, 20), d[:20])


def _descrambled_llrs(cw: np.ndarray) -> np.ndarray:
    """±1 LLRs of the code bits; a y observes the bit before it, an x gives 0."""
    llr = np.where(cw >= 0, 1.0 - 2.0 * cw, 0.0)
    ys = np.flatnonzero(cw[0] == PLACEHOLDER_Y)
    llr[..., ys] = llr[..., ys - 1]
    return llr


@pytest.mark.parametrize("k,qm", [(1, 1), (1, 4), (2, 2), (2, 8), (3, 2), (7, 2), (11, 2)])
def test_decode_noiseless_every_payload(k, qm):
    e = 45
    msgs = np.array(list(itertools.product((0, 1), repeat=k)), dtype=np.uint8)
    cw = smallblock_rate_match(smallblock_encode(msgs, qm=qm), e)
    res = smallblock_decode(_descrambled_llrs(cw), k, qm=qm)
    np.testing.assert_array_equal(res.bits, msgs)
    np.testing.assert_allclose(res.metric, 1.0, atol=1e-6)


def test_decode_ignores_x_and_uses_y():
    cw = smallblock_rate_match(smallblock_encode([0, 1], qm=4), 24)
    llr = np.where(cw >= 0, 1.0 - 2.0 * cw, -50.0)  # huge wrong LLRs on the x positions
    res = smallblock_decode(llr, 2, qm=4)
    assert res.bits.tolist() == [0, 1]
    # K = 1, Q_m = 4: [c0, y, x, x]; the y observes c0 and outweighs a weak c0 LLR
    assert smallblock_decode([-1.0, 3.0, -9.0, -9.0], 1, qm=4).bits.tolist() == [0]
    assert smallblock_decode([-1.0, 0.0, 9.0, 9.0], 1, qm=4).bits.tolist() == [1]


def test_decode_in_noise_beats_hard_decisions(rng):
    # (32, 11) code at Es/N0 = -1 dB: ML soft decoding corrects most blocks, and its
    # block error rate is far below the hard-decision rate of a single bit error in 32
    k, e, n_blk = 11, 32, 400
    msgs = rng.integers(0, 2, size=(n_blk, k), dtype=np.uint8)
    cw = smallblock_rate_match(smallblock_encode(msgs), e).astype(np.float32)
    sigma2 = 10 ** (1 / 10)
    y = (1 - 2 * cw) + rng.normal(scale=np.sqrt(sigma2), size=cw.shape)
    res = smallblock_decode(2 * y / sigma2, k)
    bler = np.mean(np.any(res.bits != msgs, axis=1))
    hard_bler = np.mean(np.any((y < 0) != cw.astype(bool), axis=1))
    assert bler < 0.15 and hard_bler > 0.9
    assert res.metric.shape == (n_blk,)


def test_metric_separates_dtx(rng):
    # noise alone gives a much smaller normalised correlation than a transmitted codeword
    k, e = 6, 64
    noise = rng.normal(size=(300, e)).astype(np.float32)
    dtx = smallblock_decode(noise, k).metric
    msgs = rng.integers(0, 2, size=(300, k), dtype=np.uint8)
    cw = smallblock_rate_match(smallblock_encode(msgs), e)
    rx = smallblock_decode((1 - 2.0 * cw) + 0.5 * rng.normal(size=cw.shape), k).metric
    assert dtx.max() < rx.min()


def test_batch_shapes():
    c = np.zeros((2, 3, 5), dtype=np.uint8)
    d = smallblock_encode(c)
    assert d.shape == (2, 3, 32)
    res = smallblock_decode(np.ones((2, 3, 40), np.float32), 5)
    assert res.bits.shape == (2, 3, 5) and res.metric.shape == (2, 3)


def test_validation():
    with pytest.raises(ConfigError, match="k"):
        smallblock_encode(np.zeros(12, np.uint8))
    with pytest.raises(ConfigError, match="qm"):
        smallblock_encode([1], qm=3)
    with pytest.raises(ConfigError, match="e"):
        smallblock_rate_match([1, 0, 1], 0)
    with pytest.raises(ValueError):
        smallblock_encode([2, 0, 1])
    with pytest.raises(ValueError):
        smallblock_decode([np.nan, 1.0], 1)
    with pytest.raises(ConfigError, match="k"):
        smallblock_decode(np.zeros(32), 0)

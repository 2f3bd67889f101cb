"""Tests of the UCI coding chain (TS 38.212 §6.3.1, §6.3.2): the coded HARQ-ACK / CSI fields of
the ulsch_uci vectors and the PUCCH format 2/3/4 codewords (MATLAB ``nrUCIEncode``), round
trips through the decoder, segmentation, and validation."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import VECTORS, as_int, load_vector, vector_files
from opennr.coding.segmentation import uci_segmentation
from opennr.errors import ConfigError
from opennr.transport.uci import uci_crc_length, uci_decode, uci_encode, uci_min_e

ULSCH_UCI = vector_files("ulsch_uci")
FIELDS = (("effACK_out", "codedACK_out"), ("csi1_out", "codedCSI1_out"), ("csi2_out", "codedCSI2_out"))


def _signs(cw: np.ndarray) -> np.ndarray:
    """±1 LLRs of the code bits; a y observes the bit before it (descrambled), an x gives 0."""
    llr = np.where(cw >= 0, 1.0 - 2.0 * cw, 0.0).astype(np.float32)
    ys = np.flatnonzero(np.reshape(cw, (-1, cw.shape[-1]))[0] == -2)
    llr[..., ys] = llr[..., ys - 1]
    return llr


@pytest.mark.parametrize("path", ULSCH_UCI, ids=lambda p: p.name[27:60])
def test_ulsch_uci_coded_fields(path):
    v = load_vector(path)
    qm = int(v["Qm"])
    n_checked = 0
    for payload_key, coded_key in FIELDS:
        coded = np.asarray(v[coded_key])
        if coded.size == 0:
            continue
        coded = np.atleast_2d(as_int(coded))
        payload = as_int(v[payload_key]).reshape(coded.shape[0], -1)
        out = uci_encode(payload, coded.shape[1], qm=qm)
        np.testing.assert_array_equal(out, coded)
        res = uci_decode(_signs(out), payload.shape[1], qm=qm)
        np.testing.assert_array_equal(res.bits, payload)
        assert res.crc_ok.all()
        n_checked += 1
    assert n_checked >= 1


def test_pucch_codewords():
    # nrUCIEncode outputs of the PUCCH format 2/3/4 vectors (payload streams 1010.. / 0011..)
    data = np.load(VECTORS / "uci_pucch" / "pucch_uci_codewords.npz")
    names, fams, sizes, lengths = data["name"], data["family"], data["a"], data["e"]
    assert names.size == 309
    n_segmented = 0
    for i in range(names.size):
        a, e = int(sizes[i]), int(lengths[i])
        cw = np.unpackbits(data[f"cw{i}"], axis=-1)[:, :e]
        pattern = [0, 0, 1, 1] if fams[i] == "pucch_f4" else [1, 0]
        payload = np.resize(np.array(pattern, np.uint8), cw.shape[0] * a).reshape(cw.shape[0], a)
        np.testing.assert_array_equal(uci_encode(payload, e), cw, err_msg=str(names[i]))
        if a >= 12 and uci_segmentation(a, e).c == 2:
            n_segmented += 1
    assert n_segmented > 0


@pytest.mark.parametrize("a,e", [(1, 7), (2, 13), (5, 40), (11, 33), (12, 40), (19, 30), (20, 60),
                                 (200, 500), (400, 1200), (1013, 2101), (1706, 3600)])
def test_round_trip_noiseless(rng, a, e):
    bits = rng.integers(0, 2, size=(2, a), dtype=np.uint8)
    cw = uci_encode(bits, e, qm=4)
    assert cw.shape == (2, e) and cw.dtype == np.int8
    res = uci_decode(_signs(cw), a, qm=4)
    np.testing.assert_array_equal(res.bits, bits)
    assert res.crc_ok.all()
    np.testing.assert_allclose(res.metric, 1.0, atol=1e-5)


def test_segmented_odd_e_last_bit_zero(rng):
    bits = rng.integers(0, 2, size=1013, dtype=np.uint8)
    cw = uci_encode(bits, 2101)
    seg = uci_segmentation(1013, 2101)
    assert seg.c == 2 and seg.e_r == 1050 and cw[-1] == 0
    # the two halves are the two blocks: decoding only needs each block's E_r LLRs
    llr = _signs(cw)
    llr[-1] = 0.0
    np.testing.assert_array_equal(uci_decode(llr, 1013).bits, bits)


def test_polar_decode_in_noise_and_crc_flags_failure(rng):
    a, e = 40, 120
    bits = rng.integers(0, 2, size=(200, a), dtype=np.uint8)
    cw = uci_encode(bits, e).astype(np.float32)
    sigma2 = 10 ** (-1.0 / 10)  # Es/N0 = 1 dB, code rate 1/3
    y = (1 - 2 * cw) + rng.normal(scale=np.sqrt(sigma2), size=cw.shape)
    res = uci_decode(2 * y / sigma2, a)
    wrong = np.any(res.bits != bits, axis=1)
    assert wrong.mean() < 0.05
    # a wrong payload is (almost always) flagged by the CRC11
    assert not np.any(wrong & res.crc_ok)
    # noise alone: the CRC rejects nearly everything and the metric is low
    dtx = uci_decode(rng.normal(size=(200, e)).astype(np.float32), a)
    assert dtx.crc_ok.mean() < 0.05
    assert np.median(dtx.metric) < 0.5 < np.median(res.metric)


def test_crc_length_and_min_e():
    assert [uci_crc_length(a) for a in (1, 11, 12, 19, 20, 1706)] == [0, 0, 6, 6, 11, 11]
    assert uci_min_e(7) == 7
    assert uci_min_e(15) == 15 + 6 + 3
    assert uci_min_e(100) == 111
    assert uci_min_e(1013) == 2 * (507 + 11)
    # E just large enough works, one less is refused
    for a in (15, 100):
        uci_encode(np.zeros(a, np.uint8), uci_min_e(a))
        with pytest.raises(ConfigError, match="too small"):
            uci_encode(np.zeros(a, np.uint8), uci_min_e(a) - 1)


def test_validation():
    with pytest.raises(ConfigError, match="a=1707"):
        uci_encode(np.zeros(1707, np.uint8), 4000)
    with pytest.raises(ConfigError, match="e=0"):
        uci_encode(np.zeros(5, np.uint8), 0)
    with pytest.raises(ConfigError, match="too small"):
        uci_encode(np.zeros(5, np.uint8), 4)
    with pytest.raises(ConfigError, match="qm"):
        uci_encode(np.zeros(2, np.uint8), 10, qm=3)
    with pytest.raises(ConfigError, match="8192"):
        uci_encode(np.zeros(30, np.uint8), 9000)
    with pytest.raises(ConfigError, match="a=0"):
        uci_decode(np.zeros(10), 0)
    with pytest.raises(ConfigError, match="list_size"):
        uci_decode(np.zeros(60), 20, list_size=0)
    with pytest.raises(ValueError):
        uci_encode([0, 1, 2], 10)

"""Tests of the TS 38.212 §5.1 CRCs against a polynomial-division oracle and MATLAB vectors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.coding.crc import CRC_LENGTHS, crc_attach, crc_check, crc_remainder
from opennr.errors import ConfigError

# The generator polynomials of TS 38.212 §5.1, as exponent lists (independent of the module).
GENERATORS = {
    "24A": [24, 23, 18, 17, 14, 11, 10, 7, 6, 5, 4, 3, 1, 0],
    "24B": [24, 23, 6, 5, 1, 0],
    "24C": [24, 23, 21, 20, 17, 15, 13, 12, 8, 4, 2, 1, 0],
    "16": [16, 12, 5, 0],
    "11": [11, 10, 9, 5, 0],
    "6": [6, 5, 0],
}


def oracle_parity(a: np.ndarray, crc: str) -> np.ndarray:
    """Long division of a(D) * D^L by g(D) over GF(2), one bit at a time."""
    exps = GENERATORS[crc]
    length = exps[0]
    g = np.zeros(length + 1, dtype=np.uint8)
    g[[length - e for e in exps]] = 1
    work = np.concatenate([np.asarray(a, np.uint8), np.zeros(length, np.uint8)])
    for i in range(len(a)):
        if work[i]:
            work[i:i + length + 1] ^= g
    return work[len(a):]


@pytest.mark.parametrize("crc", list(CRC_LENGTHS))
@pytest.mark.parametrize("a_len", [0, 1, 7, 8, 13, 64, 301])
def test_against_division_oracle(crc, a_len, rng):
    a = rng.integers(0, 2, (3, a_len), dtype=np.uint8)
    b = crc_attach(a, crc)
    assert b.shape == (3, a_len + CRC_LENGTHS[crc]) and b.dtype == np.uint8
    for i in range(3):
        np.testing.assert_array_equal(b[i, :a_len], a[i])
        np.testing.assert_array_equal(b[i, a_len:], oracle_parity(a[i], crc))
    assert crc_check(b, crc).all()


# Check values "123456789" from the public CRC catalogue (CRC-24/LTE-A, CRC-24/LTE-B,
# CRC-24/NR-C, CRC-16/XMODEM: same polynomials, zero init, no reflection, no final XOR).
@pytest.mark.parametrize(("crc", "check"), [("24A", 0xCDE703), ("24B", 0x23EF52),
                                            ("24C", 0xF48279), ("16", 0x31C3)])
def test_catalogue_check_values(crc, check):
    bits = np.unpackbits(np.frombuffer(b"123456789", np.uint8))
    assert int(crc_remainder(bits, crc)) == check


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(list(CRC_LENGTHS)), st.integers(1, 200), st.integers(0, 10**9))
def test_single_error_detected(crc, a_len, seed):
    rng = np.random.default_rng(seed)
    b = crc_attach(rng.integers(0, 2, a_len, dtype=np.uint8), crc)
    pos = rng.integers(0, b.size)
    b[pos] ^= 1
    assert not crc_check(b, crc)
    np.testing.assert_array_equal(crc_attach(b[:a_len], crc)[a_len:], oracle_parity(b[:a_len], crc))


def test_large_transport_block(rng):
    a = rng.integers(0, 2, 1_000_003, dtype=np.uint8)
    b = crc_attach(a, "24A")
    assert crc_check(b, "24A")
    b[123457] ^= 1
    assert not crc_check(b, "24A")


def test_batched_shapes(rng):
    a = rng.integers(0, 2, (2, 3, 40), dtype=np.uint8)
    b = crc_attach(a, "16")
    assert b.shape == (2, 3, 56)
    ok = crc_check(b, "16")
    assert ok.shape == (2, 3) and ok.all()
    b[1, 2, 5] ^= 1
    assert crc_check(b, "16").tolist() == [[True] * 3, [True, True, False]]


@pytest.mark.parametrize("path", vector_files("ldpc", "ldpc_cbsegment_testvec_*.mat"),
                         ids=lambda p: p.stem)
def test_code_block_crc24b_in_segmentation_vectors(path):
    v = load_vector(path)
    cbs = np.atleast_2d(as_int(v["cbs"]))
    if cbs.shape[0] == 1:
        return  # a single code block carries no CRC24B
    for row in cbs:
        data = row[row >= 0].astype(np.uint8)  # drop filler (-1)
        assert crc_check(data, "24B")
        np.testing.assert_array_equal(data[-24:], oracle_parity(data[:-24], "24B"))


def test_bad_inputs():
    with pytest.raises(ConfigError, match="crc='24D'"):
        crc_attach(np.zeros(8, np.uint8), "24D")
    with pytest.raises(ConfigError, match="crc=24"):
        crc_check(np.zeros(30, np.uint8), 24)
    with pytest.raises(ValueError, match="bits: bits must be 0 or 1"):
        crc_attach(np.array([0, 1, 2]), "6")
    with pytest.raises(ValueError, match="at least L=24"):
        crc_check(np.zeros(10, np.uint8), "24A")
    with pytest.raises(ValueError, match="at least 1 dimension"):
        crc_attach(np.uint8(1), "6")


@pytest.mark.parametrize("crc", ["24A", "24B", "16"])
def test_long_inputs_against_division_oracle(crc, rng):
    # Lengths around whole 32-bit words and a transport block with its CRC24A.
    for a_len in (31, 32, 33, 63, 1000, 8424):
        a = rng.integers(0, 2, a_len, dtype=np.uint8)
        b = crc_attach(a, crc)
        np.testing.assert_array_equal(b[a_len:], oracle_parity(a, crc))
        assert crc_check(b, crc)
        b[rng.integers(a_len)] ^= 1
        assert not crc_check(b, crc)

"""DCI coding (TS 38.212 §7.3.2-§7.3.4) against the pdcch vectors, and decoding."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.crc import crc_check
from opennr.errors import ConfigError
from opennr.transport.dci_coding import dci_crc_mask, dci_decode, dci_encode


@pytest.mark.parametrize("path", vector_files("pdcch", "nrDCIencode_*.mat"), ids=lambda p: p.stem)
def test_dci_encode_matches_vector(path):
    v = load_vector(path)
    bits = as_int(v["dciBits"]).astype(np.uint8)
    rnti, e = int(v["rnti"]), int(v["E"])
    cw = dci_encode(bits, rnti, e)
    np.testing.assert_array_equal(cw, as_int(v["dciCW"]))
    res = dci_decode(1.0 - 2.0 * cw, bits.size, rnti)
    assert bool(res.crc_ok)
    np.testing.assert_array_equal(res.bits, bits)


@pytest.mark.parametrize("path", vector_files("pdcch", "nrDCIencode_*.mat"), ids=lambda p: p.stem)
def test_crc_is_computed_over_24_ones_and_masked_with_the_rnti(path):
    # The stored CRC is the CRC24C of (24 ones + payload) with the RNTI XORed on its last 16 bits.
    v = load_vector(path)
    bits = as_int(v["dciBits"]).astype(np.uint8)
    crc = int(v["crc"])
    crc_bits = ((crc >> np.arange(23, -1, -1)) & 1).astype(np.uint8)
    unmasked = crc_bits ^ dci_crc_mask(int(v["rnti"]))
    seq = np.concatenate([np.ones(24, np.uint8), bits, unmasked])
    assert bool(crc_check(seq, "24C"))


@pytest.mark.parametrize("path", vector_files("pdcch", "nrPDCCH_*.mat"), ids=lambda p: p.stem[:40])
def test_rate_matched_bits_of_every_pdcch_vector(path):
    v = load_vector(path)
    dci = np.atleast_2d(as_int(v["dcibits_out"])).astype(np.uint8)
    rm = np.atleast_2d(as_int(v["RM_out"]))
    assert rm.shape[1] == 108 * int(v["AggregationLevel"])
    np.testing.assert_array_equal(dci_encode(dci, int(v["RNTI"]), rm.shape[1]), rm)


def test_wrong_rnti_fails_the_crc(rng):
    bits = rng.integers(0, 2, 40).astype(np.uint8)
    llr = 1.0 - 2.0 * dci_encode(bits, 0x4601, 216)
    assert bool(dci_decode(llr, 40, 0x4601).crc_ok)
    assert not bool(dci_decode(llr, 40, 0x4602).crc_ok)


def test_short_payload_is_padded_to_12_bits(rng):
    bits = rng.integers(0, 2, 7).astype(np.uint8)
    padded = np.concatenate([bits, np.zeros(5, np.uint8)])
    np.testing.assert_array_equal(dci_encode(bits, 17, 108), dci_encode(padded, 17, 108))
    res = dci_decode(1.0 - 2.0 * dci_encode(bits, 17, 108), 7, 17)
    assert bool(res.crc_ok) and res.bits.shape == (7,)
    np.testing.assert_array_equal(res.bits, bits)


def test_batched_noisy_decoding(rng):
    bits = rng.integers(0, 2, (20, 39)).astype(np.uint8)
    cw = dci_encode(bits, 1234, 432)
    llr = (1.0 - 2.0 * cw) * 2.0 + rng.normal(0, 1.0, cw.shape)  # Eb/N0 well above threshold
    res = dci_decode(llr.astype(np.float32), 39, 1234)
    assert res.crc_ok.all()
    np.testing.assert_array_equal(res.bits, bits)


@pytest.mark.parametrize("kwargs, field", [
    ({"bits": np.zeros(141, np.uint8), "rnti": 1, "e": 864}, "A"),
    ({"bits": np.zeros(40, np.uint8), "rnti": 70000, "e": 864}, "rnti"),
    ({"bits": np.zeros(40, np.uint8), "rnti": 1, "e": 60}, "e"),
])
def test_bad_input_raises_config_error(kwargs, field):
    with pytest.raises(ConfigError) as err:
        dci_encode(**kwargs)
    assert err.value.field == field

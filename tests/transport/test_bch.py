"""Tests of the BCH transport channel (TS 38.212 §7.1) and the MIB bit string (TS 38.331 §6.2.2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.transport.bch import Mib, bch_decode, bch_encode, mib_bits, mib_from_bits

MIB_FILE = vector_files("ssb", "mib_testvec_2_sfn_1023.mat")[0]
PBCH_FILE = vector_files("ssb", "nrPBCH_testvec_NcellID_100_iSSB_1.mat")[0]

# Coded BCH blocks (864 bits, packed MSB first) of an all-zero 24-bit MIB message with L_max = 8
# and k_SSB = 0, published as MATLAB nrBCH outputs in catkira/py3gpp (py3gpp/nrBCH.py, commit
# 022bc14b7338e721ebe4bb4d3067521119cc60c2, MIT licence). Keys: (sfn, half_frame, n_cell_id).
NRBCH_REFERENCE = {
    (0, 0, 0): (
        "1502ad10a2e0ae461af2165419a4a1b6bfa8150207baad10084aa2e0b0581af204ecae46"
        "bcfe1654b30e19a40b1ca1b6bfa807ba084a04ecb058bcfeb30e0b1c1502ad10a2e0ae46"
        "1af2165419a4a1b6bfa8150207baad10084aa2e0b0581af204ecae46bcfe1654b30e19a4"
    ),
    (10, 1, 321): (
        "9311d1900fd84d304d590fb1d1f9937893eea0ddd16fe25c0f273c144da67e954dcf7efc"
        "0f4e3c7dd106e2359387a0b4a022e2a33ceb7e037e6a3c82e2caa04b9311d1900fd84d30"
        "4d590fb1d1f9937893eea0ddd16fe25c0f273c144da67e954dcf7efc0f4e3c7dd106e235"
    ),
}


def _mib_from_burst(burst) -> Mib:
    return Mib(subcarrier_spacing_common=30 if burst.SubcarrierSpacingCommon else 15,
               dmrs_type_a_position=3 if burst.DMRSTypeAPosition else 2,
               pdcch_config_sib1=int(burst.PDCCHConfigSIB1), cell_barred=not burst.CellBarred,
               intra_freq_reselection=not burst.IntraFreqReselection)


def test_mib_bits_vector():
    v = load_vector(MIB_FILE)
    mib = _mib_from_burst(v["burst"])
    bits = mib_bits(mib, int(v["sfn"]), int(v["burst"].kSSB))
    np.testing.assert_array_equal(bits, as_int(v["mib"]))
    parsed, sfn_msbs, k_lsbs = mib_from_bits(bits)
    assert parsed == mib and sfn_msbs == int(v["sfn"]) >> 4 and k_lsbs == int(v["burst"].kSSB) % 16


@pytest.mark.parametrize(("key", "packed"), NRBCH_REFERENCE.items(), ids=str)
def test_bch_encode_matches_nrbch(key, packed):
    sfn, half_frame, n_cell_id = key
    expected = np.unpackbits(np.frombuffer(bytes.fromhex(packed), np.uint8))
    out = bch_encode(np.zeros(24, np.uint8), sfn, half_frame, 0, 0, 8, n_cell_id)
    assert out.dtype == np.uint8 and out.shape == (864,)
    np.testing.assert_array_equal(out, expected)
    res = bch_decode(1.0 - 2.0 * expected, n_cell_id, 8)
    assert res.crc_ok and (res.sfn, res.half_frame, res.k_ssb) == (sfn, half_frame, 0)
    assert not res.mib_bits.any()


def test_random_bits_are_not_a_bch_block():
    """rm_bitseq of the nrPBCH vector is a test stream, not a BCH codeword: CRC must fail."""
    rm = as_int(load_vector(PBCH_FILE)["rm_bitseq"])
    for l_max in (4, 8, 64):
        assert not bch_decode(10.0 * (1.0 - 2.0 * rm), 100, l_max).crc_ok


@settings(max_examples=15)
@given(st.integers(0, 1023), st.integers(0, 1), st.sampled_from([4, 8, 64]), st.integers(0, 1007),
       st.integers(0, 255), st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_round_trip(sfn, half_frame, l_max, n_cell_id, sib1, barred, dmrs3, seed):
    rng = np.random.default_rng(seed)
    ssb_index = int(rng.integers(0, l_max))
    k_ssb = int(rng.integers(0, 16 if l_max == 64 else 24))
    mib = Mib(subcarrier_spacing_common=120 if l_max == 64 else 30, pdcch_config_sib1=sib1,
              cell_barred=barred, dmrs_type_a_position=3 if dmrs3 else 2)
    f = bch_encode(mib, sfn, half_frame, ssb_index, k_ssb, l_max, n_cell_id)
    llr = 2.0 * (1.0 - 2.0 * f) + 0.5 * rng.standard_normal(864)
    res = bch_decode(llr, n_cell_id, l_max)
    assert res.crc_ok and res.mib == mib
    assert (res.sfn, res.half_frame, res.k_ssb) == (sfn, half_frame, k_ssb)
    assert res.ssb_index_msbs == (ssb_index >> 3 if l_max == 64 else None)
    np.testing.assert_array_equal(res.mib_bits, mib_bits(mib, sfn, k_ssb))


def test_scrambling_depends_on_sfn_and_cell():
    mib = Mib()
    base = bch_encode(mib, 0, 0, 0, 0, 8, 1)
    assert (bch_encode(mib, 2, 0, 0, 0, 8, 1) != base).any()  # v changes with the 2nd SFN LSB
    assert (bch_encode(mib, 0, 0, 0, 0, 8, 2) != base).any()
    wrong_cell = bch_decode(1.0 - 2.0 * base, 2, 8)  # the CRC covers the scrambled payload
    assert wrong_cell.crc_ok and (wrong_cell.mib_bits != mib_bits(mib, 0, 0)).any()


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(subcarrier_spacing_common=20), "subcarrier_spacing_common"),
    (dict(dmrs_type_a_position=1), "dmrs_type_a_position"),
    (dict(pdcch_config_sib1=256), "pdcch_config_sib1"),
    (dict(cell_barred=1), "cell_barred"),
    (dict(spare=2), "spare"),
])
def test_mib_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        dataclasses.replace(Mib(), **kwargs)


@pytest.mark.parametrize(("args", "match"), [
    ((1024, 0, 0, 0, 8, 1), "sfn"),
    ((0, 2, 0, 0, 8, 1), "half_frame"),
    ((0, 0, 8, 0, 8, 1), "ssb_index"),
    ((0, 0, 0, 24, 8, 1), "k_ssb"),
    ((0, 0, 0, 16, 64, 1), "k_ssb"),
    ((0, 0, 0, 0, 16, 1), "l_max"),
    ((0, 0, 0, 0, 8, 1008), "n_cell_id"),
    ((0, 0, 0, 0, 64, 1), "subcarrier_spacing_common"),
])
def test_encode_errors(args, match):
    with pytest.raises(ConfigError, match=match):
        bch_encode(Mib(), *args)


def test_decode_errors():
    with pytest.raises(ValueError, match="864"):
        bch_decode(np.zeros(863, np.float32), 1, 8)
    with pytest.raises(ValueError, match="shape"):
        bch_encode(np.zeros(23, np.uint8), 0, 0, 0, 0, 8, 1)
    with pytest.raises(ValueError, match="choice"):
        mib_from_bits(np.r_[1, np.zeros(23, np.uint8)])

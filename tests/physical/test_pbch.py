"""TS 38.211 §7.3.3 PBCH scrambling/modulation and §7.4.1.4.1 PBCH DM-RS."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.physical.pbch import (
    pbch_demodulate,
    pbch_descramble_llrs,
    pbch_dmrs,
    pbch_dmrs_c_init,
    pbch_modulate,
    pbch_scramble,
    pbch_scrambling_offset,
    pbch_ssb_index_bar,
)
from opennr.sequences import gold_sequence

PBCH_FILES = vector_files("ssb", "nrPBCH_testvec_*.mat")


def _qpsk(bits):
    b = np.asarray(bits, dtype=np.float64)
    return ((1 - 2 * b[..., 0::2]) + 1j * (1 - 2 * b[..., 1::2])) / np.sqrt(2)


@pytest.mark.parametrize("path", PBCH_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("l_max", [8, 64])
def test_nrpbch_vector(path, l_max):
    """nrPBCH(rm_bitseq, NcellID, iSSB): c_init = NcellID, offset nu*864 with nu = iSSB."""
    d = load_vector(path)
    n_cell_id, i_ssb = int(as_int(d["NcellID"])), int(as_int(d["iSSB"]))
    bits = as_int(d["rm_bitseq"]).astype(np.uint8)
    sym = pbch_modulate(bits, n_cell_id, i_ssb, l_max)
    assert sym.dtype == np.complex64 and sym.shape == (432,)
    np.testing.assert_allclose(sym, d["mod_data"], atol=1e-4)
    # Another nu gives other symbols: the check can fail.
    other = pbch_modulate(bits, n_cell_id, (i_ssb + 1) % l_max, l_max)
    assert not np.allclose(other, d["mod_data"], atol=1e-4)
    # Receive direction: hard decisions of the demodulated LLRs give back the codeword.
    llr = pbch_demodulate(d["mod_data"], n_cell_id, i_ssb, l_max, noise_var=0.5)
    assert llr.dtype == np.float32 and llr.shape == (864,)
    np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits)


def test_scrambling_oracle(rng):
    bits = rng.integers(0, 2, size=(3, 864), dtype=np.uint8)
    for n_cell_id, i_ssb, l_max, v in [(0, 0, 4, 0), (17, 3, 4, 3), (1007, 7, 8, 7), (500, 13, 64, 5),
                                       (3, 63, 64, 7)]:
        c = gold_sequence(n_cell_id, 864 * (v + 1))[864 * v:]
        np.testing.assert_array_equal(pbch_scramble(bits, n_cell_id, i_ssb, l_max), bits ^ c)
        np.testing.assert_allclose(pbch_modulate(bits, n_cell_id, i_ssb, l_max), _qpsk(bits ^ c),
                                   atol=1e-6)
        llr = rng.normal(size=(3, 864)).astype(np.float32)
        np.testing.assert_array_equal(pbch_descramble_llrs(llr, n_cell_id, i_ssb, l_max),
                                      np.where(c == 1, -llr, llr))


def test_scrambling_offset():
    assert [pbch_scrambling_offset(i, 4) for i in range(4)] == [0, 1, 2, 3]
    assert [pbch_scrambling_offset(i, 8) for i in range(8)] == list(range(8))
    assert [pbch_scrambling_offset(i, 64) for i in (0, 7, 8, 13, 63)] == [0, 7, 0, 5, 7]


def test_round_trip(rng):
    bits = rng.integers(0, 2, size=(2, 5, 864), dtype=np.uint8)
    sym = pbch_modulate(bits, 321, 2, 4)
    assert sym.shape == (2, 5, 432)
    llr = pbch_demodulate(sym, 321, 2, 4, noise_var=0.1)
    np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits)
    assert np.all(np.abs(llr) > 1)


def _oracle_dmrs(n_cell_id, i_ssb, l_max, n_hf):
    # §7.4.1.4.1, written out: i_bar = i_SSB mod 4 + 4 n_hf (L_max = 4), 3 LSBs of i_SSB otherwise.
    i_bar = (i_ssb % 4) + 4 * n_hf if l_max == 4 else i_ssb % 8
    c_init = 2**11 * (i_bar + 1) * (n_cell_id // 4 + 1) + 2**6 * (i_bar + 1) + n_cell_id % 4
    c = gold_sequence(c_init, 288).astype(np.float64)
    m = np.arange(144)
    return (1 - 2 * c[2 * m]) / np.sqrt(2) + 1j * (1 - 2 * c[2 * m + 1]) / np.sqrt(2)


@pytest.mark.parametrize(("n_cell_id", "i_ssb", "l_max", "n_hf"), [
    (0, 0, 4, 0), (0, 0, 4, 1), (1, 3, 4, 1), (1007, 2, 4, 0), (250, 7, 8, 0), (250, 7, 8, 1),
    (511, 5, 8, 1), (42, 63, 64, 0), (42, 9, 64, 1),
])
def test_dmrs_oracle(n_cell_id, i_ssb, l_max, n_hf):
    r = pbch_dmrs(n_cell_id, i_ssb, l_max, n_hf)
    assert r.dtype == np.complex64 and r.shape == (144,)
    np.testing.assert_allclose(r, _oracle_dmrs(n_cell_id, i_ssb, l_max, n_hf), atol=1e-6)


def test_dmrs_index_bar():
    assert [pbch_ssb_index_bar(i, 4, 0) for i in range(4)] == [0, 1, 2, 3]
    assert [pbch_ssb_index_bar(i, 4, 1) for i in range(4)] == [4, 5, 6, 7]
    # n_hf does not enter for L_max = 8, 64.
    assert pbch_ssb_index_bar(5, 8, 1) == pbch_ssb_index_bar(5, 8, 0) == 5
    assert pbch_ssb_index_bar(61, 64, 1) == 5
    np.testing.assert_array_equal(pbch_dmrs(9, 5, 8, 0), pbch_dmrs(9, 5, 8, 1))
    assert not np.allclose(pbch_dmrs(9, 1, 4, 0), pbch_dmrs(9, 1, 4, 1))
    assert pbch_dmrs_c_init(0, 0) == 2**11 + 2**6
    assert pbch_dmrs_c_init(1007, 7) == 2**14 * 252 + 2**9 + 3


def test_dmrs_distinct():
    seqs = {pbch_dmrs(n, i, 8).tobytes() for n in range(0, 1008, 97) for i in range(8)}
    assert len(seqs) == 11 * 8


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: pbch_scramble(np.zeros(863, np.uint8), 0, 0, 4), ValueError, r"last dimension must be 864"),
    (lambda: pbch_scramble(np.full(864, 2), 0, 0, 4), ValueError, r"bits must be 0 or 1"),
    (lambda: pbch_scramble(np.zeros(864, np.uint8), 1008, 0, 4), ConfigError, r"n_cell_id=1008"),
    (lambda: pbch_scramble(np.zeros(864, np.uint8), 0, 4, 4), ConfigError, r"i_ssb=4: must be <= 3"),
    (lambda: pbch_scramble(np.zeros(864, np.uint8), 0, 0, 16), ConfigError, r"l_max=16: must be one of"),
    (lambda: pbch_descramble_llrs(np.full(864, np.nan), 0, 0, 4), ValueError, r"NaN"),
    (lambda: pbch_demodulate(np.zeros(431, np.complex64), 0, 0, 4), ValueError, r"must be 432"),
    (lambda: pbch_demodulate(np.zeros(432, np.complex64), 0, 0, 4, noise_var=0), ValueError, r"noise_var"),
    (lambda: pbch_dmrs(0, 0, 4, 2), ConfigError, r"n_hf=2: must be <= 1"),
    (lambda: pbch_dmrs(0, 64, 64), ConfigError, r"i_ssb=64: must be <= 63"),
    (lambda: pbch_dmrs_c_init(0, 8), ConfigError, r"i_ssb_bar=8: must be <= 7"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

"""TS 38.211 §7.3.1.1 / §6.3.1.1 codeword scrambling, checked through PDSCH layermap_out."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.physical.scrambling import descramble_llrs, scramble, scrambling_c_init
from opennr.sequences import gold_sequence

PDSCH_FILES = vector_files("pdsch_short", "nrPDSCH_short_testvec_*.mat")
# One single-layer and one four-layer case (small files).
CASES = [p for p in PDSCH_FILES if p.name.startswith(("nrPDSCH_short_testvec_112_",
                                                       "nrPDSCH_short_testvec_77_"))]


def test_cases_present():
    assert len(CASES) == 2


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_pdsch_layermap_out(path):
    d = load_vector(path)
    n_layers = int(as_int(d["NumLayers"]))
    rm = np.atleast_2d(as_int(d["RM_out"]))  # (n_slots, G) codeword before scrambling
    n_slots, g = rm.shape
    c_init = scrambling_c_init(int(as_int(d["RNTI"])), int(as_int(d["NID"])))
    assert c_init == 2**15 + 1
    scrambled = scramble(rm.astype(np.uint8), c_init)
    assert scrambled.dtype == np.uint8 and scrambled.shape == (n_slots, g)
    # QPSK (TS 38.211 §5.1.3) and layer mapping (symbol i to layer i mod v), written inline.
    b = scrambled.astype(np.float64)
    sym = ((1 - 2 * b[:, 0::2]) + 1j * (1 - 2 * b[:, 1::2])) / np.sqrt(2)
    layers = np.stack([sym[:, layer::n_layers] for layer in range(n_layers)], axis=1)
    ref = np.atleast_2d(np.asarray(d["layermap_out"])).reshape(n_slots, n_layers, -1)
    np.testing.assert_allclose(layers, ref, atol=1e-4)
    # Without scrambling the symbols differ: the check can fail.
    b0 = rm.astype(np.float64)
    unscr = ((1 - 2 * b0[:, 0::2]) + 1j * (1 - 2 * b0[:, 1::2])) / np.sqrt(2)
    assert not np.allclose(unscr[:, 0::n_layers], ref[:, 0], atol=1e-4)


def test_c_init_formula():
    assert scrambling_c_init(0, 0) == 0
    assert scrambling_c_init(1, 1) == 32769
    assert scrambling_c_init(65535, 1023, 1) == 65535 * 32768 + 16384 + 1023
    assert scrambling_c_init(65535, 1023, 1) < 2**31
    assert scrambling_c_init(100, 5, q=1) - scrambling_c_init(100, 5, q=0) == 2**14


@pytest.mark.parametrize(("args", "match"), [
    ((65536, 0), r"n_rnti=65536: must be <= 65535"),
    ((-1, 0), r"n_rnti=-1"),
    ((1, 1024), r"n_id=1024: must be <= 1023"),
    ((1, 1, 2), r"q=2: must be one of 0, 1"),
    ((1.0, 1), r"n_rnti=1.0: must be an integer"),
])
def test_c_init_errors(args, match):
    with pytest.raises(ConfigError, match=match):
        scrambling_c_init(*args)


def test_scramble_is_xor_with_gold_and_involutive(rng):
    bits = rng.integers(0, 2, size=(3, 1001), dtype=np.uint8)
    c_init = scrambling_c_init(17, 300, 1)
    s = scramble(bits, c_init)
    np.testing.assert_array_equal(s ^ bits, np.broadcast_to(gold_sequence(c_init, 1001),
                                                              bits.shape))
    np.testing.assert_array_equal(scramble(s, c_init), bits)


def test_batched_c_init(rng):
    bits = rng.integers(0, 2, size=(2, 4, 50), dtype=np.uint8)
    c_init = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    s = scramble(bits, c_init)
    for idx in np.ndindex(2, 4):
        np.testing.assert_array_equal(s[idx], scramble(bits[idx], int(c_init[idx])))
    llr = rng.standard_normal((2, 4, 50)).astype(np.float32)
    d = descramble_llrs(llr, c_init)
    for idx in np.ndindex(2, 4):
        np.testing.assert_array_equal(d[idx], descramble_llrs(llr[idx], int(c_init[idx])))


def test_descramble_llrs_matches_scramble(rng):
    bits = rng.integers(0, 2, size=(2, 777), dtype=np.uint8)
    c_init = scrambling_c_init(4660, 77)
    tx = scramble(bits, c_init)
    mag = rng.uniform(0.1, 5.0, size=tx.shape).astype(np.float32)
    llr = np.where(tx == 0, mag, -mag)  # positive LLR means bit 0
    out = descramble_llrs(llr, c_init)
    assert out.dtype == np.float32 and out.shape == llr.shape
    np.testing.assert_array_equal(out < 0, bits == 1)
    np.testing.assert_array_equal(np.abs(out), mag)


def test_input_errors():
    with pytest.raises(ValueError, match=r"bits: bits must be 0 or 1"):
        scramble(np.array([0, 2, 1]), 5)
    with pytest.raises(ValueError, match=r"bits: expected at least 1 dimension"):
        scramble(np.uint8(1), 5)
    with pytest.raises(ValueError, match=r"llrs: LLRs contain NaN"):
        descramble_llrs(np.array([0.5, np.nan]), 5)
    with pytest.raises(ConfigError, match=r"c_init=-3"):
        scramble(np.zeros(4, np.uint8), -3)

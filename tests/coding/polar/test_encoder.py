"""Tests of the TS 38.212 §5.3.1 polar encoder against nrPolarEncode vectors."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.polar import polar_code, polar_encode, uci_parity_check_bits
from opennr.errors import ConfigError

ENCODE_FILES = vector_files("polar", "polarencoder_testvec_*.mat")


@pytest.mark.parametrize("path", ENCODE_FILES, ids=lambda p: p.stem.replace("polarencoder_testvec_", ""))
def test_encode_vectors(path):
    v = load_vector(path)
    k, e, i_il = int(v["K"]), int(v["E"]), bool(v["iIL"])
    n_pc, n_pc_wm = (0, 0) if i_il else uci_parity_check_bits(k, e)
    d = polar_encode(as_int(v["in"]), e=e, n_max=int(v["nMax"]), i_il=i_il, n_pc=n_pc, n_pc_wm=n_pc_wm)
    assert d.dtype == np.uint8
    np.testing.assert_array_equal(d, as_int(v["outd"]))


def _reference(c, code):
    """u G_N with the generator matrix built by Kronecker products (slow oracle)."""
    g = np.array([[1]], dtype=np.int64)
    for _ in range(code.n_log):
        g = np.kron(g, np.array([[1, 0], [1, 1]]))
    u = np.zeros(code.n, dtype=np.int64)
    u[code.data_positions] = np.asarray(c)[code.interleaver]
    return (u @ g) % 2


@pytest.mark.parametrize(("k", "e", "n_max", "i_il"), [(56, 864, 9, True), (33, 150, 10, False),
                                                       (100, 300, 10, False)])
def test_against_generator_matrix(k, e, n_max, i_il, rng):
    c = rng.integers(0, 2, (3, k), dtype=np.uint8)
    d = polar_encode(c, e=e, n_max=n_max, i_il=i_il)
    code = polar_code(k, e, n_max, i_il)
    for b in range(3):
        np.testing.assert_array_equal(d[b], _reference(c[b], code))


def test_batched_matches_single(rng):
    c = rng.integers(0, 2, (2, 3, 20), dtype=np.uint8)
    d = polar_encode(c, e=100, n_max=10, i_il=False, n_pc=3)
    assert d.shape == (2, 3, 128)
    np.testing.assert_array_equal(d[1, 2], polar_encode(c[1, 2], e=100, n_max=10, i_il=False, n_pc=3))


def test_errors():
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        polar_encode(np.full(20, 2), e=60, n_max=10, i_il=False)
    with pytest.raises(ConfigError, match="k"):
        polar_encode(np.zeros(170, np.uint8), e=864, n_max=9, i_il=True)

"""Tests of TS 38.212 §5.3.2 base graphs (Tables 5.3.2-1/2/3) against the nrLDPCEncode vectors."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.coding.ldpc.basegraph import (
    LIFTING_SIZE_SETS,
    LIFTING_SIZES,
    base_graph_table,
    ldpc_code,
    lifting_set_index,
    parity_check_matrix,
)
from opennr.errors import ConfigError

ENCODE_FILES = vector_files("ldpc", "ldpc_encode_testvec_*.mat")


def _syndrome(code, c, parity):
    h = parity_check_matrix(code).astype(np.int64)
    return (h @ np.concatenate([c, parity]).astype(np.int64)) % 2


def test_lifting_sizes_table_5_3_2_1():
    assert len(LIFTING_SIZES) == 51
    assert LIFTING_SIZES == tuple(sorted(set(LIFTING_SIZES)))
    for i_ls, a in enumerate((2, 3, 5, 7, 9, 11, 13, 15)):
        expected = tuple(a * 2**j for j in range(8) if a * 2**j <= 384)
        assert LIFTING_SIZE_SETS[i_ls] == expected
        for z in expected:
            assert lifting_set_index(z) == i_ls


@pytest.mark.parametrize(("bg", "n_rows", "n_cols", "nnz"), [(1, 46, 68, 316), (2, 42, 52, 197)])
def test_table_shape(bg, n_rows, n_cols, nnz):
    t = base_graph_table(bg)
    assert t.shape == (nnz, 10)
    assert t[:, 0].min() == 0 and t[:, 0].max() == n_rows - 1
    assert t[:, 1].min() == 0 and t[:, 1].max() == n_cols - 1
    assert len({(i, j) for i, j in t[:, :2]}) == nnz
    assert set(t[:, 0]) == set(range(n_rows))
    # Every V_ij is below the largest lifting size of its set, so encoding with that size
    # (the vectors below) pins down every value of the table.
    for i_ls, sizes in enumerate(LIFTING_SIZE_SETS):
        assert t[:, 2 + i_ls].min() >= 0
        assert t[:, 2 + i_ls].max() < max(sizes)
    code = ldpc_code(bg, 384)
    assert (code.n_rows, code.n_cols, code.nnz) == (n_rows, n_cols, nnz)
    assert code.row_ptr[-1] == nnz and np.all(np.diff(code.row_ptr) > 0)
    # Extension rows: identity block on their own parity column, nothing to the right of it.
    k_b = code.k_b
    for i in range(4, n_rows):
        row = slice(code.row_ptr[i], code.row_ptr[i + 1])
        assert code.cols[row][-1] == k_b + i and code.shifts[row][-1] == 0
        assert np.all(code.cols[row][:-1] < k_b + 4)


def test_every_lifting_size_has_a_vector():
    seen = set()
    for f in ENCODE_FILES:
        v = load_vector(f)
        seen.add((int(v["bgn"]), int(v["Zc"])))
    assert seen == {(bg, z) for bg in (1, 2) for z in LIFTING_SIZES}


@pytest.mark.parametrize("path", ENCODE_FILES, ids=lambda p: p.stem.replace("ldpc_encode_testvec_", ""))
def test_tables_against_encode_vectors(path):
    v = load_vector(path)
    bg, zc = int(v["bgn"]), int(v["Zc"])
    code = ldpc_code(bg, zc)
    c = as_int(v["in"])
    dn = as_int(v["dn"])
    assert c.size == code.k and dn.size == code.n
    np.testing.assert_array_equal(dn[: code.k - 2 * zc], c[2 * zc:])
    assert not _syndrome(code, c, dn[code.k - 2 * zc:]).any()


def test_wrong_shift_is_detected():
    """The syndrome check has power: one shift off by one breaks it."""
    v = load_vector(vector_files("ldpc", "ldpc_encode_testvec_Zc_384_bgn_1.mat")[0])
    code = ldpc_code(1, 384)
    c, dn = as_int(v["in"]), as_int(v["dn"])
    broken = ldpc_code.__wrapped__(1, 384)
    shifts = broken.shifts.copy()
    shifts[37] = (shifts[37] + 1) % 384
    object.__setattr__(broken, "shifts", shifts)
    assert _syndrome(broken, c, dn[code.k - 2 * 384:]).any()


def test_parity_check_matrix_shape_and_weight():
    code = ldpc_code(2, 13)
    h = parity_check_matrix(code)
    assert h.shape == (42 * 13, 52 * 13)
    assert h.nnz == 197 * 13
    np.testing.assert_array_equal(np.asarray(h.sum(axis=1)).ravel(),
                                  np.repeat(np.diff(code.row_ptr), 13))


def test_code_properties():
    code = ldpc_code(1, 384)
    assert (code.k, code.n, code.k_b, code.i_ls) == (8448, 25344, 22, 1)
    code = ldpc_code(2, 384)
    assert (code.k, code.n, code.k_b) == (3840, 19200, 10)
    assert ldpc_code(1, 384) is ldpc_code(1, 384)
    assert code.shifts.max() < 384 and not code.shifts.flags.writeable


@pytest.mark.parametrize("zc", [0, 1, 17, 385, 400, 2.0, True])
def test_bad_lifting_size(zc):
    with pytest.raises(ConfigError, match="zc"):
        ldpc_code(1, zc)
    with pytest.raises(ConfigError, match=r"Table 5\.3\.2-1"):
        lifting_set_index(zc)


@pytest.mark.parametrize("bg", [0, 3, "1"])
def test_bad_base_graph(bg):
    with pytest.raises(ConfigError, match="bg"):
        ldpc_code(bg, 8)

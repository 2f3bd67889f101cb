"""Tests of the PUSCH codebooks and precoding (TS 38.211 §6.3.1.5, Tables 6.3.1.5-1 to -7)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.physical.precoding import (
    PUSCH_CODEBOOKS,
    precode,
    pusch_codebook,
    pusch_codebook_size,
)

J = 1j

# (layers, ports, transform precoding) -> number of TPMI values of each table.
SIZES = {(1, 1, False): 1, (1, 2, False): 6, (1, 4, True): 28, (1, 4, False): 28,
         (2, 2, False): 3, (2, 4, False): 22, (3, 4, False): 7, (4, 4, False): 5}


@pytest.mark.parametrize(("key", "size"), sorted(SIZES.items()))
def test_table_sizes(key, size):
    v, p, tp = key
    assert pusch_codebook_size(v, p, transform_precoding=tp) == size
    w = pusch_codebook(v, p, size - 1, transform_precoding=tp)
    assert w.shape == (p, v) and w.dtype == np.complex64


def test_two_port_tables_do_not_depend_on_transform_precoding():
    for t in range(6):
        np.testing.assert_array_equal(pusch_codebook(1, 2, t),
                                      pusch_codebook(1, 2, t, transform_precoding=True))


# Entries typed here from the specification, independently of the module's tables.
LITERAL = [
    ((1, 2, False, 5), np.array([[1], [-J]]) / math.sqrt(2)),
    ((1, 4, True, 12), np.array([[1], [1], [1], [-1]]) / 2),
    ((1, 4, True, 19), np.array([[1], [J], [-J], [-1]]) / 2),
    ((1, 4, True, 27), np.array([[1], [-J], [-J], [1]]) / 2),
    ((1, 4, False, 12), np.array([[1], [1], [1], [1]]) / 2),
    ((1, 4, False, 17), np.array([[1], [J], [J], [-1]]) / 2),
    ((1, 4, False, 27), np.array([[1], [-J], [-J], [-1]]) / 2),
    ((2, 2, False, 0), np.eye(2) / math.sqrt(2)),
    ((2, 2, False, 2), np.array([[1, 1], [J, -J]]) / 2),
    ((2, 4, False, 3), np.array([[0, 0], [1, 0], [0, 1], [0, 0]]) / 2),
    ((2, 4, False, 9), np.array([[1, 0], [0, 1], [-J, 0], [0, -1]]) / 2),
    ((2, 4, False, 17), np.array([[1, 1], [J, J], [J, -J], [-1, 1]]) / (2 * math.sqrt(2))),
    ((2, 4, False, 21), np.array([[1, 1], [-J, -J], [J, -J], [1, -1]]) / (2 * math.sqrt(2))),
    ((3, 4, False, 2), np.array([[1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, 0, 1]]) / 2),
    ((3, 4, False, 6), np.array([[1, 1, 1], [-1, 1, -1], [J, J, -J], [-J, J, J]])
     / (2 * math.sqrt(3))),
    ((4, 4, False, 2), np.array([[1, 1, 0, 0], [0, 0, 1, 1], [J, -J, 0, 0], [0, 0, J, -J]])
     / (2 * math.sqrt(2))),
    ((4, 4, False, 4), np.array([[1, 1, 1, 1], [1, -1, 1, -1], [J, J, -J, -J],
                                 [J, -J, -J, J]]) / 4),
]


@pytest.mark.parametrize(("key", "expected"), LITERAL)
def test_literal_entries(key, expected):
    v, p, tp, tpmi = key
    np.testing.assert_allclose(pusch_codebook(v, p, tpmi, transform_precoding=tp), expected,
                               atol=1e-7)


@pytest.mark.parametrize("key", sorted(SIZES))
def test_structure_of_every_matrix(key):
    v, p, tp = key
    for t in range(SIZES[key]):
        w = pusch_codebook(v, p, t, transform_precoding=tp).astype(np.complex128)
        nz = w[np.abs(w) > 1e-9]
        # every nonzero entry is ±c or ±jc with one scale per matrix
        c = np.abs(nz[0])
        np.testing.assert_allclose(np.abs(nz), c, rtol=1e-6)
        assert np.all(np.isclose((nz / c) ** 4, 1.0, atol=1e-6))
        # the first nonzero entry of each column is the positive real scale
        for col in range(v):
            first = w[np.abs(w[:, col]) > 1e-9, col][0]
            assert abs(first - c) < 1e-6
        # layers are orthogonal and the total power is at most 1
        g = w.conj().T @ w
        np.testing.assert_allclose(g, np.diag(np.diag(g)), atol=1e-6)
        assert np.trace(g).real <= 1.0 + 1e-6
    # matrices of one table are distinct
    table = PUSCH_CODEBOOKS[key][1]
    mats = {tuple(np.round(pusch_codebook(v, p, t, transform_precoding=tp).ravel(), 5))
            for t in range(len(table))}
    assert len(mats) == len(table)


def test_single_layer_four_port_tables_closed_form():
    # TPMI 0..11 are the same in Tables 6.3.1.5-2 and -3; for TPMI 12 + 4g + i the
    # coherent vectors are [1, j^g, j^i, j^(g+i)] (Table -3) and the same with the last
    # entry times (-1)^(g+i+1) (Table -2).
    for t in range(28):
        a = pusch_codebook(1, 4, t, transform_precoding=True)[:, 0]
        b = pusch_codebook(1, 4, t)[:, 0]
        if t < 12:
            np.testing.assert_array_equal(a, b)
            continue
        g, i = divmod(t - 12, 4)
        no_tp = np.array([1, J ** g, J ** i, J ** (g + i)]) / 2
        tp = no_tp * np.array([1, 1, 1, (-1) ** (g + i + 1)])
        np.testing.assert_allclose(b, no_tp, atol=1e-7)
        np.testing.assert_allclose(a, tp, atol=1e-7)


def test_returned_matrix_is_read_only():
    w = pusch_codebook(2, 4, 3)
    with pytest.raises(ValueError):
        w[0, 0] = 1


@pytest.mark.parametrize(("args", "kw", "match"), [
    ((1, 2, 6), {}, "tpmi"),
    ((2, 4, 22), {}, "tpmi"),
    ((1, 4, 28), {"transform_precoding": True}, "tpmi"),
    ((3, 4, -1), {}, "tpmi"),
    ((2, 2, 0), {"transform_precoding": True}, "single layer"),
    ((3, 2, 0), {}, "no codebook"),
    ((1, 3, 0), {}, "n_ports"),
    ((5, 4, 0), {}, "n_layers"),
    ((1, 2, 0), {"transform_precoding": 1}, "transform_precoding"),
])
def test_codebook_errors(args, kw, match):
    with pytest.raises(ConfigError, match=match):
        pusch_codebook(*args, **kw)


def test_precode_matches_matrix_product(rng):
    x = (rng.standard_normal((3, 2, 50)) + 1j * rng.standard_normal((3, 2, 50))).astype(
        np.complex64)
    w = pusch_codebook(2, 4, 17)
    y = precode(x, w)
    assert y.shape == (3, 4, 50) and y.dtype == np.complex64
    for b in range(3):
        for i in range(50):
            np.testing.assert_allclose(y[b, :, i], w @ x[b, :, i], atol=1e-6)


def test_precode_errors():
    with pytest.raises(ValueError, match="layers"):
        precode(np.zeros((3, 10), np.complex64), pusch_codebook(2, 4, 0))
    with pytest.raises(ValueError, match="w"):
        precode(np.zeros((2, 10), np.complex64), np.zeros(4))

"""TS 38.211 §5.2.1 pseudo-random sequence against a literal transcription of the clause."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.sequences import gold_sequence


def _literal_c(c_init: int, m_pn: int, n_c: int = 1600) -> np.ndarray:
    """§5.2.1 word for word: x1, x2 recursions, c(n) = (x1(n+Nc) + x2(n+Nc)) mod 2."""
    x1 = [0] * (m_pn + n_c + 31)
    x2 = [0] * (m_pn + n_c + 31)
    x1[0] = 1
    for i in range(31):
        x2[i] = (c_init >> i) & 1
    for n in range(m_pn + n_c):
        x1[n + 31] = (x1[n + 3] + x1[n]) % 2
        x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2
    return np.array([(x1[n + n_c] + x2[n + n_c]) % 2 for n in range(m_pn)], dtype=np.uint8)


@pytest.mark.parametrize("c_init", [0, 1, 2, 32769, 0x1234567, 2**31 - 1, 1 << 30])
def test_against_literal_clause(c_init):
    got = gold_sequence(c_init, 700)
    assert got.dtype == np.uint8 and got.shape == (700,)
    np.testing.assert_array_equal(got, _literal_c(c_init, 700))


@pytest.mark.parametrize("length", [0, 1, 27, 28, 29, 56, 57])
def test_lengths_around_word_boundaries(length):
    np.testing.assert_array_equal(gold_sequence(12345, length), _literal_c(12345, length))


def test_offset():
    full = _literal_c(987654, 400)
    for offset in (1, 27, 28, 100, 333):
        np.testing.assert_array_equal(gold_sequence(987654, 400 - offset, offset=offset),
                                      full[offset:])


def test_batched(rng):
    c_init = rng.integers(0, 2**31, size=(2, 3))
    got = gold_sequence(c_init, 90)
    assert got.shape == (2, 3, 90)
    for idx in np.ndindex(2, 3):
        np.testing.assert_array_equal(got[idx], _literal_c(int(c_init[idx]), 90))
    assert gold_sequence(np.array([], dtype=np.int64), 5).shape == (0, 5)


def test_long_sequence_is_balanced():
    # An m-sequence-based Gold sequence is close to balanced over a long run.
    c = gold_sequence(65535 * 2**15 + 1023, 200_000)
    assert abs(int(c.sum()) - 100_000) < 2_000


@pytest.mark.parametrize(("c_init", "match"), [
    (-1, r"c_init=-1: must be in \[0, 2\^31\)"),
    (2**31, r"c_init=2147483648: must be in \[0, 2\^31\)"),
    (1.0, r"c_init=1.0: must be an integer"),
    (np.array([3, 2**31]), r"c_init=2147483648"),
    (np.array([1.5]), r"c_init='array of float64': must be integers"),
])
def test_c_init_errors(c_init, match):
    with pytest.raises(ConfigError, match=match):
        gold_sequence(c_init, 10)


def test_length_errors():
    with pytest.raises(ConfigError, match=r"length=-1: must be >= 0"):
        gold_sequence(1, -1)
    with pytest.raises(ConfigError, match=r"offset=-5"):
        gold_sequence(1, 4, offset=-5)
    with pytest.raises(ConfigError, match=r"length=2.0: must be an integer"):
        gold_sequence(1, 2.0)

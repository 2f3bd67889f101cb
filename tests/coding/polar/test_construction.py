"""Tests of TS 38.212 §5.3.1 polar code construction: sequence, N selection, frozen set, PC bits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opennr.coding.polar import (
    BIT_DATA,
    BIT_PC,
    PI_IL_MAX,
    polar_code,
    polar_interleaver_pattern,
    polar_mother_length,
    polar_subblock_pattern,
    reliability_sequence,
    uci_parity_check_bits,
)
from opennr.errors import ConfigError


def test_reliability_sequence_is_a_permutation_with_known_ends():
    q = reliability_sequence()
    assert q.shape == (1024,) and sorted(q.tolist()) == list(range(1024))
    # Table 5.3.1.2-1: least reliable first, most reliable last; nested in powers of two.
    assert q[:8].tolist() == [0, 1, 2, 4, 8, 16, 32, 3] and q[-3:].tolist() == [1021, 1022, 1023]
    for n in (32, 64, 512):
        sub = q[q < n]
        assert sub[-1] == n - 1 and sub[0] == 0


def test_interleaver_tables():
    assert sorted(PI_IL_MAX) == list(range(164))
    np.testing.assert_array_equal(polar_interleaver_pattern(164, True), PI_IL_MAX)
    p = polar_interleaver_pattern(56, True)
    assert sorted(p.tolist()) == list(range(56))
    np.testing.assert_array_equal(polar_interleaver_pattern(20, False), np.arange(20))
    j = polar_subblock_pattern(64)
    assert sorted(j.tolist()) == list(range(64))
    assert j[:8].tolist() == [0, 1, 2, 3, 4, 5, 8, 9] and j[16:20].tolist() == [16, 17, 32, 33]


def _n_reference(k, e, n_max):
    """§5.3.1 written out with floating point logarithms."""
    c = math.ceil(math.log2(e))
    n1 = c - 1 if (e <= 9 / 8 * 2 ** (c - 1) and k / e < 9 / 16) else c
    n2 = math.ceil(math.log2(k / (1 / 8)))
    return 2 ** max(min(n1, n2, n_max), 5)


def test_mother_length_rule(rng):
    assert polar_mother_length(56, 864, 9) == 512
    for _ in range(400):
        k = int(rng.integers(1, 200))
        e = int(rng.integers(k, 3000))
        n_max = int(rng.choice([9, 10]))
        assert polar_mother_length(k, e, n_max) == _n_reference(k, e, n_max)


@pytest.mark.parametrize(("k", "e", "n_max", "i_il"), [(56, 864, 9, True), (40, 60, 9, True),
                                                       (30, 90, 9, True), (20, 60, 10, False),
                                                       (100, 130, 10, False), (164, 200, 9, True)])
def test_information_set(k, e, n_max, i_il):
    code = polar_code(k, e, n_max, i_il)
    assert code.data_positions.size == k and code.pc_positions.size == 0
    assert (code.bit_type == BIT_DATA).sum() == k
    n = code.n
    q = reliability_sequence()
    q = q[q < n]
    if e >= n:  # no rate-matching freezing: the K most reliable positions
        assert set(code.data_positions.tolist()) == set(q[n - k:].tolist())
    else:
        j = polar_subblock_pattern(n)
        dropped = j[: n - e] if 16 * k <= 7 * e else j[e:]
        assert not set(dropped.tolist()) & set(code.data_positions.tolist())


def test_parity_check_positions():
    code = polar_code(20, 220, 10, False, 3, 1)
    assert code.pc_positions.size == 3 and code.info_positions.size == 23
    q = reliability_sequence()
    rank = {int(x): i for i, x in enumerate(q)}
    info = sorted(code.info_positions.tolist(), key=rank.get)
    assert set(info[:2]) <= set(code.pc_positions.tolist())  # the n_PC - n_PC^wm least reliable
    wm = (set(code.pc_positions.tolist()) - set(info[:2])).pop()
    rest = info[3:]
    weights = [bin(x).count("1") for x in rest]
    best = [x for x, w in zip(rest, weights, strict=True) if w == min(weights)][-1]
    assert wm == best
    assert (code.bit_type == BIT_PC).sum() == 3
    assert uci_parity_check_bits(20, 220) == (3, 1)
    assert uci_parity_check_bits(20, 60) == (3, 0)
    assert uci_parity_check_bits(26, 300) == (0, 0)


def test_plan_is_cached_and_read_only():
    assert polar_code(56, 864, 9, True) is polar_code(56, 864, 9, True)
    with pytest.raises(ValueError):
        polar_code(56, 864, 9, True).bit_type[0] = 1


@pytest.mark.parametrize(("args", "match"), [
    ((56, 864, 8, True), "n_max"),
    ((165, 864, 9, True), "k"),
    ((0, 864, 9, False), "k"),
    ((56, 50, 9, True), "e"),
    ((56, 9000, 9, True), "e"),
    ((20, 60, 10, False, 2, 0), "n_pc"),
    ((20, 60, 10, False, 0, 1), "n_pc_wm"),
    ((56, 864, 9, "yes"), "i_il"),
])
def test_errors(args, match):
    with pytest.raises(ConfigError, match=match):
        polar_code(*args)

"""Search spaces and the hashing function (TS 38.213 §10.1)."""

from __future__ import annotations

import pytest

from opennr.errors import ConfigError
from opennr.physical.coreset import CoresetConfig
from opennr.physical.search_space import (
    SearchSpaceConfig,
    candidate_cces,
    hashing_y,
    is_monitoring_slot,
    search_space_candidates,
)


@pytest.mark.parametrize("p, a", [(0, 39827), (1, 39829), (2, 39839), (3, 39827), (5, 39839)])
def test_hashing_y(p, a):
    for n in (0, 1, 7, 19):
        assert hashing_y(p, 7001, n) == (pow(a, n + 1, 65537) * 7001) % 65537
    assert hashing_y(p, 7001, 5, "common") == 0


def test_uss_candidate_formula():
    cs = CoresetConfig(frequency_resources=(1,) * 8, duration=2)     # 16 CCEs
    ss = SearchSpaceConfig(num_candidates=(8, 4, 2, 1, 1))
    y = hashing_y(1, 1234, 3)
    for level, m_s in zip((1, 2, 4, 8, 16), (8, 4, 2, 1, 1), strict=True):
        for m in range(m_s):
            first = (y + (m * 16) // (level * m_s)) % (16 // level)
            assert candidate_cces(cs, ss, level, m, 3, 1234).tolist() == list(
                range(level * first, level * first + level))


def test_css_candidates_and_listing():
    cs = CoresetConfig(frequency_resources=(1,) * 4, duration=1)      # 4 CCEs
    ss = SearchSpaceConfig(search_space_type="common", num_candidates=(0, 0, 1, 0, 0))
    assert candidate_cces(cs, ss, 4, 0, 9, 77).tolist() == [0, 1, 2, 3]
    cs = CoresetConfig(frequency_resources=(1,) * 16, duration=3)     # 48 CCEs
    ss = SearchSpaceConfig(num_candidates=(6, 6, 5, 3, 2))
    cands = search_space_candidates(cs, ss, 11, 0x4601)
    assert len(cands) == 22
    for level, _, cces in cands:
        assert cces[0] % level == 0 and cces[-1] < 48
    for level in (1, 2, 4, 8, 16):
        sets = [tuple(c) for lv, _, c in cands if lv == level]
        assert len(set(sets)) == len(sets)


def test_monitoring_occasions():
    ss = SearchSpaceConfig(slot_period=5, slot_offset=2, duration=2)
    slots = [n for n in range(20) if is_monitoring_slot(ss, 0, n, 20)]
    assert slots == [2, 3, 7, 8, 12, 13, 17, 18]
    assert is_monitoring_slot(ss, 1, 2, 20)     # frame 1 continues the count: (20 + 2 - 2) mod 5 = 0


@pytest.mark.parametrize("call, field", [
    (lambda: SearchSpaceConfig(num_candidates=(8, 8, 4, 2)), "num_candidates"),
    (lambda: SearchSpaceConfig(num_candidates=(7, 0, 0, 0, 0)), "num_candidates[L=1]"),
    (lambda: SearchSpaceConfig(slot_period=3), "slot_period"),
    (lambda: SearchSpaceConfig(slot_period=4, duration=5), "duration"),
    (lambda: candidate_cces(CoresetConfig(frequency_resources=(1,)), SearchSpaceConfig(
        num_candidates=(0, 0, 0, 1, 0)), 8, 0, 0, 5), "num_candidates[L=8]"),
    (lambda: candidate_cces(CoresetConfig(frequency_resources=(1,)), SearchSpaceConfig(
        num_candidates=(8, 0, 0, 0, 0)), 1, 0, 0, 5), "num_candidates[L=1]"),
    (lambda: candidate_cces(CoresetConfig(frequency_resources=(1,) * 2), SearchSpaceConfig(
        num_candidates=(2, 0, 0, 0, 0)), 1, 2, 0, 5), "candidate"),
    (lambda: candidate_cces(CoresetConfig(frequency_resources=(1,) * 2), SearchSpaceConfig(
        num_candidates=(2, 0, 0, 0, 0)), 3, 0, 0, 5), "aggregation_level"),
    (lambda: candidate_cces(CoresetConfig(frequency_resources=(1,) * 2), SearchSpaceConfig(
        num_candidates=(0, 1, 0, 0, 0)), 1, 0, 0, 5), "aggregation_level"),
    (lambda: hashing_y(1, 0, 0), "rnti"),
])
def test_bad_search_space_raises_config_error(call, field):
    with pytest.raises(ConfigError) as err:
        call()
    assert err.value.field == field

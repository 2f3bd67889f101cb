"""Tests of the PT-RS of TS 38.211 §7.4.1.2 and the density rules of TS 38.214 §5.1.6.3.

The expected values are worked out by hand from the spec text in the comments; the public
nrPDSCHPTRS / nrPDSCHPTRSIndices documentation example of MATLAB (52 PRBs, L = 2, K = 4,
resourceElementOffset '10') is checked as published.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.physical.dmrs import dmrs_cdm_subcarriers, dmrs_port, dmrs_re_values
from opennr.physical.ptrs import (
    PTRS_K_REF_RE,
    PtrsConfig,
    ptrs_densities,
    ptrs_k_ref_rb,
    ptrs_k_ref_re,
    ptrs_pattern,
    ptrs_pdsch_power_db,
    ptrs_subcarriers,
    ptrs_symbol_indices,
    ptrs_values,
)

# Type A, S = 0, L = 14, DM-RS at symbols 2 and 11. With l counted from the start (= slot):
# L_PT-RS = 1: 0, 1 added; symbol 2 is DM-RS -> l_ref = 2, i = 1: 3 .. 10 added; 11 is DM-RS ->
#   l_ref = 11: 12, 13 added.
# L_PT-RS = 2: 0 added; window 1..2 holds DM-RS 2 -> l_ref = 2: windows 3..4, 5..6, 7..8, 9..10
#   add 4, 6, 8, 10; window 11..12 holds 11 -> l_ref = 11: window 12..13 adds 13.
# L_PT-RS = 4: 0 added; window 1..4 holds 2 -> l_ref = 2: 3..6 adds 6, 7..10 adds 10; window
#   11..14 holds 11 -> l_ref = 11, and 11 + 4 = 15 is outside: stop.
POSITIONS = [
    (0, 14, (2, 11), 1, 1, (0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13)),
    (0, 14, (2, 11), 2, 1, (0, 4, 6, 8, 10, 13)),
    (0, 14, (2, 11), 4, 1, (0, 6, 10)),
    # type B, S = 4, L = 7, DM-RS at l = 0 and 4 of the allocation (slot 4 and 8), L = 2:
    # window 0..0 holds 0 -> l_ref = 0: 1..2 adds 2; 3..4 holds 4 -> l_ref = 4: 5..6 adds 6;
    # 4 + 4 = 8 is outside (L = 7). Slot symbols 4 + {2, 6}.
    (4, 7, (4, 8), 2, 1, (6, 10)),
    # double-symbol DM-RS at 2, 3 and 10, 11, L = 1: l_ref goes to the second symbol of a pair.
    (0, 14, (2, 3, 10, 11), 1, 2, (0, 1, 4, 5, 6, 7, 8, 9, 12, 13)),
    # the same with L = 2: 0; window 1..2 holds 2 -> l_ref = 3: 5, 7, 9; window 10..11 -> 11: 13
    (0, 14, (2, 3, 10, 11), 2, 2, (0, 5, 7, 9, 13)),
    # type A S = 0, L = 14 with DM-RS only at 2 and L = 4: 0, then l_ref = 2: 6, 10 (14 outside)
    (0, 14, (2,), 4, 1, (0, 6, 10)),
    # type A, DM-RS 3 (dmrs-TypeA-Position 3), S = 3, L = 5, L = 1: window 0..0 holds DM-RS ->
    # l_ref = 0: 1, 2, 3, 4 -> slot 4 .. 7
    (3, 5, (3,), 1, 1, (4, 5, 6, 7)),
]


@pytest.mark.parametrize("start,length,dmrs,density,dlen,expected", POSITIONS)
def test_symbol_positions_worked_by_hand(start, length, dmrs, density, dlen, expected):
    got = ptrs_symbol_indices(start, length, dmrs, density, dmrs_length=dlen)
    assert got.dtype == np.int64
    assert tuple(got.tolist()) == expected


def test_symbol_positions_never_hit_dmrs_and_follow_density():
    rng = np.random.default_rng(3)
    for _ in range(200):
        start = int(rng.integers(0, 5))
        length = int(rng.integers(4, 15 - start))
        n_dmrs = int(rng.integers(1, 4))
        dmrs = np.unique(rng.choice(np.arange(start, start + length), n_dmrs, replace=False))
        for density in (1, 2, 4):
            got = ptrs_symbol_indices(start, length, dmrs, density)
            assert not set(got.tolist()) & set(dmrs.tolist())
            assert np.all((got >= start) & (got < start + length))
            # between two consecutive PT-RS symbols with no DM-RS in between, the step is L
            for a, b in itertools.pairwise(got.tolist()):
                if not np.any((dmrs > a) & (dmrs < b)):
                    assert b - a == density
            # after each DM-RS symbol the next PT-RS is L symbols later (if inside)
            for d in dmrs:
                nxt = d + density
                if nxt < start + length and not np.any((dmrs > d) & (dmrs <= nxt)):
                    assert nxt in got


def test_k_ref_rb_worked_by_hand():
    # N_RB mod K = 0 -> n_RNTI mod K; otherwise n_RNTI mod (N_RB mod K)
    assert ptrs_k_ref_rb(3, 24, 4) == 3          # 24 mod 4 = 0: 3 mod 4
    assert ptrs_k_ref_rb(5, 52, 2) == 1          # 52 mod 2 = 0: 5 mod 2
    assert ptrs_k_ref_rb(5, 51, 4) == 2          # 51 mod 4 = 3: 5 mod 3
    assert ptrs_k_ref_rb(17921, 51, 4) == 2      # 17921 = 3 * 5973 + 2
    assert ptrs_k_ref_rb(7, 50, 4) == 1          # 50 mod 4 = 2: 7 mod 2
    assert ptrs_k_ref_rb(10, 273, 2) == 0        # 273 mod 2 = 1: 10 mod 1
    assert ptrs_k_ref_rb(65535, 275, 4) == 0     # 275 mod 4 = 3: 65535 mod 3 = 0


def test_subcarriers_worked_by_hand():
    # N_RB = 10, RNTI 3, K = 4, type 1 port 1001, offset '01' -> k_ref^RE = 4,
    # 10 mod 4 = 2 -> k_ref^RB = 3 mod 2 = 1: RBs 1, 5, 9 -> k = 4 + 12 {1, 5, 9}
    k_re = ptrs_k_ref_re(1, 1, "01")
    assert k_re == 4
    assert ptrs_subcarriers(10, 3, 4, k_re).tolist() == [16, 64, 112]
    # one RB, K = 2: 1 mod 2 = 1 -> k_ref^RB = n mod 1 = 0, one PT-RS
    assert ptrs_subcarriers(1, 12345, 2, 7).tolist() == [7]


def test_k_ref_re_table_selects_a_dmrs_subcarrier_of_the_port():
    # every entry of Table 7.4.1.2.2-1 lies on the DM-RS comb of the port's CDM group, and the
    # four offsets of a port are distinct
    for ctype, rows in PTRS_K_REF_RE.items():
        for port, row in enumerate(rows):
            group = dmrs_port(ctype, port).cdm_group
            assert set(row) <= set(dmrs_cdm_subcarriers(ctype, group).tolist())
            assert len(set(row)) == 4
            for off, k in zip(("00", "01", "10", "11"), row, strict=True):
                assert ptrs_k_ref_re(ctype, port, off) == k
    # the integer form of resourceElementOffset
    assert ptrs_k_ref_re(2, 3, 3) == 2 and ptrs_k_ref_re(1, 0, 2) == 6


def test_matlab_documentation_example():
    # nrCarrierConfig defaults (52 PRBs, 15 kHz, N_ID^cell 1, slot 0), nrPDSCHConfig defaults
    # (PRBs 0..51, symbols 0..13, DM-RS type 1 at symbol 2, port 0, RNTI 1), PT-RS L = 2, K = 4,
    # REOffset '10'. Published: 78 PT-RS, BWP subcarriers (1-based) 19, 67, 115, ... in symbol
    # 0, and the first ten values.
    cfg = PtrsConfig(time_density=2, frequency_density=4, re_offset="10")
    pat = ptrs_pattern(cfg, config_type=1, port=0, crbs=range(52), start=0, length=14,
                       dmrs_symbols=(2,), dmrs_length=1, n_rnti=1)
    assert pat.symbols.size * pat.k.size == 78
    assert pat.symbols.tolist() == [0, 4, 6, 8, 10, 12]
    assert (pat.k[:10] + 1).tolist() == [19, 67, 115, 163, 211, 259, 307, 355, 403, 451]
    v = ptrs_values(1, 0, pat.k, l0=2, n_symb_slot=14, n_s=0, n_id=1, n_scid=0)
    a = 0.7071
    published = [-a - a * 1j, -a - a * 1j, a - a * 1j, a - a * 1j, a - a * 1j, -a - a * 1j,
                 -a + a * 1j, -a - a * 1j, -a + a * 1j, a + a * 1j]
    np.testing.assert_allclose(v[:10], published, atol=1e-4)


@pytest.mark.parametrize("ctype,port,off", [(1, 0, "00"), (1, 1, "11"), (1, 3, "01"),
                                            (2, 1, "01"), (2, 4, "10"), (2, 5, "11")])
def test_values_are_the_dmrs_sequence_of_the_port_without_cover_codes(ctype, port, off):
    # r_k = r(2m + k') at l_0: the DM-RS value of the port at subcarrier k in symbol l_0,
    # divided by β_DMRS w_f(k') w_t(0)
    crbs = np.arange(3, 40)
    cfg = PtrsConfig(frequency_density=2, re_offset=off)
    pat = ptrs_pattern(cfg, config_type=ctype, port=port, crbs=crbs, start=1, length=12,
                       dmrs_symbols=(3, 9), dmrs_length=1, n_rnti=0x4601)
    kw = dict(n_symb_slot=14, n_s=7, n_id=517, n_scid=1)
    val = ptrs_values(ctype, port, pat.k, l0=3, beta=2.0, **kw)
    k_dm, v_dm = dmrs_re_values(ctype, port, crbs, np.array([3]), np.array([0]), beta=1.0, **kw)
    p = dmrs_port(ctype, port)
    per_pair = 2
    kp = np.arange(k_dm.size) % per_pair               # k' of each DM-RS RE
    wf = np.array(p.w_f)[kp]
    pos = np.searchsorted(k_dm, pat.k)
    assert np.array_equal(k_dm[pos], pat.k)
    np.testing.assert_allclose(val, 2.0 * v_dm[0, pos] / wf[pos], atol=1e-6)


def test_pattern_stays_inside_scheduled_rbs_and_numbers_them_from_the_lowest():
    # scheduled CRBs 10..13 and 20..25 (10 RBs, numbered 0..9), K = 4, RNTI 6:
    # 10 mod 4 = 2 -> k_ref^RB = 6 mod 2 = 0: scheduled RBs 0, 4, 8 = CRBs 10, 20, 24
    crbs = [20, 21, 22, 23, 24, 25, 10, 11, 12, 13]
    pat = ptrs_pattern(PtrsConfig(frequency_density=4, re_offset="00"), config_type=2, port=2,
                       crbs=crbs, start=0, length=14, dmrs_symbols=(2,), dmrs_length=1, n_rnti=6)
    k_re = 2                                           # type 2, port 1002, '00'
    assert pat.k.tolist() == [10 * 12 + k_re, 20 * 12 + k_re, 24 * 12 + k_re]
    assert pat.k_ref_rb == 0 and pat.k_ref_re == k_re


def test_densities_of_tables_5_1_6_3_1_and_2():
    kw = dict(ptrs_mcs=(5, 10, 15, 29), n_rb_thresholds=(3, 20))
    assert ptrs_densities(4, 50, **kw) is None          # below ptrs-MCS1 (QPSK MCS)
    assert ptrs_densities(5, 50, **kw) == (4, 4)
    assert ptrs_densities(9, 19, **kw) == (4, 2)
    assert ptrs_densities(10, 20, **kw) == (2, 4)
    assert ptrs_densities(14, 3, **kw) == (2, 2)
    assert ptrs_densities(15, 3, **kw) == (1, 2)
    assert ptrs_densities(28, 275, **kw) == (1, 4)
    assert ptrs_densities(28, 2, **kw) is None          # below N_RB0
    # equal thresholds skip a density: ptrs-MCS2 = ptrs-MCS3 never gives L = 2
    kw2 = dict(ptrs_mcs=(5, 10, 10, 28), n_rb_thresholds=(1, 1))
    assert [ptrs_densities(m, 1, **kw2)[0] for m in (5, 9, 10, 27)] == [4, 4, 1, 1]
    assert ptrs_densities(0, 1, **kw2) is None
    with pytest.raises(ConfigError, match="ptrs-MCS4"):
        ptrs_densities(29, 50, **kw)
    with pytest.raises(ConfigError, match="non-decreasing"):
        ptrs_densities(10, 50, ptrs_mcs=(10, 5, 15, 29), n_rb_thresholds=(3, 20))
    with pytest.raises(ConfigError, match="n_rb_thresholds"):
        ptrs_densities(10, 50, ptrs_mcs=(5, 10, 15, 29), n_rb_thresholds=(20, 3))
    with pytest.raises(ConfigError, match="ptrs_mcs"):
        ptrs_densities(10, 50, ptrs_mcs=(5, 10, 15), n_rb_thresholds=(3, 20))


def test_power_of_table_4_1_2():
    assert ptrs_pdsch_power_db(1) == 0.0
    assert ptrs_pdsch_power_db(4) == 6.0
    assert ptrs_pdsch_power_db(6, epre_ratio=0) == 7.78
    assert ptrs_pdsch_power_db(4, epre_ratio=1) == 0.0
    assert PtrsConfig().beta(2) == pytest.approx(10 ** (3 / 20))
    assert PtrsConfig(power_db=-3.0).beta(2) == pytest.approx(10 ** (-3 / 20))
    with pytest.raises(ConfigError, match=r"1 \.\. 6 layers"):
        ptrs_pdsch_power_db(7)


def test_config_errors_name_field_and_clause():
    cases = [
        (dict(time_density=3), "time_density"),
        (dict(frequency_density=1), "frequency_density"),
        (dict(re_offset="12"), "re_offset"),
        (dict(re_offset=4), "re_offset"),
        (dict(port=12), "port"),
        (dict(power_db=float("nan")), "power_db"),
        (dict(epre_ratio=2), "epre_ratio"),
    ]
    for kw, field in cases:
        with pytest.raises(ConfigError) as e:
            PtrsConfig(**kw)
        assert e.value.field == field and e.value.clause and "TS 38." in e.value.clause
    assert PtrsConfig(re_offset=2).re_offset == "10"
    # DM-RS ports beyond Table 7.4.1.2.2-1 (type 1 ports 1004 .. 1007)
    with pytest.raises(ConfigError, match=r"ports 0 \.\. 3"):
        ptrs_k_ref_re(1, 4, "00")
    with pytest.raises(ConfigError, match="inside the allocation"):
        ptrs_symbol_indices(4, 6, (2,), 1)
    with pytest.raises(ConfigError, match="pairs"):
        ptrs_symbol_indices(0, 14, (2, 4), 1, dmrs_length=2)
    with pytest.raises(ConfigError, match="not a DM-RS subcarrier"):
        ptrs_values(1, 0, np.array([1]), l0=2, n_symb_slot=14, n_s=0, n_id=0, n_scid=0)

"""Tests of the PDSCH DM-RS (TS 38.211 §7.4.1.1): symbol positions (Tables 7.4.1.1.2-3/4),
port parameters (Tables 7.4.1.1.2-1/2), sequence and c_init, CDM orthogonality, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennr.errors import ConfigError
from opennr.physical.dmrs import (
    DmrsConfig,
    dmrs_c_init,
    dmrs_cdm_subcarriers,
    dmrs_port,
    dmrs_re_values,
    dmrs_sequence,
    dmrs_symbol_positions,
)
from opennr.sequences import gold_sequence

# Rows typed from the printed tables (slot symbol indices; type B relative positions are
# shifted by the start symbol S used in each case).
SINGLE_ROWS = [
    # (mapping, S, L, dmrs-TypeA-Position, additional position, expected l̄)
    ("A", 0, 14, 2, 0, (2,)),
    ("A", 0, 14, 2, 1, (2, 11)),
    ("A", 0, 14, 3, 2, (3, 7, 11)),
    ("A", 0, 14, 2, 3, (2, 5, 8, 11)),
    ("A", 1, 11, 2, 3, (2, 5, 8, 11)),
    ("A", 0, 11, 2, 3, (2, 6, 9)),
    ("A", 2, 8, 2, 2, (2, 6, 9)),
    ("A", 1, 8, 2, 1, (2, 7)),
    ("A", 2, 5, 3, 2, (3,)),
    ("B", 0, 2, 2, 3, (0,)),
    ("B", 5, 7, 2, 1, (5, 9)),
    ("B", 2, 8, 2, 2, (2, 5, 8)),
    ("B", 1, 9, 2, 1, (1, 8)),
    ("B", 0, 11, 2, 3, (0, 3, 6, 9)),
    ("B", 1, 12, 2, 2, (1, 6, 10)),
    ("B", 0, 13, 2, 1, (0, 9)),
]
DOUBLE_ROWS = [
    ("A", 0, 14, 2, 1, (2, 10)),
    ("A", 0, 12, 3, 1, (3, 8)),
    ("A", 0, 9, 2, 1, (2,)),
    ("A", 0, 4, 2, 0, (2,)),
    ("B", 3, 8, 2, 1, (3, 8)),
    ("B", 0, 11, 2, 1, (0, 7)),
    ("B", 1, 12, 2, 1, (1, 9)),
    ("B", 4, 5, 2, 1, (4,)),
]


@pytest.mark.parametrize("mapping,s,n,l0,add,expected", SINGLE_ROWS)
def test_single_symbol_positions(mapping, s, n, l0, add, expected):
    assert dmrs_symbol_positions(mapping, s, n, type_a_position=l0,
                                 additional_position=add) == expected


@pytest.mark.parametrize("mapping,s,n,l0,add,expected", DOUBLE_ROWS)
def test_double_symbol_positions(mapping, s, n, l0, add, expected):
    assert dmrs_symbol_positions(mapping, s, n, type_a_position=l0, additional_position=add,
                                 dmrs_length=2) == expected


def test_l1_special_case():
    assert dmrs_symbol_positions("A", 0, 14, type_a_position=3, additional_position=1,
                                 l1_alt=True) == (3, 12)
    assert dmrs_symbol_positions("A", 0, 13, type_a_position=3, additional_position=1,
                                 l1_alt=False) == (3, 11)
    # only with l0 = 3
    assert dmrs_symbol_positions("A", 0, 14, type_a_position=2, additional_position=1,
                                 l1_alt=True) == (2, 11)


def test_position_errors():
    with pytest.raises(ConfigError, match="l_d=2"):
        dmrs_symbol_positions("A", 0, 2)
    with pytest.raises(ConfigError, match="l_d=14"):
        dmrs_symbol_positions("B", 0, 14)
    with pytest.raises(ConfigError, match="l_d=1"):
        dmrs_symbol_positions("B", 3, 1)
    with pytest.raises(ConfigError, match="l_d=4"):
        dmrs_symbol_positions("B", 0, 4, dmrs_length=2)
    with pytest.raises(ConfigError, match="pos3"):
        dmrs_symbol_positions("A", 0, 14, type_a_position=3, additional_position=3)
    with pytest.raises(ConfigError, match="l_d=3"):
        dmrs_symbol_positions("A", 0, 3, type_a_position=3)
    with pytest.raises(ConfigError, match="inside"):
        dmrs_symbol_positions("A", 3, 9, type_a_position=2)
    with pytest.raises(ConfigError, match="additional_position"):
        dmrs_symbol_positions("A", 0, 14, additional_position=2, dmrs_length=2)
    with pytest.raises(ConfigError, match="additional_position"):
        DmrsConfig(length=2, additional_position=2)
    with pytest.raises(ConfigError, match="n_cdm_groups_without_data"):
        DmrsConfig(config_type=1, n_cdm_groups_without_data=3)
    with pytest.raises(ConfigError, match="type_a_position"):
        DmrsConfig(type_a_position=1)
    with pytest.raises(ConfigError, match="power_db"):
        DmrsConfig(power_db=float("nan"))
    with pytest.raises(ConfigError, match="port"):
        dmrs_port(1, 8)


def test_port_table_rows():
    # Table 7.4.1.1.2-1 rows 1001 and 1006; Table 7.4.1.1.2-2 rows 1005 and 1008
    p = dmrs_port(1, 1)
    assert (p.cdm_group, p.delta, p.w_f, p.w_t) == (0, 0, (1, -1), (1, 1))
    p = dmrs_port(1, 6)
    assert (p.cdm_group, p.delta, p.w_f, p.w_t) == (1, 1, (1, 1), (1, -1))
    p = dmrs_port(2, 5)
    assert (p.cdm_group, p.delta, p.w_f, p.w_t) == (2, 4, (1, -1), (1, 1))
    p = dmrs_port(2, 8)
    assert (p.cdm_group, p.delta, p.w_f, p.w_t) == (1, 2, (1, 1), (1, -1))


@pytest.mark.parametrize("config_type", [1, 2])
def test_cdm_codes_orthogonal_and_groups_disjoint(config_type):
    n_ports = 8 if config_type == 1 else 12
    ports = [dmrs_port(config_type, p) for p in range(n_ports)]
    for a, b in itertools.combinations(ports, 2):
        if a.cdm_group == b.cdm_group:
            assert a.delta == b.delta
            ca = np.outer(a.w_t, a.w_f).ravel()
            cb = np.outer(b.w_t, b.w_f).ravel()
            assert ca @ cb == 0
        else:
            sa = dmrs_cdm_subcarriers(config_type, a.cdm_group)
            sb = dmrs_cdm_subcarriers(config_type, b.cdm_group)
            assert not set(sa) & set(sb)
    for g in range(2 if config_type == 1 else 3):
        assert dmrs_cdm_subcarriers(config_type, g).size == (6 if config_type == 1 else 4)


@pytest.mark.parametrize("config_type,port", [(1, 0), (1, 3), (2, 2), (2, 11)])
def test_re_positions_and_orthogonality_in_a_prb(config_type, port):
    crbs = np.array([3, 4, 9])
    k, v = dmrs_re_values(config_type, port, crbs, np.array([5, 6]), np.array([0, 1]),
                          n_symb_slot=14, n_s=1, n_id=11, n_scid=0)
    p = dmrs_port(config_type, port)
    expected = np.concatenate([12 * c + dmrs_cdm_subcarriers(config_type, p.cdm_group)
                               for c in crbs])
    np.testing.assert_array_equal(k, expected)
    assert v.shape == (2, k.size)
    for other in range(8 if config_type == 1 else 12):
        q = dmrs_port(config_type, other)
        if q.cdm_group != p.cdm_group or other == port:
            continue
        _, u = dmrs_re_values(config_type, other, crbs, np.array([5, 6]), np.array([0, 1]),
                              n_symb_slot=14, n_s=1, n_id=11, n_scid=0)
        # ports of one CDM group share c_init, so the ratio per RE is the product of covers
        ratio = (v / u).reshape(2, -1, 2)
        signs = np.outer(p.w_t, p.w_f) * np.outer(q.w_t, q.w_f)
        np.testing.assert_allclose(ratio, np.broadcast_to(signs[:, None, :], ratio.shape))


def test_c_init_literal_values():
    # Rel-16 form: (2^17 (14 n_s + l + 1)(2 N_ID + 1) + 2^17 floor(λ/2) + 2 N_ID + n_SCID) mod 2^31
    assert dmrs_c_init(14, 0, 2, 1, 0) == (131072 * 3 * 3 + 2) % 2**31
    assert dmrs_c_init(14, 3, 5, 7, 1, cdm_group=2) == (131072 * 48 * 15 + 131072 + 15) % 2**31
    assert dmrs_c_init(14, 3, 5, 7, 1, cdm_group=1) == (131072 * 48 * 15 + 15) % 2**31
    assert dmrs_c_init(12, 79, 11, 65535, 1) == (131072 * (12 * 79 + 12) * 131071 + 131071) \
        % 2**31


@settings(max_examples=20)
@given(c_init=st.integers(0, 2**31 - 1), n_start=st.integers(0, 500), length=st.integers(1, 40))
def test_sequence_is_qpsk_of_the_gold_sequence(c_init, n_start, length):
    r = dmrs_sequence(c_init, length, n_start=n_start)
    c = gold_sequence(c_init, 2 * (n_start + length)).astype(float)
    expected = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2]))[n_start:] / np.sqrt(2)
    np.testing.assert_allclose(r, expected, atol=1e-6)
    assert r.dtype == np.complex64


def test_power_offsets():
    assert DmrsConfig(n_cdm_groups_without_data=1).beta == 1.0
    assert DmrsConfig(n_cdm_groups_without_data=2).beta == pytest.approx(10 ** (3 / 20))
    assert DmrsConfig(config_type=2, n_cdm_groups_without_data=3).beta == \
        pytest.approx(10 ** (4.77 / 20))
    assert DmrsConfig(power_db=-3.0).beta == pytest.approx(0.70794578)

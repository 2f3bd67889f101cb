"""Tests of the transport block size (TS 38.214 §5.1.3.2, §6.1.4.2) and TBS_LBRM (TS 38.212
§5.4.2.1), against the pdsch, pdsch_short and ulsch MATLAB vectors."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.physical.dmrs import dmrs_symbol_positions
from opennr.transport.tbs import (
    TBS_TABLE,
    n_prb_lbrm,
    tbs_lbrm,
    transport_block_size,
)

PDSCH_FILES = vector_files("pdsch") + vector_files("pdsch_short")
ULSCH_FILES = vector_files("ulsch")

# TS 38.211 Table 7.4.1.1.2-3, PDSCH mapping type A, single-symbol DM-RS: DM-RS positions for
# l_d = 3..14 and dmrs-AdditionalPosition 0..3; 0 stands for l0 (dmrs-TypeA-Position).
# Kept here, for the test only, to derive N_DMRS^PRB from the vector configurations.
def _pdsch_case(v):
    prb = np.atleast_1d(as_int(v["PRBSet"]))
    start, length = (int(x) for x in as_int(v["SymbolAllocation"]))
    n_dmrs_symb = len(dmrs_symbol_positions("A", start, length,
                                            additional_position=int(v["DMRSAdditionalPosition"])))
    per_symbol = 12 if int(v["NumCDMGroupsWithoutData"]) == 2 else 6
    return prb.size, length, n_dmrs_symb * per_symbol


@pytest.mark.parametrize("path", PDSCH_FILES, ids=lambda p: p.stem[:40])
def test_pdsch_vectors_tbs_and_g(path):
    v = load_vector(path)
    n_prb, n_symb, n_dmrs_prb = _pdsch_case(v)
    n_layers = int(v["NumLayers"])
    qm = int(v["Qm"])
    tbs = transport_block_size(n_prb=n_prb, n_symb_sh=n_symb, n_dmrs_prb=n_dmrs_prb,
                               target_code_rate=float(v["TargetCodeRateby1024"]) / 1024,
                               qm=qm, n_layers=n_layers)
    assert tbs == np.atleast_1d(v["trblk_out"]).size
    # The same N_DMRS^PRB gives the stored G (no other overhead in these cases).
    g = np.atleast_1d(as_int(v["G_out"]))
    assert np.all(g == n_prb * (12 * n_symb - n_dmrs_prb) * qm * n_layers)


@pytest.mark.parametrize("path", ULSCH_FILES, ids=lambda p: p.stem[20:45])
def test_ulsch_vectors_tbs(path):
    # N_DMRS^PRB follows from the stored G = n_PRB * (12 N_symb - N_DMRS^PRB) * Q_m * v.
    v = load_vector(path)
    n_prb = np.atleast_1d(v["PRBSet"]).size
    n_symb = int(as_int(v["SymbolAllocation"])[1])
    qm, n_layers = int(v["Qm"]), int(v["NumLayers"])
    g = int(np.atleast_1d(as_int(v["GULSCH_out"]))[0])
    n_re_prb, rem = divmod(g, n_prb * qm * n_layers)
    assert rem == 0
    tbs = transport_block_size(n_prb=n_prb, n_symb_sh=n_symb, n_dmrs_prb=12 * n_symb - n_re_prb,
                               target_code_rate=float(v["TargetCodeRateby1024"]) / 1024,
                               qm=qm, n_layers=n_layers)
    assert tbs == np.atleast_1d(v["trblk_out"]).size


def _reference_tbs(n_re: int, r: Fraction, qm: int, v: int, s: Fraction) -> int:
    """TS 38.214 §5.1.3.2 steps 2-4 in exact rational arithmetic, written independently."""
    n_info = s * n_re * r * qm * v
    if n_info <= 3824:
        n = max(3, _exact_floor_log2(n_info) - 6)
        q = max(24, 2**n * math.floor(n_info / 2**n))
        return min(t for t in TBS_TABLE if t >= q)
    n = _exact_floor_log2(n_info - 24) - 5
    x = (n_info - 24) / 2**n
    q = max(3840, 2**n * math.floor(x + Fraction(1, 2)))
    if r <= Fraction(1, 4):
        c = -(-(q + 24) // 3816)
    elif q > 8424:
        c = -(-(q + 24) // 8424)
    else:
        c = 1
    return 8 * c * (-(-(q + 24) // (8 * c))) - 24


def _exact_floor_log2(x: Fraction) -> int:
    k = x.numerator.bit_length() - x.denominator.bit_length()
    while Fraction(2) ** k > x:
        k -= 1
    while Fraction(2) ** (k + 1) <= x:
        k += 1
    return k


@settings(max_examples=300, deadline=None)
@given(n_prb=st.integers(1, 275), n_symb=st.integers(1, 14), n_dmrs=st.sampled_from([0, 6, 12,
                                                                                       24, 36]),
       n_oh=st.sampled_from([0, 6, 12, 18]), r1024=st.integers(30, 948).map(lambda x: x / 2 + 15),
       qm=st.sampled_from([1, 2, 4, 6, 8, 10]), v=st.integers(1, 4),
       s=st.sampled_from([1.0, 0.5, 0.25]))
def test_tbs_matches_exact_rational_reference(n_prb, n_symb, n_dmrs, n_oh, r1024, qm, v, s):
    n_re_prime = 12 * n_symb - n_dmrs - n_oh
    if n_re_prime <= 0:
        with pytest.raises(ConfigError, match="N'_RE"):
            transport_block_size(n_prb=n_prb, n_symb_sh=n_symb, n_dmrs_prb=n_dmrs, n_oh_prb=n_oh,
                                 target_code_rate=r1024 / 1024, qm=qm, n_layers=v, scaling=s)
        return
    tbs = transport_block_size(n_prb=n_prb, n_symb_sh=n_symb, n_dmrs_prb=n_dmrs, n_oh_prb=n_oh,
                               target_code_rate=r1024 / 1024, qm=qm, n_layers=v, scaling=s)
    ref = _reference_tbs(min(156, n_re_prime) * n_prb, Fraction(r1024) / 1024, qm, v,
                         Fraction(s))
    assert tbs == ref
    # Large TBs split into C equal, byte-aligned code blocks of at most 8448 bits (with CRC).
    if tbs > 3824:
        assert (tbs + 24) % 8 == 0


def test_tbs_boundary_3824_and_rounding():
    # N_info = 3824 exactly (N_RE = 1912, R = 1/2, Q_m = 4, v = 1 -> 3824): table path.
    assert transport_block_size(n_prb=1912 // 8, n_symb_sh=1, n_dmrs_prb=4, target_code_rate=0.5,
                                qm=4, n_layers=1) == 3824
    # One step above: N_info = 3840 > 3824 -> formula, N'_info = max(3840, ...) = 3840.
    assert transport_block_size(n_prb=240, n_symb_sh=1, n_dmrs_prb=4, target_code_rate=0.5,
                                qm=4, n_layers=1) == 3840
    # Smallest TBS.
    assert transport_block_size(n_prb=1, n_symb_sh=1, n_dmrs_prb=11, target_code_rate=30 / 1024,
                                qm=1, n_layers=1) == 24


def test_tbs_lbrm():
    # TS 38.212 §5.4.2.1 for 273 PRBs, 4 layers, 256QAM: 159749 bytes (a widely used default).
    assert tbs_lbrm(n_prb_lbrm=273, max_layers=4, max_qm=8) == 159749 * 8
    # More than 4 layers count as 4.
    assert tbs_lbrm(n_prb_lbrm=273, max_layers=8, max_qm=8) == 159749 * 8
    for n in (32, 66, 107, 135, 162, 217, 273):
        for layers in (1, 2, 4):
            for qm in (6, 8, 10):
                expect = transport_block_size(n_prb=n, n_symb_sh=14, n_dmrs_prb=12,
                                              target_code_rate=948 / 1024, qm=qm,
                                              n_layers=layers)
                assert tbs_lbrm(n_prb_lbrm=n, max_layers=layers, max_qm=qm) == expect


@pytest.mark.parametrize(("n_max", "expect"), [(1, 32), (32, 32), (33, 66), (66, 66), (67, 107),
                                               (107, 107), (108, 135), (135, 135), (136, 162),
                                               (162, 162), (163, 217), (217, 217), (218, 273),
                                               (275, 273)])
def test_n_prb_lbrm_table_5_4_2_1_1(n_max, expect):
    assert n_prb_lbrm(n_max) == expect


def test_errors():
    kw = dict(n_prb=10, n_symb_sh=12, n_dmrs_prb=12, target_code_rate=0.5, qm=2, n_layers=1)
    with pytest.raises(ConfigError, match="n_symb_sh=15"):
        transport_block_size(**{**kw, "n_symb_sh": 15})
    with pytest.raises(ConfigError, match="n_prb=0"):
        transport_block_size(**{**kw, "n_prb": 0})
    with pytest.raises(ConfigError, match="qm=3: must be one of"):
        transport_block_size(**{**kw, "qm": 3})
    with pytest.raises(ConfigError, match="n_layers=5"):
        transport_block_size(**{**kw, "n_layers": 5})
    with pytest.raises(ConfigError, match=r"scaling=0\.3"):
        transport_block_size(**{**kw, "scaling": 0.3})
    with pytest.raises(ConfigError, match=r"target_code_rate=1\.0"):
        transport_block_size(**{**kw, "target_code_rate": 1.0})
    with pytest.raises(ConfigError, match="target_code_rate=None"):
        transport_block_size(**{**kw, "target_code_rate": None})
    with pytest.raises(ConfigError, match="N'_RE = 12\\*1 - 12 - 0 = 0"):
        transport_block_size(**{**kw, "n_symb_sh": 1})
    with pytest.raises(ConfigError, match="n_prb_bwp_max=276"):
        n_prb_lbrm(276)
    with pytest.raises(ConfigError, match="n_prb_bwp_max=0"):
        n_prb_lbrm(0)
    with pytest.raises(ConfigError, match="n_prb_lbrm=100"):
        tbs_lbrm(n_prb_lbrm=100, max_layers=4, max_qm=8)
    with pytest.raises(ConfigError, match="max_qm=7"):
        tbs_lbrm(n_prb_lbrm=273, max_layers=4, max_qm=7)

"""PDCCH and its DM-RS (TS 38.211 §7.3.2, §7.4.1.3) against the pdcch vectors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import pdcch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.coreset import CoresetConfig
from opennr.physical.pdcch import (
    PdcchConfig,
    pdcch_cce_dmrs,
    pdcch_cce_indices,
    pdcch_dmrs,
    pdcch_dmrs_values,
    pdcch_grid,
    pdcch_indices,
    pdcch_modulate,
    pdcch_scrambling_n_rnti,
    pdcch_symbols,
)
from opennr.physical.search_space import SearchSpaceConfig, candidate_cces
from opennr.sequences.gold import gold_sequence

PDCCH_FILES = vector_files("pdcch", "nrPDCCH_*.mat")


@pytest.mark.parametrize("path", PDCCH_FILES, ids=lambda p: p.stem[:48])
def test_pdcch_slots_match_vectors(path):
    case = pdcch_vector_case(path)
    for s in range(case.rm.shape[0]):
        np.testing.assert_allclose(pdcch_symbols(case.rm[s], case.carrier, case.pdcch), case.symbols[s],
                                   atol=1e-4)
        _, values = pdcch_dmrs(case.carrier, case.pdcch, n_slot=s)
        np.testing.assert_allclose(values, case.dmrs[s], atol=1e-4)
        grid = pdcch_grid(case.rm[s], case.carrier, case.pdcch, n_slot=s)
        np.testing.assert_allclose(grid[0], case.grid[s], atol=1e-4)


@pytest.mark.parametrize("path", PDCCH_FILES[:4], ids=lambda p: p.stem[:48])
def test_pdcch_placed_by_cce_index_matches_vectors(path):
    # The candidate's CCEs from the hashing, then the CCE-level functions alone build the grid.
    case = pdcch_vector_case(path)
    c, p = case.carrier, case.pdcch
    n_id = c.n_cell_id if p.n_id is None else p.n_id
    n_rnti = pdcch_scrambling_n_rnti(p.rnti, p.n_id, p.search_space.search_space_type == "ue")
    for s in range(case.rm.shape[0]):
        cces = candidate_cces(p.coreset, p.search_space, p.aggregation_level, p.candidate, s,
                              max(p.rnti, 1), n_ci=p.n_ci)
        grid = np.zeros(c.symbols_per_slot * c.n_subcarriers, np.complex64)
        start = p.search_space.start_symbol
        grid[pdcch_cce_indices(c, p.coreset, cces, start_symbol=start)] = \
            pdcch_modulate(case.rm[s], n_rnti, n_id)
        idx, val = pdcch_cce_dmrs(c, p.coreset, cces, start_symbol=start, n_id=n_id, n_slot=s)
        grid[idx] = val
        np.testing.assert_allclose(grid.reshape(case.grid[s].shape), case.grid[s], atol=1e-4)


def test_pdcch_by_cce_index_rejects_cces_outside_the_coreset():
    carrier = Carrier(n_size_grid=24)
    cs = CoresetConfig(frequency_resources=(1, 1))
    with pytest.raises(ConfigError, match="cces"):
        pdcch_cce_indices(carrier, cs, [cs.n_cce], start_symbol=0)
    with pytest.raises(ConfigError, match="n_id"):
        pdcch_cce_dmrs(carrier, cs, [0], start_symbol=0, n_id=70000)
    with pytest.raises(ConfigError, match="start_symbol"):
        pdcch_cce_indices(carrier, cs, [0], start_symbol=14)


def test_vectors_cover_every_configuration_class():
    seen = set()
    for path in PDCCH_FILES:
        cs = pdcch_vector_case(path).pdcch
        seen.add((cs.coreset.cce_reg_mapping, cs.coreset.precoder_granularity))
        seen.add(("L", cs.aggregation_level))
        seen.add(("dur", cs.coreset.duration, cs.coreset.reg_bundle_size))
    assert {("interleaved", "allContiguousRBs"), ("noninterleaved", "sameAsREG-bundle")} <= seen
    assert {("L", x) for x in (1, 2, 4, 8, 16)} <= seen
    assert {("dur", 1, 6), ("dur", 2, 2), ("dur", 2, 6)} <= seen


def _dmrs_reference(n_id, slot, symbol, rbs_from_ref):
    c_init = ((1 << 17) * (14 * slot + symbol + 1) * (2 * n_id + 1) + 2 * n_id) % (1 << 31)
    c = gold_sequence(c_init, 2 * 3 * (max(rbs_from_ref) + 1)).astype(float)
    r = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2])) / np.sqrt(2)
    return np.stack([r[3 * n:3 * n + 3] for n in rbs_from_ref])


def test_coreset0_dmrs_is_counted_from_the_coreset_start():
    carrier = Carrier(n_size_grid=52, n_cell_id=77)
    cs0 = CoresetConfig.coreset0(n_start=10, n_rb=24, duration=2, n_cell_id=77)
    other = dataclasses.replace(cs0, coreset_id=1, shift_index=77)
    v0 = pdcch_dmrs_values(carrier, cs0, 0, 77, 3)
    v1 = pdcch_dmrs_values(carrier, other, 0, 77, 3)
    np.testing.assert_allclose(v0[1], _dmrs_reference(77, 3, 1, range(24)), atol=1e-6)
    np.testing.assert_allclose(v1[1], _dmrs_reference(77, 3, 1, range(10, 34)), atol=1e-6)


def _pdcch(**cs_kwargs):
    cs = CoresetConfig(**cs_kwargs)
    ss = SearchSpaceConfig(start_symbol=1, num_candidates=(4, 2, 1, 1, 0))
    return PdcchConfig(coreset=cs, search_space=ss, aggregation_level=2, candidate=1, rnti=0x4601)


def test_duration_3_interleaved_mapping_is_consistent(rng):
    carrier = Carrier(n_size_grid=24, n_cell_id=3)
    pdcch = _pdcch(frequency_resources=(1, 1, 1, 1), duration=3, cce_reg_mapping="interleaved",
                   reg_bundle_size=3, interleaver_size=2, shift_index=9)
    data = pdcch_indices(carrier, pdcch, n_slot=0)
    dmrs, _ = pdcch_dmrs(carrier, pdcch, n_slot=0)
    assert data.size == 108 and np.unique(data).size == 108 and not np.isin(data, dmrs).any()
    k = carrier.n_subcarriers
    assert set(np.unique(data // k)) == {1, 2, 3}
    assert set(np.unique((dmrs % k) % 12)) == {1, 5, 9}
    assert dmrs.size == 108 // 3          # sameAsREG-bundle: 3 DM-RS per REG of the PDCCH
    bits = rng.integers(0, 2, 216).astype(np.uint8)
    grid = pdcch_grid(bits, carrier, pdcch, n_slot=0).reshape(-1)
    np.testing.assert_array_equal(grid[data], pdcch_symbols(bits, carrier, pdcch))
    assert np.count_nonzero(grid) == 108 + 36
    # mapping order: subcarrier first, then symbol
    assert (np.diff(data // k) >= 0).all()


def test_all_contiguous_rbs_covers_only_the_run_of_the_pdcch():
    carrier = Carrier(n_size_grid=52)
    pdcch = _pdcch(frequency_resources=(1, 1, 0, 1, 1), duration=1,
                   precoder_granularity="allContiguousRBs")
    data = pdcch_indices(carrier, pdcch, n_slot=0)
    dmrs, _ = pdcch_dmrs(carrier, pdcch, n_slot=0)
    rb_data = set(((data % carrier.n_subcarriers) // 12).tolist())
    rb_dmrs = set(((dmrs % carrier.n_subcarriers) // 12).tolist())
    run = set(range(0, 12)) if max(rb_data) < 12 else set(range(18, 30))
    assert rb_data <= run and rb_dmrs == run


def test_scrambling_rnti_rule():
    cs = CoresetConfig(frequency_resources=(1, 1))
    ue = SearchSpaceConfig(num_candidates=(1, 0, 0, 0, 0))
    css = dataclasses.replace(ue, search_space_type="common")
    assert PdcchConfig(coreset=cs, search_space=ue, rnti=9, n_id=5).scrambling_n_rnti == 9
    assert PdcchConfig(coreset=cs, search_space=css, rnti=9, n_id=5).scrambling_n_rnti == 0
    assert PdcchConfig(coreset=cs, search_space=ue, rnti=9).scrambling_n_rnti == 0
    assert pdcch_scrambling_n_rnti(9, 5, True) == 9 and pdcch_scrambling_n_rnti(9, 0, True) == 9
    assert pdcch_scrambling_n_rnti(9, None, True) == pdcch_scrambling_n_rnti(9, 5, False) == 0


def test_wrong_bit_count_is_rejected():
    carrier = Carrier(n_size_grid=24)
    pdcch = _pdcch(frequency_resources=(1, 1, 1, 1))
    with pytest.raises(ValueError, match="108 L"):
        pdcch_grid(np.zeros(108, np.uint8), carrier, pdcch)

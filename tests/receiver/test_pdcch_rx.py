"""Blind decoding of the PDCCH: the scheduled DCI is found, and nothing else."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import pdcch_vector_case, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.coreset import CoresetConfig
from opennr.physical.pdcch import PdcchConfig, pdcch_grid
from opennr.physical.search_space import SearchSpaceConfig, candidate_cces
from opennr.receiver.pdcch_rx import MonitoredSearchSpace, pdcch_blind_decode
from opennr.transport.dci import DciConfig, dci_formats
from opennr.transport.dci_coding import dci_encode


def _noise(rng, shape, sigma2):
    return ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * np.sqrt(sigma2 / 2)).astype(
        np.complex64)


@pytest.mark.parametrize("path", vector_files("pdcch", "nrPDCCH_*.mat"), ids=lambda p: p.stem[:48])
def test_vector_slots_decode_to_the_scheduled_dci(path, rng):
    case = pdcch_vector_case(path)
    p = case.pdcch
    mon = MonitoredSearchSpace(p.coreset, p.search_space, (case.dci.shape[1],), n_id=p.n_id)
    for s in range(case.rm.shape[0]):
        y = case.grid[s][None] + _noise(rng, (1, *case.grid[s].shape), 0.1)   # 10 dB
        found = pdcch_blind_decode(y, case.carrier, [mon], p.rnti, n_slot=s)
        assert len(found) == 1
        d = found[0]
        np.testing.assert_array_equal(d.bits, case.dci[s])
        assert (d.aggregation_level, d.candidate) == (p.aggregation_level, p.candidate)
        assert list(d.cces) == candidate_cces(p.coreset, p.search_space, p.aggregation_level,
                                              p.candidate, s, p.rnti).tolist()
        assert d.correlation > 0.8


def _random_coreset(rng, n_rb_carrier):
    dur = int(rng.integers(1, 4))
    for _ in range(100):
        n_groups = int(rng.integers(1, n_rb_carrier // 6 + 1))
        inter = bool(rng.integers(0, 2))
        size = int(rng.choice((2, 6) if dur == 1 else (dur, 6))) if inter else 6
        r = int(rng.choice((2, 3, 6)))
        if inter and (6 * n_groups * dur) % (size * r):
            continue
        return CoresetConfig(coreset_id=int(rng.integers(1, 12)), frequency_resources=(1,) * n_groups,
                             duration=dur, cce_reg_mapping="interleaved" if inter else "noninterleaved",
                             reg_bundle_size=size, interleaver_size=r, shift_index=int(rng.integers(0, 275)),
                             precoder_granularity=str(rng.choice(["sameAsREG-bundle", "allContiguousRBs"])))
    raise AssertionError("no coreset")


def _random_setup(rng):
    carrier = Carrier(scs=30, n_size_grid=51, n_cell_id=int(rng.integers(0, 1008)),
                      n_slot=int(rng.integers(0, 20)))
    cs = _random_coreset(rng, 51)
    counts = tuple(int(rng.choice([m for m in (0, 1, 2, 4, 6, 8) if m <= cs.n_cce // lv]))
                   for lv in (1, 2, 4, 8, 16))
    if not any(counts):
        counts = (1, 0, 0, 0, 0)
    ss = SearchSpaceConfig(search_space_type=str(rng.choice(["common", "ue"])),
                           start_symbol=int(rng.integers(0, 14 - cs.duration + 1)), num_candidates=counts)
    levels = [lv for lv, m in zip((1, 2, 4, 8, 16), counts, strict=True) if m]
    level = int(rng.choice(levels))
    pdcch = PdcchConfig(coreset=cs, search_space=ss, aggregation_level=level,
                        candidate=int(rng.integers(0, counts[(1, 2, 4, 8, 16).index(level)])),
                        rnti=int(rng.integers(1, 65520)),
                        n_id=None if rng.integers(0, 2) else int(rng.integers(0, 65536)))
    return carrier, pdcch


def _per_bundle_channel(rng, carrier, pdcch):
    """A random phase and a gain of 0.7 .. 1.3 per REG bundle (a precoder that changes from bundle
    to bundle)."""
    h = np.ones((carrier.symbols_per_slot, carrier.n_subcarriers), np.complex64)
    cs = pdcch.coreset
    per = cs.reg_bundle_size // cs.duration if cs.precoder_granularity == "sameAsREG-bundle" else cs.n_rb
    for b in range(0, cs.n_rb, per):
        g = rng.uniform(0.7, 1.3) * np.exp(2j * np.pi * rng.uniform())
        k = 12 * (cs.crbs[b:b + per] - carrier.n_start_grid)
        h[:, k[0]:k[-1] + 12] = g
    return h


def test_random_configurations_find_exactly_the_scheduled_dci(rng):
    fmt = dci_formats(DciConfig(n_size_bwp_dl=51, n_size_bwp_ul=51))
    f10 = fmt[("1_0", "ue")]
    for _ in range(40):
        carrier, pdcch = _random_setup(rng)
        payload = f10.pack(mcs=int(rng.integers(0, 32)), harq_process_number=int(rng.integers(0, 16)),
                           frequency_domain_resource_assignment=int(rng.integers(0, 1326)))
        e = 108 * pdcch.aggregation_level
        grid = pdcch_grid(dci_encode(payload, pdcch.rnti, e), carrier, pdcch)[0]
        h = _per_bundle_channel(rng, carrier, pdcch)
        y = (grid * h * 2)[None] + _noise(rng, (1, *grid.shape), 0.1)
        mon = MonitoredSearchSpace(pdcch.coreset, pdcch.search_space, (fmt[("0_0", "ue")], f10),
                                   n_id=pdcch.n_id)
        found = pdcch_blind_decode(y, carrier, [mon], pdcch.rnti)
        assert len(found) == 1, (pdcch, found)
        d = found[0]
        assert d.format == "1_0" and d.fields["mcs"] == f10.unpack(payload)["mcs"]
        assert (d.aggregation_level, d.candidate) == (pdcch.aggregation_level, pdcch.candidate)
        # another UE does not see it
        assert pdcch_blind_decode(y, carrier, [mon], pdcch.rnti ^ 0x0101) == []


def test_noise_only_slots_give_nothing(rng):
    sizes = (39, 41, 45)
    n_candidates = 0
    for _ in range(25):
        carrier, pdcch = _random_setup(rng)
        y = _noise(rng, (2, carrier.symbols_per_slot, carrier.n_subcarriers), 1.0)
        mon = MonitoredSearchSpace(pdcch.coreset, pdcch.search_space, sizes, n_id=pdcch.n_id)
        assert pdcch_blind_decode(y, carrier, [mon], pdcch.rnti) == []
        n_candidates += sum(pdcch.search_space.num_candidates) * len(sizes)
    assert n_candidates > 300


def _nested_setup():
    # 16 CCEs in one symbol, non-interleaved: the level-16 candidate holds both level-8 ones, and
    # the first 864 of its 1728 bits (rate matching by repetition of N = 512) fill CCEs 0 .. 7.
    carrier = Carrier(n_size_grid=106, n_cell_id=5)
    cs = CoresetConfig(frequency_resources=(1,) * 16, duration=1)
    ss = SearchSpaceConfig(search_space_type="common", num_candidates=(0, 0, 0, 2, 1))
    return carrier, cs, ss


@pytest.mark.parametrize("level, candidate", [(16, 0), (8, 0)])
def test_nested_candidates_report_once_at_the_transmitted_level(level, candidate, rng):
    carrier, cs, ss = _nested_setup()
    pdcch = PdcchConfig(coreset=cs, search_space=ss, aggregation_level=level, candidate=candidate,
                        rnti=0x1234)
    payload = rng.integers(0, 2, 40).astype(np.uint8)
    grid = pdcch_grid(dci_encode(payload, 0x1234, 108 * level), carrier, pdcch)
    y = grid + _noise(rng, grid.shape, 0.01)
    found = pdcch_blind_decode(y, carrier, [MonitoredSearchSpace(cs, ss, (40,))], 0x1234)
    assert len(found) == 1
    assert (found[0].aggregation_level, found[0].candidate) == (level, candidate)


def test_two_ues_in_one_slot(rng):
    carrier = Carrier(n_size_grid=106, n_cell_id=9, n_slot=4)
    cs = CoresetConfig(frequency_resources=(1,) * 16, duration=2, cce_reg_mapping="interleaved",
                       reg_bundle_size=6, interleaver_size=2, shift_index=9)
    ss = SearchSpaceConfig(num_candidates=(0, 4, 2, 1, 0))
    a = PdcchConfig(coreset=cs, search_space=ss, aggregation_level=4, candidate=0, rnti=100)
    b = dataclasses.replace(a, rnti=200, aggregation_level=2, candidate=1)
    ca = set(candidate_cces(cs, ss, 4, 0, 4, 100).tolist())
    cb = set(candidate_cces(cs, ss, 2, 1, 4, 200).tolist())
    assert not ca & cb
    pa, pb = rng.integers(0, 2, (2, 45)).astype(np.uint8)
    grid = pdcch_grid(dci_encode(pa, 100, 432), carrier, a)
    grid = pdcch_grid(dci_encode(pb, 200, 216), carrier, b, grid=grid)
    y = grid + _noise(rng, grid.shape, 0.05)
    mon = MonitoredSearchSpace(cs, ss, (45,))
    fa = pdcch_blind_decode(y, carrier, [mon], 100)
    fb = pdcch_blind_decode(y, carrier, [mon], 200)
    assert [(d.rnti, d.aggregation_level) for d in fa] == [(100, 4)]
    assert [(d.rnti, d.aggregation_level) for d in fb] == [(200, 2)]
    np.testing.assert_array_equal(fa[0].bits, pa)
    np.testing.assert_array_equal(fb[0].bits, pb)


def test_early_rejection_skips_empty_candidates(rng):
    carrier, cs, ss = _nested_setup()
    y = _noise(rng, (1, 14, carrier.n_subcarriers), 1.0)
    mon = MonitoredSearchSpace(cs, ss, (40,))
    assert pdcch_blind_decode(y, carrier, [mon], 7, min_dmrs_snr_db=0.0) == []
    pdcch = PdcchConfig(coreset=cs, search_space=ss, aggregation_level=8, candidate=0, rnti=7)
    payload = rng.integers(0, 2, 40).astype(np.uint8)
    y = y + pdcch_grid(dci_encode(payload, 7, 864), carrier, pdcch) * 2
    found = pdcch_blind_decode(y, carrier, [mon], 7, min_dmrs_snr_db=0.0)
    assert len(found) == 1 and found[0].snr_db > 0


def test_bad_input():
    carrier, cs, ss = _nested_setup()
    with pytest.raises(ValueError, match="grid"):
        pdcch_blind_decode(np.zeros((14, 10), np.complex64), carrier, [MonitoredSearchSpace(cs, ss, (40,))])
    with pytest.raises(ConfigError) as err:
        MonitoredSearchSpace(cs, ss, ())
    assert err.value.field == "dci_formats"
    with pytest.raises(ConfigError) as err:
        MonitoredSearchSpace(cs, ss, (141,))
    assert err.value.field == "dci_formats (size)"

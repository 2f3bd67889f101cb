"""Tests of the VRB-to-PRB mapping of TS 38.211 §7.3.1.6 (worked examples from the formula and
properties), and of the PDSCH on interleaved VRBs."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.dmrs import dmrs_re_values
from opennr.physical.pdsch import PdschConfig, pdsch_dmrs, pdsch_indices, pdsch_plan
from opennr.physical.vrb import vrb_bundles, vrb_prb_map, vrb_to_prb

# (N_BWP^start, N_BWP^size, L, PRB of each VRB)
WORKED = [
    # 6 bundles of 2; R = 2, C = 3; f(j) = rC + c for j = cR + r: f = 0, 3, 1, 4, 2 and the last
    # bundle 5 stays: VRB bundle 1 (VRBs 2, 3) -> PRB bundle 3 (PRBs 6, 7), ...
    (0, 12, 2, [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]),
    # 5 bundles of 2 (odd): C = 2, f = 0, 2, 1, 3 and bundle 4 stays
    (0, 10, 2, [0, 1, 4, 5, 2, 3, 6, 7, 8, 9]),
    # N_start = 3, L = 4: bundle 0 has 4 - 3 mod 4 = 1 RB, N_bundle = ceil((10 + 3) / 4) = 4, the
    # last has (3 + 10) mod 4 = 1 RB: [0] [1..4] [5..8] [9]; C = 2, f = 0, 2, 1, 3
    (3, 10, 4, [0, 5, 6, 7, 8, 1, 2, 3, 4, 9]),
    # N_start = 1, L = 2: bundle 0 = [0], then [1,2] [3,4] [5,6] [7,8] [9,10] (last: (1 + 11)
    # mod 2 = 0 -> 2 RBs); N_bundle = 6, C = 3, f = 0, 3, 1, 4, 2, 5
    (1, 11, 2, [0, 5, 6, 1, 2, 7, 8, 3, 4, 9, 10]),
    # one bundle: nothing moves
    (0, 4, 4, [0, 1, 2, 3]),
    # N_start = 2, size 2, L = 4: bundle 0 = 4 - 2 = 2 RBs = everything
    (2, 2, 4, [0, 1]),
]


@pytest.mark.parametrize("start,size,lsz,expected", WORKED)
def test_worked_examples(start, size, lsz, expected):
    got = vrb_prb_map(start, size, lsz)
    assert got.tolist() == expected
    assert vrb_to_prb(np.arange(size), n_start_bwp=start, n_size_bwp=size,
                      bundle_size=lsz).tolist() == expected


def test_bundle_sizes():
    # first: L - N_start mod L, last: (N_start + N_size) mod L or L, others L
    assert np.diff(vrb_bundles(3, 10, 4)).tolist() == [1, 4, 4, 1]
    assert np.diff(vrb_bundles(4, 10, 4)).tolist() == [4, 4, 2]
    assert np.diff(vrb_bundles(5, 273, 2)).tolist() == [1] + [2] * 136
    assert np.diff(vrb_bundles(0, 1, 2)).tolist() == [1]


@pytest.mark.parametrize("lsz", [2, 4])
def test_permutation_and_bundle_contiguity(lsz):
    for start in range(0, 9):
        for size in [*range(1, 40), 106, 272, 273, 275]:
            m = vrb_prb_map(start, size, lsz)
            assert sorted(m.tolist()) == list(range(size))
            edges = vrb_bundles(start, size, lsz)
            n_b = edges.size - 1
            prb_starts = set()
            for j in range(n_b):
                seg = m[edges[j]:edges[j + 1]]
                assert np.all(np.diff(seg) == 1)          # a bundle stays contiguous
                assert int(seg[0]) in edges[:-1]          # ... and lands on a bundle start
                prb_starts.add(int(seg[0]))
            assert len(prb_starts) == n_b
            # the first and the last bundles stay in place
            assert m[0] == 0 and m[-1] == size - 1
            # the interleaver: f(j) for j = cR + r is rC + c (R = 2, C = floor(N_bundle / 2))
            c_size = n_b // 2
            for j in range(n_b - 1):
                c, r = divmod(j, 2)
                assert m[edges[j]] == edges[r * c_size + c]


def test_non_interleaved_is_the_identity_and_errors():
    assert vrb_prb_map(7, 5, None).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ConfigError) as e:
        vrb_prb_map(0, 10, 3)
    assert e.value.field == "bundle_size" and "7.3.1.6" in e.value.clause
    with pytest.raises(ConfigError, match="N_BWP"):
        vrb_to_prb([10], n_start_bwp=0, n_size_bwp=10, bundle_size=2)
    with pytest.raises(ConfigError):
        PdschConfig(vrb_bundle_size=8)


def test_pdsch_on_interleaved_vrbs():
    carrier = Carrier(scs=30, n_size_grid=30, n_start_grid=5)
    vrbs = (2, 3, 4, 5, 6)
    cfg = PdschConfig(prb_set=vrbs, n_start_bwp=7, n_size_bwp=20, vrb_bundle_size=4,
                      n_layers=2)
    prbs = vrb_to_prb(np.array(vrbs), n_start_bwp=7, n_size_bwp=20, bundle_size=4)
    # N_start = 7: bundles [0] [1..4] [5..8] [9..12] [13..16] [17..19]; N_bundle = 6, C = 3,
    # f = 0, 3, 1, 4, 2: VRB bundle 1 -> PRB bundle 3, so VRBs 2..4 (places 1..3 of bundle 1)
    # -> PRBs 10..12; VRB bundle 2 -> PRB bundle 1, so VRBs 5, 6 -> PRBs 1, 2
    assert prbs.tolist() == [10, 11, 12, 1, 2]
    plan = pdsch_plan(carrier, cfg)
    crbs = np.sort(prbs) + 7
    assert plan.crbs.tolist() == crbs.tolist()
    # data: frequency first over the VRBs in increasing VRB order, placed on their PRBs
    idx = pdsch_indices(carrier, cfg)
    first_symbol = idx[idx // carrier.n_subcarriers == 0]
    k_expected = ((prbs + 7 - 5)[:, None] * 12 + np.arange(12)).reshape(-1)
    assert first_symbol.tolist() == k_expected.tolist()
    # the DM-RS sequence follows the CRB it is on
    d_idx, d_val = pdsch_dmrs(carrier, cfg, 3)
    k, v = dmrs_re_values(1, 1, crbs, plan.dmrs_symbols, plan.dmrs_l_prime, n_symb_slot=14,
                          n_s=3, n_id=carrier.n_cell_id, n_scid=0, beta=cfg.dmrs.beta)
    assert (d_idx[1] % carrier.n_subcarriers).tolist() == (k - 12 * 5).tolist()
    np.testing.assert_allclose(d_val[1], v.reshape(-1))
    # the same REs as the non-interleaved PDSCH on those PRBs, in another order
    plain = PdschConfig(prb_set=tuple(np.sort(prbs).tolist()), n_start_bwp=7, n_size_bwp=20,
                        n_layers=2)
    assert sorted(idx.tolist()) == sorted(pdsch_indices(carrier, plain).tolist())
    assert not np.array_equal(idx, pdsch_indices(carrier, plain))

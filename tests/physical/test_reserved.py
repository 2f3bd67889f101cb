"""Tests of the reserved RE sets of TS 38.214 §5.1.4 (CORESET, SS/PBCH blocks, listed CSI-RS REs)
and of a PDSCH rate-matched around them."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.coreset import CoresetConfig
from opennr.physical.pdsch import (
    PdschConfig,
    pdsch_bit_capacity,
    pdsch_dmrs,
    pdsch_grid,
    pdsch_indices,
    pdsch_ptrs,
)
from opennr.physical.ptrs import PtrsConfig
from opennr.physical.reserved import (
    coreset_reserved,
    re_list_reserved,
    reserved_union,
    ssb_reserved,
)
from opennr.physical.ssb import SsBurstConfig

K = 52 * 12


def _carrier(**kw):
    return Carrier(scs=15, n_size_grid=52, **kw)


def test_coreset_res():
    # groups 0 and 2 of 6 RBs from 6 ceil(N_BWP^start / 6) = 6 (BWP from CRB 4): CRBs 6..11 and
    # 18..23, symbols 1 and 2
    c = _carrier()
    cs = CoresetConfig(frequency_resources=(1, 0, 1), duration=2, n_start_bwp=4)
    r = coreset_reserved(c, cs, start_symbol=1)
    k = np.r_[72:144, 216:288]
    expected = np.sort(np.r_[1 * K + k, 2 * K + k])
    assert r.tolist() == expected.tolist()
    with pytest.raises(ConfigError):
        coreset_reserved(c, cs, start_symbol=13)


def test_ssb_res_whole_prbs_in_the_block_symbols():
    # case A, L_max 4: blocks at symbols 2, 8 (slot 0) and 16, 22 (slot 1) of the half frame;
    # first subcarrier 12 * 10 + 6 = 126 -> subcarriers 126 .. 365 overlap RBs 10 .. 30
    c = _carrier()
    ssb = SsBurstConfig(carrier=c, case="A", l_max=4, n_crb_ssb=10, k_ssb=6, period=20,
                        transmitted=(1, 0, 1, 1))
    k = np.arange(120, 372)
    # slot 0: block 0 at symbols 2 .. 5 (block 1 at 8 .. 11 is not transmitted)
    slot0 = ssb_reserved(c, ssb, n_slot=0)
    exp0 = np.sort((np.array([2, 3, 4, 5])[:, None] * K + k).reshape(-1))
    assert slot0.tolist() == exp0.tolist()
    # slot 1: blocks 2 and 3 at 16 - 14 = 2 and 22 - 14 = 8
    slot1 = ssb_reserved(c, ssb, n_slot=1)
    exp1 = np.sort((np.array([2, 3, 4, 5, 8, 9, 10, 11])[:, None] * K + k).reshape(-1))
    assert slot1.tolist() == exp1.tolist()
    assert ssb_reserved(c, ssb, n_slot=2).size == 0
    # second half frame: no burst with a 20 ms period; frame 2 has one again
    assert ssb_reserved(c, ssb, n_slot=5).size == 0
    assert ssb_reserved(c, ssb, n_slot=0, n_frame=1).size == 0
    assert ssb_reserved(c, ssb, n_slot=0, n_frame=2).size == slot0.size
    with pytest.raises(ConfigError, match="carrier grid"):
        ssb_reserved(Carrier(scs=15, n_size_grid=40), ssb, 0)


def test_re_list_and_union():
    c = _carrier()
    r = re_list_reserved(c, np.array([12, 12, 5]), np.array([3, 3, 600]))
    assert r.tolist() == [5 * K + 600, 12 * K + 3]
    assert reserved_union(r, np.array([1, 5 * K + 600])).tolist() == [1, 5 * K + 600, 12 * K + 3]
    with pytest.raises(ValueError, match="subcarriers"):
        re_list_reserved(c, [1], [K])
    with pytest.raises(ValueError, match="symbols"):
        re_list_reserved(c, [14], [0])
    with pytest.raises(ValueError, match="shapes"):
        re_list_reserved(c, [1, 2], [0])


def test_pdsch_rate_matched_around_coreset_ssb_and_csi_rs():
    c = _carrier()
    cs = CoresetConfig(frequency_resources=(1, 0, 1), duration=2, n_start_bwp=0)
    ssb = SsBurstConfig(carrier=c, case="A", l_max=4, n_crb_ssb=10, k_ssb=6)
    csi_k = 480 + 4 * np.arange(16)
    csi = re_list_reserved(c, np.full(16, 12), csi_k)
    reserved = reserved_union(coreset_reserved(c, cs, 0), ssb_reserved(c, ssb, 0), csi)
    cfg = PdschConfig(modulation="QPSK")
    # 13 data symbols x 624 (the DM-RS symbol 2 carries no data with 2 CDM groups without data);
    # the CORESET takes 2 x 12 RBs x 12 in symbols 0, 1; the SS/PBCH PRBs (RBs 10 .. 30, 252
    # subcarriers) take symbols 3, 4, 5, 8, 9, 10, 11 (symbol 2 is DM-RS); CSI-RS 16 REs
    n_re = 13 * 624 - 2 * 144 - 7 * 252 - 16
    assert n_re == 6044
    assert pdsch_bit_capacity(c, cfg, reserved=reserved) == (2 * n_re,)
    idx = pdsch_indices(c, cfg, reserved=reserved)
    assert idx.size == n_re and not np.intersect1d(idx, reserved).size
    bits = np.random.default_rng(0).integers(0, 2, 2 * n_re).astype(np.uint8)
    grid = pdsch_grid(bits, c, cfg, reserved=reserved).reshape(1, -1)
    d_idx, _ = pdsch_dmrs(c, cfg, 0)
    non_dmrs_reserved = np.setdiff1d(reserved, d_idx)
    assert np.all(grid[0, non_dmrs_reserved] == 0)


def test_ptrs_not_sent_on_reserved_res():
    c = _carrier()
    cfg = PdschConfig(ptrs=PtrsConfig(time_density=1, frequency_density=2))
    idx, val = pdsch_ptrs(c, cfg, 0)
    reserved = idx[::3]
    idx_r, val_r = pdsch_ptrs(c, cfg, 0, reserved=reserved)
    assert idx_r.size == idx.size - reserved.size
    assert not np.intersect1d(idx_r, reserved).size
    keep = ~np.isin(idx, reserved)
    np.testing.assert_array_equal(val_r, val[keep])
    # reserved PT-RS REs carry neither PT-RS nor data
    n_re = pdsch_indices(c, cfg, reserved=reserved).size
    assert n_re == pdsch_indices(c, cfg).size
    bits = np.zeros(2 * n_re, np.uint8)
    grid = pdsch_grid(bits, c, cfg, reserved=reserved).reshape(-1)
    assert np.all(grid[reserved] == 0) and np.all(grid[idx_r] == val_r)

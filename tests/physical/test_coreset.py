"""CORESETs and the CCE-to-REG mapping (TS 38.211 §7.3.2.2)."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.numerology import Carrier
from opennr.physical.coreset import (
    CoresetConfig,
    cce_reg_bundles,
    cce_regs,
    check_coreset,
    reg_bundle_interleaver,
)


def test_interleaver_worked_example():
    # 48 RBs x 2 symbols = 96 REGs, L = 2: 48 bundles, R = 3, C = 16, n_shift = 5:
    # f(cR + r) = (r C + c + n_shift) mod 48.
    cs = CoresetConfig(frequency_resources=(1,) * 8, duration=2, cce_reg_mapping="interleaved",
                       reg_bundle_size=2, interleaver_size=3, shift_index=5)
    f = reg_bundle_interleaver(cs)
    assert f[:4].tolist() == [5, 21, 37, 6]
    assert cce_reg_bundles(cs)[0].tolist() == [5, 21, 37]
    assert cce_regs(cs)[0].tolist() == [10, 11, 42, 43, 74, 75]


@pytest.mark.parametrize("kwargs", [
    {"frequency_resources": (1, 1, 0, 1), "duration": 1},
    {"frequency_resources": (1,) * 4, "duration": 2, "cce_reg_mapping": "interleaved", "reg_bundle_size": 2,
     "interleaver_size": 2, "shift_index": 7},
    {"frequency_resources": (1,) * 6, "duration": 3, "cce_reg_mapping": "interleaved", "reg_bundle_size": 3,
     "interleaver_size": 3, "shift_index": 274},
    {"frequency_resources": (1,) * 6, "duration": 1, "cce_reg_mapping": "interleaved", "reg_bundle_size": 6,
     "interleaver_size": 6, "shift_index": 1},
])
def test_cces_partition_the_regs(kwargs):
    cs = CoresetConfig(**kwargs)
    regs = cce_regs(cs)
    assert regs.shape == (cs.n_cce, 6)
    assert sorted(regs.reshape(-1).tolist()) == list(range(cs.n_reg))
    # each bundle is L consecutive REGs
    size = cs.reg_bundle_size
    for row in regs.reshape(-1, size):
        assert row[0] % size == 0 and (np.diff(row) == 1).all()


def test_non_interleaved_cce_is_six_consecutive_regs():
    cs = CoresetConfig(frequency_resources=(1, 1), duration=3)
    np.testing.assert_array_equal(cce_regs(cs), np.arange(36).reshape(6, 6))


def test_crbs_from_the_bitmap_and_bwp_start():
    cs = CoresetConfig(frequency_resources=(0, 1, 0, 1), n_start_bwp=7)
    # groups start at CRB 6 ceil(7/6) = 12
    assert cs.crbs.tolist() == list(range(18, 24)) + list(range(30, 36))
    cs = CoresetConfig(frequency_resources=(1,), n_start_bwp=7, rb_offset=2)
    assert cs.crbs.tolist() == list(range(9, 15))


def test_coreset0():
    cs = CoresetConfig.coreset0(n_start=10, n_rb=48, duration=2, n_cell_id=600)
    assert cs.coreset_id == 0 and cs.interleaved and cs.reg_bundle_size == 6
    assert cs.interleaver_size == 2 and cs.shift_index == 600
    assert cs.crbs[0] == 10 and cs.n_rb == 48


@pytest.mark.parametrize("kwargs, field", [
    ({"frequency_resources": (0, 0)}, "frequency_resources"),
    ({"frequency_resources": (1,) * 46}, "frequency_resources"),
    ({"frequency_resources": (1, 2)}, "frequency_resources"),
    ({"duration": 4}, "duration"),
    ({"cce_reg_mapping": "interleaved", "reg_bundle_size": 6, "interleaver_size": 2}, "interleaver_size"),
    ({"frequency_resources": (1,) * 5, "cce_reg_mapping": "interleaved", "reg_bundle_size": 6,
      "interleaver_size": 3}, "interleaver_size"),
    ({"cce_reg_mapping": "interleaved", "reg_bundle_size": 3}, "reg_bundle_size"),
    ({"duration": 2, "cce_reg_mapping": "interleaved", "reg_bundle_size": 3}, "reg_bundle_size"),
    ({"reg_bundle_size": 2}, "reg_bundle_size"),
    ({"frequency_resources": (1,) * 4, "cce_reg_mapping": "interleaved", "interleaver_size": 4},
     "interleaver_size"),
    ({"frequency_resources": (1,) * 4, "cce_reg_mapping": "interleaved", "shift_index": 275}, "shift_index"),
    ({"frequency_resources": (1,) * 4, "n_size_bwp": 20}, "frequency_resources"),
    ({"precoder_granularity": "wideband"}, "precoder_granularity"),
])
def test_bad_coreset_raises_config_error(kwargs, field):
    with pytest.raises(ConfigError) as err:
        CoresetConfig(**kwargs)
    assert err.value.field == field


def test_coreset_must_fit_carrier_and_slot():
    carrier = Carrier(n_size_grid=24)
    check_coreset(carrier, CoresetConfig(frequency_resources=(1,) * 4), 11)
    with pytest.raises(ConfigError) as err:
        check_coreset(carrier, CoresetConfig(frequency_resources=(1,) * 5), 0)
    assert err.value.field == "frequency_resources"
    with pytest.raises(ConfigError) as err:
        check_coreset(carrier, CoresetConfig(frequency_resources=(1,), duration=3), 12)
    assert err.value.field == "start_symbol"

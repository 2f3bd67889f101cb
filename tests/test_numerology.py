"""TS 38.211 §4 numerology: carrier validation, frame structure, OFDM dimensions, BWPs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.numerology import (
    Bwp,
    Carrier,
    bwp_offset,
    channel_bwp,
    check_bwp,
    check_bwp_fields,
    grid_shape,
    ofdm_info,
    resource_grid,
    slot_number,
)

# TS 38.211 Tables 4.2-1 and 4.3.2-1: scs (kHz) -> (mu, slots per subframe, slots per frame).
FRAME_STRUCTURE = {15: (0, 1, 10), 30: (1, 2, 20), 60: (2, 4, 40), 120: (3, 8, 80),
                   240: (4, 16, 160), 480: (5, 32, 320), 960: (6, 64, 640)}


@pytest.mark.parametrize("scs", sorted(FRAME_STRUCTURE))
def test_frame_structure(scs):
    mu, per_sf, per_frame = FRAME_STRUCTURE[scs]
    c = Carrier(scs=scs)
    assert (c.mu, c.slots_per_subframe, c.slots_per_frame) == (mu, per_sf, per_frame)
    assert c.symbols_per_slot == 14
    assert c.symbols_per_subframe == 14 * per_sf


def test_extended_cp_frame_structure():
    # Table 4.3.2-2: extended CP, mu = 2: 12 symbols per slot, 4 slots per subframe.
    c = Carrier(scs=60, cyclic_prefix="extended")
    assert (c.symbols_per_slot, c.slots_per_subframe, c.symbols_per_subframe) == (12, 4, 48)


def test_defaults_and_replace():
    c = Carrier()
    assert (c.scs, c.cyclic_prefix, c.n_size_grid, c.n_start_grid, c.n_slot) == \
        (15, "normal", 52, 0, 0)
    assert c.n_subcarriers == 624
    c2 = dataclasses.replace(c, n_slot=9)
    assert c2.n_slot == 9 and c.n_slot == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.scs = 30  # type: ignore[misc]
    assert hash(c) == hash(Carrier())


@pytest.mark.parametrize("scs", [15, 30, 120, 240, 480, 960])
def test_extended_cp_only_at_60khz(scs):
    with pytest.raises(ConfigError, match=r"cyclic_prefix='extended'.*only at scs=60"):
        Carrier(scs=scs, cyclic_prefix="extended")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"scs": 45}, r"scs=45: must be one of"),
    ({"scs": 15.0}, r"scs=15.0: must be an integer"),
    ({"cyclic_prefix": "short"}, r"cyclic_prefix='short'"),
    ({"n_size_grid": 0}, r"n_size_grid=0: must be >= 1"),
    ({"n_size_grid": 276}, r"n_size_grid=276: must be <= 275"),
    ({"n_start_grid": 2200}, r"n_start_grid=2200: must be <= 2199"),
    ({"n_start_grid": -1}, r"n_start_grid=-1"),
    ({"n_slot": 10}, r"n_slot=10: must be <= 9"),
    ({"scs": 30, "n_slot": 20}, r"n_slot=20: must be <= 19"),
    ({"n_frame": 1024}, r"n_frame=1024"),
    ({"n_cell_id": 1008}, r"n_cell_id=1008"),
    ({"n_size_grid": True}, r"n_size_grid=True: must be an integer"),
])
def test_carrier_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        Carrier(**kwargs)


def test_error_names_clause():
    with pytest.raises(ConfigError) as exc:
        Carrier(n_size_grid=300)
    assert exc.value.field == "n_size_grid" and exc.value.value == 300
    assert "TS 38.211" in str(exc.value)


def test_numpy_integers_are_accepted():
    c = Carrier(scs=np.int64(30), n_size_grid=np.uint16(106))
    assert type(c.scs) is int and type(c.n_size_grid) is int and c.mu == 1


@pytest.mark.parametrize(("n_rb", "nfft"), [(1, 128), (6, 128), (10, 256), (52, 1024),
                                            (106, 2048), (150, 4096), (216, 4096), (273, 4096),
                                            (275, 4096)])
def test_default_nfft(n_rb, nfft):
    # Smallest power of two >= 128 with at most 85 % occupancy (MATLAB nrOFDMInfo).
    info = ofdm_info(Carrier(n_size_grid=n_rb))
    assert info.nfft == nfft
    assert n_rb * 12 / nfft <= 0.85 and (nfft == 128 or n_rb * 12 / (nfft // 2) > 0.85)
    assert info.sample_rate == nfft * 15e3


def test_cp_lengths_15khz_2048():
    # N = 2048 at 15 kHz: 160 samples on symbols 0 and 7, 144 elsewhere (5.2 / 4.7 us).
    info = ofdm_info(Carrier(n_size_grid=106))
    assert info.cp_lengths == (160,) + (144,) * 6 + (160,) + (144,) * 6
    assert info.symbol_lengths == tuple(2048 + c for c in info.cp_lengths)


def test_cp_lengths_30khz():
    # mu = 1, N = 4096: long CP 144*2 + 16*2*2 = 352 on symbols 0 and 14 of the subframe.
    info = ofdm_info(Carrier(scs=30, n_size_grid=273))
    assert info.nfft == 4096 and info.sample_rate == 122.88e6
    assert len(info.cp_lengths) == 28
    long = [i for i, c in enumerate(info.cp_lengths) if c == 352]
    assert long == [0, 14]
    assert all(c == 288 for i, c in enumerate(info.cp_lengths) if i not in (0, 14))
    assert info.samples_per_slot == 61440


def test_extended_cp_lengths():
    # MATLAB nrOFDMInfo(150, 60, 'CyclicPrefix', 'extended'): Nfft 4096, 245.76 MHz.
    info = ofdm_info(Carrier(scs=60, cyclic_prefix="extended", n_size_grid=150))
    assert info.nfft == 4096 and info.sample_rate == 245.76e6
    assert info.cp_lengths == (1024,) * 48
    assert info.symbols_per_slot == 12


@pytest.mark.parametrize("scs", sorted(FRAME_STRUCTURE))
@pytest.mark.parametrize("nfft", [128, 384, 1024, 4096])
def test_subframe_is_one_millisecond(scs, nfft):
    # T_c-exact CPs: every subframe lasts exactly 1 ms whatever N and mu.
    info = ofdm_info(Carrier(scs=scs, n_size_grid=10), nfft=nfft)
    assert info.samples_per_subframe == round(info.sample_rate * 1e-3)
    # Spec form: N_CP = 144 kappa 2^-mu (+16 kappa), in T_c, scaled by N*scs*T_c.
    mu = FRAME_STRUCTURE[scs][0]
    t_c = 1 / (480e3 * 4096)
    scale = info.sample_rate * t_c
    short = 144 * 64 * 2.0**-mu * scale
    assert math.isclose(info.cp_lengths[1], short)
    assert math.isclose(info.cp_lengths[0], short + 16 * 64 * scale)
    if scs == 60:
        ext = ofdm_info(Carrier(scs=60, cyclic_prefix="extended", n_size_grid=10), nfft=nfft)
        assert ext.samples_per_subframe == info.samples_per_subframe
        assert math.isclose(ext.cp_lengths[0], 512 * 64 * 2.0**-mu * scale)


def test_sample_rate_option():
    c = Carrier(n_size_grid=52)
    assert ofdm_info(c, sample_rate=30.72e6).nfft == 2048
    assert ofdm_info(c, nfft=2048, sample_rate=30.72e6).sample_rate == 30.72e6


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"nfft": 1000}, r"nfft=1000: the FFT size must be a multiple of 128"),
    ({"nfft": 512}, r"nfft=512: the FFT size must be >= the 624 subcarriers"),
    ({"sample_rate": 20e6}, r"sample_rate=20000000.0: must be an integer multiple"),
    ({"sample_rate": 7.68e6}, r"sample_rate=7680000.0: the FFT size must be >= the 624"),
    ({"nfft": 1024, "sample_rate": 30.72e6}, r"must equal nfft \* scs = 15360000 Hz"),
    ({"sample_rate": "fast"}, r"sample_rate='fast'"),
])
def test_ofdm_info_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ofdm_info(Carrier(n_size_grid=52), **kwargs)


def test_bwp_inside_carrier():
    c = Carrier(n_size_grid=52, n_start_grid=10)
    bwp = Bwp(n_start_bwp=20, n_size_bwp=24)
    assert bwp_offset(c, bwp) == 10
    assert grid_shape(c, 2, bwp=bwp, n_slots=2) == (2, 28, 288)
    check_bwp(c, Bwp(n_start_bwp=10, n_size_bwp=52))
    with pytest.raises(ConfigError, match=r"n_start_bwp=5: must be >= n_start_grid=10"):
        check_bwp(c, Bwp(n_start_bwp=5, n_size_bwp=10))
    with pytest.raises(ConfigError, match=r"n_size_bwp=40: n_start_bwp \+ n_size_bwp must be"):
        grid_shape(c, bwp=Bwp(n_start_bwp=30, n_size_bwp=40))
    with pytest.raises(ConfigError, match=r"n_size_bwp=0"):
        Bwp(n_start_bwp=0, n_size_bwp=0)


def test_resource_grid():
    g = resource_grid(Carrier(scs=60, cyclic_prefix="extended", n_size_grid=11), 4)
    assert g.shape == (4, 12, 132) and g.dtype == np.complex64 and not g.any()
    with pytest.raises(ConfigError, match=r"n_ports=0"):
        grid_shape(Carrier(), 0)


def test_channel_bandwidth_part_defaults_to_the_carrier_and_must_lie_inside_it():
    carrier = Carrier(scs=30, n_size_grid=24, n_start_grid=10)
    assert channel_bwp(carrier, None, None) == Bwp(n_start_bwp=10, n_size_bwp=24)
    assert channel_bwp(carrier, 12, 8) == Bwp(n_start_bwp=12, n_size_bwp=8)
    with pytest.raises(ConfigError, match="n_start_bwp"):
        channel_bwp(carrier, 9, 8)
    with pytest.raises(ConfigError, match="n_size_bwp"):
        channel_bwp(carrier, 12, 23)
    check_bwp_fields(None, None)
    check_bwp_fields(0, 275)
    with pytest.raises(ConfigError, match="both"):
        check_bwp_fields(3, None)
    with pytest.raises(ConfigError, match="n_size_bwp"):
        check_bwp_fields(3, 276)


def test_slot_number_is_the_carriers_or_a_checked_one():
    carrier = Carrier(scs=30, n_slot=7)
    assert slot_number(carrier) == 7 and slot_number(carrier, 19) == 19
    with pytest.raises(ConfigError, match="n_slot"):
        slot_number(carrier, 20)      # 20 slots per frame at 30 kHz (TS 38.211 Table 4.3.2-1)

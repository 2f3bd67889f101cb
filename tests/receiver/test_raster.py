"""Synchronization raster (TS 38.104 §5.4.3.1 Table 5.4.3.1-1, §5.4.3.3 Tables 5.4.3.3-1/-2)."""

from __future__ import annotations

import pytest

from opennr.errors import ConfigError
from opennr.receiver.raster import (
    GSCN_MAX,
    GSCN_MIN,
    SsRasterPoint,
    band_ss_raster,
    band_ss_rasters,
    frequency_to_gscn,
    gscn_to_frequency,
    ss_raster_bands,
    ssb_raster_frequencies,
)


def test_gscn_formulas_at_the_range_edges():
    # Table 5.4.3.1-1, worked by hand: GSCN = 3N + (M - 3)/2 below 3 GHz (N·1200 kHz + M·50 kHz),
    # 7499 + N from 3000 MHz in 1.44 MHz steps, 22256 + N from 24250.08 MHz in 17.28 MHz steps.
    cases = {
        2: 1 * 1.2e6 + 1 * 50e3,            # N = 1, M = 1
        3: 1 * 1.2e6 + 3 * 50e3,            # N = 1, M = 3
        4: 1 * 1.2e6 + 5 * 50e3,            # N = 1, M = 5
        5279: 1760 * 1.2e6 + 1 * 50e3,      # n1 first: 2112.05 MHz
        5419: 1806 * 1.2e6 + 5 * 50e3,      # n1 last: 2167.45 MHz
        7498: 2499 * 1.2e6 + 5 * 50e3,
        7499: 3000e6,
        7711: 3000e6 + 212 * 1.44e6,        # n77/n78 first: 3305.28 MHz
        22255: 3000e6 + 14756 * 1.44e6,
        22256: 24250.08e6,
        22388: 24250.08e6 + 132 * 17.28e6,  # n257 first
        26639: 24250.08e6 + 4383 * 17.28e6,
    }
    for gscn, hz in cases.items():
        assert gscn_to_frequency(gscn) == pytest.approx(hz, abs=1e-3)
        assert frequency_to_gscn(hz) == gscn


def test_round_trip_and_monotonic_over_all_gscn():
    prev = 0.0
    for gscn in range(GSCN_MIN, GSCN_MAX + 1):
        f = gscn_to_frequency(gscn)
        assert f > prev
        prev = f
        assert frequency_to_gscn(f) == gscn
        assert frequency_to_gscn(f + 0.4) == gscn


def test_gscn_bad_input():
    for bad in (1, 26640, -3, 2.0, True, "7711"):
        with pytest.raises(ConfigError, match="gscn"):
            gscn_to_frequency(bad)
    for bad in (3.5e9 + 1e3, 2112.05e6 + 25e3, 24250.08e6 + 1e6, 0.0, 1.2e6, 2e11,
                float("nan"), "3.5e9", True):
        with pytest.raises(ConfigError, match="frequency"):
            frequency_to_gscn(bad)


def test_band_rasters():
    assert band_ss_raster("n78") == (30, "C", tuple(range(7711, 8052)))
    assert band_ss_raster(78) == band_ss_raster("78") == band_ss_raster("N78")
    assert band_ss_raster("n1") == (15, "A", tuple(range(5279, 5420)))
    assert band_ss_raster("n79")[2] == tuple(range(8480, 8881, 16))
    assert band_ss_raster("n41", 15) == (15, "A", tuple(range(6246, 6718, 3)))
    assert band_ss_raster("n41", 30) == (30, "C", tuple(range(6252, 6715, 3)))
    assert band_ss_raster("n66", 30)[:2] == (30, "B")
    assert band_ss_raster("n257", 120) == (120, "D", tuple(range(22388, 22559)))
    assert band_ss_raster("n257", 240) == (240, "E", tuple(range(22390, 22557, 2)))
    assert [r.scs for r in band_ss_rasters("n5")] == [15, 30]
    assert {r.case for b in ss_raster_bands() for r in band_ss_rasters(b)} == set("ABCDE")
    with pytest.raises(ConfigError, match=r"ssb_scs=None: band n41 allows"):
        band_ss_raster("n41")
    with pytest.raises(ConfigError, match=r"ssb_scs=30: must be one of \(15,\) kHz"):
        band_ss_raster("n1", 30)
    for bad in ("n999", "x78", 0, None, 78.0):
        with pytest.raises(ConfigError, match="band"):
            band_ss_rasters(bad)


# Second source for the bands whose raster is a list of GSCNs (notes of Table 5.4.3.3-1): the
# same table in an earlier release gave these first-<1>-last ranges; every listed GSCN must be
# inside its range.
_EARLIER_RANGES = {(34, 15): (5030, 5056), (38, 15): (6431, 6544), (39, 15): (4706, 4795),
                   (46, 30): (8993, 9530), (96, 30): (9531, 10363), (102, 30): (9531, 9877)}


def test_listed_rasters_inside_earlier_ranges():
    for (band, scs), (lo, hi) in _EARLIER_RANGES.items():
        _, _, gscns = band_ss_raster(band, scs)
        assert list(gscns) == sorted(set(gscns))
        assert lo <= gscns[0] and gscns[-1] <= hi


# TS 38.104 Table 5.2-1 / 5.2-2: downlink operating band edges (MHz) of some bands; every SS/PBCH
# block of the band's raster must lie inside them.
_DL_BANDS = {1: (2110, 2170), 3: (1805, 1880), 7: (2620, 2690), 8: (925, 960), 20: (791, 821),
             28: (758, 803), 41: (2496, 2690), 77: (3300, 4200), 78: (3300, 3800),
             79: (4400, 5000), 257: (26500, 29500), 258: (24250, 27500), 260: (37000, 40000),
             261: (27500, 28350)}


def test_raster_blocks_inside_their_bands():
    for band, (lo, hi) in _DL_BANDS.items():
        for r in band_ss_rasters(band):
            half = 120 * r.scs * 1e3
            for g in r.gscn:
                f = gscn_to_frequency(g)
                assert lo * 1e6 <= f - half and f + half <= hi * 1e6, (band, r.scs, g)


def test_raster_frequencies_inside_a_recording():
    f7850 = gscn_to_frequency(7850)
    # A 30 kHz block spans ±3.6 MHz; a recording of 7.2 MHz centred on it holds exactly it.
    points = ssb_raster_frequencies("n78", f7850, 7.2e6)
    assert points == (SsRasterPoint(gscn=7850, frequency=f7850, scs=30, case="C"),)
    assert ssb_raster_frequencies("n78", f7850, 7.19e6) == ()
    # 1.44 MHz raster: a 30.72 MHz recording holds the points within ±(15.36 − 3.6) MHz.
    points = ssb_raster_frequencies("n78", f7850, 30.72e6)
    assert [p.gscn for p in points] == list(range(7850 - 8, 7850 + 9))
    assert all(abs(p.frequency - f7850) + 3.6e6 <= 15.36e6 for p in points)
    # Edge of the band: only the band's own GSCNs are returned.
    assert [p.gscn for p in ssb_raster_frequencies("n78", gscn_to_frequency(7711),
                                                   30.72e6)] == list(range(7711, 7720))
    both = ssb_raster_frequencies("n41", gscn_to_frequency(6300), 40e6)
    assert {p.scs for p in both} == {15, 30}
    assert all(p.gscn % 3 == 0 for p in both)     # 6246 and 6252 + 3k are multiples of 3
    only = ssb_raster_frequencies("n41", gscn_to_frequency(6300), 40e6, ssb_scs=30)
    assert only == tuple(p for p in both if p.scs == 30)
    for name, value in (("centre_frequency", -1.0), ("centre_frequency", float("inf")),
                        ("bandwidth", 0.0), ("bandwidth", "wide")):
        kwargs = {"centre_frequency": 3.5e9, "bandwidth": 30.72e6, name: value}
        with pytest.raises(ConfigError, match=name):
            ssb_raster_frequencies("n78", **kwargs)
    with pytest.raises(ConfigError, match="ssb_scs"):
        ssb_raster_frequencies("n78", 3.5e9, 30.72e6, ssb_scs=15)

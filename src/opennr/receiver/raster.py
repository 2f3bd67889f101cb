"""TS 38.104 §5.4.3 — the synchronization raster: GSCN, SS_REF and the raster of each band.

The synchronization raster gives the frequency positions SS_REF of the SS/PBCH block (its
subcarrier 120, i.e. resource element 0 of resource block 10) where a UE looks for it during
cell search. Each position is numbered by a global synchronization channel number (GSCN), Table
5.4.3.1-1; each operating band allows a subset of them for one or two SS/PBCH subcarrier
spacings and block patterns (cases of TS 38.213 §4.1), Table 5.4.3.3-1 (FR1) and Table
5.4.3.3-2 (FR2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from opennr.errors import ConfigError

__all__ = [
    "GSCN_MAX",
    "GSCN_MIN",
    "SsRaster",
    "SsRasterPoint",
    "band_ss_raster",
    "band_ss_rasters",
    "frequency_to_gscn",
    "gscn_to_frequency",
    "ss_raster_bands",
    "ssb_raster_frequencies",
]

_CLAUSE = "TS 38.104 §5.4.3.1"
_CLAUSE_BAND = "TS 38.104 §5.4.3.3"

# TS 38.104 Table 5.4.3.1-1: GSCN parameters for the global frequency raster, in Hz.
#   0 - 3000 MHz:       SS_REF = N · 1200 kHz + M · 50 kHz, N = 1 .. 2499, M ∈ {1, 3, 5};
#                       GSCN = 3N + (M − 3)/2, 2 .. 7498.
#   3000 - 24250 MHz:   SS_REF = 3000 MHz + N · 1.44 MHz, N = 0 .. 14756; GSCN = 7499 + N.
#   24250 - 100000 MHz: SS_REF = 24250.08 MHz + N · 17.28 MHz, N = 0 .. 4383; GSCN = 22256 + N.
_LOW_N_STEP, _LOW_M_STEP, _LOW_N_MAX = 1_200_000, 50_000, 2499
_MID_BASE, _MID_STEP, _MID_GSCN0, _MID_N_MAX = 3_000_000_000, 1_440_000, 7499, 14756
_HIGH_BASE, _HIGH_STEP, _HIGH_GSCN0, _HIGH_N_MAX = 24_250_080_000, 17_280_000, 22256, 4383
#: Smallest and largest GSCN of Table 5.4.3.1-1.
GSCN_MIN, GSCN_MAX = 2, _HIGH_GSCN0 + _HIGH_N_MAX

# TS 38.104 Table 5.4.3.3-1 (FR1) and Table 5.4.3.3-2 (FR2): applicable SS raster per operating
# band: (band, SS/PBCH SCS in kHz, SS/PBCH block pattern (TS 38.213 §4.1), first GSCN, step,
# last GSCN). Bands whose raster is a list of GSCNs (the notes of Table 5.4.3.3-1) are in
# _SS_RASTER_LISTS instead.
_SS_RASTER_TABLE: tuple[tuple[int, int, str, int, int, int], ...] = (
    # Table 5.4.3.3-1 (FR1)
    (1, 15, "A", 5279, 1, 5419),
    (2, 15, "A", 4829, 1, 4969),
    (3, 15, "A", 4517, 1, 4693),
    (5, 15, "A", 2177, 1, 2230),
    (5, 30, "B", 2183, 1, 2224),
    (7, 15, "A", 6554, 1, 6718),
    (8, 15, "A", 2318, 1, 2395),
    (12, 15, "A", 1828, 1, 1858),
    (13, 15, "A", 1871, 1, 1885),
    (14, 15, "A", 1901, 1, 1915),
    (18, 15, "A", 2156, 1, 2182),
    (20, 15, "A", 1982, 1, 2047),
    (24, 15, "A", 3818, 1, 3892),
    (24, 30, "B", 3824, 1, 3886),
    (25, 15, "A", 4829, 1, 4981),
    (26, 15, "A", 2153, 1, 2230),
    (28, 15, "A", 1901, 1, 2002),
    (29, 15, "A", 1798, 1, 1813),
    (30, 15, "A", 5879, 1, 5893),
    (34, 30, "C", 5036, 1, 5050),
    (38, 30, "C", 6437, 1, 6538),
    (39, 30, "C", 4712, 1, 4789),
    (40, 30, "C", 5762, 1, 5989),
    (41, 15, "A", 6246, 3, 6717),
    (41, 30, "C", 6252, 3, 6714),
    (48, 30, "C", 7884, 1, 7982),
    (50, 30, "C", 3590, 1, 3781),
    (51, 15, "A", 3572, 1, 3574),
    (53, 15, "A", 6215, 1, 6232),
    (65, 15, "A", 5279, 1, 5494),
    (66, 15, "A", 5279, 1, 5494),
    (66, 30, "B", 5285, 1, 5488),
    (67, 15, "A", 1850, 1, 1888),
    (70, 15, "A", 4993, 1, 5044),
    (71, 15, "A", 1547, 1, 1624),
    (74, 15, "A", 3692, 1, 3790),
    (75, 15, "A", 3584, 1, 3787),
    (76, 15, "A", 3572, 1, 3574),
    (77, 30, "C", 7711, 1, 8329),
    (78, 30, "C", 7711, 1, 8051),
    (79, 30, "C", 8480, 16, 8880),
    (85, 15, "A", 1826, 1, 1858),
    (90, 30, "C", 6252, 1, 6714),
    (91, 15, "A", 3572, 1, 3574),
    (92, 15, "A", 3584, 1, 3787),
    (93, 15, "A", 3572, 1, 3574),
    (94, 15, "A", 3584, 1, 3787),
    (100, 15, "A", 2303, 1, 2307),
    (101, 15, "A", 4754, 1, 4768),
    (101, 30, "C", 4760, 1, 4764),
    (104, 30, "C", 9882, 7, 10358),
    # Table 5.4.3.3-2 (FR2)
    (257, 120, "D", 22388, 1, 22558),
    (257, 240, "E", 22390, 2, 22556),
    (258, 120, "D", 22257, 1, 22443),
    (258, 240, "E", 22258, 2, 22442),
    (260, 120, "D", 22995, 1, 23166),
    (260, 240, "E", 22996, 2, 23164),
    (261, 120, "D", 22446, 1, 22492),
    (261, 240, "E", 22446, 2, 22490),
)

# TS 38.104 Table 5.4.3.3-1, notes: bands whose SS raster is a list of GSCNs,
# (band, SCS kHz, case) -> GSCNs.
_SS_RASTER_LISTS: dict[tuple[int, int, str], tuple[int, ...]] = {
    (34, 15, "A"): (5032, 5043, 5054),
    (38, 15, "A"): (6432, 6443, 6457, 6468, 6479, 6493, 6507, 6518, 6532, 6543),
    (39, 15, "A"): (4707, 4715, 4718, 4729, 4732, 4743, 4747, 4754, 4761, 4768, 4772, 4782,
                    4786, 4793),
    (46, 30, "C"): (8996, 9010, 9024, 9038, 9051, 9065, 9079, 9093, 9107, 9121, 9218, 9232,
                    9246, 9260, 9274, 9288, 9301, 9315, 9329, 9343, 9357, 9371, 9385, 9402,
                    9416, 9430, 9444, 9458, 9472, 9485, 9499, 9513),
    (96, 30, "C"): (9548, 9562, 9576, 9590, 9603, 9617, 9631, 9645, 9659, 9673, 9687, 9701,
                    9714, 9728, 9742, 9756, 9770, 9784, 9798, 9812, 9826, 9840, 9853, 9867,
                    9881, 9895, 9909, 9923, 9937, 9951, 9964, 9978, 9992, 10006, 10020, 10034,
                    10048, 10062, 10076, 10090, 10103, 10117, 10131, 10145, 10159, 10173, 10187,
                    10201, 10214, 10228, 10242, 10256, 10270, 10284, 10298, 10312, 10325, 10339,
                    10353),
    (102, 30, "C"): (9535, 9548, 9562, 9576, 9590, 9603, 9617, 9631, 9645, 9659, 9673, 9687,
                     9701, 9714, 9728, 9742, 9756, 9770, 9784, 9798, 9812, 9826, 9840, 9853,
                     9867),
}

_SSB_HALF_WIDTH = 120      # subcarriers on either side of SS_REF (subcarrier 120 of 240)


@dataclass(frozen=True, slots=True)
class SsRaster:
    """The SS raster of one operating band and SS/PBCH subcarrier spacing (TS 38.104 §5.4.3.3).

    Attributes
    ----------
    band : int
        Operating band number (n78 -> 78).
    scs : int
        SS/PBCH subcarrier spacing in kHz.
    case : str
        SS/PBCH block pattern of TS 38.213 §4.1 (``"A"`` .. ``"E"``).
    gscn : tuple of int
        The GSCNs of the band's raster, ascending.
    """

    band: int
    scs: int
    case: str
    gscn: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SsRasterPoint:
    """One synchronization raster position (TS 38.104 §5.4.3.1).

    Attributes
    ----------
    gscn : int
        Global synchronization channel number.
    frequency : float
        SS_REF in Hz (absolute frequency of subcarrier 120 of the SS/PBCH block).
    scs : int
        SS/PBCH subcarrier spacing in kHz.
    case : str
        SS/PBCH block pattern (TS 38.213 §4.1).
    """

    gscn: int
    frequency: float
    scs: int
    case: str


def _build() -> dict[int, tuple[SsRaster, ...]]:
    rows: dict[int, list[SsRaster]] = {}
    for band, scs, case, first, step, last in _SS_RASTER_TABLE:
        rows.setdefault(band, []).append(SsRaster(band, scs, case,
                                                  tuple(range(first, last + 1, step))))
    for (band, scs, case), gscns in _SS_RASTER_LISTS.items():
        rows.setdefault(band, []).append(SsRaster(band, scs, case, gscns))
    return {b: tuple(sorted(r, key=lambda x: x.scs)) for b, r in sorted(rows.items())}


_RASTERS = _build()


def ss_raster_bands() -> tuple[int, ...]:
    """Operating bands with an SS raster in Tables 5.4.3.3-1/-2 of TS 38.104, ascending."""
    return tuple(_RASTERS)


def _check_gscn(gscn: object) -> int:
    if isinstance(gscn, bool) or not isinstance(gscn, (int, np.integer)) \
            or not GSCN_MIN <= int(gscn) <= GSCN_MAX:
        raise ConfigError("gscn", gscn, f"must be an integer in {GSCN_MIN} .. {GSCN_MAX}", _CLAUSE)
    return int(gscn)


def _gscn_hz(gscn: int) -> int:
    if gscn < _MID_GSCN0:
        # GSCN = 3N + (M − 3)/2 with M ∈ {1, 3, 5}: GSCN mod 3 = 2, 0, 1 for M = 1, 3, 5.
        m = {2: 1, 0: 3, 1: 5}[gscn % 3]
        n = (gscn - (m - 3) // 2) // 3
        return n * _LOW_N_STEP + m * _LOW_M_STEP
    if gscn < _HIGH_GSCN0:
        return _MID_BASE + (gscn - _MID_GSCN0) * _MID_STEP
    return _HIGH_BASE + (gscn - _HIGH_GSCN0) * _HIGH_STEP


def gscn_to_frequency(gscn: int) -> float:
    """SS_REF of a GSCN (TS 38.104 §5.4.3.1, Table 5.4.3.1-1).

    Parameters
    ----------
    gscn : int
        Global synchronization channel number, 2 .. 26639.

    Returns
    -------
    float
        SS_REF in Hz: N · 1200 kHz + M · 50 kHz below 3 GHz (GSCN = 3N + (M − 3)/2),
        3000 MHz + N · 1.44 MHz up to 24.25 GHz (GSCN = 7499 + N) and
        24250.08 MHz + N · 17.28 MHz above (GSCN = 22256 + N).

    Raises
    ------
    ConfigError
        If ``gscn`` is not an integer in 2 .. 26639.
    """
    return float(_gscn_hz(_check_gscn(gscn)))


def frequency_to_gscn(frequency: float) -> int:
    """GSCN of a synchronization raster frequency SS_REF (TS 38.104 §5.4.3.1, Table 5.4.3.1-1).

    Parameters
    ----------
    frequency : float
        SS_REF in Hz; must lie on the raster (within 1 Hz).

    Returns
    -------
    int
        The GSCN.

    Raises
    ------
    ConfigError
        If ``frequency`` is not a finite number, is outside 0 .. 100 GHz or is not a raster
        position.
    """
    if isinstance(frequency, bool) or not isinstance(frequency, (int, float, np.number)) \
            or not math.isfinite(float(frequency)):
        raise ConfigError("frequency", frequency, "must be a finite number in Hz", _CLAUSE)
    f = float(frequency)
    if f < _LOW_N_STEP + _LOW_M_STEP - 0.5 or f > _gscn_hz(GSCN_MAX) + 0.5:
        raise ConfigError("frequency", frequency,
                          f"must be a synchronization raster frequency between "
                          f"{_gscn_hz(GSCN_MIN)} and {_gscn_hz(GSCN_MAX)} Hz", _CLAUSE)
    if f < _MID_BASE - 0.5:
        n_float = f / _LOW_N_STEP
        candidates = []
        for n in (math.floor(n_float), math.floor(n_float) - 1):
            candidates += [3 * n + (m - 3) // 2 for m in (1, 3, 5)]
    elif f < _HIGH_BASE - _MID_STEP / 2:
        candidates = [_MID_GSCN0 + round((f - _MID_BASE) / _MID_STEP)]
    else:
        candidates = [_HIGH_GSCN0 + round((f - _HIGH_BASE) / _HIGH_STEP)]
    for g in candidates:
        if GSCN_MIN <= g <= GSCN_MAX and abs(_gscn_hz(g) - f) <= 1.0:
            return g
    raise ConfigError("frequency", frequency, "is not on the synchronization raster "
                      "(Table 5.4.3.1-1)", _CLAUSE)


def _check_band(band: object) -> int:
    value = band
    if isinstance(band, str):
        text = band.strip().lower()
        text = text[1:] if text.startswith("n") else text
        value = int(text) if text.isdigit() else band
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or int(value) not in _RASTERS:
        raise ConfigError("band", band, "must be an NR operating band with an SS raster in "
                          "Table 5.4.3.3-1 or 5.4.3.3-2, e.g. 'n78' or 78", _CLAUSE_BAND)
    return int(value)


def band_ss_rasters(band: int | str) -> tuple[SsRaster, ...]:
    """The SS rasters of an operating band, one per SS/PBCH subcarrier spacing (TS 38.104 §5.4.3.3).

    Parameters
    ----------
    band : int or str
        Operating band: 78, ``"78"`` or ``"n78"``.

    Returns
    -------
    tuple of SsRaster
        By ascending subcarrier spacing (Table 5.4.3.3-1 for FR1, 5.4.3.3-2 for FR2).

    Raises
    ------
    ConfigError
        If the band has no SS raster in the tables.
    """
    return _RASTERS[_check_band(band)]


def band_ss_raster(band: int | str, ssb_scs: int | None = None) -> tuple[int, str, tuple[int, ...]]:
    """SS/PBCH subcarrier spacing, block pattern and GSCNs of a band (TS 38.104 §5.4.3.3).

    Parameters
    ----------
    band : int or str
        Operating band: 78, ``"78"`` or ``"n78"``.
    ssb_scs : int, optional
        SS/PBCH subcarrier spacing in kHz; required when the band allows two.

    Returns
    -------
    scs : int
        SS/PBCH subcarrier spacing in kHz.
    case : str
        SS/PBCH block pattern (TS 38.213 §4.1).
    gscn : tuple of int
        The band's GSCNs, ascending.

    Raises
    ------
    ConfigError
        If the band has no SS raster, if ``ssb_scs`` is not one of the band's, or if it is
        omitted for a band with two.
    """
    rasters = band_ss_rasters(band)
    allowed = tuple(r.scs for r in rasters)
    if ssb_scs is None:
        if len(rasters) > 1:
            raise ConfigError("ssb_scs", ssb_scs, f"band {band} allows SS/PBCH subcarrier "
                              f"spacings {allowed} kHz: give one", _CLAUSE_BAND)
        r = rasters[0]
    else:
        match = [r for r in rasters if r.scs == ssb_scs]
        if not match:
            raise ConfigError("ssb_scs", ssb_scs, f"must be one of {allowed} kHz for band "
                              f"{band}", _CLAUSE_BAND)
        r = match[0]
    return r.scs, r.case, r.gscn


def ssb_raster_frequencies(band: int | str, centre_frequency: float, bandwidth: float, *,
                           ssb_scs: int | None = None) -> tuple[SsRasterPoint, ...]:
    """The raster positions of a band whose SS/PBCH block lies inside a recording.

    TS 38.104 §5.4.3.1 and §5.4.3.3: a position counts when the whole block (240 subcarriers,
    SS_REF ± 120 Δf) lies within ``centre_frequency ± bandwidth / 2``.

    Parameters
    ----------
    band : int or str
        Operating band: 78, ``"78"`` or ``"n78"``.
    centre_frequency : float
        Centre frequency of the recording in Hz (SigMF ``core:frequency``).
    bandwidth : float
        Bandwidth of the recording in Hz (its complex sample rate), > 0.
    ssb_scs : int, optional
        Keep only the raster of this SS/PBCH subcarrier spacing (kHz).

    Returns
    -------
    tuple of SsRasterPoint
        By subcarrier spacing, then ascending frequency; empty when none fits.

    Raises
    ------
    ConfigError
        If the band is unknown, ``ssb_scs`` is not one of the band's, or the frequency or
        bandwidth is not a finite positive number.
    """
    rasters = band_ss_rasters(band)
    for name, value in (("centre_frequency", centre_frequency), ("bandwidth", bandwidth)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not math.isfinite(float(value)) or float(value) <= 0:
            raise ConfigError(name, value, "must be a positive finite number in Hz")
    if ssb_scs is not None:
        band_ss_raster(band, ssb_scs)      # validates ssb_scs against the band
        rasters = tuple(r for r in rasters if r.scs == ssb_scs)
    lo = float(centre_frequency) - float(bandwidth) / 2
    hi = float(centre_frequency) + float(bandwidth) / 2
    out = []
    for r in rasters:
        half = _SSB_HALF_WIDTH * r.scs * 1e3
        for g in r.gscn:
            f = float(_gscn_hz(g))
            if f - half >= lo - 1e-3 and f + half <= hi + 1e-3:
                out.append(SsRasterPoint(gscn=g, frequency=f, scs=r.scs, case=r.case))
    return tuple(out)

"""Cell search from raw IQ (TS 38.211 §7.4.2, §7.4.3, §7.3.3, §7.4.1.4; TS 38.213 §4.1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info
from opennr.physical.ssb import SsBurstConfig, ss_burst_waveform
from opennr.receiver import DetectedCell, cell_search
from opennr.receiver.raster import gscn_to_frequency
from opennr.transport.bch import Mib, bch_bit_source, bch_encode

# TS 38.101-1 Table 5.3.2-1: N_RB of the (bandwidth MHz, SCS kHz) pairs of the vectors.
_N_RB = {(10, 15): 52, (20, 15): 106, (20, 30): 51, (40, 30): 106}
_CASES = {0: "A", 1: "B", 2: "C"}


def _ssb_start(scs: int, n_fft: int, case: str, l_max: int, i_ssb: int, n_hf: int = 0) -> int:
    """Sample index of the start of candidate block i_ssb of a waveform starting at frame 0."""
    info = ofdm_info(Carrier(scs=scs, n_size_grid=1), nfft=n_fft)
    lengths = np.tile(info.symbol_lengths, 10)    # one frame
    # TS 38.213 §4.1; case D: {4, 8, 16, 20} + 28 n, n = 0-3, 5-8, 10-13, 15-18.
    case_d = [b + 28 * n for n in (*range(4), *range(5, 9), *range(10, 14), *range(15, 19))
              for b in (4, 8, 16, 20)]
    symbol = n_hf * 5 * info.symbols_per_subframe + {
        "A": (2, 8, 16, 22, 30, 36, 44, 50), "B": (4, 8, 16, 20, 32, 36, 44, 48),
        "C": (2, 8, 16, 22, 30, 36, 44, 50), "D": case_d}[case][i_ssb]
    del l_max
    return int(np.sum(lengths[:symbol]))


def _noise(rng: np.random.Generator, n: int, snr_db: float, n_fft: int) -> np.ndarray:
    """White noise giving ``snr_db`` per resource element for unit-amplitude REs (1/N IFFT)."""
    var = 1.0 / (n_fft * 10 ** (snr_db / 10))
    return (np.sqrt(var / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(
        np.complex64)


def _shift(x: np.ndarray, hz: float, rate: float) -> np.ndarray:
    return (x * np.exp(2j * np.pi * hz * np.arange(x.size) / rate)).astype(np.complex64)


def _burst(*, n_cell_id: int, scs: int = 15, case: str = "A", l_max: int = 4, n_rb: int = 52,
           n_crb_ssb: int = 10, k_ssb: int = 0, n_frame: int = 0, sample_rate: float,
           mib: Mib, n_half_frames: int = 2) -> tuple[np.ndarray, float]:
    """SS-burst waveform with BCH-coded PBCH bits, and its block centre offset in Hz."""
    carrier = Carrier(scs=scs, n_size_grid=n_rb, n_frame=n_frame)
    cfg = SsBurstConfig(carrier=carrier, case=case, l_max=l_max, period=5, n_crb_ssb=n_crb_ssb,
                        k_ssb=k_ssb, n_cell_id=n_cell_id)
    source = bch_bit_source(mib, k_ssb, l_max, n_cell_id)
    w = ss_burst_waveform(cfg, source, n_half_frames=n_half_frames, sample_rate=sample_rate)[0]
    centre = (cfg.first_subcarrier + 120 - carrier.n_subcarriers // 2) * scs * 1e3
    return w, centre


# ---------------------------------------------------------------------------------------------
# MATLAB nrSSB_waveform vectors.

def _matlab_case(path):
    d = load_vector(path)
    scs = int(d["scs"])
    n_rb = _N_RB[(int(d["BW"]), scs)]
    n_fft = 2 ** math.ceil(math.log2(12 * n_rb / 0.85))
    first = 12 * int(d["NCRBSSB"]) + int(d["KSSB"])
    first = first // 2 if scs == 30 else first
    centre = (first + 120 - 12 * n_rb // 2) * scs * 1e3
    return d, scs, n_fft, centre


@pytest.mark.parametrize("path", vector_files("ssb", "nrSSB_waveform_*.mat"),
                         ids=lambda p: p.name[:30])
def test_matlab_waveforms(path, rng):
    d, scs, n_fft, centre = _matlab_case(path)
    rate = scs * 1e3 * n_fft
    delay, cfo = 777, 1.3 * scs * 1e3
    w = np.asarray(d["waveform"]).astype(np.complex64)
    x = _shift(np.concatenate([np.zeros(delay, np.complex64), w]), cfo, rate)
    x += _noise(rng, x.size, 0.0, n_fft)
    cells = cell_search(x, rate, ssb_scs=scs, ssb_frequency=centre)
    bitmap = as_int(d["TransmittedBlocks"])
    assert {c.n_cell_id for c in cells} == {int(d["NCellID"])}
    assert sorted(c.ssb_index for c in cells) == list(np.flatnonzero(bitmap))
    case = _CASES[int(d["BlockPattern_idx"])]
    for c in cells:
        assert isinstance(c, DetectedCell)
        assert (c.sfn, c.half_frame, c.k_ssb, c.scs) == (0, 0, int(d["KSSB"]), scs)
        assert c.mib.pdcch_config_sib1 == int(d["PDCCHConfigSIB1"])
        assert c.mib.dmrs_type_a_position == int(d["DMRSTypeAPosition"])
        # Coded bit values: CellBarred 1 = notBarred, IntraFreqReselection 1 = notAllowed.
        assert c.mib.cell_barred == (int(d["CellBarred_idx"]) == 0)
        assert c.mib.intra_freq_reselection == (int(d["IntraFreqReselection_idx"]) == 0)
        assert c.frequency == centre
        assert abs(c.cfo - cfo) < 0.05 * scs * 1e3
        expected = delay + _ssb_start(scs, n_fft, case, bitmap.size, c.ssb_index)
        assert abs(c.timing - expected) <= 2
        assert c.snr_db > -3


def test_matlab_waveform_searched_in_frequency_and_scs(rng):
    path = vector_files("ssb", "nrSSB_waveform_testvec_42_*.mat")[0]
    d, scs, n_fft, centre = _matlab_case(path)
    rate = scs * 1e3 * n_fft
    w = np.asarray(d["waveform"]).astype(np.complex64)
    x = _shift(w[: w.size // 2], 0.3 * scs * 1e3, rate) + _noise(rng, w.size // 2, 6.0, n_fft)
    cells = cell_search(x, rate)
    assert {(c.n_cell_id, c.scs, c.frequency) for c in cells} == {(int(d["NCellID"]), 30, centre)}
    assert all(abs(c.cfo - 0.3 * scs * 1e3) < 0.05 * scs * 1e3 for c in cells)


# ---------------------------------------------------------------------------------------------
# Generated bursts: sample rates, off-centre blocks, low SNR, multipath.

_MIB = Mib(subcarrier_spacing_common=30, dmrs_type_a_position=3, pdcch_config_sib1=163,
           cell_barred=True, intra_freq_reselection=False)


@pytest.mark.parametrize("rate", [7.68e6, 15.36e6, 30.72e6])
def test_low_snr_awgn_off_centre(rate, rng):
    n_fft = round(rate / 15e3)
    w, centre = _burst(n_cell_id=717, n_rb=25, n_crb_ssb=2, k_ssb=19, n_frame=517,
                       sample_rate=rate, mib=_MIB)
    assert centre != 0
    delay = 1234
    x = _shift(np.concatenate([np.zeros(delay, np.complex64), w]), -0.6 * 15e3, rate)
    x += _noise(rng, x.size, -3.0, n_fft)
    cells = cell_search(x, rate, ssb_scs=15, ssb_frequency=centre, all_blocks=True)
    found = {(c.sfn, c.half_frame, c.ssb_index) for c in cells}
    # Several of the 8 blocks of the two half frames decode at -3 dB per RE.
    assert len(found) >= 6
    assert found <= {(517, h, i) for h in (0, 1) for i in range(4)}
    for c in cells:
        assert (c.n_cell_id, c.k_ssb, c.mib) == (717, 19, _MIB)
        assert abs(c.cfo + 0.6 * 15e3) < 0.1 * 15e3
        expected = delay + _ssb_start(15, n_fft, "A", 4, c.ssb_index, c.half_frame)
        assert abs(c.timing - expected) <= 2


@pytest.mark.parametrize("cfo", [-2.2, 2.2])
def test_non_integer_sample_rate_and_largest_cfo(cfo, rng):
    import scipy.signal

    w, centre = _burst(n_cell_id=5, n_rb=52, sample_rate=30.72e6, mib=_MIB, n_half_frames=1)
    rate = 10e6                                  # 30.72 Msps · 125 / 384: not a multiple of Δf
    x = scipy.signal.resample_poly(w, 125, 384).astype(np.complex64)
    x = _shift(x, cfo * 15e3, rate) + _noise(rng, x.size, 0.0, 2048) / np.float32(np.sqrt(30.72 / 10))
    cells = cell_search(x, rate, ssb_scs=15, ssb_frequency=centre)
    assert sorted((c.n_cell_id, c.ssb_index) for c in cells) == [(5, i) for i in range(4)]
    for c in cells:
        assert abs(c.cfo - cfo * 15e3) < 0.05 * 15e3
        expected = _ssb_start(15, 2048, "A", 4, c.ssb_index) * rate / 30.72e6
        assert abs(c.timing - expected) <= 1.5


def _multipath(x: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Three Doppler-free taps at 0, 200 and 500 ns, powers 0, -3, -6 dB, random phases."""
    delays = np.round(np.array([0.0, 200e-9, 500e-9]) * rate).astype(int)
    gains = 10 ** (np.array([0.0, -3.0, -6.0]) / 20) * np.exp(2j * np.pi * rng.random(3))
    gains /= np.sqrt(np.sum(np.abs(gains) ** 2))
    y = np.zeros(x.size + delays.max(), dtype=np.complex64)
    for d, g in zip(delays, gains, strict=True):
        y[d:d + x.size] += g * x
    return y


def test_multipath_30khz(rng):
    rate = 30.72e6
    w, centre = _burst(n_cell_id=401, scs=30, case="C", n_rb=51, n_crb_ssb=8, k_ssb=2,
                       n_frame=3, sample_rate=rate, mib=_MIB)
    x = _shift(_multipath(w, rate, rng), 1.7 * 30e3, rate)
    x += _noise(rng, x.size, 3.0, 1024)
    cells = cell_search(x, rate, ssb_scs=30, ssb_frequency=centre)
    assert {c.n_cell_id for c in cells} == {401}
    assert {c.ssb_index for c in cells} == {0, 1, 2, 3}
    assert all(c.sfn == 3 and c.mib == _MIB and c.k_ssb == 2 for c in cells)


def test_two_cells_overlapping(rng):
    rate = 15.36e6
    mib_b = Mib(pdcch_config_sib1=7)
    a, centre = _burst(n_cell_id=17, n_frame=100, sample_rate=rate, mib=_MIB, n_half_frames=1)
    b, _ = _burst(n_cell_id=300, n_frame=200, sample_rate=rate, mib=mib_b, n_half_frames=1)
    # Same N_ID^(2) as cell 17, 6 dB weaker, at the same time: found after cancellation.
    c, _ = _burst(n_cell_id=50, n_frame=300, sample_rate=rate, mib=mib_b, n_half_frames=1)
    x = a + _shift(0.7 * np.roll(b, 3000), 0.2 * 15e3, rate) + 0.5 * c
    x += _noise(rng, x.size, 10.0, 1024)
    cells = cell_search(x, rate, ssb_scs=15, ssb_frequency=centre)
    by_cell = {}
    for cell in cells:
        by_cell.setdefault(cell.n_cell_id, set()).add((cell.sfn, cell.ssb_index))
    assert by_cell == {17: {(100, i) for i in range(4)}, 300: {(200, i) for i in range(4)},
                       50: {(300, i) for i in range(4)}}


def test_noise_only_reports_nothing():
    rng = np.random.default_rng(77)
    rate = 3.84e6
    for _ in range(50):
        x = _noise(rng, 8000, 0.0, 256) * np.float32(10 ** rng.uniform(-3, 3))
        assert cell_search(x, rate, ssb_scs=15, ssb_frequency=0.0) == []
    x = _noise(rng, 40000, 0.0, 256)
    assert cell_search(x, rate) == []
    assert cell_search(np.zeros(20000, np.complex64), rate, ssb_scs=15) == []


def test_given_l_max_and_raster_with_silence():
    path = vector_files("ssb", "nrSSB_waveform_testvec_15_*.mat")[0]
    d, scs, n_fft, centre = _matlab_case(path)
    rate = scs * 1e3 * n_fft
    # Blocks 0 and 1 (first symbols 2 and 8), then silence: silent windows (whose LLRs carry
    # nothing and decode to the all-zero codeword with a zero CRC) must not give cells.
    w = np.asarray(d["waveform"]).astype(np.complex64)[:20000]
    cells = cell_search(w, rate, ssb_scs=15, ssb_frequency=[centre + 3e5, centre], l_max=8,
                        all_blocks=True)
    assert sorted((c.n_cell_id, c.ssb_index, c.frequency) for c in cells) == [
        (45, 0, centre), (45, 1, centre)]
    # Blocks 6 and 7 (ī_SSB = 6, 7): L_max = 8, given or inferred.
    late = np.asarray(d["waveform"]).astype(np.complex64)[45000:62000]
    cells8 = cell_search(late, rate, ssb_scs=15, ssb_frequency=centre, l_max=8)
    cells4 = cell_search(late, rate, ssb_scs=15, ssb_frequency=centre, l_max=4)
    auto = cell_search(late, rate, ssb_scs=15, ssb_frequency=centre)
    assert {c.ssb_index for c in cells8} == {c.ssb_index for c in auto} == {6, 7}
    # With L_max = 4, indexes 6, 7 scramble and fill the DM-RS differently: nothing decodes.
    assert cells4 == []


# ---------------------------------------------------------------------------------------------
# FR2 (case D, 120 kHz, L_max = 64), the band's synchronization raster and frame timing.

_MIB_FR2 = Mib(subcarrier_spacing_common=120, dmrs_type_a_position=3, pdcch_config_sib1=77,
               cell_barred=False, intra_freq_reselection=True)
# One block per value of the 3 MSBs of i_SSB, with various 3 LSBs.
_FR2_BLOCKS = (0, 9, 18, 27, 36, 45, 54, 63)


def _fr2_burst(delay: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """5 ms of case D at 61.44 Msps (32 RBs of 120 kHz), 0 dB SNR per RE, 1.3 subcarriers CFO."""
    carrier = Carrier(scs=120, n_size_grid=32, n_frame=610)
    bitmap = tuple(int(i in _FR2_BLOCKS) for i in range(64))
    cfg = SsBurstConfig(carrier=carrier, case="D", l_max=64, transmitted=bitmap, period=20,
                        n_crb_ssb=2, k_ssb=4, scs_common=60, n_cell_id=777)
    w = ss_burst_waveform(cfg, bch_bit_source(_MIB_FR2, 4, 64, 777), n_half_frames=1)[0]
    centre = (cfg.first_subcarrier + 120 - carrier.n_subcarriers // 2) * 120e3
    x = _shift(np.concatenate([np.zeros(delay, np.complex64), w]), 1.3 * 120e3, 61.44e6)
    return x + _noise(rng, x.size, 0.0, 512), centre


def test_fr2_case_d_l_max_64(rng):
    rate, delay = 61.44e6, 5000
    x, centre = _fr2_burst(delay, rng)
    cells = cell_search(x, rate, ssb_scs=120, ssb_frequency=centre)
    assert sorted(c.ssb_index for c in cells) == list(_FR2_BLOCKS)
    for c in cells:
        assert (c.n_cell_id, c.sfn, c.half_frame, c.k_ssb, c.mib) == (777, 610, 0, 4, _MIB_FR2)
        assert (c.scs, c.case) == (120, "D")
        assert abs(c.cfo - 1.3 * 120e3) < 0.05 * 120e3
        assert abs(c.timing - (delay + _ssb_start(120, 512, "D", 64, c.ssb_index))) <= 2
        assert abs(c.frame_start - delay) <= 2
        assert c.absolute_frequency is None and c.gscn is None


def test_fr2_band_raster_search(rng):
    rate, delay = 61.44e6, 700
    x, centre = _fr2_burst(delay, rng)
    # Put the block on GSCN 22400 of band n257: the recording is centred `centre` below it.
    ss_ref = gscn_to_frequency(22400)
    cells = cell_search(x[:200_000], rate, band="n257", centre_frequency=ss_ref - centre)
    assert {c.ssb_index for c in cells} == {0, 9, 18, 27, 36}     # in the first 3.25 ms
    for c in cells:
        assert (c.gscn, c.absolute_frequency, c.frequency) == (22400, ss_ref, centre)
        assert (c.case, c.n_cell_id, c.sfn) == ("D", 777, 610)
        assert abs(c.frame_start - delay) <= 2


def test_fr1_band_raster_search_and_frame_start(rng):
    rate = 15.36e6
    w, centre = _burst(n_cell_id=93, scs=30, case="C", n_rb=24, n_crb_ssb=4, k_ssb=0,
                       n_frame=45, sample_rate=rate, mib=_MIB, n_half_frames=2)
    # Keep half frame 1 only (SFN 45, n_hf = 1): the frame started 5 ms before the recording.
    half = round(5e-3 * rate)
    x = _shift(w[half:], 0.4 * 30e3, rate) + _noise(rng, half, 3.0, 512)
    ss_ref = gscn_to_frequency(7850)
    before = x.copy()
    cells = cell_search(x, rate, band="n78", centre_frequency=ss_ref - centre)
    assert np.array_equal(x, before)     # cancellation works on a copy of the samples
    assert sorted(c.ssb_index for c in cells) == [0, 1, 2, 3]
    for c in cells:
        assert (c.n_cell_id, c.sfn, c.half_frame, c.case, c.gscn) == (93, 45, 1, "C", 7850)
        assert c.absolute_frequency == ss_ref
        assert abs(c.cfo - 0.4 * 30e3) < 0.05 * 30e3
        assert abs(c.frame_start + half) <= 2
    # Without the band: the same blocks at the same place; the case (B or C) and so the frame
    # start are unknown at 30 kHz unless given.
    plain = cell_search(x, rate, ssb_scs=30, ssb_frequency=centre)
    assert {(c.ssb_index, c.timing) for c in plain} == {(c.ssb_index, c.timing) for c in cells}
    assert all(c.case is None and c.frame_start is None for c in plain)
    given = cell_search(x, rate, ssb_frequency=centre, ssb_case="C",
                        centre_frequency=ss_ref - centre)
    assert [c.frame_start for c in given] == [c.frame_start for c in cells]
    assert all(c.gscn == 7850 for c in given)


def test_bch_bit_source():
    source = bch_bit_source(_MIB, 19, 8, 717)
    for sfn, n_hf, i_ssb in ((0, 0, 0), (517, 1, 7), (1023, 0, 3)):
        bits = source(sfn, n_hf, i_ssb)
        assert np.array_equal(bits, bch_encode(_MIB, sfn, n_hf, i_ssb, 19, 8, 717))
        assert not bits.flags.writeable
        assert source(sfn, n_hf, i_ssb) is bits
    with pytest.raises(ConfigError, match="ssb_index"):
        source(0, 0, 8)
    with pytest.raises(ConfigError, match="sfn"):
        source(1.0, 0, 0)
    with pytest.raises(ConfigError, match="k_ssb"):
        bch_bit_source(_MIB, 24, 8, 717)
    with pytest.raises(ConfigError, match="subcarrier_spacing_common"):
        bch_bit_source(_MIB, 0, 64, 717)


# ---------------------------------------------------------------------------------------------
# Bad input.

def test_bad_input():
    x = np.ones(50000, dtype=np.complex64)
    bad = x.copy()
    bad[123] = np.nan
    with pytest.raises(ValueError, match=r"samples: 1 sample.*NaN or infinite.*index 123"):
        cell_search(bad, 7.68e6)
    bad[123] = np.inf
    with pytest.raises(ValueError, match=r"samples:.*index 123"):
        cell_search(bad, 7.68e6)
    with pytest.raises(ValueError, match="samples: expected a 1-D"):
        cell_search(x.reshape(2, -1), 7.68e6)
    with pytest.raises(ValueError, match="samples: expected a numeric"):
        cell_search(np.array(["a"] * 10), 7.68e6)
    with pytest.raises(ValueError, match="samples: 0 samples are too short"):
        cell_search(np.zeros(0, np.complex64), 7.68e6)
    with pytest.raises(ValueError, match="samples: 100 samples are too short"):
        cell_search(x[:100], 7.68e6)
    with pytest.raises(ConfigError, match=r"sample_rate.*240 subcarriers"):
        cell_search(x, 3.0e6)
    with pytest.raises(ConfigError, match=r"sample_rate.*240 subcarriers × 30 kHz"):
        cell_search(x, 5e6, ssb_scs=30)
    for rate in (0, -1.0, float("nan"), "fast", True):
        with pytest.raises(ConfigError, match="sample_rate"):
            cell_search(x, rate)
    with pytest.raises(ConfigError, match="ssb_scs"):
        cell_search(x, 7.68e6, ssb_scs=60)
    with pytest.raises(ConfigError, match="l_max"):
        cell_search(x, 7.68e6, l_max=16)
    with pytest.raises(ConfigError, match=r"l_max=64: must be 64 for 120 and 240 kHz"):
        cell_search(x, 7.68e6, ssb_scs=15, l_max=64)
    with pytest.raises(ConfigError, match=r"l_max=8: must be 64 for 120"):
        cell_search(x, 61.44e6, ssb_scs=120, l_max=8)
    with pytest.raises(ConfigError, match=r"ssb_case='D': case D uses 120 kHz"):
        cell_search(x, 61.44e6, ssb_scs=30, ssb_case="D")
    with pytest.raises(ConfigError, match="ssb_case"):
        cell_search(x, 61.44e6, ssb_case="F")
    with pytest.raises(ConfigError, match=r"centre_frequency=None: is needed with band='n78'"):
        cell_search(x, 30.72e6, band="n78")
    with pytest.raises(ConfigError, match=r"band='n999'"):
        cell_search(x, 30.72e6, band="n999", centre_frequency=3.5e9)
    with pytest.raises(ConfigError, match=r"ssb_frequency.*must not be given with band"):
        cell_search(x, 30.72e6, band="n78", centre_frequency=3.5e9, ssb_frequency=0.0)
    with pytest.raises(ConfigError, match=r"centre_frequency=2000000000.0: no synchronization"):
        cell_search(x, 30.72e6, band="n78", centre_frequency=2.0e9)
    for bad in (-1.0, float("nan"), "high", True):
        with pytest.raises(ConfigError, match="centre_frequency"):
            cell_search(x, 30.72e6, centre_frequency=bad)
    with pytest.raises(ConfigError, match=r"ssb_frequency.*does not fit"):
        cell_search(x, 7.68e6, ssb_scs=15, ssb_frequency=3e6)
    with pytest.raises(ConfigError, match="ssb_frequency"):
        cell_search(x, 7.68e6, ssb_frequency=float("inf"))
    with pytest.raises(ConfigError, match="ssb_frequency"):
        cell_search(x, 7.68e6, ssb_frequency=[])
    with pytest.raises(ConfigError, match="max_cfo"):
        cell_search(x, 7.68e6, max_cfo=0)
    with pytest.raises(ConfigError, match="threshold"):
        cell_search(x, 7.68e6, threshold=1.5)
    with pytest.raises(ConfigError, match="max_candidates"):
        cell_search(x, 7.68e6, max_candidates=0)


def test_detected_cell_as_dict():
    cell = DetectedCell(n_cell_id=301, ssb_index=2, sfn=9, half_frame=1, mib=_MIB, k_ssb=4,
                        scs=15, frequency=0.0, cfo=12.5, timing=100, snr_db=3.0, pss_metric=0.5)
    d = cell.as_dict()
    assert (cell.n_id_1, cell.n_id_2) == (100, 1)
    assert d["mib"]["pdcch_config_sib1"] == 163 and d["mib"]["cell_barred"] is True
    assert d["n_cell_id"] == 301 and d["cfo_hz"] == 12.5


# ---------------------------------------------------------------------------------------------
# Command line: `opennr waveform ssb` then `opennr cellsearch`.

def test_cli_waveform_then_cellsearch(tmp_path):
    import json

    from typer.testing import CliRunner

    from opennr.cli.main import app
    from opennr.io.sigmf import read_sigmf, write_sigmf

    runner = CliRunner()
    out = tmp_path / "burst"
    res = runner.invoke(app, ["waveform", "ssb", "-o", str(out), "--n-cell-id", "602", "--scs",
                              "30", "--n-rb", "51", "--n-crb-ssb", "20", "--sfn", "900",
                              "--frames", "1", "--period", "5", "--pdcch-config-sib1", "201",
                              "--cell-barred", "--sample-rate", "23040000"])
    assert res.exit_code == 0, res.output
    samples, meta = read_sigmf(out)
    assert meta.sample_rate == 23.04e6 and samples.size == 230400
    res = runner.invoke(app, ["cellsearch", str(out) + ".sigmf-meta", "--json"])
    assert res.exit_code == 0, res.output
    cells = json.loads(res.output)["cells"]
    assert {(c["n_cell_id"], c["sfn"], c["scs_khz"]) for c in cells} == {(602, 900, 30)}
    assert sorted(c["ssb_index"] for c in cells) == [0, 1, 2, 3]
    assert all(c["mib"]["pdcch_config_sib1"] == 201 and c["mib"]["cell_barred"] for c in cells)
    res = runner.invoke(app, ["cellsearch", str(out) + ".sigmf-meta", "--ssb-scs", "30"])
    assert res.exit_code == 0 and "602" in res.output
    short = tmp_path / "short"
    write_sigmf(short, samples[:50], 23.04e6)
    res = runner.invoke(app, ["cellsearch", str(short), "--ssb-scs", "15"])
    assert res.exit_code == 2 and "too short" in res.output
    res = runner.invoke(app, ["waveform", "ssb", "-o", str(out), "--n-cell-id", "1008"])
    assert res.exit_code == 2 and "n_cell_id" in res.output
    res = runner.invoke(app, ["cellsearch", str(out) + ".sigmf-meta", "--band", "n78"])
    assert res.exit_code == 2 and "core:frequency" in res.output


def test_cli_band_search_fr2(tmp_path):
    import json

    from typer.testing import CliRunner

    from opennr.cli.main import app

    runner = CliRunner()
    out = tmp_path / "fr2"
    # Case D, 32 RBs at 120 kHz, block centre (2·12·60 + 4·120 kHz)/120 kHz + 120 − 192 = −56
    # subcarriers from the carrier centre; the recording centre puts it on GSCN 22400 of n257.
    centre = -56 * 120e3
    res = runner.invoke(app, ["waveform", "ssb", "-o", str(out), "--n-cell-id", "300", "--scs",
                              "120", "--n-rb", "32", "--n-crb-ssb", "2", "--k-ssb", "4",
                              "--transmitted", "1" + "0" * 62 + "1", "--sfn", "8", "--frames",
                              "1", "--scs-common", "120", "--frequency",
                              str(gscn_to_frequency(22400) - centre)])
    assert res.exit_code == 0, res.output
    assert f"{centre:g} Hz" in res.output
    res = runner.invoke(app, ["cellsearch", str(out) + ".sigmf-meta", "--band", "n257",
                              "--json"])
    assert res.exit_code == 0, res.output
    cells = json.loads(res.output)["cells"]
    assert sorted(c["ssb_index"] for c in cells) == [0, 63]
    for c in cells:
        assert (c["n_cell_id"], c["sfn"], c["scs_khz"], c["case"], c["gscn"]) == (
            300, 8, 120, "D", 22400)
        assert c["absolute_frequency_hz"] == gscn_to_frequency(22400)
        assert c["frame_start"] == 0 and c["mib"]["subcarrier_spacing_common"] == 120
    res = runner.invoke(app, ["cellsearch", str(out) + ".sigmf-meta", "--band", "n257"])
    assert res.exit_code == 0 and "22400" in res.output and "26738.400" in res.output

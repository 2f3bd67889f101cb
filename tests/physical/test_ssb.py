"""TS 38.211 §7.4.3 / TS 38.213 §4.1 SS/PBCH block, SS-burst grid and waveform.

Checked against the MATLAB SS-burst grids (ssb_grid, 6) and waveforms (ssb, nrSSB_waveform_*, 4).
The PBCH payload (MIB and timing bits) inside these vectors is unknown, so the PBCH data REs are
checked through the structure the specification gives them: every block of a half frame carries
the same BCH codeword (for L_max = 4 and 8 the payload does not depend on i_SSB), so descrambling
the PBCH REs with nu = i_SSB must give identical codewords; with those codewords the generator
must then reproduce the whole grid and the whole waveform.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info
from opennr.ofdm import ofdm_demodulate, symbol_phases
from opennr.physical.pbch import pbch_demodulate, pbch_dmrs, pbch_modulate
from opennr.physical.ssb import (
    SsBurstConfig,
    ss_burst_grid,
    ss_burst_waveform,
    ssb_block,
    ssb_candidate_symbols,
    ssb_extract,
    ssb_indices,
    ssb_l_max,
)
from opennr.physical.sync import pss, split_cell_id, sss

GRID_FILES = vector_files("ssb_grid")
WAVEFORM_FILES = vector_files("ssb", "nrSSB_waveform_*.mat")

# TS 38.101-1 Table 5.3.2-1: N_RB for (SCS kHz, channel bandwidth MHz) of the vectors.
N_RB = {(15, 10): 52, (15, 20): 106, (30, 20): 51, (30, 40): 106, (30, 60): 162}


def test_files_present():
    assert len(GRID_FILES) == 6 and len(WAVEFORM_FILES) == 4


def _config(d) -> SsBurstConfig:
    scs = int(as_int(d["scs"]))
    bitmap = np.atleast_1d(as_int(d["TransmittedBlocks"]))
    carrier = Carrier(scs=scs, n_size_grid=N_RB[(scs, int(as_int(d["BW"])))])
    return SsBurstConfig(carrier=carrier, case="ABC"[int(as_int(d["BlockPattern_idx"]))],
                         l_max=bitmap.size, transmitted=tuple(bitmap), period=int(as_int(d["Period"])),
                         n_crb_ssb=int(as_int(d["NCRBSSB"])), k_ssb=int(as_int(d["KSSB"])),
                         n_cell_id=int(as_int(d["NCellID"])))


def _blocks(cfg, grid):
    """(half frame, i_SSB) -> the 4 x 240 block cut from a (symbols, K) grid at the spec position."""
    k0 = cfg.first_subcarrier
    out = {}
    for h in range(2):
        for i in np.flatnonzero(cfg.transmitted):
            l0 = h * cfg.symbols_per_half_frame + int(ssb_candidate_symbols(cfg.case, cfg.l_max)[i])
            out[h, int(i)] = grid[l0:l0 + 4, k0:k0 + 240]
    return out


def _codewords(cfg, grid):
    """BCH codewords (2, L_max, 864) from the PBCH REs of a grid, descrambled with nu = i_SSB."""
    cw = np.zeros((2, cfg.l_max, 864), dtype=np.uint8)
    for (h, i), block in _blocks(cfg, grid).items():
        _, _, pbch, _ = ssb_extract(block, cfg.n_cell_id)
        llr = pbch_demodulate(pbch, cfg.n_cell_id, i, cfg.l_max, noise_var=1.0)
        cw[h, i] = llr < 0
    return cw


def _check_structure(cfg, ref):
    """PSS, SSS, DM-RS, zeros and placement exact; PBCH REs QPSK; one codeword per half frame."""
    n_id_1, n_id_2 = split_cell_id(cfg.n_cell_id)
    occupied = np.zeros(ref.shape, dtype=bool)
    k0 = cfg.first_subcarrier
    blocks = _blocks(cfg, ref)
    assert len(blocks) == 2 * int(np.sum(cfg.transmitted))
    for (h, i), block in blocks.items():
        p, s, pbch, dmrs = ssb_extract(block, cfg.n_cell_id)
        np.testing.assert_allclose(p, pss(n_id_2), atol=1e-4)
        np.testing.assert_allclose(s, sss(n_id_1, n_id_2), atol=1e-4)
        np.testing.assert_allclose(dmrs, pbch_dmrs(cfg.n_cell_id, i, cfg.l_max, n_hf=h), atol=1e-4)
        np.testing.assert_allclose(np.abs(pbch.real), np.sqrt(0.5), atol=1e-4)
        np.testing.assert_allclose(np.abs(pbch.imag), np.sqrt(0.5), atol=1e-4)
        zero = block.reshape(-1)[ssb_indices(cfg.n_cell_id).zero]
        np.testing.assert_allclose(zero, 0, atol=1e-4)
        l0 = h * cfg.symbols_per_half_frame + int(cfg.candidate_symbols[i])
        occupied[l0:l0 + 4, k0:k0 + 240] = True
    # Nothing outside the blocks.
    np.testing.assert_allclose(ref[~occupied], 0, atol=1e-4)
    cw = _codewords(cfg, ref)
    sent = np.flatnonzero(cfg.transmitted)
    for h in range(2):
        for i in sent:
            np.testing.assert_array_equal(cw[h, i], cw[h, sent[0]])
    # The half-frame bit of the payload differs, so the two half frames carry different codewords.
    assert not np.array_equal(cw[0, sent[0]], cw[1, sent[0]])
    # Descrambling with a wrong nu breaks the agreement: the check above can fail.
    block = blocks[0, int(sent[1])]
    wrong = pbch_demodulate(ssb_extract(block, cfg.n_cell_id)[2], cfg.n_cell_id, int(sent[0]), cfg.l_max)
    assert not np.array_equal((wrong < 0).astype(np.uint8), cw[0, sent[0]])
    return cw


@pytest.mark.parametrize("path", GRID_FILES, ids=lambda p: p.stem[:24])
def test_grid_vectors(path):
    d = load_vector(path)
    cfg = _config(d)
    k = cfg.carrier.n_subcarriers
    ref = np.asarray(d["highphyData"]).reshape(-1, 14, k).reshape(-1, k)
    cw = _check_structure(cfg, ref)
    grid = ss_burst_grid(cfg, cw)
    assert grid.dtype == np.complex64 and grid.shape == (1, *ref.shape)
    np.testing.assert_allclose(grid[0], ref, atol=1e-4)
    # A PBCH payload of zeros changes only the PBCH data REs.
    zeros = ss_burst_grid(cfg, np.zeros(864, np.uint8))[0]
    assert not np.allclose(zeros, ref, atol=1e-4)


@pytest.mark.parametrize("path", WAVEFORM_FILES, ids=lambda p: p.stem[:24])
def test_waveform_vectors(path):
    d = load_vector(path)
    cfg = _config(d)
    f0 = float(as_int(d["carrier_freq_in_mhz"])) * 1e6
    ref = np.asarray(d["waveform"])
    # Sample rate scs * N, N = 2^ceil(log2(12 N_RB / 0.85)): one frame of samples.
    n = 2 ** int(np.ceil(np.log2(cfg.carrier.n_subcarriers / 0.85)))
    assert ref.size == cfg.scs * 1000 * n // 100
    grid = ofdm_demodulate(ref, cfg.carrier, carrier_frequency=f0, n_slot=0, cp_fraction=1.0)
    cw = _check_structure(cfg, grid)
    wave = ss_burst_waveform(cfg, cw, carrier_frequency=f0)
    assert wave.dtype == np.complex64 and wave.shape == (1, ref.size)
    scale = np.abs(ref).max()
    assert np.abs(wave[0] - ref).max() < 1e-4 * scale
    # Without the carrier-frequency phase term the waveform differs, unless f0 makes a whole
    # number of cycles at the end of every cyclic prefix.
    plain = ss_burst_waveform(cfg, cw)
    trivial = np.allclose(symbol_phases(ofdm_info(cfg.carrier), f0), 1, atol=1e-6)
    assert (np.abs(plain[0] - ref).max() > 0.1 * scale) == (not trivial)


def test_bch_source_callable():
    carrier = Carrier(scs=30, n_size_grid=24)
    cfg = SsBurstConfig(carrier=carrier, case="C", l_max=8, transmitted=(1, 0, 1, 0, 0, 0, 0, 1),
                        period=10, n_crb_ssb=1, k_ssb=4, n_cell_id=77)
    calls = []

    def source(sfn, n_hf, i_ssb):
        calls.append((sfn, n_hf, i_ssb))
        return np.full(864, (sfn + n_hf + i_ssb) % 2, dtype=np.uint8)

    cfg = dataclasses.replace(cfg, carrier=dataclasses.replace(carrier, n_frame=1023))
    grid = ss_burst_grid(cfg, source, n_half_frames=4)
    # Period 10 ms: half frames 0 of SFN 1023 and of SFN 0 (wrap).
    assert calls == [(1023, 0, 0), (1023, 0, 2), (1023, 0, 7), (0, 0, 0), (0, 0, 2), (0, 0, 7)]
    assert grid.shape == (1, 4 * 140, 288)
    k0 = (12 * 1 + 4) // 2
    assert cfg.first_subcarrier == k0
    for h, sfn in ((0, 1023), (2, 0)):
        for i in (0, 2, 7):
            l0 = h * 140 + int(ssb_candidate_symbols("C", 8)[i])
            bits = np.full(864, (sfn + i) % 2, dtype=np.uint8)
            np.testing.assert_allclose(grid[0, l0:l0 + 4, k0:k0 + 240],
                                       ssb_block(77, i, 8, bits, n_hf=0), atol=1e-6)
    for h in (1, 3):
        assert not grid[0, h * 140:(h + 1) * 140].any()
    with pytest.raises(ValueError, match="callable returned shape"):
        ss_burst_grid(cfg, lambda sfn, n_hf, i: np.zeros(863, np.uint8))
    with pytest.raises(ValueError, match="broadcastable"):
        ss_burst_grid(cfg, np.zeros((3, 864), np.uint8))


def test_period():
    cfg = SsBurstConfig(carrier=Carrier(scs=15, n_size_grid=20), case="A", l_max=4, period=20)
    grid = ss_burst_grid(cfg, np.zeros(864, np.uint8), n_half_frames=8)[0]
    busy = [bool(grid[h * 70:(h + 1) * 70].any()) for h in range(8)]
    assert busy == [True, False, False, False, True, False, False, False]


def test_block_mapping(rng):
    bits = rng.integers(0, 2, 864, dtype=np.uint8)
    for n_cell_id in (0, 1, 2, 3, 1007):
        block = ssb_block(n_cell_id, 1, 4, bits, n_hf=1, beta_pss=2.0, beta_sss=0.5, beta_dmrs=1.5)
        assert block.dtype == np.complex64 and block.shape == (4, 240)
        v = n_cell_id % 4
        n_id_1, n_id_2 = split_cell_id(n_cell_id)
        # Table 7.4.3.1-1, written out.
        np.testing.assert_allclose(block[0, 56:183], 2.0 * pss(n_id_2))
        np.testing.assert_allclose(block[2, 56:183], 0.5 * sss(n_id_1, n_id_2))
        assert not block[0, :56].any() and not block[0, 183:].any()
        assert not block[2, 48:56].any() and not block[2, 183:192].any()
        dm = np.concatenate([block[1, v::4], block[2, v:48:4], block[2, 192 + v::4], block[3, v::4]])
        np.testing.assert_allclose(dm, 1.5 * pbch_dmrs(n_cell_id, 1, 4, 1), atol=1e-6)
        keep = np.arange(240) % 4 != v
        edge = (np.arange(240) < 48) | (np.arange(240) >= 192)
        data = np.concatenate([block[1, keep], block[2, keep & edge], block[3, keep]])
        np.testing.assert_allclose(data, pbch_modulate(bits, n_cell_id, 1, 4), atol=1e-6)
        p, s, pb, d = ssb_extract(block[None], n_cell_id)
        assert p.shape == (1, 127) and s.shape == (1, 127) and pb.shape == (1, 432) and d.shape == (1, 144)
        np.testing.assert_allclose(pb[0], data)
    idx = ssb_indices(5)
    every = np.concatenate([idx.pss, idx.sss, idx.pbch, idx.dmrs, idx.zero])
    np.testing.assert_array_equal(np.sort(every), np.arange(960))


def _oracle_candidates(case, l_max):
    """TS 38.213 §4.1, written out."""
    if case == "A":
        ns = [0, 1] if l_max == 4 else [0, 1, 2, 3]
        return [s + 14 * n for n in ns for s in (2, 8)]
    if case == "B":
        ns = [0] if l_max == 4 else [0, 1]
        return [s + 28 * n for n in ns for s in (4, 8, 16, 20)]
    if case == "C":
        ns = [0, 1] if l_max == 4 else [0, 1, 2, 3]
        return [s + 14 * n for n in ns for s in (2, 8)]
    if case == "D":
        ns = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18]
        return [s + 28 * n for n in ns for s in (4, 8, 16, 20)]
    if case == "E":
        ns = [0, 1, 2, 3, 5, 6, 7, 8]
        return [s + 56 * n for n in ns for s in (8, 12, 16, 20, 32, 36, 40, 44)]
    return [s + 14 * n for n in range(32) for s in (2, 9)]


@pytest.mark.parametrize(("case", "l_max"), [("A", 4), ("A", 8), ("B", 4), ("B", 8), ("C", 4), ("C", 8),
                                             ("D", 64), ("E", 64), ("F", 64), ("G", 64)])
def test_candidate_symbols(case, l_max):
    sym = ssb_candidate_symbols(case, l_max)
    assert sym.shape == (l_max,)
    np.testing.assert_array_equal(sym, _oracle_candidates(case, l_max))
    # Ascending in time, the 4 symbols of each block inside the half frame and not overlapping.
    assert np.all(np.diff(sym) >= 4)
    assert sym[-1] + 4 <= 5 * 14 * {"A": 1, "B": 2, "C": 2, "D": 8, "E": 16, "F": 32, "G": 64}[case]


def test_l_max():
    assert ssb_l_max("A", 2.1e9) == 4 and ssb_l_max("A", 3.0e9) == 4 and ssb_l_max("A", 3.5e9) == 8
    assert ssb_l_max("B", 3.0e9) == 4 and ssb_l_max("B", 4.0e9) == 8
    assert ssb_l_max("C", 2.5e9) == 4 and ssb_l_max("C", 2.5e9, paired=False) == 8
    assert ssb_l_max("C", 1.88e9, paired=False) == 4
    assert ssb_l_max("D", 28e9) == 64 and ssb_l_max("G", 60e9) == 64


def test_fr2_placement():
    # Type B: N_CRB_SSB in 60 kHz RBs, k_SSB in units of subCarrierSpacingCommon.
    cfg = SsBurstConfig(carrier=Carrier(scs=120, n_size_grid=66), case="D", l_max=64, n_crb_ssb=10,
                        k_ssb=4, scs_common=60, n_cell_id=3)
    assert cfg.first_subcarrier == (12 * 10 * 60 + 4 * 60) // 120
    cfg = dataclasses.replace(cfg, scs_common=120)
    assert cfg.first_subcarrier == (12 * 10 * 60 + 4 * 120) // 120
    grid = ss_burst_grid(dataclasses.replace(cfg, transmitted=(1,) + (0,) * 63), np.zeros(864, np.uint8),
                         n_half_frames=1)
    assert grid.shape == (1, 5 * 14 * 8, 792)
    assert np.flatnonzero(np.abs(grid[0]).sum(axis=1)).tolist() == [4, 5, 6, 7]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"case": "H"}, r"case='H': must be one of"),
    ({"l_max": 64}, r"l_max=64: must be one of 4, 8 for case A"),
    ({"transmitted": (1, 1, 1)}, r"transmitted=.*bitmap of length L_max=4"),
    ({"transmitted": (1, 2, 1, 1)}, r"transmitted=\(1, 2, 1, 1\): must be a bitmap of 0/1"),
    ({"period": 15}, r"period=15: must be one of 5, 10, 20"),
    ({"k_ssb": 24}, r"k_ssb=24: must be <= 23"),
    ({"n_crb_ssb": 50}, r"n_crb_ssb=50: the SS/PBCH block .* must lie inside"),
    ({"n_cell_id": 1008}, r"n_cell_id=1008"),
    ({"case": "B"}, r"case B SS/PBCH blocks use 30 kHz"),
    ({"beta_pss": -1.0}, r"beta_pss=-1.0: must be a finite number >= 0"),
    ({"beta_dmrs": float("nan")}, r"beta_dmrs=nan"),
])
def test_config_errors(kwargs, match):
    base = {"carrier": Carrier(scs=15, n_size_grid=52), "case": "A", "l_max": 4}
    with pytest.raises(ConfigError, match=match):
        SsBurstConfig(**(base | kwargs))


def test_config_errors_subcarrier_grid():
    # k_SSB counts 15 kHz subcarriers: 12 N_CRB_SSB + k_SSB odd is off the 30 kHz grid.
    with pytest.raises(ConfigError, match=r"k_ssb=3: .* not on the 30 kHz subcarrier grid"):
        SsBurstConfig(carrier=Carrier(scs=30, n_size_grid=51), case="C", k_ssb=3)
    with pytest.raises(ConfigError, match=r"scs_common=30: must be one of 60, 120"):
        SsBurstConfig(carrier=Carrier(scs=120, n_size_grid=66), case="D", l_max=64, scs_common=30)
    with pytest.raises(ConfigError, match=r"k_ssb=12: must be <= 11"):
        SsBurstConfig(carrier=Carrier(scs=120, n_size_grid=66), case="D", l_max=64, k_ssb=12)
    with pytest.raises(ConfigError, match=r"n_half_frames=0"):
        ss_burst_grid(SsBurstConfig(carrier=Carrier(scs=15, n_size_grid=52)), np.zeros(864, np.uint8),
                      n_half_frames=0)
    with pytest.raises(ConfigError, match=r"carrier_frequency=-1"):
        ssb_l_max("A", -1)
    with pytest.raises(ValueError, match=r"pbch_bits: expected shape \(864,\)"):
        ssb_block(0, 0, 4, np.zeros(432, np.uint8))
    with pytest.raises(ValueError, match=r"block: expected shape"):
        ssb_extract(np.zeros((4, 239)), 0)

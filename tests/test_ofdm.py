"""TS 38.211 §5.3-5.4 OFDM modulation and demodulation."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_vector, vector_files
from opennr.errors import ConfigError
from opennr.numerology import Carrier, ofdm_info
from opennr.ofdm import ofdm_demodulate, ofdm_modulate, symbol_phases


def _random_grid(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def _oracle_modulate(grid, nfft, cps):
    """Literal per-symbol DFT sum: x(m) = 1/N Σ_k a_k exp(j2π(k − K/2)m/N), m = −N_CP .. N−1."""
    n_sym, k_sc = grid.shape
    k = np.arange(k_sc) - k_sc // 2
    out = []
    for l in range(n_sym):
        m = np.arange(-cps[l], nfft)
        out.append(np.exp(2j * np.pi * np.outer(m, k) / nfft) @ grid[l] / nfft)
    return np.concatenate(out)


def test_matlab_waveform_vector():
    (path,) = vector_files("ofdm")
    d = load_vector(path)
    carrier = Carrier(scs=int(d["scs"]), n_size_grid=216)
    assert ofdm_info(carrier).sample_rate == float(d["SampleRate"])
    grid = np.asarray(d["fd_slot_data"]).reshape(2 * 14, 12 * 216)
    ref = np.asarray(d["waveform"])
    wave = ofdm_modulate(grid, carrier, carrier_frequency=float(d["CarrierFrequency"]))
    assert wave.dtype == np.complex64 and wave.shape == ref.shape
    scale = np.abs(ref).max()
    assert np.abs(wave - ref).max() <= 1e-4 * scale
    # Without the §5.4 term the waveform is different: the test can fail.
    assert np.abs(ofdm_modulate(grid, carrier) - ref).max() > 0.1 * scale
    back = ofdm_demodulate(ref, carrier, carrier_frequency=float(d["CarrierFrequency"]))
    np.testing.assert_allclose(back, grid, atol=1e-4)


@pytest.mark.parametrize(("scs", "cp", "n_slot"), [(15, "normal", 0), (30, "normal", 1),
                                                    (60, "extended", 3), (120, "normal", 5)])
def test_against_dft_oracle(rng, scs, cp, n_slot):
    carrier = Carrier(scs=scs, cyclic_prefix=cp, n_size_grid=3, n_slot=n_slot)
    info = ofdm_info(carrier)
    n_sym = carrier.symbols_per_slot + 3
    grid = _random_grid(rng, (n_sym, 36))
    # CP per TS 38.211 §5.3.1, in samples at N: symbol l of the subframe (long at l = 0, 7·2^mu).
    mu, n = carrier.mu, info.nfft
    first = (n_slot % (1 << mu)) * carrier.symbols_per_slot
    if cp == "normal":
        cps = [144 * n // 2048 + (16 * n * 2**mu // 2048 if (first + l) % (7 * 2**mu) == 0
                                  else 0) for l in range(n_sym)]
    else:
        cps = [512 * n // 2048] * n_sym
    wave = ofdm_modulate(grid, carrier)
    ref = _oracle_modulate(grid.astype(np.complex128), n, cps)
    assert wave.shape == ref.shape
    np.testing.assert_allclose(wave, ref, atol=1e-6)


def test_upconversion_phase_starts_at_zero(rng):
    # §5.4: after upconversion by exp(j2π f0 t), the first sample of the useful part of every
    # symbol has the phase it has at baseband without the term (zero carrier phase there).
    carrier = Carrier(scs=30, n_size_grid=4)
    info = ofdm_info(carrier)
    f0 = 3.5e9 + 123.456  # not a multiple of 1 kHz
    grid = _random_grid(rng, (28, 48))
    w0 = ofdm_modulate(grid, carrier).astype(np.complex128)
    wf = ofdm_modulate(grid, carrier, carrier_frequency=f0).astype(np.complex128)
    start = 0
    for l in range(28):
        cp = info.cp_lengths[l]
        t_useful = (start + cp) / info.sample_rate
        seg = slice(start, start + cp + info.nfft)
        np.testing.assert_allclose(wf[seg] * np.exp(2j * np.pi * f0 * t_useful), w0[seg],
                                   atol=1e-5)
        start += cp + info.nfft
    ph = symbol_phases(info, f0)
    assert ph.shape == (28,) and np.allclose(np.abs(ph), 1)


@pytest.mark.parametrize("cp_fraction", [0.0, 0.5, 0.55, 1.0])
@pytest.mark.parametrize("f0", [0.0, 2.4e9 + 1234.5])
def test_round_trip(rng, cp_fraction, f0):
    carrier = Carrier(scs=30, n_size_grid=11, n_slot=3)
    grid = _random_grid(rng, (2, 3 * 14, 132))  # two ports, three slots
    wave = ofdm_modulate(grid, carrier, carrier_frequency=f0)
    back = ofdm_demodulate(wave, carrier, carrier_frequency=f0, cp_fraction=cp_fraction)
    assert back.dtype == np.complex64 and back.shape == grid.shape
    np.testing.assert_allclose(back, grid, atol=2e-5)


def test_round_trip_custom_nfft_and_slot_override(rng):
    carrier = Carrier(scs=15, n_size_grid=6)
    grid = _random_grid(rng, (5, 72))
    wave = ofdm_modulate(grid, carrier, nfft=256, n_slot=0)
    assert wave.shape == (5 * 256 + 20 + 4 * 18,)
    back = ofdm_demodulate(wave, carrier, sample_rate=256 * 15e3)
    np.testing.assert_allclose(back, grid, atol=2e-5)


def test_slot_number_selects_cp_pattern(rng):
    # At 30 kHz the long CP falls on the first symbol of every slot (each slot is 0.5 ms),
    # at 60 kHz only on even slots.
    grid = _random_grid(rng, (14, 12))
    c30 = Carrier(scs=30, n_size_grid=1)
    assert ofdm_modulate(grid, c30, n_slot=1).size == ofdm_modulate(grid, c30, n_slot=0).size
    c60 = Carrier(scs=60, n_size_grid=1)
    long_slot = ofdm_modulate(grid, c60, n_slot=2).size
    short_slot = ofdm_modulate(grid, c60, n_slot=3).size
    assert long_slot - short_slot == 16 * 128 * 4 // 2048


def test_demodulate_ignores_partial_symbol(rng):
    carrier = Carrier(scs=15, n_size_grid=2)
    grid = _random_grid(rng, (3, 24))
    wave = ofdm_modulate(grid, carrier)
    back = ofdm_demodulate(wave[:-1], carrier)
    assert back.shape == (2, 24)
    np.testing.assert_allclose(back, grid[:2], atol=2e-5)
    longer = ofdm_demodulate(np.concatenate([wave, wave[:100]]), carrier)
    assert longer.shape == (3, 24)
    # A whole subframe and then some: 14 + 2 symbols.
    wave2 = ofdm_modulate(_random_grid(rng, (16, 24)), carrier)
    assert ofdm_demodulate(wave2, carrier).shape == (16, 24)


def test_errors():
    carrier = Carrier(n_size_grid=2)
    grid = np.zeros((14, 24), np.complex64)
    with pytest.raises(ValueError, match=r"last dimension must be 24"):
        ofdm_modulate(np.zeros((14, 25)), carrier)
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., symbols, subcarriers\)"):
        ofdm_modulate(np.zeros(24), carrier)
    with pytest.raises(ValueError, match=r"numeric"):
        ofdm_modulate(np.full((1, 24), "a"), carrier)
    with pytest.raises(ConfigError, match=r"carrier_frequency=nan"):
        ofdm_modulate(grid, carrier, carrier_frequency=float("nan"))
    with pytest.raises(ConfigError, match=r"nfft=200"):
        ofdm_modulate(grid, carrier, nfft=200)
    with pytest.raises(ConfigError, match=r"n_slot=-1"):
        ofdm_modulate(grid, carrier, n_slot=-1)
    with pytest.raises(ConfigError, match=r"cp_fraction=1.5: must be a number in \[0, 1\]"):
        ofdm_demodulate(np.zeros(2000, np.complex64), carrier, cp_fraction=1.5)
    with pytest.raises(ValueError, match=r"waveform: expected shape"):
        ofdm_demodulate(np.complex64(1), carrier)

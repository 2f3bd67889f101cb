"""TS 38.211 §5.1 — soft demapper: MATLAB max-log vectors, slow 2-D oracles, round trips, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from conftest import load_vector, vector_files
from opennr.errors import ConfigError
from opennr.modulation import MODULATIONS, bits_per_symbol, constellation, demodulate, modulate

DEMOD_FILES = vector_files("demodulation", "nrDeModulation_testvec_*.mat")


def _oracle(y: np.ndarray, modulation: str, noise_var, method: str) -> np.ndarray:
    """Slow reference over the full M-point constellation, float64, for a 1-D ``y``."""
    qm = bits_per_symbol(modulation)
    pts = constellation(modulation)
    v = np.arange(pts.size)
    bits = (v[:, None] >> np.arange(qm - 1, -1, -1)) & 1  # (M, qm)
    rot = np.ones(y.size, complex)
    if modulation == "pi/2-BPSK":
        rot = np.exp(1j * np.pi / 2 * (np.arange(y.size) % 2))
    d = np.abs(y[:, None] - rot[:, None] * pts[None, :]) ** 2 / np.broadcast_to(
        np.asarray(noise_var, float), y.shape)[:, None]  # (n, M)
    llr = np.empty((y.size, qm))
    for k in range(qm):
        one = bits[:, k] == 1
        if method == "maxlog":
            llr[:, k] = d[:, one].min(axis=1) - d[:, ~one].min(axis=1)
        else:
            llr[:, k] = logsumexp(-d[:, ~one], axis=1) - logsumexp(-d[:, one], axis=1)
    return llr.reshape(-1)


def _random_symbols(rng, modulation, n, spread):
    """Constellation points plus noise, and some values far outside the constellation."""
    pts = constellation(modulation)
    y = rng.choice(pts, n) + spread * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    y[: n // 8] *= 3.0
    return y


def test_every_modulation_has_a_vector():
    names = {str(load_vector(p)["modtype"]) for p in DEMOD_FILES}
    assert names == set(MODULATIONS)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("path", DEMOD_FILES, ids=lambda p: p.stem)
def test_maxlog_matches_matlab_vectors(path, dtype):
    v = load_vector(path)
    y = np.atleast_1d(v["demod_data"]).astype(dtype)
    ref = np.atleast_1d(v["LLR"])
    llr = demodulate(y, str(v["modtype"]), float(v["noise_power"]))
    assert llr.dtype == np.float32
    assert llr.shape == ref.shape
    # complex64 input carries ~6e-8 relative error in y; LLR slopes reach ~5e3 per unit of y.
    atol = 1e-4 if dtype == np.complex128 else 2e-3
    np.testing.assert_allclose(llr, ref, rtol=1e-4, atol=atol)
    # MATLAB's hard decisions of the noisy symbols agree with the signs here
    assert np.array_equal(llr < 0, ref < 0)


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_maxlog_equals_full_search(modulation, rng):
    """The per-axis closed form equals the M-point search of the max-log formula."""
    for noise_var, spread in ((0.01, 0.05), (0.3, 0.4)):
        y = _random_symbols(rng, modulation, 400, spread)
        llr = demodulate(y, modulation, noise_var)
        ref = _oracle(y, modulation, noise_var, "maxlog")
        scale = np.abs(ref).max()
        np.testing.assert_allclose(llr, ref, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_exact_equals_log_sum_exp_oracle(modulation, rng):
    # 1e-5: deep underflow of the far subset; 1e-3 and 1.0: soft values where exact and
    # max-log differ.
    for noise_var, spread in ((1e-5, 0.03), (1e-3, 0.05), (1.0, 0.5)):
        y = _random_symbols(rng, modulation, 300, spread)
        llr = demodulate(y, modulation, noise_var, method="exact")
        ref = _oracle(y, modulation, noise_var, "exact")
        scale = np.abs(ref).max()
        np.testing.assert_allclose(llr, ref, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("modulation", ["16QAM", "256QAM", "1024QAM"])
def test_exact_differs_from_maxlog_at_low_snr(modulation, rng):
    """Guard against 'exact' silently returning max-log values."""
    y = _random_symbols(rng, modulation, 200, 0.5)
    exact = demodulate(y, modulation, 1.0, method="exact")
    maxlog = demodulate(y, modulation, 1.0)
    assert np.max(np.abs(exact - maxlog)) > 0.1


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_exact_and_maxlog_agree_in_sign_at_high_snr(modulation, rng):
    qm = bits_per_symbol(modulation)
    bits = rng.integers(0, 2, 200 * qm, dtype=np.uint8)
    pts = constellation(modulation)
    half_gap = np.min(np.abs(np.diff(np.unique(np.round(pts.real, 12))))) / 2 if qm > 1 else 0.7
    noise = rng.uniform(-0.8, 0.8, (2, 200)) * half_gap / np.sqrt(2)
    y = modulate(bits, modulation) + noise[0] + 1j * noise[1]
    for method in ("maxlog", "exact"):
        assert np.array_equal(demodulate(y, modulation, 1e-3, method=method) < 0, bits == 1)


@settings(max_examples=30, deadline=None)
@given(modulation=st.sampled_from(MODULATIONS), n=st.integers(0, 50),
       batch=st.sampled_from([(), (1,), (3,), (2, 2)]), method=st.sampled_from(["maxlog", "exact"]),
       noise_var=st.sampled_from([1e-6, 1e-4, 0.1, 1.0]), seed=st.integers(0, 2**32 - 1))
def test_round_trip_noise_free(modulation, n, batch, method, noise_var, seed):
    # The exact (bit-wise MAP) decision of a noise-free point can differ from its bit at low
    # SNR; the max-log one cannot, since the point itself is at distance 0.
    assume(method == "maxlog" or noise_var <= 1e-4)
    qm = bits_per_symbol(modulation)
    bits = np.random.default_rng(seed).integers(0, 2, (*batch, n * qm), dtype=np.uint8)
    llr = demodulate(modulate(bits, modulation), modulation, noise_var, method=method)
    assert llr.shape == bits.shape
    assert llr.dtype == np.float32
    assert np.all(np.isfinite(llr))
    np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits)


@pytest.mark.parametrize("method", ["maxlog", "exact"])
@pytest.mark.parametrize("modulation", ["pi/2-BPSK", "QPSK", "64QAM"])
def test_batch_rows_match_single_rows(modulation, method, rng):
    y = np.stack([_random_symbols(rng, modulation, 9, 0.1) for _ in range(6)]).reshape(2, 3, 9)
    llr = demodulate(y, modulation, 0.05, method=method)
    qm = bits_per_symbol(modulation)
    assert llr.shape == (2, 3, 9 * qm)
    for idx in np.ndindex(2, 3):
        np.testing.assert_array_equal(llr[idx], demodulate(y[idx], modulation, 0.05, method=method))


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_per_symbol_noise_var(modulation, rng):
    qm = bits_per_symbol(modulation)
    y = _random_symbols(rng, modulation, 24, 0.2).reshape(2, 12)
    nv = rng.uniform(0.05, 2.0, (2, 12))
    # max-log is linear in 1/N0: a per-symbol variance scales each symbol's LLRs
    unit = demodulate(y, modulation, 1.0)
    got = demodulate(y, modulation, nv)
    np.testing.assert_allclose(got, unit / np.repeat(nv, qm, axis=-1), rtol=1e-6)
    # exact is not linear: compare with one call per symbol
    got = demodulate(y, modulation, nv, method="exact")
    for r, i in np.ndindex(2, 12):
        # the whole row prefix keeps the pi/2-BPSK index i of the symbol
        one = demodulate(y[r, : i + 1], modulation, nv[r, i], method="exact")[-qm:]
        np.testing.assert_allclose(got[r, i * qm : (i + 1) * qm], one, rtol=1e-6)
    # broadcasting: one variance per row, and a one-element array like a scalar
    per_row = demodulate(y, modulation, nv[:, :1])
    np.testing.assert_allclose(per_row, unit / nv[:, :1], rtol=1e-6)
    np.testing.assert_array_equal(demodulate(y, modulation, np.array([0.5])),
                                  demodulate(y, modulation, 0.5))


def test_input_dtypes_converted():
    y = np.array([0.3, -1.2, 0.9, 0.1])
    ref = demodulate(y.astype(np.complex128), "16QAM", 0.1)
    np.testing.assert_array_equal(demodulate(y, "16QAM", 0.1), ref)
    np.testing.assert_allclose(demodulate(y.astype(np.float32), "16QAM", 0.1), ref, rtol=1e-6)
    np.testing.assert_array_equal(demodulate([1, -1], "QPSK", 1),
                                  demodulate(np.array([1 + 0j, -1 + 0j]), "QPSK", 1.0))
    assert demodulate(np.zeros((3, 0), np.complex64), "256QAM", 1.0).shape == (3, 0)


def test_unknown_names():
    with pytest.raises(ConfigError, match=r"modulation='QAM16'.*'pi/2-BPSK'.*'1024QAM'"):
        demodulate(np.zeros(4, complex), "QAM16", 1.0)
    with pytest.raises(ConfigError, match=r"method='approx'.*'maxlog'.*'exact'"):
        demodulate(np.zeros(4, complex), "QPSK", 1.0, method="approx")


@pytest.mark.parametrize("noise_var", [0.0, -1.0, np.nan, np.inf, np.array([1.0, 0.0, 1.0, 1.0]),
                                       np.array([1.0, np.nan, 1.0, 1.0])])
def test_bad_noise_var(noise_var):
    with pytest.raises(ValueError, match="noise_var: must be positive and finite"):
        demodulate(np.zeros(4, complex), "QPSK", noise_var)


def test_noise_var_shape_mismatch():
    y = np.zeros((2, 4), complex)
    for nv in (np.ones(3), np.ones((3, 4)), np.ones((2, 2, 4)), np.ones((4, 1))):
        with pytest.raises(ValueError, match="does not broadcast"):
            demodulate(y, "16QAM", nv)
    with pytest.raises(ValueError, match="real number"):
        demodulate(y, "16QAM", 1 + 1j)


def test_bad_symbols():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        demodulate(1 + 1j, "QPSK", 1.0)
    with pytest.raises(ValueError, match="numeric"):
        demodulate(np.array(["a", "b"]), "QPSK", 1.0)
    with pytest.raises(ValueError, match="finite"):
        demodulate(np.array([1 + 1j, np.nan]), "QPSK", 1.0)

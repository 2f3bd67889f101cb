"""TS 38.211 §5.1 — modulation mapper: MATLAB vectors, constellation properties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_vector, vector_files
from opennr.errors import ConfigError
from opennr.modulation import (
    BITS_PER_SYMBOL,
    MODULATIONS,
    bits_per_symbol,
    constellation,
    modulate,
)
from opennr.modulation.mapping import modulation_for_qm, symbol_table

MOD_FILES = vector_files("modulation", "nrModulation_testvec_*.mat")
SQUARE_QAM = ("QPSK", "16QAM", "64QAM", "256QAM", "1024QAM")


def test_every_modulation_has_a_vector():
    names = {str(load_vector(p)["modtype"]) for p in MOD_FILES}
    assert names == set(MODULATIONS)


@pytest.mark.parametrize("path", MOD_FILES, ids=lambda p: p.stem)
def test_matches_matlab_vectors(path):
    v = load_vector(path)
    bits = np.atleast_1d(v["b"]).astype(np.uint8)
    ref = np.atleast_1d(v["mod_data"])
    assert bits.size == ref.size * bits_per_symbol(str(v["modtype"]))
    d = modulate(bits, str(v["modtype"]))
    assert d.dtype == np.complex64
    assert d.shape == ref.shape
    np.testing.assert_allclose(d, ref, rtol=0, atol=1e-6)


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_constellation_unit_power_and_distinct(modulation):
    qm = bits_per_symbol(modulation)
    for row in symbol_table(modulation):
        assert row.shape == (2**qm,)
        assert np.mean(np.abs(row) ** 2) == pytest.approx(1.0, abs=1e-12)
    pts = constellation(modulation)
    if qm > 1:
        assert np.unique(np.round(pts, 9)).size == 2**qm


@pytest.mark.parametrize("modulation", SQUARE_QAM)
def test_square_qam_is_two_gray_pams(modulation):
    """Even bits set only the real part, odd bits only the imaginary part, through one PAM."""
    qm = bits_per_symbol(modulation)
    m = qm // 2
    pts = constellation(modulation)
    v = np.arange(2**qm)
    bits = (v[:, None] >> np.arange(qm - 1, -1, -1)) & 1
    weights = 1 << np.arange(m - 1, -1, -1)
    even = bits[:, 0::2] @ weights
    odd = bits[:, 1::2] @ weights
    pam_i = np.full(2**m, np.nan)
    pam_q = np.full(2**m, np.nan)
    for idx in range(2**qm):
        for pam, j, val in ((pam_i, even[idx], pts[idx].real), (pam_q, odd[idx], pts[idx].imag)):
            if np.isnan(pam[j]):
                pam[j] = val
            assert pam[j] == pytest.approx(val, abs=1e-15)
    np.testing.assert_allclose(pam_i, pam_q, atol=1e-15)
    # Gray: neighbouring levels differ in exactly one bit; levels are equally spaced.
    order = np.argsort(pam_i)
    assert np.all(np.bitwise_count(order[1:] ^ order[:-1]) == 1)
    np.testing.assert_allclose(np.diff(pam_i[order]), np.diff(pam_i[order])[0], rtol=1e-12)


def test_pi2_bpsk_rotates_odd_symbols():
    table = symbol_table("pi/2-BPSK")
    np.testing.assert_allclose(table[1], 1j * table[0], atol=1e-15)
    np.testing.assert_allclose(constellation("BPSK"), table[0], atol=1e-15)


def test_bits_per_symbol():
    assert [bits_per_symbol(m) for m in MODULATIONS] == [1, 1, 2, 4, 6, 8, 10]
    assert BITS_PER_SYMBOL == dict(zip(MODULATIONS, [1, 1, 2, 4, 6, 8, 10], strict=True))


@settings(max_examples=25, deadline=None)
@given(modulation=st.sampled_from(MODULATIONS), n=st.integers(0, 40),
       batch=st.sampled_from([(), (1,), (3,), (2, 2)]), seed=st.integers(0, 2**32 - 1))
def test_batch_rows_are_independent(modulation, n, batch, seed):
    """Leading axes are a batch; the pi/2-BPSK index i restarts on every row."""
    qm = bits_per_symbol(modulation)
    bits = np.random.default_rng(seed).integers(0, 2, (*batch, n * qm), dtype=np.uint8)
    d = modulate(bits, modulation)
    assert d.shape == (*batch, n)
    rows = int(np.prod(batch))
    for row_bits, row_d in zip(bits.reshape(rows, n * qm), d.reshape(rows, n), strict=True):
        table = symbol_table(modulation)
        groups = row_bits.reshape(n, qm).astype(np.int64) @ (1 << np.arange(qm - 1, -1, -1))
        expected = table[np.arange(n) % table.shape[0], groups]
        np.testing.assert_allclose(row_d, expected, atol=1e-7)


def test_boolean_and_integer_bits_accepted():
    bits = np.array([True, False, False, True])
    np.testing.assert_array_equal(modulate(bits, "QPSK"),
                                  modulate(bits.astype(np.int64), "QPSK"))


def test_unknown_modulation():
    with pytest.raises(ConfigError, match=r"modulation='8PSK'.*'pi/2-BPSK'.*'1024QAM'"):
        modulate(np.zeros(6, np.uint8), "8PSK")
    with pytest.raises(ConfigError, match="must be one of"):
        bits_per_symbol("qpsk")


def test_bad_bits():
    with pytest.raises(ValueError, match="multiple of Q_m=4"):
        modulate(np.zeros(6, np.uint8), "16QAM")
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        modulate(np.array([0, 2], np.uint8), "QPSK")
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        modulate(np.array([0, -1]), "QPSK")
    with pytest.raises(ValueError, match="integer or boolean"):
        modulate(np.array([0.0, 1.0]), "QPSK")
    with pytest.raises(ValueError, match="at least 1 dimension"):
        modulate(np.uint8(1), "BPSK")


@pytest.mark.parametrize("qm", [1, 2, 4, 6, 8, 10])
def test_modulation_for_qm_inverts_bits_per_symbol(qm):
    assert bits_per_symbol(modulation_for_qm(qm)) == qm
    assert modulation_for_qm(1) == "pi/2-BPSK"


def test_modulation_for_qm_rejects_unknown_order():
    with pytest.raises(ConfigError, match="qm=3"):
        modulation_for_qm(3)

"""TS 38.211 §7.4.2 PSS and SSS: literal oracles, sequence properties, the SSB grid vectors."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import as_int, load_vector, vector_files
from opennr.errors import ConfigError
from opennr.physical.sync import (
    cell_id,
    pss,
    pss_sequences,
    split_cell_id,
    sss,
    sss_sequences,
)


def _oracle_m_sequence(rule, x_init):
    """x(i+7) from ``rule(x, i)``, with x(0..6) given, written out as in the spec."""
    x = list(x_init)
    for i in range(127 - 7):
        x.append(rule(x, i))
    return x


def _oracle_pss(n_id_2):
    # §7.4.2.2: x(i+7) = (x(i+4) + x(i)) mod 2, [x(6) x(5) x(4) x(3) x(2) x(1) x(0)] = [1 1 1 0 1 1 0]
    x = _oracle_m_sequence(lambda x, i: (x[i + 4] + x[i]) % 2, [0, 1, 1, 0, 1, 1, 1])
    return [1 - 2 * x[(n + 43 * n_id_2) % 127] for n in range(127)]


def _oracle_sss(n_id_1, n_id_2):
    # §7.4.2.3: [x(6) .. x(0)] = [0 0 0 0 0 0 1] for x0 and x1
    x0 = _oracle_m_sequence(lambda x, i: (x[i + 4] + x[i]) % 2, [1, 0, 0, 0, 0, 0, 0])
    x1 = _oracle_m_sequence(lambda x, i: (x[i + 1] + x[i]) % 2, [1, 0, 0, 0, 0, 0, 0])
    m0 = 15 * (n_id_1 // 112) + 5 * n_id_2
    m1 = n_id_1 % 112
    return [(1 - 2 * x0[(n + m0) % 127]) * (1 - 2 * x1[(n + m1) % 127]) for n in range(127)]


@pytest.mark.parametrize("n_id_2", [0, 1, 2])
def test_pss_oracle(n_id_2):
    d = pss(n_id_2)
    assert d.dtype == np.float32 and d.shape == (127,)
    np.testing.assert_array_equal(d, _oracle_pss(n_id_2))


@pytest.mark.parametrize(("n_id_1", "n_id_2"), [(0, 0), (1, 2), (111, 1), (112, 0), (223, 2), (224, 1),
                                                (335, 2)])
def test_sss_oracle(n_id_1, n_id_2):
    d = sss(n_id_1, n_id_2)
    assert d.dtype == np.float32 and d.shape == (127,)
    np.testing.assert_array_equal(d, _oracle_sss(n_id_1, n_id_2))


def test_pss_properties():
    p = pss_sequences().astype(np.float64)
    assert p.shape == (3, 127)
    # m-sequence: 64 ones and 63 zeros, so sum(1 - 2x) = -1; N_ID^(2) are cyclic shifts by 43.
    np.testing.assert_array_equal(p.sum(axis=1), -1)
    np.testing.assert_array_equal(p[1], np.roll(p[0], -43))
    # Periodic autocorrelation two-valued (127 at lag 0, -1 elsewhere) ...
    for lag in range(1, 127):
        assert p[0] @ np.roll(p[0], lag) == -1
    # Different N_ID^(2): zero-lag correlation -1, and after OFDM (127 subcarriers around DC of a
    # 256-point IFFT) the circular time-domain cross-correlation stays below 0.2 of the peak.
    t = []
    for a in range(3):
        assert p[a] @ p[(a + 1) % 3] == -1
        f = np.zeros(256, dtype=np.complex128)
        f[(np.arange(127) - 63) % 256] = p[a]
        t.append(np.fft.ifft(f))
    for a in range(3):
        for b in range(3):
            xc = np.abs(np.fft.ifft(np.fft.fft(t[a]) * np.conj(np.fft.fft(t[b])))).max()
            peak = np.vdot(t[a], t[a]).real
            if a == b:
                assert xc == pytest.approx(peak)
            else:
                assert xc < 0.2 * peak


def test_sss_properties():
    s = sss_sequences()
    assert s.shape == (1008, 127)
    assert set(np.unique(s)) == {-1.0, 1.0}
    assert len({row.tobytes() for row in s}) == 1008
    # Cross-correlation between different cells stays low (a Gold-like family).
    g = s.astype(np.float64) @ s.T.astype(np.float64)
    np.fill_diagonal(g, 0)
    assert np.abs(g).max() < 0.2 * 127
    for n_cell in (0, 5, 1007):
        np.testing.assert_array_equal(s[n_cell], sss(*split_cell_id(n_cell)))


def test_copies_are_independent():
    a = pss(0)
    a[:] = 0
    assert np.abs(pss(0)).min() == 1
    b = sss_sequences()
    b[:] = 0
    assert np.abs(sss(0, 0)).min() == 1


def test_cell_id_round_trip():
    for n in range(1008):
        assert cell_id(*split_cell_id(n)) == n
    assert cell_id(335, 2) == 1007
    assert split_cell_id(100) == (33, 1)


@pytest.mark.parametrize("path", vector_files("ssb_grid"), ids=lambda p: p.stem[:24])
def test_pss_sss_in_grid_vectors(path):
    """The first PSS/SSS of every SS-burst grid vector is the one of its NCellID."""
    d = load_vector(path)
    k = 12 * {(15, 10): 52, (15, 20): 106, (30, 60): 162}[(int(d["scs"]), int(d["BW"]))]
    grid = np.asarray(d["highphyData"]).reshape(-1, 14, k).reshape(-1, k)
    k0 = (12 * int(as_int(d["NCRBSSB"])) + int(as_int(d["KSSB"]))) // (int(d["scs"]) // 15)
    n_id_1, n_id_2 = split_cell_id(int(as_int(d["NCellID"])))
    np.testing.assert_allclose(grid[2, k0 + 56:k0 + 183], pss(n_id_2), atol=1e-4)
    np.testing.assert_allclose(grid[4, k0 + 56:k0 + 183], sss(n_id_1, n_id_2), atol=1e-4)
    assert not np.allclose(grid[4, k0 + 56:k0 + 183], sss(n_id_1, (n_id_2 + 1) % 3), atol=1e-4)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: pss(3), r"n_id_2=3: must be <= 2"),
    (lambda: pss(-1), r"n_id_2=-1: must be >= 0"),
    (lambda: pss(1.0), r"n_id_2=1.0: must be an integer"),
    (lambda: sss(336, 0), r"n_id_1=336: must be <= 335"),
    (lambda: sss(0, 3), r"n_id_2=3"),
    (lambda: cell_id(-1, 0), r"n_id_1=-1"),
    (lambda: split_cell_id(1008), r"n_cell_id=1008: must be <= 1007"),
])
def test_errors(call, match):
    with pytest.raises(ConfigError, match=match):
        call()

"""TR 38.901 §7.3 antenna element pattern, polarisation and panel arrays."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.channel.antenna import (
    AntennaArray,
    element_locations,
    element_pattern_db,
    field_pattern,
    rotation_matrix,
    ula,
)
from opennr.errors import ConfigError


def test_element_pattern_known_values():
    # Table 7.3-1: boresight gain G_E,max = 8 dBi.
    assert element_pattern_db(90.0, 0.0) == pytest.approx(8.0)
    # 3 dB down at half the 65° beamwidth, horizontally and vertically.
    assert element_pattern_db(90.0, 32.5) == pytest.approx(5.0)
    assert element_pattern_db(90.0, -32.5) == pytest.approx(5.0)
    assert element_pattern_db(57.5, 0.0) == pytest.approx(5.0)
    assert element_pattern_db(122.5, 0.0) == pytest.approx(5.0)
    # Front-to-back ratio A_max = 30 dB; side-lobe limit SLA_V = 30 dB caps the vertical cut.
    assert element_pattern_db(90.0, 180.0) == pytest.approx(8.0 - 30.0)
    assert element_pattern_db(0.0, 0.0) == pytest.approx(8.0 - 12.0 * (90.0 / 65.0) ** 2)
    assert element_pattern_db(90.0, 0.0, "isotropic") == 0.0


def test_half_power_beamwidth_is_65_degrees():
    phi = np.linspace(-90, 90, 180001)
    a = element_pattern_db(90.0, phi)
    above = phi[a >= a.max() - 3.0]
    assert above.max() - above.min() == pytest.approx(65.0, abs=1e-2)
    theta = np.linspace(0, 180, 180001)
    a = element_pattern_db(theta, 0.0)
    above = theta[a >= a.max() - 3.0]
    assert above.max() - above.min() == pytest.approx(65.0, abs=1e-2)


@pytest.mark.parametrize("polarization", ["V", "H", "+45", "-45", "VH", "X"])
@pytest.mark.parametrize("bearing", [0.0, 30.0, -120.0])
def test_field_power_equals_element_pattern(polarization, bearing):
    # Polarisation model 2 keeps the power of the element pattern: F_θ² + F_φ² = A'(θ', φ').
    # With a bearing only, the LCS angles are θ' = θ, φ' = φ - α.
    rng = np.random.default_rng(3)
    theta, phi = rng.uniform(1, 179, 50), rng.uniform(-180, 180, 50)
    arr = AntennaArray(polarization=polarization, element="38.901", bearing=bearing)
    f_t, f_p = field_pattern(arr, theta, phi)
    expected = 10.0 ** (element_pattern_db(theta, phi - bearing) / 10.0)
    np.testing.assert_allclose(f_t**2 + f_p**2, np.broadcast_to(expected, f_t.shape), rtol=1e-9)


def test_polarisation_components_at_boresight():
    g = np.sqrt(10.0 ** 0.8)
    f_t, f_p = field_pattern(AntennaArray(polarization="X", element="38.901"), 90.0, 0.0)
    np.testing.assert_allclose(f_t, [g / np.sqrt(2), g / np.sqrt(2)], rtol=1e-12)
    np.testing.assert_allclose(f_p, [g / np.sqrt(2), -g / np.sqrt(2)], rtol=1e-12)
    f_t, f_p = field_pattern(AntennaArray(polarization="VH", element="38.901"), 90.0, 0.0)
    np.testing.assert_allclose(f_t, [g, 0.0], atol=1e-12)
    np.testing.assert_allclose(f_p, [0.0, g], atol=1e-12)
    # A vertically polarised element slanted by γ = 90° radiates horizontally at boresight.
    f_t, f_p = field_pattern(AntennaArray(polarization="V", element="38.901", slant=90.0), 90.0, 0.0)
    assert abs(f_t[0]) < 1e-12
    assert abs(f_p[0]) == pytest.approx(g)


def test_downtilt_moves_the_beam_below_the_horizon():
    theta = np.linspace(60, 140, 8001)
    f_t, f_p = field_pattern(AntennaArray(element="38.901", downtilt=12.0), theta, np.zeros_like(theta))
    assert theta[np.argmax(f_t[0] ** 2 + f_p[0] ** 2)] == pytest.approx(102.0, abs=0.02)


def test_rotation_matrix_is_orthonormal_and_maps_boresight():
    r = rotation_matrix(30.0, 10.0, 5.0)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    a, b = np.deg2rad(30.0), np.deg2rad(10.0)
    np.testing.assert_allclose(r @ [1, 0, 0], [np.cos(a) * np.cos(b), np.sin(a) * np.cos(b), -np.sin(b)],
                               atol=1e-12)


def _response(array, theta, phi):
    th, ph = np.deg2rad(theta), np.deg2rad(phi)
    r = np.array([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)])
    return np.exp(2j * np.pi * element_locations(array) @ r)


def test_ula_phases_at_broadside_and_endfire():
    arr = ula(6, 0.5)
    a = _response(arr, 90.0, 0.0)
    np.testing.assert_allclose(np.angle(a * a[0].conj()), 0.0, atol=1e-12)
    a = _response(arr, 90.0, 90.0)
    # Endfire: neighbours differ by 2π d = π.
    np.testing.assert_allclose(a[1:] * a[:-1].conj(), np.full(5, -1.0), atol=1e-12)
    # Any direction: progression exp(j2π d sinθ sinφ) along the array.
    th, ph = 70.0, 25.0
    a = _response(ula(4, 0.7), th, ph)
    step = np.exp(2j * np.pi * 0.7 * np.sin(np.deg2rad(th)) * np.sin(np.deg2rad(ph)))
    np.testing.assert_allclose(a[1:] * a[:-1].conj(), np.full(3, step), atol=1e-12)


def test_panel_port_order_and_spacing():
    arr = AntennaArray(m=2, n=3, polarization="X", d_h=0.5, d_v=0.8)
    loc = element_locations(arr)
    assert loc.shape == (12, 3)
    np.testing.assert_allclose(loc[:6], loc[6:])          # both polarisations share positions
    np.testing.assert_allclose(loc[1] - loc[0], [0, 0, 0.8])   # m fastest (vertical)
    np.testing.assert_allclose(loc[2] - loc[0], [0, 0.5, 0])   # then n (horizontal)
    np.testing.assert_allclose(loc[:6].mean(axis=0), 0.0, atol=1e-12)
    # A bearing of 90° turns the panel's y axis into the GCS -x axis.
    loc = element_locations(ula(2, 0.5, bearing=90.0))
    np.testing.assert_allclose(loc[1] - loc[0], [-0.5, 0, 0], atol=1e-12)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"m": 0}, "m=0"),
    ({"n": -2}, "n=-2"),
    ({"m": 1.5}, "m=1.5"),
    ({"d_h": 0.0}, "d_h=0.0"),
    ({"d_v": -1.0}, "d_v=-1.0"),
    ({"polarization": "Q"}, "polarization='Q'"),
    ({"element": "dipole"}, "element='dipole'"),
    ({"downtilt": float("nan")}, "downtilt"),
])
def test_bad_arrays(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        AntennaArray(**kwargs)

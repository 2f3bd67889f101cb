"""TR 38.901 §7.3 and §7.1 — antenna element patterns, polarisation and uniform panel arrays.

The element radiation power pattern is the one of Table 7.3-1 (or an isotropic element); the
field components follow polarisation model 2 of §7.3.2 (eq. 7.3-4/7.3-5, slant angle ζ), and are
carried from the local coordinate system (LCS) of the array to the global coordinate system (GCS)
with the rotation of §7.1 (bearing α, downtilt β, slant γ; eq. 7.1-4, 7.1-7, 7.1-8, 7.1-11,
7.1-15). A uniform panel array (§7.3, single panel, M_g = N_g = 1) has M rows and N columns of
elements in the y-z plane of its LCS (it faces the x axis), spaced d_V and d_H wavelengths, with
P polarisations per position. Angles are in degrees throughout: θ is the zenith angle (0° up,
90° horizon), φ the azimuth.

Antenna ports are numbered as MATLAB's nrCDLChannel numbers them: the column-major order of an
array of size (M, N, P), i.e. ``index = m + M * (n + N * p)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError

__all__ = [
    "A_3DB",
    "A_MAX",
    "G_E_MAX",
    "POLARIZATIONS",
    "SLA_V",
    "AntennaArray",
    "element_locations",
    "element_pattern_db",
    "field_pattern",
    "rotation_matrix",
    "ula",
]

# Table 7.3-1: half-power beamwidths (degrees), side-lobe level limit, front-back ratio (dB) and
# maximum directional gain (dBi) of an antenna element.
A_3DB = 65.0
SLA_V = 30.0
A_MAX = 30.0
G_E_MAX = 8.0

# Polarisation slant angles ζ (degrees, §7.3.2 model 2) per named polarisation; the number of
# angles is P, the number of polarisations per element position.
POLARIZATIONS: dict[str, tuple[float, ...]] = {
    "V": (0.0,),
    "H": (90.0,),
    "+45": (45.0,),
    "-45": (-45.0,),
    "VH": (0.0, 90.0),
    "X": (45.0, -45.0),
}

ELEMENTS = ("38.901", "isotropic")
_CLAUSE = "TR 38.901 §7.3"


def _check_real(field: str, value: object, lo: float | None = None, hi: float | None = None,
                strict_lo: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(field, value, "must be a real number", _CLAUSE)
    v = float(value)
    if not np.isfinite(v):
        raise ConfigError(field, value, "must be finite", _CLAUSE)
    if lo is not None and (v <= lo if strict_lo else v < lo):
        raise ConfigError(field, value, f"must be {'>' if strict_lo else '>='} {lo}", _CLAUSE)
    if hi is not None and v > hi:
        raise ConfigError(field, value, f"must be <= {hi}", _CLAUSE)
    return v


@dataclass(frozen=True, slots=True, kw_only=True)
class AntennaArray:
    """A uniform rectangular panel array (TR 38.901 §7.3, one panel).

    Parameters
    ----------
    m : int
        Number of rows M (vertical, along the LCS z axis), >= 1.
    n : int
        Number of columns N (horizontal, along the LCS y axis), >= 1.
    polarization : str
        One of ``POLARIZATIONS``: "V" (ζ = 0°), "H" (90°), "+45", "-45", "VH" (0°, 90°) or
        "X" (+45°, -45°, cross-polarised). P = number of slant angles.
    element : str
        "38.901" (Table 7.3-1 pattern) or "isotropic".
    d_h, d_v : float
        Element spacings d_H, d_V in wavelengths, > 0.
    bearing, downtilt, slant : float
        Orientation α, β, γ of the array LCS in the GCS, degrees (§7.1).

    Raises
    ------
    ConfigError
        Naming the field, value and rule.
    """

    m: int = 1
    n: int = 1
    polarization: str = "V"
    element: str = "isotropic"
    d_h: float = 0.5
    d_v: float = 0.5
    bearing: float = 0.0
    downtilt: float = 0.0
    slant: float = 0.0

    def __post_init__(self) -> None:
        check_int("m", self.m, lo=1, clause=_CLAUSE)
        check_int("n", self.n, lo=1, clause=_CLAUSE)
        check_choice("polarization", self.polarization, POLARIZATIONS, clause=_CLAUSE)
        check_choice("element", self.element, ELEMENTS, clause=_CLAUSE)
        _check_real("d_h", self.d_h, lo=0.0, strict_lo=True)
        _check_real("d_v", self.d_v, lo=0.0, strict_lo=True)
        for name in ("bearing", "downtilt", "slant"):
            _check_real(name, getattr(self, name))

    @property
    def p(self) -> int:
        """Number of polarisations P per element position."""
        return len(POLARIZATIONS[self.polarization])

    @property
    def n_elements(self) -> int:
        """Number of antenna ports M * N * P."""
        return self.m * self.n * self.p

    @property
    def slant_angles(self) -> tuple[float, ...]:
        """Polarisation slant angles ζ (degrees), one per polarisation."""
        return POLARIZATIONS[self.polarization]


def ula(n_elements: int, spacing: float = 0.5, *, polarization: str = "V",
        element: str = "isotropic", bearing: float = 0.0) -> AntennaArray:
    """A horizontal uniform linear array: the panel with M = 1 row of ``n_elements`` columns.

    The elements lie on the LCS y axis, ``spacing`` wavelengths apart; broadside is the LCS x axis
    (θ = 90°, φ = α), endfire the y axis.
    """
    return AntennaArray(m=1, n=n_elements, polarization=polarization, element=element,
                        d_h=spacing, bearing=bearing)


def rotation_matrix(alpha: float, beta: float, gamma: float) -> np.ndarray:
    """Rotation R = R_Z(α) R_Y(β) R_X(γ) from the LCS to the GCS (TR 38.901 §7.1, eq. 7.1-4).

    Parameters
    ----------
    alpha, beta, gamma : float
        Bearing α, downtilt β and slant γ in degrees.

    Returns
    -------
    (3, 3) float64 ndarray
    """
    a, b, g = np.deg2rad([alpha, beta, gamma])
    ca, sa, cb, sb, cg, sg = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(g), np.sin(g)
    return np.array([
        [ca * cb, ca * sb * sg - sa * cg, ca * sb * cg + sa * sg],
        [sa * cb, sa * sb * sg + ca * cg, sa * sb * cg - ca * sg],
        [-sb, cb * sg, cb * cg],
    ])


def element_locations(array: AntennaArray) -> np.ndarray:
    """Location vectors d̄ of the antenna ports in the GCS, in wavelengths (TR 38.901 §7.3, §7.5).

    Element (m, n) sits at (0, n d_H, m d_V) in the LCS, the panel centred on the origin; the
    polarisations of one position share it. The LCS is rotated by (α, β, γ).

    Returns
    -------
    (M*N*P, 3) float64 ndarray
        Row ``m + M*(n + N*p)`` is the location of port (m, n, p).
    """
    mm, nn, _ = np.meshgrid(np.arange(array.m), np.arange(array.n), np.arange(array.p), indexing="ij")
    # Column-major (Fortran) flattening: m fastest, then n, then p.
    mm, nn = mm.ravel(order="F"), nn.ravel(order="F")
    y = (nn - (array.n - 1) / 2.0) * array.d_h
    z = (mm - (array.m - 1) / 2.0) * array.d_v
    local = np.stack([np.zeros_like(y, dtype=np.float64), y, z], axis=-1)
    return local @ rotation_matrix(array.bearing, array.downtilt, array.slant).T


def element_pattern_db(theta: np.ndarray, phi: np.ndarray, element: str = "38.901") -> np.ndarray:
    """Element radiation power pattern A(θ', φ') in dBi in the LCS (TR 38.901 Table 7.3-1).

    A = G_E,max − min{−(A_V + A_H), A_max}, A_V = −min{12 ((θ' − 90°)/θ_3dB)², SLA_V},
    A_H = −min{12 (φ'/φ_3dB)², A_max}, θ_3dB = φ_3dB = 65°, SLA_V = A_max = 30 dB, G_E,max = 8 dBi;
    0 dBi everywhere for the isotropic element.

    Parameters
    ----------
    theta, phi : array_like
        LCS zenith θ' in [0°, 180°] and azimuth φ' (any value; wrapped to (−180°, 180°]).
    element : str
        "38.901" or "isotropic".

    Returns
    -------
    float64 ndarray, broadcast shape of ``theta`` and ``phi``.
    """
    check_choice("element", element, ELEMENTS, clause=_CLAUSE)
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    if element == "isotropic":
        return np.zeros(np.broadcast_shapes(theta.shape, phi.shape))
    phi = np.mod(phi + 180.0, 360.0) - 180.0
    a_v = -np.minimum(12.0 * ((theta - 90.0) / A_3DB) ** 2, SLA_V)
    a_h = -np.minimum(12.0 * (phi / A_3DB) ** 2, A_MAX)
    return G_E_MAX - np.minimum(-(a_v + a_h), A_MAX)


def _gcs_to_lcs(theta: np.ndarray, phi: np.ndarray, alpha: float, beta: float,
                gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LCS angles θ', φ' (eq. 7.1-7, 7.1-8) and the polarisation rotation ψ (eq. 7.1-15), radians."""
    a, b, g = np.deg2rad([alpha, beta, gamma])
    th, dp = np.deg2rad(theta), np.deg2rad(phi) - a
    cb, sb, cg, sg = np.cos(b), np.sin(b), np.cos(g), np.sin(g)
    cth, sth, cdp, sdp = np.cos(th), np.sin(th), np.cos(dp), np.sin(dp)
    ct = np.clip(cb * cg * cth + (sb * cg * cdp - sg * sdp) * sth, -1.0, 1.0)
    theta_l = np.arccos(ct)
    phi_l = np.angle((cb * sth * cdp - sb * cth) + 1j * (cb * sg * cth + (sb * sg * cdp + cg * sdp) * sth))
    psi = np.angle((sg * cth * sdp + cg * (cb * sth - sb * cth * cdp)) + 1j * (sg * cdp + sb * cg * sdp))
    return theta_l, phi_l, psi


def field_pattern(array: AntennaArray, theta: np.ndarray,
                  phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Field components F_θ, F_φ of every antenna port in the GCS (TR 38.901 §7.3.2, §7.1).

    Polarisation model 2 (eq. 7.3-4, 7.3-5) in the LCS: F'_θ = sqrt(A') cos ζ, F'_φ = sqrt(A') sin ζ,
    with A' the linear element power pattern at the LCS angles (θ', φ') of the GCS direction (θ, φ);
    then the rotation by ψ of eq. 7.1-11: F_θ = cos ψ F'_θ − sin ψ F'_φ, F_φ = sin ψ F'_θ + cos ψ F'_φ.

    Parameters
    ----------
    array : AntennaArray
    theta, phi : array_like, same shape S
        GCS zenith and azimuth angles in degrees.

    Returns
    -------
    f_theta, f_phi : float64 ndarrays of shape (M*N*P, *S)
        Real field components per port (port order as ``element_locations``).
    """
    theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=np.float64), np.asarray(phi, dtype=np.float64))
    theta_l, phi_l, psi = _gcs_to_lcs(theta, phi, array.bearing, array.downtilt, array.slant)
    amp = np.sqrt(10.0 ** (element_pattern_db(np.rad2deg(theta_l), np.rad2deg(phi_l), array.element) / 10.0))
    cpsi, spsi = np.cos(psi), np.sin(psi)
    per_pol_t, per_pol_p = [], []
    for zeta in np.deg2rad(array.slant_angles):
        fl_t, fl_p = amp * np.cos(zeta), amp * np.sin(zeta)
        per_pol_t.append(cpsi * fl_t - spsi * fl_p)
        per_pol_p.append(spsi * fl_t + cpsi * fl_p)
    n_pos = array.m * array.n
    f_t = np.repeat(np.stack(per_pol_t), n_pos, axis=0)
    f_p = np.repeat(np.stack(per_pol_p), n_pos, axis=0)
    return f_t, f_p

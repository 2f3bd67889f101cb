"""Propagation channels and impairments: AWGN, TR 38.901 §7.7 TDL and CDL models, antenna
arrays (§7.3), MIMO correlation of co- and cross-polarised antennas (TS 38.101-4 Annex B.2.3,
TS 38.104 Annex G.2.3) and RF impairments."""

from opennr.channel.antenna import AntennaArray, element_locations, element_pattern_db, field_pattern, ula
from opennr.channel.awgn import awgn, noise_variance
from opennr.channel.cdl import CDL_MODELS, CdlChannel, CdlConfig, CdlRays, cdl_profile
from opennr.channel.correlation import (
    CORRELATION_LEVELS,
    POLARIZATIONS,
    cross_polar_correlation,
    link_correlation,
    spatial_correlation,
)
from opennr.channel.fading import SumOfSinusoids
from opennr.channel.impairments import (
    frequency_offset,
    iq_imbalance,
    phase_noise,
    timing_offset,
    wiener_phase,
)
from opennr.channel.multipath import PathStream, apply_paths, history_length, paths_frequency_response
from opennr.channel.tdl import DELAY_SPREADS, TDL_MODELS, TdlChannel, TdlConfig, parse_tdl_name, tdl_profile

__all__ = [
    "CDL_MODELS",
    "CORRELATION_LEVELS",
    "DELAY_SPREADS",
    "POLARIZATIONS",
    "TDL_MODELS",
    "AntennaArray",
    "CdlChannel",
    "CdlConfig",
    "CdlRays",
    "PathStream",
    "SumOfSinusoids",
    "TdlChannel",
    "TdlConfig",
    "apply_paths",
    "awgn",
    "cdl_profile",
    "cross_polar_correlation",
    "element_locations",
    "element_pattern_db",
    "field_pattern",
    "frequency_offset",
    "history_length",
    "iq_imbalance",
    "link_correlation",
    "noise_variance",
    "parse_tdl_name",
    "paths_frequency_response",
    "phase_noise",
    "spatial_correlation",
    "tdl_profile",
    "timing_offset",
    "ula",
    "wiener_phase",
]

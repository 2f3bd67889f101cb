"""TS 38.211 §5.2 — sequence generation: pseudo-random (Gold) and low-PAPR sequences."""

from opennr.sequences.gold import N_C, gold_sequence
from opennr.sequences.lowpapr import (
    low_papr_base_sequence,
    low_papr_sequence,
    zadoff_chu_parameters,
)

__all__ = [
    "N_C",
    "gold_sequence",
    "low_papr_base_sequence",
    "low_papr_sequence",
    "zadoff_chu_parameters",
]

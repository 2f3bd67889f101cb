"""TS 38.211 §5.1 — modulation mapper and soft demapper.

``modulate`` maps bits to symbols with the constellations of §5.1.1-§5.1.7 (pi/2-BPSK, BPSK,
QPSK, 16QAM, 64QAM, 256QAM, 1024QAM); ``demodulate`` returns bit LLRs
(ln P(b=0)/P(b=1), exact or max-log).
"""

from opennr.modulation.demapping import METHODS, demodulate
from opennr.modulation.mapping import (
    BITS_PER_SYMBOL,
    MODULATIONS,
    bits_per_symbol,
    constellation,
    modulate,
    modulation_for_qm,
)

__all__ = [
    "BITS_PER_SYMBOL",
    "METHODS",
    "MODULATIONS",
    "bits_per_symbol",
    "constellation",
    "demodulate",
    "modulate",
    "modulation_for_qm",
]

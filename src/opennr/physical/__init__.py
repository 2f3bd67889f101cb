"""TS 38.211 §6-7 — physical channels and signals: codeword scrambling, PSS and SSS, the PBCH
and its DM-RS, SS/PBCH blocks and SS bursts (with TS 38.213 §4.1)."""

from opennr.physical.pbch import pbch_demodulate, pbch_dmrs, pbch_modulate
from opennr.physical.scrambling import descramble_llrs, scramble, scrambling_c_init
from opennr.physical.ssb import (
    SsBurstConfig,
    ss_burst_grid,
    ss_burst_waveform,
    ssb_block,
    ssb_candidate_symbols,
    ssb_extract,
    ssb_l_max,
)
from opennr.physical.sync import cell_id, pss, split_cell_id, sss

__all__ = [
    "SsBurstConfig",
    "cell_id",
    "descramble_llrs",
    "pbch_demodulate",
    "pbch_dmrs",
    "pbch_modulate",
    "pss",
    "scramble",
    "scrambling_c_init",
    "split_cell_id",
    "ss_burst_grid",
    "ss_burst_waveform",
    "ssb_block",
    "ssb_candidate_symbols",
    "ssb_extract",
    "ssb_l_max",
    "sss",
]

"""TS 38.211 §6-7 — physical channels and signals: codeword scrambling, layer mapping, the PDSCH
and the PUSCH (transform precoding, codebook precoding) with their DM-RS, PSS and SSS, the PBCH
and its DM-RS, SS/PBCH blocks and SS bursts (with TS 38.213 §4.1)."""

from opennr.physical.dmrs import (
    DmrsConfig,
    dmrs_c_init,
    dmrs_port,
    dmrs_re_values,
    dmrs_sequence,
    dmrs_symbol_positions,
)
from opennr.physical.layermap import codeword_layers, layer_demap, layer_map
from opennr.physical.pbch import pbch_demodulate, pbch_dmrs, pbch_modulate
from opennr.physical.pdsch import (
    PdschConfig,
    PdschPlan,
    pdsch_bit_capacity,
    pdsch_dmrs,
    pdsch_grid,
    pdsch_indices,
    pdsch_plan,
    pdsch_symbols,
)
from opennr.physical.precoding import pusch_codebook, pusch_codebook_size
from opennr.physical.ptrs import (
    PtrsConfig,
    PtrsPattern,
    ptrs_densities,
    ptrs_k_ref_rb,
    ptrs_k_ref_re,
    ptrs_pattern,
    ptrs_pdsch_power_db,
    ptrs_subcarriers,
    ptrs_symbol_indices,
    ptrs_values,
)
from opennr.physical.pusch import (
    PuschConfig,
    pusch_bit_capacity,
    pusch_dmrs,
    pusch_grid,
    pusch_indices,
    pusch_plan,
    pusch_scramble,
    pusch_symbols,
)
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
from opennr.physical.transform_precoding import transform_deprecode, transform_precode

__all__ = [
    "DmrsConfig",
    "PdschConfig",
    "PdschPlan",
    "PtrsConfig",
    "PtrsPattern",
    "PuschConfig",
    "SsBurstConfig",
    "cell_id",
    "codeword_layers",
    "descramble_llrs",
    "dmrs_c_init",
    "dmrs_port",
    "dmrs_re_values",
    "dmrs_sequence",
    "dmrs_symbol_positions",
    "layer_demap",
    "layer_map",
    "pbch_demodulate",
    "pbch_dmrs",
    "pbch_modulate",
    "pdsch_bit_capacity",
    "pdsch_dmrs",
    "pdsch_grid",
    "pdsch_indices",
    "pdsch_plan",
    "pdsch_symbols",
    "pss",
    "ptrs_densities",
    "ptrs_k_ref_rb",
    "ptrs_k_ref_re",
    "ptrs_pattern",
    "ptrs_pdsch_power_db",
    "ptrs_subcarriers",
    "ptrs_symbol_indices",
    "ptrs_values",
    "pusch_bit_capacity",
    "pusch_codebook",
    "pusch_codebook_size",
    "pusch_dmrs",
    "pusch_grid",
    "pusch_indices",
    "pusch_plan",
    "pusch_scramble",
    "pusch_symbols",
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
    "transform_deprecode",
    "transform_precode",
]

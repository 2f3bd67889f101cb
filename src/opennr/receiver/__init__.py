"""Receivers (not normative): synchronisation and cell search (TS 38.211 §7.4, TS 38.213 §4.1,
the synchronization raster of TS 38.104 §5.4.3), DM-RS channel estimation, MIMO detection and
the PDSCH and PUSCH receivers."""

from opennr.receiver.cellsearch import CELL_SEARCH_SCS, DetectedCell, cell_search
from opennr.receiver.channel_estimation import (
    ChannelEstimate,
    estimate_channel,
    ls_channel_estimate,
    perfect_channel_estimate,
    wiener_channel_estimate,
)
from opennr.receiver.equalization import equalize
from opennr.receiver.pdcch_rx import MonitoredSearchSpace, PdcchDetection, pdcch_blind_decode
from opennr.receiver.pdsch_rx import (
    PdschDemodResult,
    PdschReceiveResult,
    pdsch_demodulate,
    pdsch_receive,
    ptrs_phase_error,
)
from opennr.receiver.pucch_rx import (
    PucchDemodResult,
    PucchDetection,
    PucchReceiveResult,
    pucch0_detect,
    pucch1_detect,
    pucch_demodulate,
    pucch_receive,
)
from opennr.receiver.pusch_rx import (
    PuschDemodResult,
    PuschReceiveResult,
    pusch_demodulate,
    pusch_estimate,
    pusch_receive,
)
from opennr.receiver.raster import (
    GSCN_MAX,
    GSCN_MIN,
    SsRaster,
    SsRasterPoint,
    band_ss_raster,
    band_ss_rasters,
    frequency_to_gscn,
    gscn_to_frequency,
    ss_raster_bands,
    ssb_raster_frequencies,
)

__all__ = [
    "CELL_SEARCH_SCS",
    "GSCN_MAX",
    "GSCN_MIN",
    "ChannelEstimate",
    "DetectedCell",
    "MonitoredSearchSpace",
    "PdcchDetection",
    "PdschDemodResult",
    "PdschReceiveResult",
    "PucchDemodResult",
    "PucchDetection",
    "PucchReceiveResult",
    "PuschDemodResult",
    "PuschReceiveResult",
    "SsRaster",
    "SsRasterPoint",
    "band_ss_raster",
    "band_ss_rasters",
    "cell_search",
    "equalize",
    "estimate_channel",
    "frequency_to_gscn",
    "gscn_to_frequency",
    "ls_channel_estimate",
    "pdcch_blind_decode",
    "pdsch_demodulate",
    "pdsch_receive",
    "perfect_channel_estimate",
    "ptrs_phase_error",
    "pucch0_detect",
    "pucch1_detect",
    "pucch_demodulate",
    "pucch_receive",
    "pusch_demodulate",
    "pusch_estimate",
    "pusch_receive",
    "ss_raster_bands",
    "ssb_raster_frequencies",
    "wiener_channel_estimate",
]

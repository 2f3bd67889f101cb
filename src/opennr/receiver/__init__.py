"""Receivers: synchronisation and cell search (not normative; built on TS 38.211 §7.4,
TS 38.213 §4.1 and the synchronization raster of TS 38.104 §5.4.3)."""

from opennr.receiver.cellsearch import CELL_SEARCH_SCS, DetectedCell, cell_search
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
    "DetectedCell",
    "SsRaster",
    "SsRasterPoint",
    "band_ss_raster",
    "band_ss_rasters",
    "cell_search",
    "frequency_to_gscn",
    "gscn_to_frequency",
    "ss_raster_bands",
    "ssb_raster_frequencies",
]

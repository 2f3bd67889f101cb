"""Receivers: synchronisation and cell search (not normative; built on TS 38.211 §7.4 and TS 38.213 §4.1)."""

from opennr.receiver.cellsearch import CELL_SEARCH_SCS, DetectedCell, cell_search

__all__ = ["CELL_SEARCH_SCS", "DetectedCell", "cell_search"]

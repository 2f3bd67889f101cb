"""TS 38.212 §5 — channel coding: CRC (``crc``), code block segmentation (``segmentation``),
LDPC codes (``ldpc``), polar codes (``polar``), small block codes of UCI (``smallblock``) and
their rate matching."""

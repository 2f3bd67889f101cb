"""TS 38.212 §5 — channel coding: CRC (``crc``), code block segmentation (``segmentation``),
LDPC codes (``ldpc``), polar codes (``polar``) and their rate matching."""

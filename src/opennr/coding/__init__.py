"""TS 38.212 §5 — channel coding: CRC, code block segmentation, LDPC and rate matching."""

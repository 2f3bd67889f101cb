"""TS 38.211 §6-7 — physical channels and signals (scrambling, modulation mapping, DM-RS, ...)."""

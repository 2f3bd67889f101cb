"""The figures of one SNR point of a transport-block link, from its counters."""

from __future__ import annotations

from opennr.sim.engine import PointResult

#: Counters every transport-block link returns from ``run_batch``.
TB_COUNTERS = ("blocks", "block_errors", "first_tx_errors", "transmissions", "delivered_bits",
               "bits", "bit_errors", "code_blocks", "iterations")


def tb_link_metrics(result: PointResult, tbs: int) -> dict[str, float]:
    """BLER (first transmission and residual after HARQ) with its 95 % Wilson interval, BER,
    throughput as a fraction of the TB rate (delivered bits per transmission over ``tbs``) and
    the mean LDPC iterations per code block."""
    c = result.counts
    blocks = c["blocks"]
    lo, hi = result.bler_interval if blocks else (float("nan"), float("nan"))

    def ratio(num: str, den: str, scale: float = 1.0) -> float:
        return c[num] / (c[den] * scale) if c[den] else float("nan")

    return {
        "snr_db": result.snr_db,
        "blocks": blocks,
        "block_errors": c["block_errors"],
        "bler": result.bler,
        "bler_low": lo,
        "bler_high": hi,
        "bler_first_tx": ratio("first_tx_errors", "blocks"),
        "ber": ratio("bit_errors", "bits"),
        "throughput": ratio("delivered_bits", "transmissions", tbs),
        "iterations": ratio("iterations", "code_blocks"),
        "skipped": result.skipped,
    }

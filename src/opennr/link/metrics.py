"""Counting the transport blocks of a link, with HARQ, and the figures of one SNR point."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from opennr.sim.engine import PointResult
from opennr.transport.sch import SchDecodeResult

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


def count_harq_batch(tb: np.ndarray, max_transmissions: int,
                     transmit: Callable[[int, np.ndarray], SchDecodeResult]) -> dict[str, int]:
    """Transmit a batch of transport blocks until each is decoded or ``max_transmissions`` is
    reached, and count what happened (the :data:`TB_COUNTERS`).

    Parameters
    ----------
    tb : numpy.ndarray of uint8, shape (n_blocks, A)
        The transport blocks.
    max_transmissions : int
        Transmissions per block (1 without HARQ).
    transmit : callable
        ``transmit(tx, pending)`` sends transmission ``tx`` (0, 1, ...) of the batch, where
        ``pending`` marks the blocks not yet decoded, and returns the batch's decode result. The
        soft buffers keep the batch's shape; only pending blocks are counted.
    """
    n_blocks, a = tb.shape
    pending = np.ones(n_blocks, dtype=bool)
    decoded = np.zeros_like(tb)
    counts = dict.fromkeys(TB_COUNTERS, 0)
    for tx in range(max_transmissions):
        result = transmit(tx, pending)
        counts["transmissions"] += int(pending.sum())
        counts["iterations"] += int(result.iterations[pending].sum())
        counts["code_blocks"] += int(pending.sum()) * result.iterations.shape[-1]
        decoded[pending] = result.tb[pending]
        if tx == 0:
            counts["first_tx_errors"] = int((~result.tb_crc_ok).sum())
        pending &= ~result.tb_crc_ok
        if not pending.any():
            break
    counts["blocks"] = n_blocks
    counts["block_errors"] = int(pending.sum())
    counts["delivered_bits"] = int((~pending).sum()) * a
    counts["bits"] = n_blocks * a
    counts["bit_errors"] = int((decoded != tb).sum())
    return counts

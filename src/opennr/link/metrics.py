"""Counting the transport blocks of a link, with HARQ, and the figures of one SNR point."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from opennr.sim.engine import PointResult
from opennr.transport.sch import SchDecodeResult

#: Counters every transport-block link returns from ``run_batch``. With HARQ,
#: ``errors_after_tx<t>`` (t = 2 .. max_transmissions) count the blocks still in error after
#: transmission t (``first_tx_errors`` is t = 1, ``block_errors`` the last). ``evm_error`` and
#: ``evm_reference`` are the sums of |x̂ − x|² and |x|² over the equalized data symbols, in units
#: of :data:`EVM_UNIT` (0 when the link does not measure them).
TB_COUNTERS = ("blocks", "block_errors", "first_tx_errors", "transmissions", "delivered_bits",
               "bits", "bit_errors", "code_blocks", "iterations", "evm_error", "evm_reference")

#: The unit of the EVM counters: powers are summed as integers in millionths, so that batches
#: add up exactly in any order.
EVM_UNIT = 1e-6


class EvmCounter:
    """Error vector magnitude sums of one batch (TS 38.101-1 Annex F, TS 38.104 §6.5.2,
    measured on the equalized data symbols of the receiver).

    ``add(equalized, reference)`` accumulates Σ|x̂ − x|² and Σ|x|²; :meth:`counts` returns them as
    the integer counters ``evm_error`` and ``evm_reference`` in units of :data:`EVM_UNIT`. The
    RMS EVM of a point is √(Σ evm_error / Σ evm_reference).
    """

    __slots__ = ("error", "reference")

    def __init__(self) -> None:
        self.error = 0.0
        self.reference = 0.0

    def add(self, equalized: np.ndarray, reference: np.ndarray) -> None:
        """Add the symbols ``equalized`` (x̂) against the transmitted ``reference`` (x), same
        shape, complex."""
        equalized = np.asarray(equalized)
        reference = np.asarray(reference)
        if equalized.shape != reference.shape:
            raise ValueError(f"equalized {equalized.shape} and reference {reference.shape} "
                             "symbols must have the same shape")
        diff = equalized.astype(np.complex128) - reference
        self.error += float(np.vdot(diff, diff).real)
        self.reference += float(np.vdot(reference, reference).real)

    def counts(self) -> dict[str, int]:
        return {"evm_error": round(self.error / EVM_UNIT),
                "evm_reference": round(self.reference / EVM_UNIT)}


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
                     transmit: Callable[[int, np.ndarray], SchDecodeResult],
                     evm: EvmCounter | None = None) -> dict[str, int]:
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
    evm : EvmCounter, optional
        The batch's EVM sums, filled by ``transmit`` (the counters stay 0 without it).
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
        if tx > 0:
            counts[f"errors_after_tx{tx + 1}"] = int(pending.sum())
        if not pending.any():
            break
    for tx in range(2, max_transmissions + 1):
        counts.setdefault(f"errors_after_tx{tx}", 0)
    counts["blocks"] = n_blocks
    counts["block_errors"] = int(pending.sum())
    counts["delivered_bits"] = int((~pending).sum()) * a
    counts["bits"] = n_blocks * a
    counts["bit_errors"] = int((decoded != tb).sum())
    if evm is not None:
        counts.update(evm.counts())
    return counts

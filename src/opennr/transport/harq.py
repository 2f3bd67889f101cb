"""HARQ soft buffers for the DL-SCH/UL-SCH receivers (TS 38.212 §5.4.2, §7.2, §6.2; TS 38.321
§5.3.2 for the HARQ entity and the new-data indicator).

A :class:`HarqBuffer` holds the soft circular buffers (LLRs of the C code blocks, each of
length N) of one HARQ process. Each transmission of a transport block is rate-recovered *into*
it, so retransmissions with other redundancy versions add up (incremental redundancy with
chase combining where the RVs overlap). A toggled new-data indicator (NDI) starts a new
transport block and clears the buffer. A :class:`HarqEntity` is the set of up to 16 processes
of one carrier.
"""

from __future__ import annotations

import numpy as np

from opennr._validate import check_int

__all__ = ["HarqBuffer", "HarqEntity"]

_CLAUSE = "TS 38.321 §5.3.2"


class HarqBuffer:
    """Soft buffer of one HARQ process.

    Attributes
    ----------
    soft : numpy.ndarray or None
        ``(..., C, N)`` float32 LLRs of the circular buffers accumulated so far, or ``None``
        when empty.
    ndi : int or None
        New-data indicator of the transport block in the buffer (``None`` before the first
        transmission with an NDI).
    key : tuple or None
        What identifies the code-block structure of the buffered transport block (transport
        block size, base graph, C, N, N_cb); a retransmission must match it.
    n_transmissions : int
        Number of transmissions combined in :attr:`soft`.
    """

    __slots__ = ("key", "n_transmissions", "ndi", "soft")

    def __init__(self) -> None:
        self.soft: np.ndarray | None = None
        self.ndi: int | None = None
        self.key: tuple | None = None
        self.n_transmissions = 0

    def reset(self) -> None:
        """Flush the buffer (the NDI is kept)."""
        self.soft = None
        self.key = None
        self.n_transmissions = 0

    def new_data_indicator(self, ndi: int) -> bool:
        """Apply the NDI of a received assignment; flush the buffer when it toggled.

        Parameters
        ----------
        ndi : int
            New-data indicator, 0 or 1.

        Returns
        -------
        bool
            ``True`` when this is new data (first NDI seen, or NDI toggled): the buffer was
            flushed; ``False`` for a retransmission of the buffered transport block.

        Raises
        ------
        ConfigError
            If ``ndi`` is not 0 or 1.
        """
        ndi = check_int("ndi", ndi, 0, 1, _CLAUSE)
        new = self.ndi is None or ndi != self.ndi
        self.ndi = ndi
        if new:
            self.reset()
        return new

    def __repr__(self) -> str:
        shape = None if self.soft is None else self.soft.shape
        return (f"HarqBuffer(ndi={self.ndi}, n_transmissions={self.n_transmissions}, "
                f"shape={shape})")


class HarqEntity:
    """The HARQ processes of one carrier, each with its :class:`HarqBuffer`.

    Parameters
    ----------
    n_processes : int, optional
        Number of HARQ processes, 1..16 (*nrofHARQ-ProcessesForPDSCH/PUSCH*; default 16).

    Raises
    ------
    ConfigError
        If ``n_processes`` is outside 1..16.

    Examples
    --------
    >>> harq = HarqEntity(8)
    >>> buf = harq[3]          # the buffer of HARQ process 3
    >>> harq.reset()           # flush every process
    """

    __slots__ = ("_buffers",)

    def __init__(self, n_processes: int = 16) -> None:
        n = check_int("n_processes", n_processes, 1, 16, _CLAUSE)
        self._buffers = tuple(HarqBuffer() for _ in range(n))

    def __len__(self) -> int:
        return len(self._buffers)

    def __getitem__(self, harq_id: int) -> HarqBuffer:
        """The buffer of HARQ process ``harq_id`` (0-based)."""
        harq_id = check_int("harq_id", harq_id, 0, len(self._buffers) - 1, _CLAUSE)
        return self._buffers[harq_id]

    def reset(self) -> None:
        """Flush every process and forget the NDIs."""
        for b in self._buffers:
            b.reset()
            b.ndi = None

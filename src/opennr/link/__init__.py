"""Ready end-to-end chains: transmitter, channel, receiver and their metrics."""

from opennr.link.dlsch import DlschAwgnConfig, DlschAwgnLink

__all__ = ["DlschAwgnConfig", "DlschAwgnLink"]

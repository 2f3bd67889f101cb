"""Ready end-to-end chains: transmitter, channel, receiver and their metrics."""

from opennr.link.dlsch import DlschAwgnConfig, DlschAwgnLink
from opennr.link.metrics import TB_COUNTERS, tb_link_metrics
from opennr.link.pdsch import PdschLink, PdschLinkConfig
from opennr.link.pucch import PucchLink, PucchLinkConfig
from opennr.link.pusch import PuschLink, PuschLinkConfig

__all__ = ["TB_COUNTERS", "DlschAwgnConfig", "DlschAwgnLink", "PdschLink", "PdschLinkConfig",
           "PucchLink", "PucchLinkConfig", "PuschLink", "PuschLinkConfig",
           "tb_link_metrics"]

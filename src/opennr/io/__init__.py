"""Input and output of recordings: SigMF (``sigmf``)."""

from opennr.io.sigmf import SIGMF_DATATYPES, SigmfMetadata, read_sigmf, write_sigmf

__all__ = ["SIGMF_DATATYPES", "SigmfMetadata", "read_sigmf", "write_sigmf"]

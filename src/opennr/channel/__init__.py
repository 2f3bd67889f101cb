"""Propagation channels and impairments (TR 38.901 §7.7 and AWGN)."""

from opennr.channel.awgn import awgn, noise_variance

__all__ = ["awgn", "noise_variance"]

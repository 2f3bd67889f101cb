"""The DL-SCH-over-AWGN link: operating points, HARQ gain, reproducibility, configuration."""

from __future__ import annotations

import math

import pytest

from opennr.errors import ConfigError
from opennr.link import DlschAwgnConfig, DlschAwgnLink
from opennr.sim import StopRule, batch_rng, run_sweep


def shannon_snr_db(config: DlschAwgnConfig) -> float:
    """The lowest SNR at which AWGN capacity carries the link's information bits per RE."""
    link = DlschAwgnLink(config)
    bits_per_re = link.sch.tbs / (config.g / config.qm)
    return 10 * math.log10(2**bits_per_re - 1)


@pytest.mark.parametrize("mcs", [4, 16, 27])
def test_waterfall_lies_between_capacity_and_three_and_a_half_db_above(mcs):
    config = DlschAwgnConfig(mcs_index=mcs, n_prb=24)
    link = DlschAwgnLink(config)
    limit = shannon_snr_db(config)
    below = link.run_batch(limit + 0.2, 24, batch_rng(1, 0, 0))
    above = link.run_batch(limit + 3.5, 48, batch_rng(1, 1, 0))
    # No code beats capacity; BICM with LDPC at 10 min-sum iterations gets within 3.5 dB of it.
    assert below["block_errors"] == below["blocks"] == 24
    assert above["block_errors"] == 0 and above["bit_errors"] == 0


def test_error_free_at_high_snr_and_few_iterations():
    link = DlschAwgnLink(DlschAwgnConfig(mcs_table="qam256", mcs_index=20, n_prb=20))
    counts = link.run_batch(40.0, 16, batch_rng(2, 0, 0))
    assert counts["block_errors"] == 0 and counts["bit_errors"] == 0
    assert counts["iterations"] <= 2 * counts["code_blocks"]


def test_harq_soft_combining_recovers_blocks_the_first_transmission_loses():
    config = DlschAwgnConfig(mcs_index=16, n_prb=24, harq=True)
    link = DlschAwgnLink(config)
    snr = shannon_snr_db(config) + 0.2  # every first transmission fails here
    counts = link.run_batch(snr, 32, batch_rng(3, 0, 0))
    assert counts["first_tx_errors"] == 32
    # Two transmissions (RV 0 then RV 2) carry twice the energy and new parity bits.
    assert counts["block_errors"] == 0
    assert counts["transmissions"] >= 64
    assert counts["delivered_bits"] == 32 * link.sch.tbs


def test_sweep_is_reproducible_and_bler_falls_with_snr():
    link = DlschAwgnLink(DlschAwgnConfig(mcs_index=9, n_prb=10))
    stop = StopRule(min_errors=20, max_blocks=96, batch_size=32)
    snrs = [2.0, 3.0, 4.0, 5.0]
    a = run_sweep(link, snrs, stop, seed=9)
    b = run_sweep(link, snrs, stop, seed=9)
    assert [r.counts for r in a] == [r.counts for r in b]
    blers = [r.bler for r in a]
    assert blers == sorted(blers, reverse=True)
    assert blers[0] > 0.5 and blers[-1] < 0.05


@pytest.mark.parametrize("kwargs,field", [
    ({"mcs_index": 29}, "reserved"),            # retransmissions only
    ({"mcs_index": 32}, "i_mcs"),
    ({"mcs_table": "qam16"}, "table"),
    ({"n_prb": 0}, "n_prb"),
    ({"n_symbols": 15}, "n_symbols"),
    ({"n_layers": 5}, "n_layers"),
    ({"decoder": "bp"}, "decoder"),
    ({"max_iterations": 0}, "max_iterations"),
])
def test_impossible_configurations_name_the_field(kwargs, field):
    with pytest.raises(ConfigError, match=field):
        DlschAwgnConfig(**kwargs)


def test_tbs_larger_than_the_allocation_is_rejected():
    with pytest.raises(ConfigError, match="tbs"):
        DlschAwgnLink(DlschAwgnConfig(n_prb=1, tbs=100_000))


def test_evm_is_the_noise_to_signal_ratio_per_re():
    link = DlschAwgnLink(DlschAwgnConfig(mcs_index=10, n_prb=20))
    counts = link.run_batch(15.0, 4, batch_rng(2, 0, 0))
    evm2 = counts["evm_error"] / counts["evm_reference"]
    assert abs(evm2 / 10 ** (-1.5) - 1.0) < 0.05

"""The PDSCH link: BLER against SNR over AWGN, practical (LS) against perfect channel estimates
over TDL-C, HARQ over an evolving channel, the slot time line, configuration and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.link.pdsch import PdschLink, PdschLinkConfig
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import PdschConfig
from opennr.physical.ptrs import PtrsConfig
from opennr.sim import StopRule, batch_rng, run_sweep
from opennr.transport.tbs import transport_block_size


def test_awgn_bler_falls_with_snr():
    link = PdschLink(PdschLinkConfig())
    stop = StopRule(min_errors=1000, max_blocks=32, batch_size=16)
    res = run_sweep(link, [-1.0, 1.0, 1.5, 3.0], stop, seed=3)
    blers = [r.bler for r in res]
    assert blers[0] == 1.0 and blers[-1] == 0.0
    assert blers == sorted(blers, reverse=True)
    m = link.metrics(res[-1])
    assert m["bler"] == 0.0 and m["ber"] == 0.0 and m["throughput"] == 1.0
    assert m["blocks"] == 32 and 0 < m["iterations"] <= 10


def _snr_at_bler(snrs, blers, target=0.1):
    for i in range(len(snrs) - 1):
        if blers[i] >= target > blers[i + 1]:
            t = (blers[i] - target) / (blers[i] - blers[i + 1])
            return snrs[i] + t * (snrs[i + 1] - snrs[i])
    raise AssertionError(f"BLER {blers} does not cross {target} over {snrs}")


def test_ls_estimation_is_within_two_db_of_perfect_csi_over_tdl_c():
    # 24 PRB, MCS 10 (16QAM, R = 0.33), 1 layer, 1x2, TDL-C 300 ns 100 Hz; both estimators
    # see the same channels, data and noise (same seeds).
    snrs = [0.0, 2.0, 4.0, 6.0, 8.0]
    stop = StopRule(min_errors=1000, max_blocks=48, batch_size=8)
    at = {}
    for est in ("perfect", "ls"):
        link = PdschLink(PdschLinkConfig(channel="TDLC300-100", estimator=est))
        blers = [r.bler for r in run_sweep(link, snrs, stop, seed=11)]
        assert blers[0] > 0.5 and blers[-1] < 0.05
        at[est] = _snr_at_bler(snrs, blers)
    assert 0.0 <= at["ls"] - at["perfect"] <= 2.0


def test_two_layers_with_ls_estimation_and_zf_decode_at_high_snr():
    config = PdschLinkConfig(carrier=Carrier(scs=15, n_size_grid=12), mcs_index=16, n_rx=4,
                             pdsch=PdschConfig(n_layers=2, dmrs=DmrsConfig(additional_position=1)),
                             channel="TDLA30-10", equalizer="zf", correlation="medium")
    counts = PdschLink(config).run_batch(25.0, 8, batch_rng(4, 0, 0))
    assert counts["block_errors"] == 0 and counts["bit_errors"] == 0


def test_harq_retransmissions_see_an_evolved_channel_and_recover_blocks():
    config = PdschLinkConfig(channel="TDLC300-100", harq=True, harq_processes=4)
    link = PdschLink(config)
    slots = {link.transmission_slot(b, t) for b in range(12) for t in range(4)}
    assert len(slots) == 48
    assert link.transmission_slot(5, 2) == 4 * 4 + 2 * 4 + 1
    ch = link.new_channel(np.random.default_rng(1))
    h0 = link.channel_response(ch, link.transmission_slot(0, 0))
    h1 = link.channel_response(ch, link.transmission_slot(0, 1))
    np.testing.assert_array_equal(h0, link.channel_response(ch, 0))
    assert np.mean(np.abs(h1 - h0) ** 2) > 0.1 * np.mean(np.abs(h0) ** 2)
    counts = link.run_batch(1.0, 16, batch_rng(7, 0, 0))
    assert counts["first_tx_errors"] >= 4
    assert counts["block_errors"] < counts["first_tx_errors"]
    assert counts["transmissions"] > 16


def test_describe_and_configuration_errors():
    link = PdschLink(PdschLinkConfig(channel="TDLA30-10"))
    text = link.describe()
    assert "16QAM" in text and "TDLA30-10" in text and "1x2" in text
    assert link.sch.tbs == link.config.transport_block_size
    with pytest.raises(ConfigError, match="n_rx"):
        PdschLinkConfig(pdsch=PdschConfig(n_layers=2), n_rx=1)
    with pytest.raises(ConfigError, match="n_layers"):
        PdschLinkConfig(pdsch=PdschConfig(n_layers=5, modulation=("QPSK", "QPSK"),
                                           dmrs=DmrsConfig(length=2)), n_rx=8)
    with pytest.raises(ConfigError, match="name"):
        PdschLinkConfig(channel="rayleigh")
    with pytest.raises(ConfigError, match="estimator"):
        PdschLinkConfig(estimator="mmse")
    with pytest.raises(ConfigError, match="correlation"):
        PdschLinkConfig(channel="TDLA30-10", correlation="extreme")
    with pytest.raises(ConfigError, match="tbs"):
        PdschLink(PdschLinkConfig(tbs=10**6))
    with pytest.raises(ValueError, match="snr_db"):
        link.run_batch(float("nan"), 1, batch_rng(0, 0, 0))


@pytest.mark.parametrize(("config_type", "length", "cdm", "n_dmrs"),
                         [(1, 1, 2, 2 * 12), (1, 2, 1, 4 * 6), (2, 1, 3, 2 * 12), (2, 2, 1, 4 * 4)])
def test_tbs_counts_dmrs_and_cdm_groups_without_data_but_not_ptrs(config_type, length, cdm, n_dmrs):
    # TS 38.214 §5.1.3.2: N'_RE = 12 N_symb^sh − N_DMRS^PRB − N_oh^PRB, with N_DMRS^PRB the DM-RS
    # REs of the CDM groups without data (6 per group for type 1, 4 for type 2) in the two
    # DM-RS positions (l0 = 2 and one additional) — the PT-RS REs do not count.
    dmrs = DmrsConfig(config_type=config_type, length=length, additional_position=1,
                      n_cdm_groups_without_data=cdm)
    base = PdschConfig(symbol_allocation=(0, 14), dmrs=dmrs)
    plain = PdschLinkConfig(pdsch=base, mcs_index=10)
    with_ptrs = PdschLinkConfig(pdsch=PdschConfig(symbol_allocation=(0, 14), dmrs=dmrs,
                                                  ptrs=PtrsConfig(time_density=1, frequency_density=2)),
                                mcs_index=10)
    expect = transport_block_size(n_prb=24, n_symb_sh=14, n_dmrs_prb=n_dmrs,
                                  target_code_rate=340 / 1024, qm=4, n_layers=1)
    assert plain.plan().n_dmrs_prb == with_ptrs.plan().n_dmrs_prb == n_dmrs
    assert plain.transport_block_size == with_ptrs.transport_block_size == expect
    assert with_ptrs.g < plain.g     # the PT-RS REs carry no data
    assert PdschLink(with_ptrs).sch.tbs == expect


@pytest.mark.parametrize(("layers", "n_rx"), [(1, 2), (2, 4)])
def test_evm_of_the_equalized_symbols_follows_the_snr_per_re_and_antenna(layers, n_rx):
    # Static channel: unit-modulus gains with orthogonal columns (‖h_j‖² = n_rx), layers sharing
    # the power (1/ν each), perfect CSI: the unbiased MMSE output of each layer has
    # EVM² ≈ N0 ν / n_rx at high SNR.
    pdsch = PdschConfig(n_layers=layers, dmrs=DmrsConfig(n_cdm_groups_without_data=2))
    link = PdschLink(PdschLinkConfig(pdsch=pdsch, n_rx=n_rx, estimator="perfect"))
    counts = link.run_batch(20.0, 2, batch_rng(1, 0, 0))
    evm2 = counts["evm_error"] / counts["evm_reference"]
    assert abs(evm2 / (0.01 * layers / n_rx) - 1.0) < 0.1

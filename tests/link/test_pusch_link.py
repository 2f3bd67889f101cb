"""The PUSCH link: BLER waterfalls over AWGN (CP-OFDM and DFT-s-OFDM) and TDL, practical (LS)
against perfect channel estimates over TDL-C, HARQ over an evolving channel, the SNR definition
(EVM of the detected symbols), configuration and metrics; UCI on the PUSCH with its counters."""

from __future__ import annotations

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.link.pusch import UCI_COUNTERS, PuschLink, PuschLinkConfig
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.ptrs import PtrsConfig
from opennr.physical.pusch import PuschConfig
from opennr.sim import StopRule, batch_rng, run_sweep
from opennr.sim.engine import PointResult
from opennr.transport.tbs import transport_block_size
from opennr.transport.uci_pusch import UciPuschConfig


def _snr_at_bler(snrs, blers, target=0.1):
    for i in range(len(snrs) - 1):
        if blers[i] >= target > blers[i + 1]:
            t = (blers[i] - target) / (blers[i] - blers[i + 1])
            return snrs[i] + t * (snrs[i + 1] - snrs[i])
    raise AssertionError(f"BLER {blers} does not cross {target} over {snrs}")


@pytest.mark.parametrize("tp", [False, True], ids=["cp-ofdm", "dft-s-ofdm"])
def test_awgn_bler_falls_with_snr(tp):
    pusch = PuschConfig(prb_set=tuple(range(24)), transform_precoding=tp)
    link = PuschLink(PuschLinkConfig(pusch=pusch, mcs_table="tp-qam64" if tp else "qam64"))
    stop = StopRule(min_errors=1000, max_blocks=32, batch_size=16)
    res = run_sweep(link, [-1.0, 1.0, 1.5, 3.0], stop, seed=3)
    blers = [r.bler for r in res]
    assert blers[0] == 1.0 and blers[-1] == 0.0
    assert blers == sorted(blers, reverse=True)
    m = link.metrics(res[-1])
    assert m["bler"] == 0.0 and m["ber"] == 0.0 and m["throughput"] == 1.0
    assert m["blocks"] == 32 and 0 < m["iterations"] <= 10


@pytest.mark.parametrize(("pusch", "n_rx"), [
    (PuschConfig(), 2),
    # codebook precoding on 1 of 2 ports (W = [1, 0]ᵀ/√2): the 1/‖W‖ scaling keeps power 1
    (PuschConfig(n_antenna_ports=2, tpmi=0), 2),
    (PuschConfig(transform_precoding=True, n_antenna_ports=4, tpmi=0), 4),
])
def test_snr_is_per_re_and_receive_antenna(pusch, n_rx):
    # static channel with unit gains, perfect CSI: MRC over n_rx antennas gives EVM² = N0 / n_rx
    link = PuschLink(PuschLinkConfig(pusch=pusch, n_rx=n_rx, estimator="perfect"))
    counts = link.run_batch(20.0, 2, batch_rng(1, 0, 0))
    evm2 = counts["evm_error"] / counts["evm_reference"]
    assert abs(evm2 / (0.01 / n_rx) - 1.0) < 0.1


def test_ls_estimation_is_within_two_db_of_perfect_csi_over_tdl_c():
    # 24 PRB, MCS 10 (16QAM, R = 0.33), 1 layer, 1x2, TDL-C 300 ns 100 Hz; both estimators
    # see the same channels, data and noise (same seeds).
    snrs = [0.0, 2.0, 4.0, 6.0, 8.0]
    stop = StopRule(min_errors=1000, max_blocks=48, batch_size=8)
    at = {}
    for est in ("perfect", "ls"):
        link = PuschLink(PuschLinkConfig(channel="TDLC300-100", estimator=est))
        blers = [r.bler for r in run_sweep(link, snrs, stop, seed=11)]
        assert blers[0] > 0.5 and blers[-1] < 0.05
        at[est] = _snr_at_bler(snrs, blers)
    assert 0.0 <= at["ls"] - at["perfect"] <= 2.0


def test_two_layers_on_four_ports_over_tdl_at_high_snr():
    config = PuschLinkConfig(carrier=Carrier(scs=15, n_size_grid=12), mcs_index=16, n_rx=4,
                             pusch=PuschConfig(n_layers=2, n_antenna_ports=4, tpmi=4,
                                               dmrs=DmrsConfig(additional_position=1)),
                             channel="TDLA30-10", equalizer="zf", correlation="medium")
    link = PuschLink(config)
    assert link.channel_response(link.new_channel(batch_rng(0, 0, 0)), 0).shape[:2] == (4, 4)
    counts = link.run_batch(25.0, 8, batch_rng(4, 0, 0))
    assert counts["block_errors"] == 0 and counts["bit_errors"] == 0


def test_harq_retransmissions_see_an_evolved_channel_and_recover_blocks():
    config = PuschLinkConfig(channel="TDLC300-100", harq=True, harq_processes=4)
    link = PuschLink(config)
    assert link.transmission_slot(5, 2) == 4 * 4 + 2 * 4 + 1
    ch = link.new_channel(np.random.default_rng(1))
    h0 = link.channel_response(ch, link.transmission_slot(0, 0))
    h1 = link.channel_response(ch, link.transmission_slot(0, 1))
    assert np.mean(np.abs(h1 - h0) ** 2) > 0.1 * np.mean(np.abs(h0) ** 2)
    counts = link.run_batch(1.0, 16, batch_rng(7, 0, 0))
    assert counts["first_tx_errors"] >= 4
    assert counts["block_errors"] < counts["first_tx_errors"]
    assert counts["transmissions"] > 16


@pytest.mark.parametrize("hopping", ["disabled", "intra-slot"])
def test_tbs_counts_dmrs_but_not_ptrs(hopping):
    # TS 38.214 §6.1.4.2: N_DMRS^PRB = the DM-RS symbols of the scheduled duration (of both
    # hops with hopping) times the 12 subcarriers of the two CDM groups without data; the PT-RS
    # REs do not count.
    dmrs = DmrsConfig(additional_position=1, n_cdm_groups_without_data=2)
    kw = dict(prb_set=tuple(range(8)), symbol_allocation=(0, 14), dmrs=dmrs,
              frequency_hopping=hopping, rb_offset=8 if hopping == "intra-slot" else 0)
    plain = PuschLinkConfig(pusch=PuschConfig(**kw), mcs_index=10)
    with_ptrs = PuschLinkConfig(pusch=PuschConfig(**kw, ptrs=PtrsConfig(time_density=1,
                                                                        frequency_density=2)),
                                mcs_index=10)
    n_dmrs = len(plain.plan().dmrs_symbols) * 12
    assert n_dmrs >= 24
    expect = transport_block_size(n_prb=8, n_symb_sh=14, n_dmrs_prb=n_dmrs,
                                  target_code_rate=340 / 1024, qm=4, n_layers=1)
    assert plain.transport_block_size == with_ptrs.transport_block_size == expect
    assert with_ptrs.g < plain.g


def test_describe_and_configuration_errors():
    link = PuschLink(PuschLinkConfig(channel="TDLA30-10", pusch=PuschConfig(
        transform_precoding=True, prb_set=tuple(range(20))), mcs_table="tp-qam64", mcs_index=0,
        tp_pi2bpsk=True))
    text = link.describe()
    assert "DFT-s-OFDM" in text and "pi/2-BPSK" in text and "TDLA30-10" in text
    assert link.sch.tbs == link.config.transport_block_size and link.config.qm == 1
    assert link.config.tdl_config().direction == "uplink"
    with pytest.raises(ConfigError, match="n_rx"):
        PuschLinkConfig(pusch=PuschConfig(n_layers=2), n_rx=1)
    with pytest.raises(ConfigError, match="name"):
        PuschLinkConfig(channel="rayleigh")
    with pytest.raises(ConfigError, match="estimator"):
        PuschLinkConfig(estimator="mmse")
    with pytest.raises(ConfigError, match="correlation"):
        PuschLinkConfig(channel="TDLA30-10", correlation="extreme")
    with pytest.raises(ConfigError, match="mcs_table"):
        PuschLinkConfig(mcs_table="tp-qam64")
    with pytest.raises(ConfigError, match="tbs"):
        PuschLink(PuschLinkConfig(tbs=10**6))
    with pytest.raises(ConfigError, match="config"):
        PuschLink(PuschLinkConfig)
    with pytest.raises(ValueError, match="snr_db"):
        link.run_batch(float("nan"), 1, batch_rng(0, 0, 0))


def test_uci_counters_and_error_rates():
    # 2 HARQ-ACK bits (puncturing the UL-SCH) and CSI parts 1 and 2 in every slot: none wrong
    # at a good SNR, HARQ-ACK and CSI lost at a very low one
    uci = UciPuschConfig(o_ack=2, o_csi1=20, o_csi2=30, beta_offset_ack=8.0,
                         beta_offset_csi1=2.0, beta_offset_csi2=2.0)
    cfg = PuschLinkConfig(pusch=PuschConfig(prb_set=tuple(range(12))), mcs_index=4, uci=uci)
    link = PuschLink(cfg)
    assert set(UCI_COUNTERS) <= set(link.counters)
    plan = cfg.mux_plan()
    assert cfg.g_ulsch == plan.g_ulsch == cfg.g - plan.g_csi1 - plan.g_csi2 < cfg.g
    assert "UCI HARQ-ACK 2" in link.describe()
    good = link.run_batch(10.0, 6, batch_rng(5, 0, 0))
    assert good["ack_slots"] == good["csi_slots"] == 6
    assert good["ack_errors"] == good["csi1_errors"] == good["csi2_errors"] == 0
    assert good["block_errors"] == 0
    bad = link.run_batch(-12.0, 6, batch_rng(5, 1, 0))
    assert bad["block_errors"] == 6 and bad["csi1_errors"] + bad["csi2_errors"] >= 6
    assert bad["ack_errors"] >= 1 and bad["ack_bit_errors"] >= bad["ack_errors"]
    m = link.metrics(PointResult(-12.0, bad))
    assert m["ack_error_rate"] == bad["ack_errors"] / 6
    assert m["ack_ber"] == bad["ack_bit_errors"] / 12
    assert m["csi2_bler"] == bad["csi2_errors"] / 6
    # HARQ retransmissions are slots with their own UCI
    harq = PuschLink(PuschLinkConfig(pusch=cfg.pusch, mcs_index=4, uci=UciPuschConfig(o_ack=5),
                                     harq=True, max_transmissions=2, harq_processes=1))
    counts = harq.run_batch(-12.0, 3, batch_rng(5, 2, 0))
    assert counts["ack_slots"] == counts["transmissions"] == 6 and counts["csi_slots"] == 0
    assert np.isnan(harq.metrics(PointResult(-12.0, counts))["csi1_bler"])


def test_uci_config_errors():
    with pytest.raises(ConfigError, match="uci"):
        PuschLinkConfig(uci={"o_ack": 2})
    # CSI part 1 taking nearly all REs: no room for the transport block
    uci = UciPuschConfig(o_csi1=1000, beta_offset_csi1=20.0)
    with pytest.raises(ConfigError):
        PuschLink(PuschLinkConfig(pusch=PuschConfig(prb_set=tuple(range(4))), uci=uci))

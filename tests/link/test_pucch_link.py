"""The PUCCH link: counters that add up, the probabilities of TS 38.104 §8.3 at very high and very
low SNR, the DTX false-alarm rate on noise alone against its target, the channel of the PUCCH
resource elements, the configuration checks and the PUCCH scenarios."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opennr.errors import ConfigError
from opennr.link.pucch import PUCCH_COUNTERS, PucchLink, PucchLinkConfig, pucch_metrics
from opennr.numerology import Carrier
from opennr.physical.pucch import PucchConfig
from opennr.sim import ScenarioError, parse_scenario
from opennr.sim.engine import PointResult
from opennr.sim.links import build_link

CARRIER = Carrier(scs=30, n_size_grid=24)

#: (PUCCH resource, payload bits) of each format, as TS 38.104 §8.3 sets them up.
RESOURCES = {
    0: (PucchConfig(format=0, symbol_allocation=(13, 1)), 1),
    1: (PucchConfig(format=1, symbol_allocation=(0, 14), second_hop_prb=23), 2),
    2: (PucchConfig(format=2, symbol_allocation=(13, 1), n_prb=4), 4),
    3: (PucchConfig(format=3, symbol_allocation=(0, 14), second_hop_prb=23), 16),
    4: (PucchConfig(format=4, symbol_allocation=(0, 14), second_hop_prb=23), 22),
}


def link(fmt: int, **kw) -> PucchLink:
    pucch, bits = RESOURCES[fmt]
    return PucchLink(PucchLinkConfig(carrier=CARRIER, pucch=pucch, n_bits=bits, **kw))


def binomial_range(p: float, n: int, z: float = 4.0) -> tuple[float, float]:
    s = math.sqrt(p * (1 - p) / n)
    return p - z * s, p + z * s


def test_counters_are_integers_that_add_up_across_batches():
    lk = link(1, channel="TDLC300-100")
    a = lk.run_batch(-6.0, 20, np.random.default_rng(1))
    b = lk.run_batch(-6.0, 30, np.random.default_rng(2))
    for counts, n in ((a, 20), (b, 30)):
        assert set(counts) == set(PUCCH_COUNTERS)
        assert all(type(v) is int for v in counts.values())
        assert counts["blocks"] == counts["transmissions"] == counts["dtx_slots"] == n
        assert counts["bits"] == 2 * n == counts["ack_bits"] + counts["nack_bits"]
        assert counts["delivered_bits"] == 2 * (n - counts["block_errors"])
        assert counts["missed_slots"] <= counts["block_errors"] <= n
        assert counts["ack_missed"] <= counts["ack_bits"]
        assert counts["dtx_false_ack"] <= 2 * counts["dtx_detections"]
    total = {k: a[k] + b[k] for k in PUCCH_COUNTERS}
    m = lk.metrics(PointResult(-6.0, total))
    assert m["bler"] == pytest.approx(total["block_errors"] / 50)
    assert m["ack_missed"] == pytest.approx(total["ack_missed"] / total["ack_bits"])
    assert m["bler_low"] <= m["bler"] <= m["bler_high"]
    assert m["throughput"] == pytest.approx(1.0 - m["bler"])


@pytest.mark.parametrize("fmt", [0, 1, 2, 3, 4])
def test_clean_reception_at_high_snr(fmt):
    lk = link(fmt, dtx=False)
    c = lk.run_batch(30.0, 40, np.random.default_rng(fmt))
    assert c["blocks"] == 40 and c["block_errors"] == 0 and c["bit_errors"] == 0
    assert c["ack_missed"] == 0 and c["nack_to_ack"] == 0 and c["missed_slots"] == 0
    assert c["ack_bits"] > 0 and c["nack_bits"] > 0          # random payloads carry both


@pytest.mark.parametrize("fmt", [0, 1, 2])
def test_acks_are_missed_at_very_low_snr(fmt):
    lk = link(fmt, payload="ack", dtx=False)
    c = lk.run_batch(-25.0, 60, np.random.default_rng(fmt))
    assert c["ack_bits"] == c["bits"] and c["nack_bits"] == 0
    assert c["ack_missed"] / c["ack_bits"] > 0.8
    assert c["missed_slots"] > 40                            # mostly declared DTX


def test_nack_payload_counts_nack_to_ack_only_on_nacks():
    lk = link(1, payload="nack", dtx=False)
    c = lk.run_batch(-25.0, 100, np.random.default_rng(4))
    assert c["nack_bits"] == 200 and c["ack_bits"] == 0 and c["ack_missed"] == 0
    # At -25 dB most slots are DTX; the few noise detections turn NACKs into ACKs about half
    # the time, so the NACK-to-ACK rate stays far below the missed detections.
    assert c["nack_to_ack"] <= c["bits"] - 2 * c["missed_slots"]


@pytest.mark.parametrize("fmt,target,n", [(0, 0.05, 1500), (1, 0.05, 600)])
def test_dtx_false_alarm_near_the_target_on_noise_alone(fmt, target, n):
    lk = link(fmt, false_alarm=target, channel="TDLC300-100")
    c = lk.run_batch(0.0, n, np.random.default_rng(11))
    lo, hi = binomial_range(target, n)
    assert lo <= c["dtx_detections"] / c["dtx_slots"] <= hi
    # A lower target gives fewer false detections on the same noise.
    c2 = link(fmt, false_alarm=target / 10, channel="TDLC300-100").run_batch(
        0.0, n, np.random.default_rng(11))
    assert c2["dtx_detections"] < c["dtx_detections"]


def test_small_block_dtx_threshold_calibrated_to_the_target():
    lk = link(2, false_alarm=0.05)
    c = lk.run_batch(10.0, 800, np.random.default_rng(5))
    lo, hi = binomial_range(0.05, 800)
    assert lo <= c["dtx_detections"] / 800 <= hi
    assert c["block_errors"] == 0                           # the threshold lets signals through


def test_channel_of_the_pucch_resource_elements_matches_the_slot_grid():
    pucch, bits = RESOURCES[1]
    lk = PucchLink(PucchLinkConfig(carrier=CARRIER, pucch=pucch, n_bits=bits, n_rx=2,
                                   channel="TDLA30-10"))
    ch = lk._channel.new(np.random.default_rng(3))
    for slot in (0, 7):
        full = lk._channel.response(ch, slot)[:, 0].reshape(2, -1)
        assert np.allclose(lk._response(ch, slot), full[:, lk._idx], atol=1e-5)


def test_channel_evolves_over_the_slots_of_a_batch():
    lk = link(0, channel="TDLC300-100")
    ch = lk._channel.new(np.random.default_rng(3))
    h = np.array([lk._response(ch, s) for s in range(200)])
    power = np.mean(np.abs(h) ** 2)

    def change(lag: int) -> float:
        return float(np.mean(np.abs(h[lag:] - h[:-lag]) ** 2) / power)

    # 100 Hz Doppler, 0.5 ms slots: 2 (1 - J0(2π f_D τ)) is 0.05 after one slot, about 2 once
    # the channel has decorrelated (τ = 25 ms).
    assert change(1) < 0.15
    assert change(50) > 1.0


def test_uci_bler_falls_with_snr_over_awgn():
    lk = link(4, dtx=False)
    low = lk.run_batch(-12.0, 60, np.random.default_rng(1))["block_errors"]
    high = lk.run_batch(0.0, 60, np.random.default_rng(1))["block_errors"]
    assert low > 30 and high < low


def test_perfect_csi_for_formats_2_to_4():
    c = link(3, estimator="perfect", dtx=False).run_batch(-3.0, 60, np.random.default_rng(2))
    d = link(3, dtx=False).run_batch(-3.0, 60, np.random.default_rng(2))
    assert c["block_errors"] <= d["block_errors"]


@pytest.mark.parametrize("fmt,kw,field", [
    (0, {"n_bits": 3}, "n_bits"),
    (1, {"n_bits": 0}, "n_bits"),
    (2, {"n_bits": 200}, "n_bits"),
    (0, {"estimator": "perfect"}, "estimator"),
    (0, {"payload": "maybe"}, "payload"),
    (0, {"false_alarm": 0.0}, "false_alarm"),
    (0, {"channel": "TDLX30-10"}, "name"),
    (0, {"n_rx": 0}, "n_rx"),
])
def test_bad_configurations_name_the_field(fmt, kw, field):
    pucch, bits = RESOURCES[fmt]
    args = {"carrier": CARRIER, "pucch": pucch, "n_bits": bits, **kw}
    with pytest.raises(ConfigError) as exc:
        PucchLinkConfig(**args)
    assert exc.value.field == field


def test_metrics_without_trials_are_nan():
    m = pucch_metrics(dict.fromkeys(PUCCH_COUNTERS, 0))
    assert all(math.isnan(m[k]) for k in ("bler", "ack_missed", "dtx_to_ack", "throughput"))


# -- scenarios --------------------------------------------------------------------------------

PUCCH = {"link": {"kind": "pucch", "scs": 30, "n_prb": 24, "n_rx": 4,
                  "pucch": {"format": 2, "n_prb": 9, "symbols": [12, 2], "hopping": True,
                            "bits": 22}},
         "channel": {"model": "TDLC300-100"}, "sweep": {"snr": [0.0, 1.0]}}


def scenario(**changes) -> dict:
    import copy

    data = copy.deepcopy(PUCCH)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(leaf)
        else:
            node[leaf] = value
    return data


def test_pucch_scenario_builds_the_link_of_its_keys():
    sc = parse_scenario(scenario())
    assert sc.kind == "pucch" and [p.tbs for p in sc.points] == [22, 22]
    lk = build_link(sc.points[0].link)
    c = lk.config
    assert (c.pucch.format, c.pucch.n_prb, c.pucch.symbol_allocation) == (2, 9, (12, 2))
    assert c.pucch.second_hop_prb == 24 - 9                 # the last PRBs of the carrier
    assert (c.n_bits, c.n_rx, c.channel, c.correlation) == (22, 4, "TDLC300-100", "low")
    assert sc.config["receiver"] == {} and "mcs_index" not in sc.config["link"]
    # Written back as TOML, the same scenario.
    import tomllib

    assert parse_scenario(tomllib.loads(sc.as_toml())).config == sc.config


def test_pucch_scenario_defaults_per_format():
    lk = build_link(parse_scenario(scenario(link__pucch={"format": 1, "bits": 2})).points[0].link)
    assert lk.config.pucch.symbol_allocation == (0, 14) and not lk.config.pucch.hopping


@pytest.mark.parametrize("changes,path", [
    ({"link__mcs_index": 3}, "link.mcs_index"),
    ({"link__dmrs": {"type": 1}}, "link.dmrs"),
    ({"receiver": {"harq": False}}, "receiver.harq"),
    ({"link__pucch__format": 5}, "link.pucch.format"),
    ({"link__pucch__colour": 1}, "link.pucch.colour"),
    ({"link__pucch__bits": 400}, "link.pucch.bits"),
    ({"link__pucch__symbols": [0, 4]}, "link.pucch.symbols"),
    ({"link__pucch__n_prb": 30}, "link.pucch.n_prb"),
    ({"link__pucch__start_prb": 20}, "link.pucch.start_prb"),
    ({"link__pucch__false_alarm": 0.9}, "link.pucch.false_alarm"),
])
def test_bad_pucch_scenarios_name_the_key(changes, path):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(scenario(**changes))
    assert exc.value.field == path


def test_pucch_table_does_not_apply_to_other_kinds():
    data = {"link": {"kind": "pdsch", "pucch": {"format": 0}}, "sweep": {"snr": [0.0]}}
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data)
    assert exc.value.field == "link.pucch"

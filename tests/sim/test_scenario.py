"""Scenario files: every example loads, defaults, sweep grids, and errors that name the key."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from opennr.sim import ScenarioError, load_scenario, parse_scenario
from opennr.sim.scenario import DEFAULT_SCENARIO, SCHEMA

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.toml"))

BASE = {"link": {"kind": "dlsch-awgn", "n_prb": 4, "mcs_index": 4},
        "sweep": {"snr": [0.0, 1.0]}}


def with_(path: str, value, base=BASE) -> dict:
    data = copy.deepcopy(base)
    *parents, leaf = path.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = value
    return data


def test_examples_cover_the_common_cases():
    kinds = {}
    for path in EXAMPLES:
        sc = load_scenario(path)
        kinds.setdefault(sc.kind, []).append(sc)
    assert len(EXAMPLES) >= 6
    assert set(kinds) >= {"pdsch", "dlsch-awgn"}
    models = {sc.config["channel"]["model"] for scs in kinds.values() for sc in scs}
    assert {"awgn", "TDLC300-100", "TDLA30-10"} <= models


@pytest.mark.parametrize("path", [*EXAMPLES, DEFAULT_SCENARIO], ids=lambda p: p.name)
def test_every_example_loads_and_round_trips(path):
    sc = load_scenario(path)
    assert sc.points and all(p.tbs > 0 for p in sc.points)
    # The effective configuration, written back as TOML, is the same scenario.
    import tomllib

    again = parse_scenario(tomllib.loads(sc.as_toml()))
    assert again.config == sc.config
    assert [p.as_dict() for p in again.points] == [p.as_dict() for p in sc.points]
    # ... and so is the configuration stored as JSON (how a run is resumed).
    assert parse_scenario(json.loads(json.dumps(sc.config))).config == sc.config


def test_default_scenario_is_the_pdsch_fading_case():
    sc = load_scenario(DEFAULT_SCENARIO)
    link = sc.config["link"]
    assert (sc.kind, link["n_prb"], link["mcs_table"], link["mcs_index"], link["n_rx"],
            link["layers"]) == ("pdsch", 52, "qam64", 16, 2, 1)
    assert sc.config["channel"]["model"] == "TDLC300-100"
    assert 3 <= len(sc.points) <= 10


def test_defaults_are_filled_in():
    sc = parse_scenario(BASE)
    assert sc.config["receiver"]["decoder"] == SCHEMA["receiver"]["decoder"].default
    assert sc.config["stop"]["min_errors"] == 100 and sc.config["run"]["seed"] == 1
    assert "dmrs" not in sc.config["link"]          # no DM-RS in the coding-chain link


def test_sweep_grid_points_and_curves():
    data = with_("sweep", {"snr": {"start": 2.0, "stop": 5.0, "step": 0.5},
                           "mcs_index": [4, 9], "iterations": [5, 8, 12]})
    sc = parse_scenario(data)
    assert len(sc.points) == 7 * 2 * 3
    assert [p.index for p in sc.points] == list(range(42))
    curves = {}
    for p in sc.points:
        curves.setdefault(p.curve, []).append(p)
    assert len(curves) == 6
    for pts in curves.values():
        assert [p.snr_db for p in pts] == [2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
        assert len({p.link for p in pts}) == 1
    assert curves[0][0].params == {"mcs_index": 4, "iterations": 5}
    assert curves[5][0].params == {"mcs_index": 9, "iterations": 12}
    # The swept value reaches the link's configuration, and the TBS follows the MCS.
    assert curves[5][0].link.as_dict()["receiver"]["iterations"] == 12
    assert curves[0][0].tbs < curves[5][0].tbs


def test_snr_list_is_sorted():
    sc = parse_scenario(with_("sweep.snr", [3.0, -1.0, 1.5]))
    assert [p.snr_db for p in sc.points] == [-1.0, 1.5, 3.0]


@pytest.mark.parametrize("path,value,key,words", [
    ("link.kind", "pdcch", "link.kind", "'pdsch', 'pusch', 'dlsch-awgn'"),
    ("link.mcs_index", 40, "link.mcs_index", "[0, 31]"),
    ("link.mcs_index", 31, "link.mcs_index", "reserved"),
    ("link.mcs_table", "qam4096", "link.mcs_table", "'qam256'"),
    ("link.colour", "red", "link.colour", "allowed: "),
    ("link.n_rx", 2, "link.n_rx", "does not apply to link kind 'dlsch-awgn'"),
    ("receiver.decoder", "bp", "receiver.decoder", "'nms', 'oms', 'spa'"),
    ("receiver.harq", "yes", "receiver.harq", "true or false"),
    ("channel.model", "TDLC300-100", "channel.model", "must be 'awgn' for link kind"),
    ("stop.bler_floor", 1.5, "stop.bler_floor", "[0.0, 0.999]"),
    ("stop.ci_width", 0, "stop.ci_width", "(0.0, 10.0]"),
    ("run.seed", -1, "run.seed", "integer in [0, "),
    ("run.batch_size", 0, "run.batch_size", "[1, 100000]"),
    ("sweep.snr", [], "sweep.snr", "non-empty list"),
    ("sweep.snr", {"start": 3, "stop": 1, "step": 1}, "sweep.snr", "stop >= start"),
    ("sweep.snr", {"start": 0, "stop": 1}, "sweep.snr.step", "required"),
    ("sweep.mcs_index", [4, 31], "sweep.mcs_index", "reserved"),
    ("sweep.mcs_index", [4, 4], "sweep.mcs_index", "repeat"),
    ("sweep.colour", [1, 2], "sweep.colour", "mcs_index"),
    ("sweep.n_rx", [1, 2], "sweep.n_rx", "does not apply"),
    ("output", {"x": 1}, "output", "allowed: channel, link"),
    ("link.tbs", 100_000, "link.tbs", "must not exceed"),
])
def test_bad_values_name_the_key_and_the_allowed_values(path, value, key, words):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(with_(path, value))
    assert info.value.field == key
    assert words in str(info.value)


PDSCH = {"link": {"kind": "pdsch", "n_prb": 24, "mcs_index": 4, "n_rx": 2},
         "channel": {"model": "TDLA30-10"}, "sweep": {"snr": [0.0]}}


@pytest.mark.parametrize("path,value,key,words", [
    ("link.dmrs.type", 3, "link.dmrs.type", "1, 2"),
    ("link.dmrs.additional_positions", 4, "link.dmrs.additional_positions", "[0, 3]"),
    ("link.dmrs.length", 3, "link.dmrs.length", "1, 2"),
    ("link.dmrs.colour", 1, "link.dmrs.colour", "allowed: additional_positions"),
    ("link.prbs", [20, 10], "link.prbs", ""),
    ("link.prbs", [0], "link.prbs", "[first PRB, number of PRBs]"),
    ("link.layers", 3, "link.n_rx", ">= 3"),
    ("link.transform_precoding", True, "link.transform_precoding", "does not apply"),
    ("channel.model", "TDLZ30-10", "channel.model", "'TDLC300-100'"),
    ("channel.correlation", "extreme", "channel.correlation", "'medium-A'"),
    ("receiver.estimator", "dft", "receiver.estimator", "'ls', "),
])
def test_bad_pdsch_values_name_the_key(path, value, key, words):
    parse_scenario(PDSCH)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(with_(path, value, PDSCH))
    assert info.value.field == key
    assert words in str(info.value)


def test_cross_field_rules_of_the_link_name_a_key():
    data = with_("link.dmrs", {"length": 2, "additional_positions": 2}, PDSCH)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.field in ("link.dmrs.length", "link.dmrs.additional_positions")


def test_cdm_groups_without_data_reach_the_link_and_are_checked():
    from opennr.sim.links import build_link

    default = build_link(parse_scenario(PDSCH).points[0].link).config
    one = build_link(parse_scenario(with_("link.dmrs.cdm_groups_without_data", 1, PDSCH))
                     .points[0].link).config
    assert default.pdsch.dmrs.n_cdm_groups_without_data == 2
    assert one.pdsch.dmrs.n_cdm_groups_without_data == 1
    # One CDM group without data: the other group's 6 REs of each DM-RS symbol carry data.
    assert default.plan().n_dmrs_prb - one.plan().n_dmrs_prb == 6 * 2
    with pytest.raises(ScenarioError) as info:       # type 1 has two CDM groups
        parse_scenario(with_("link.dmrs.cdm_groups_without_data", 3, PDSCH))
    assert info.value.field == "link.dmrs.cdm_groups_without_data"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(with_("link.dmrs.cdm_groups_without_data", 0, PDSCH))
    assert info.value.field == "link.dmrs.cdm_groups_without_data" and "1, 2, 3" in str(info.value)


def test_doppler_overrides_the_model_and_can_be_swept():
    sc = parse_scenario(with_("sweep.doppler", [5.0, 300.0], PDSCH))
    models = [json.loads(p.link.config)["channel"] for p in sc.points]
    assert [m["doppler"] for m in models] == [5.0, 300.0]
    from opennr.sim.links import build_link

    assert build_link(sc.points[1].link).config.channel == "TDLA30-300"


def test_malformed_toml_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[link\nkind = 'pdsch'\n")
    with pytest.raises(ScenarioError, match="not valid TOML") as info:
        load_scenario(bad)
    assert info.value.field == "scenario"
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(tmp_path / "missing.toml")

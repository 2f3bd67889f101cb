"""The conformance cases: TS 38.104 §8.2 requirement rows and Annex A FRCs as data."""

from __future__ import annotations

import dataclasses
import json

import pytest

from opennr.conformance import case_status, load_cases, load_frcs, select_cases
from opennr.errors import ConfigError
from opennr.sim.links import build_link
from opennr.sim.scenario import LinkSpec, parse_scenario


def test_every_row_names_its_source_and_a_known_frc():
    cases = load_cases()
    assert len(cases) >= 70
    ids = [c.case for c in cases]
    assert len(set(ids)) == len(ids)
    tables = {c.table for c in cases}
    assert {f"8.2.1.2-{i}" for i in range(1, 8)} | {"8.2.2.2-1", "8.2.2.2-2"} == tables
    for c in cases:
        assert c.clause in ("8.2.1.2", "8.2.2.2") and c.table.startswith(c.clause)
        assert c.spec.startswith("TS 38.104 V")
        assert c.case == f"{c.table}-r{c.row}"
        assert c.fraction == 0.7 and c.correlation == "low"
        assert c.layers == c.n_tx == c.frc.layers and c.n_rx >= c.layers
        assert c.frc.transform_precoding == (c.clause == "8.2.2.2")


def test_example_requirements():
    # The rows quoted in the requirement: 1 Tx, 2 Rx.
    by_key = {(c.frc.name, c.n_rx): c.snr_db for c in load_cases()}
    assert by_key["G-FR1-A3-8", 2] == -2.3
    assert by_key["G-FR1-A4-8", 2] == 10.1
    assert by_key["G-FR1-A5-8", 2] == 12.3
    assert by_key["G-FR1-A3-14", 2] == -2.8
    assert by_key["G-FR1-A4-14", 2] == 10.2
    assert by_key["G-FR1-A5-14", 2] == 13.0


def test_frc_allocation_is_the_channel_bandwidth():
    n_rb = {(15, 5): 25, (15, 10): 52, (15, 20): 106, (30, 10): 24, (30, 20): 51, (30, 40): 106,
            (30, 100): 273}          # TS 38.104 Table 5.3.2-1
    for f in load_frcs().values():
        assert f.n_prb == n_rb[f.scs, f.bandwidth_mhz], f.name


def test_tbs_matches_published_payloads():
    frcs = load_frcs().values()
    published = [f for f in frcs if f.payload is not None]
    assert len(published) >= 7
    for f in published:
        assert f.payload_source
        assert f.transport_block_size() == f.payload, f.name


@pytest.mark.parametrize("case_id", ["8.2.1.2-1-r1", "8.2.1.2-1-r10", "8.2.2.2-2-r1",
                                     "8.2.1.2-4-r20"])
def test_link_of_a_case_carries_the_frc(case_id):
    case = select_cases([case_id])[0]
    scenario = parse_scenario(case.scenario_dict([case.snr_db]))
    link = build_link(LinkSpec("pusch", scenario.points[0].link.config))
    assert link.sch.tbs == case.frc.transport_block_size()
    c = link.config
    assert (c.carrier.scs, c.carrier.n_size_grid) == (case.frc.scs, case.frc.n_prb)
    assert c.pusch.n_layers == case.layers and c.n_rx == case.n_rx
    assert c.pusch.transform_precoding == case.frc.transform_precoding
    assert c.harq and c.max_transmissions == 4 and c.estimator != "perfect"
    assert c.channel == case.channel
    # Total bits per slot: 12 data symbols on every PRB.
    assert c.g == case.frc.n_prb * 12 * 12 * c.qm * case.layers
    assert json.loads(scenario.points[0].link.config)["channel"]["model"] == case.channel


def test_selection_and_unknown_names():
    assert [c.case for c in select_cases(["8.2.1.2-1-r1"])] == ["8.2.1.2-1-r1"]
    by_frc = select_cases(["G-FR1-A3-8"])
    assert {c.case for c in by_frc} == {"8.2.1.2-1-r1", "8.2.1.2-1-r4"}
    assert len(select_cases(["8.2.1.2-7"])) == 12
    assert {c.table for c in select_cases(["8.2.1.2-?-r1"])} == {f"8.2.1.2-{i}" for i in range(1, 8)}
    default = select_cases([])
    assert default and all(c.default for c in default)
    with pytest.raises(ConfigError, match="matches no conformance case"):
        select_cases(["8.2.1.2-1-r99"])


def test_status_runnable_or_needs():
    case = select_cases(["8.2.1.2-1-r1"])[0]
    assert case_status(case) == "runnable"
    assert case_status(dataclasses.replace(case, requires=("pt-rs",))) == "needs pt-rs"
    # A configuration the link rejects is listed with what it needs, not run.
    assert case_status(dataclasses.replace(case, layers=4, n_tx=4)).startswith("needs ")


def test_perfect_csi_is_refused():
    case = select_cases(["8.2.1.2-1-r1"])[0]
    with pytest.raises(ConfigError, match="practical channel estimator"):
        case.scenario_dict([0.0], estimator="perfect")

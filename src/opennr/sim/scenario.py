"""Scenario files: a link-level simulation described in TOML, validated completely up front.

A scenario has the sections ``[link]`` (with ``[link.dmrs]``, or ``[link.pucch]`` for the PUCCH
link), ``[channel]``, ``[receiver]``,
``[sweep]``, ``[stop]`` and ``[run]``; :data:`SCHEMA` lists every key with its allowed values and
default. Unknown keys and bad values raise :class:`ScenarioError` naming the key by its dotted
path (``receiver.decoder``) and what it accepts. :func:`load_scenario` reads a file,
:func:`parse_scenario` a dict; the :class:`Scenario` holds the effective configuration (every
default filled in) and the points of the sweep: one curve per combination of the extra swept
parameters, each curve an SNR sweep in increasing SNR.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opennr.errors import ConfigError
from opennr.transport.mcs import MCS_TABLE_ALIASES, MCS_TABLES

__all__ = ["DEFAULT_SCENARIO", "SCHEMA", "SWEEPABLE", "LinkSpec", "Scenario", "ScenarioError",
           "ScenarioPoint", "load_scenario", "parse_scenario"]

#: The scenario ``opennr simulate`` runs without an argument.
DEFAULT_SCENARIO = Path(__file__).with_name("default_scenario.toml")

KINDS = ("pdsch", "pusch", "dlsch-awgn", "pucch")
_GRID = ("pdsch", "pusch")           # the kinds with a resource grid, DM-RS and a channel model
_TB = ("pdsch", "pusch", "dlsch-awgn")     # the kinds that carry transport blocks (MCS, HARQ)
_FADING = (*_GRID, "pucch")                # the kinds with antennas and a fading channel
#: Child tables of ``[link]`` and the kinds they apply to.
_LINK_TABLES = {"dmrs": _GRID, "pucch": ("pucch",)}


class ScenarioError(ConfigError):
    """A scenario key with a missing, unknown or invalid value; ``field`` is its dotted path."""


_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Key:
    """One scenario key: its check (returns the normalised value), default and link kinds."""

    check: Callable[[str, Any], Any]
    default: Any = None
    kinds: tuple[str, ...] = _TB
    doc: str = ""


def _int(lo: int | None = None, hi: int | None = None):
    def check(path: str, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ScenarioError(path, v, "must be an integer" + _range(lo, hi))
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ScenarioError(path, v, "must be an integer" + _range(lo, hi))
        return v
    return check


def _float(lo: float | None = None, hi: float | None = None, *, open_lo: bool = False):
    def check(path: str, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ScenarioError(path, v, "must be a finite number" + _range(lo, hi, open_lo))
        if (lo is not None and (v < lo or (open_lo and v == lo))) or (hi is not None and v > hi):
            raise ScenarioError(path, v, "must be a number" + _range(lo, hi, open_lo))
        return float(v)
    return check


def _range(lo, hi, open_lo: bool = False) -> str:
    if lo is not None and hi is not None:
        return f" in {'(' if open_lo else '['}{lo}, {hi}]"
    if lo is not None:
        return f" {'>' if open_lo else '>='} {lo}"
    if hi is not None:
        return f" <= {hi}"
    return ""


def _choice(*allowed: Any):
    def check(path: str, v: Any) -> Any:
        if isinstance(v, bool) and not all(isinstance(a, bool) for a in allowed):
            raise ScenarioError(path, v, "must be one of " + ", ".join(map(repr, allowed)))
        if v not in allowed:
            raise ScenarioError(path, v, "must be one of " + ", ".join(map(repr, allowed)))
        return v
    return check


def _receiver_choice(name: str):
    # The receiver's own lists of estimators and detectors, imported when first needed.
    def check(path: str, v: Any) -> Any:
        from opennr.receiver.channel_estimation import ESTIMATORS
        from opennr.receiver.equalization import EQUALIZERS

        return _choice(*{"estimator": ESTIMATORS, "equalizer": EQUALIZERS}[name])(path, v)
    return check


def _bool(path: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ScenarioError(path, v, "must be true or false")
    return v


def _optional(inner):
    def check(path: str, v: Any) -> Any:
        return None if v is None else inner(path, v)
    return check


def _pair(lo0: int, hi0: int, lo1: int, hi1: int, what: str):
    def check(path: str, v: Any) -> list[int]:
        ok = (isinstance(v, list) and len(v) == 2
              and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
              and lo0 <= v[0] <= hi0 and lo1 <= v[1] <= hi1)
        if not ok:
            raise ScenarioError(path, v, f"must be [{what}], integers with the first in "
                                f"[{lo0}, {hi0}] and the second in [{lo1}, {hi1}]")
        return list(v)
    return check


def _channel_model(path: str, v: Any) -> str:
    from opennr.channel import parse_tdl_name

    if v == "awgn":
        return v
    try:
        model, _, doppler = parse_tdl_name(v)
    except ConfigError as exc:
        raise ScenarioError(path, v, "must be 'awgn' or a TDL in conformance shorthand such as "
                            "'TDLA30-10', 'TDLB100-400', 'TDLC300-100' (profile letter, delay "
                            f"spread in ns, maximum Doppler in Hz): {exc.rule}") from None
    return f"{model}-{doppler:g}"


def _name(path: str, v: Any) -> str:
    if not isinstance(v, str) or len(v) > 200:
        raise ScenarioError(path, v, "must be a string of at most 200 characters")
    return v


_MCS_TABLES = (*MCS_TABLE_ALIASES, *MCS_TABLES)

#: Every key of a scenario, by section. ``None`` as a default means "absent" (the link's own
#: choice: the TS 38.214 TBS, the whole carrier, the Doppler of the channel model).
SCHEMA: dict[str, dict[str, Key]] = {
    "link": {
        "kind": Key(_choice(*KINDS), _REQUIRED, KINDS, "the link to simulate"),
        "scs": Key(_choice(15, 30, 60, 120), 30, KINDS, "subcarrier spacing in kHz"),
        "n_prb": Key(_int(1, 275), 52, KINDS, "carrier size in PRBs (allocated PRBs for "
                     "dlsch-awgn)"),
        "n_cell_id": Key(_int(0, 1007), 1, _FADING, "physical cell identity"),
        "prbs": Key(_optional(_pair(0, 274, 1, 275, "first PRB, number of PRBs")), None, _GRID,
                    "allocated PRBs as [first, count]; absent for the whole carrier"),
        "symbols": Key(_pair(0, 13, 1, 14, "first symbol, number of symbols"), [0, 14],
                       doc="allocated OFDM symbols as [first, count]"),
        "mapping_type": Key(_choice("A", "B"), "A", _GRID, "PDSCH/PUSCH mapping type"),
        "mcs_table": Key(_choice(*_MCS_TABLES), "qam64", doc="TS 38.214 MCS table"),
        "mcs_index": Key(_int(0, 31), 16, doc="I_MCS"),
        "layers": Key(_int(1, 4), 1, doc="number of layers"),
        "n_rx": Key(_int(1, 64), 2, _FADING, "receive antennas"),
        "tbs": Key(_optional(_int(1, 1_300_000)), None, doc="transport block size; absent for "
                   "TS 38.214 §5.1.3.2"),
        "n_rnti": Key(_int(0, 65535), 1, KINDS, "RNTI of the scrambling"),
        "n_dmrs_prb": Key(_int(0, 167), 12, ("dlsch-awgn",), "DM-RS REs per PRB (overhead)"),
        "transform_precoding": Key(_bool, False, ("pusch",), "DFT-s-OFDM"),
        "tp_pi2bpsk": Key(_bool, False, ("pusch",), "tp-pi2BPSK (q = 1 in the tp- MCS tables)"),
    },
    "link.dmrs": {
        "type": Key(_choice(1, 2), 1, _GRID, "DM-RS configuration type"),
        "additional_positions": Key(_int(0, 3), 1, _GRID, "dmrs-AdditionalPosition"),
        "length": Key(_choice(1, 2), 1, _GRID, "single or double-symbol DM-RS"),
        "type_a_position": Key(_choice(2, 3), 2, _GRID, "dmrs-TypeA-Position"),
        "cdm_groups_without_data": Key(_choice(1, 2, 3), 2, _GRID, "DM-RS CDM groups without "
                                       "data (1 or 2 for type 1, 1 to 3 for type 2)"),
    },
    "link.pucch": {
        "format": Key(_choice(0, 1, 2, 3, 4), 0, ("pucch",), "PUCCH format (TS 38.211 Table "
                      "6.3.2.1-1)"),
        "symbols": Key(_optional(_pair(0, 13, 1, 14, "first symbol, number of symbols")), None,
                       ("pucch",), "PUCCH symbols as [first, count]; absent for the last symbol "
                       "(formats 0, 2) or the whole slot (formats 1, 3, 4)"),
        "start_prb": Key(_int(0, 274), 0, ("pucch",), "startingPRB"),
        "n_prb": Key(_int(1, 16), 1, ("pucch",), "nrofPRBs (formats 2, 3)"),
        "hopping": Key(_bool, False, ("pucch",), "intra-slot frequency hopping to the last PRBs "
                       "of the carrier"),
        "second_hop_prb": Key(_optional(_int(0, 274)), None, ("pucch",),
                              "secondHopPRB (hopping to it instead of the last PRBs)"),
        "bits": Key(_int(1, 1706), 1, ("pucch",), "HARQ-ACK bits (formats 0, 1) or UCI "
                    "payload bits (formats 2-4)"),
        "payload": Key(_choice("random", "ack", "nack"), "random", ("pucch",),
                       "payload bits: random, all ACK or all NACK"),
        "initial_cyclic_shift": Key(_int(0, 11), 0, ("pucch",), "initialCyclicShift m_0"),
        "occ_index": Key(_int(0, 6), 0, ("pucch",), "timeDomainOCC (format 1) or occ-Index "
                         "(format 4)"),
        "spreading_factor": Key(_choice(2, 4), 2, ("pucch",), "occ-Length of format 4"),
        "modulation": Key(_choice("QPSK", "pi/2-BPSK"), "QPSK", ("pucch",),
                          "modulation of formats 3, 4"),
        "additional_dmrs": Key(_bool, False, ("pucch",), "additionalDMRS of formats 3, 4"),
        "group_hopping": Key(_choice("neither", "enable", "disable"), "neither", ("pucch",),
                             "pucch-GroupHopping"),
        "hopping_id": Key(_optional(_int(0, 1023)), None, ("pucch",),
                          "hoppingId; absent for the cell identity"),
        "false_alarm": Key(_float(1e-6, 0.5), 0.01, ("pucch",),
                           "target probability of a detection on noise alone (DTX threshold)"),
        "dtx": Key(_bool, True, ("pucch",), "also count detections on noise alone"),
        "estimator": Key(_choice("dmrs", "perfect"), "dmrs", ("pucch",),
                         "channel knowledge of the format 2-4 receiver"),
    },
    "channel": {
        "model": Key(_channel_model, "awgn", KINDS, "'awgn' or a TDL shorthand like "
                     "'TDLC300-100'"),
        "correlation": Key(_choice("low", "medium", "medium-A", "high"), "low", _FADING,
                           "MIMO correlation of the TDL channel"),
        "doppler": Key(_optional(_float(0.0, 10_000.0)), None, _FADING,
                       "maximum Doppler in Hz, replacing the model's"),
    },
    "receiver": {
        "estimator": Key(_receiver_choice("estimator"), "ls", _GRID, "channel estimator"),
        "equalizer": Key(_receiver_choice("equalizer"), "mmse", _GRID, "MIMO detector"),
        "decoder": Key(_choice("nms", "oms", "spa"), "nms", doc="LDPC decoder"),
        "iterations": Key(_int(1, 1000), 10, doc="maximum LDPC iterations"),
        "harq": Key(_bool, True, doc="HARQ retransmissions with soft combining"),
        "max_transmissions": Key(_int(1, 16), 4, doc="transmissions per block with HARQ"),
        "harq_processes": Key(_int(1, 32), 16, _GRID, "HARQ processes (retransmission delay)"),
    },
    "stop": {
        "min_errors": Key(_int(1), 100, KINDS, "stop a point after this many block errors"),
        "max_blocks": Key(_int(1), 10_000, KINDS, "stop a point after this many blocks"),
        "ci_width": Key(_optional(_float(0.0, 10.0, open_lo=True)), None, KINDS,
                        "stop once the Wilson interval is narrower than this times the BLER"),
        "bler_floor": Key(_float(0.0, 0.999), 1e-3, KINDS,
                          "skip higher SNRs once the BLER is below"),
    },
    "run": {
        "seed": Key(_int(0, 2**63 - 1), 1, KINDS, "seed of the random streams"),
        "batch_size": Key(_int(1, 100_000), 32, KINDS, "blocks per batch"),
        "name": Key(_optional(_name), None, KINDS, "a label for the run"),
    },
}

#: Parameters that ``[sweep]`` may list besides ``snr``, by name: their dotted paths.
SWEEPABLE = {
    "mcs_index": "link.mcs_index", "mcs_table": "link.mcs_table", "layers": "link.layers",
    "n_rx": "link.n_rx", "tbs": "link.tbs", "doppler": "channel.doppler",
    "model": "channel.model", "correlation": "channel.correlation",
    "estimator": "receiver.estimator", "equalizer": "receiver.equalizer",
    "decoder": "receiver.decoder", "iterations": "receiver.iterations",
    "harq": "receiver.harq", "max_transmissions": "receiver.max_transmissions",
}

# Fields of the link configurations (as their ConfigErrors name them) -> scenario keys.
_FIELD_PATHS = {
    "kind": "link.kind", "scs": "link.scs", "n_size_grid": "link.n_prb",
    "n_cell_id": "link.n_cell_id",
    "n_prb": "link.n_prb", "prb_set": "link.prbs", "symbol_allocation": "link.symbols",
    "symbol_allocation[0]": "link.symbols", "symbol_allocation[1]": "link.symbols",
    "n_symbols": "link.symbols", "mapping_type": "link.mapping_type",
    "table": "link.mcs_table", "mcs_table": "link.mcs_table", "i_mcs": "link.mcs_index",
    "mcs_index": "link.mcs_index", "modulation": "link.mcs_index", "n_layers": "link.layers",
    "n_rx": "link.n_rx", "tbs": "link.tbs", "n_rnti": "link.n_rnti",
    "n_dmrs_prb": "link.n_dmrs_prb", "transform_precoding": "link.transform_precoding",
    "tp_pi2bpsk": "link.tp_pi2bpsk",
    "config_type": "link.dmrs.type", "additional_position": "link.dmrs.additional_positions",
    "length": "link.dmrs.length", "type_a_position": "link.dmrs.type_a_position",
    "n_cdm_groups_without_data": "link.dmrs.cdm_groups_without_data",
    "name": "channel.model", "channel": "channel.model", "model": "channel.model",
    "max_doppler": "channel.doppler", "correlation": "channel.correlation",
    "estimator": "receiver.estimator", "equalizer": "receiver.equalizer",
    "decoder": "receiver.decoder", "max_iterations": "receiver.iterations",
    "max_transmissions": "receiver.max_transmissions",
    "harq_processes": "receiver.harq_processes",
}
# Fields of the PUCCH link and resource configurations that name other keys than above.
_PUCCH_FIELD_PATHS = {
    "format": "link.pucch.format", "symbol_allocation": "link.pucch.symbols",
    "symbol_allocation[0]": "link.pucch.symbols", "symbol_allocation[1]": "link.pucch.symbols",
    "start_prb": "link.pucch.start_prb", "n_prb": "link.pucch.n_prb",
    "second_hop_prb": "link.pucch.second_hop_prb", "n_bits": "link.pucch.bits",
    "payload": "link.pucch.payload", "initial_cyclic_shift": "link.pucch.initial_cyclic_shift",
    "occ_index": "link.pucch.occ_index", "spreading_factor": "link.pucch.spreading_factor",
    "modulation": "link.pucch.modulation", "additional_dmrs": "link.pucch.additional_dmrs",
    "group_hopping": "link.pucch.group_hopping", "hopping_id": "link.pucch.hopping_id",
    "false_alarm": "link.pucch.false_alarm", "estimator": "link.pucch.estimator",
}


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A picklable, hashable description of one point's link: its kind and effective
    configuration (JSON). ``opennr.sim.links.build_link`` makes the link."""

    kind: str
    config: str

    def as_dict(self) -> dict:
        return json.loads(self.config)


@dataclass(frozen=True, slots=True)
class ScenarioPoint:
    """One point of the sweep: its curve, SNR, swept parameter values and derived sizes."""

    index: int
    curve: int
    snr_db: float
    params: dict
    link: LinkSpec
    tbs: int
    slot_seconds: float
    max_transmissions: int

    def as_dict(self) -> dict:
        return {"index": self.index, "curve": self.curve, "snr_db": self.snr_db,
                "params": self.params, "tbs": self.tbs, "slot_seconds": self.slot_seconds,
                "max_transmissions": self.max_transmissions}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario: the effective configuration and the points of its sweep."""

    config: dict
    points: tuple[ScenarioPoint, ...]

    @property
    def kind(self) -> str:
        return self.config["link"]["kind"]

    @property
    def seed(self) -> int:
        return self.config["run"]["seed"]

    @property
    def name(self) -> str:
        return self.config["run"]["name"] or self.describe()

    def stop_rule(self):
        from opennr.sim.engine import StopRule

        s = self.config["stop"]
        return StopRule(min_errors=s["min_errors"], max_blocks=s["max_blocks"],
                        batch_size=self.config["run"]["batch_size"], bler_floor=s["bler_floor"],
                        ci_width=s["ci_width"])

    def describe(self) -> str:
        link, ch, rx = self.config["link"], self.config["channel"], self.config["receiver"]
        if link["kind"] == "pucch":
            p = link["pucch"]
            return (f"PUCCH format {p['format']}, {p['bits']} bit(s), {link['n_prb']} PRB "
                    f"carrier, {ch['model']} 1x{link['n_rx']}")
        ant = f" {link['layers']}x{link['n_rx']}" if "n_rx" in link else ""
        layers = f" {link['layers']} layer(s)" if link["layers"] > 1 else ""
        return (f"{link['kind'].upper()} {link['mcs_table']} MCS {link['mcs_index']}, "
                f"{link['n_prb']} PRB, {ch['model']}{ant}{layers}, "
                f"HARQ {'on' if rx['harq'] else 'off'}")

    def as_toml(self) -> str:
        """The effective configuration as a TOML scenario (absent values left out)."""
        return _to_toml(self.config)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not TOML, or holds an unknown key or a bad value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError("scenario", str(path), f"cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("scenario", str(path), f"is not valid TOML: {exc}") from None
    return parse_scenario(data)


def parse_scenario(data: dict) -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML) and build its points.

    Every key is checked, then every point's link is built, so a scenario that passes will run.
    """
    if not isinstance(data, dict):
        raise ScenarioError("scenario", type(data).__name__, "must be a table")
    sections = {"link", "channel", "receiver", "sweep", "stop", "run"}
    for key in data:
        if key not in sections:
            raise ScenarioError(key, data[key], _unknown("section", sorted(sections)))
    link_in = _table(data, "link", required=True)
    if "kind" not in link_in:
        _missing("link.kind")
    kind = SCHEMA["link"]["kind"].check("link.kind", link_in["kind"])
    config: dict[str, dict] = {}
    for section in ("link", "link.dmrs", "link.pucch", "channel", "receiver", "stop", "run"):
        parent, _, child = section.partition(".")
        raw = _table(data, parent)
        if child:
            raw = _table(raw, child, prefix=parent)
        keys = {k: v for k, v in SCHEMA[section].items() if kind in v.kinds}
        for key in raw:
            if section == "link" and key in _LINK_TABLES:
                if kind not in _LINK_TABLES[key]:
                    raise ScenarioError(f"link.{key}", raw[key],
                                        f"does not apply to link kind {kind!r}")
                continue
            if key in SCHEMA[section] and key not in keys:
                raise ScenarioError(f"{section}.{key}", raw[key], f"does not apply to link kind {kind!r}")
            if key not in keys:
                raise ScenarioError(f"{section}.{key}", raw[key], _unknown("key", sorted(keys)))
        out = {}
        for key, spec in keys.items():
            path = f"{section}.{key}"
            if key in raw:
                out[key] = spec.check(path, raw[key])
            elif spec.default is _REQUIRED:
                _missing(path)
            else:
                out[key] = copy.deepcopy(spec.default)
        if child:
            if keys:
                config[parent][child] = out
        else:
            config[section] = out
    if kind == "dlsch-awgn" and config["channel"]["model"] != "awgn":
        raise ScenarioError("channel.model", config["channel"]["model"],
                            "must be 'awgn' for link kind 'dlsch-awgn' (use 'pdsch' or 'pusch' "
                            "for fading channels)")
    snrs, extras = _sweep(_table(data, "sweep", required=True), kind)
    config["sweep"] = {"snr": snrs, **{name: values for name, (_, values) in extras.items()}}
    return Scenario(config=config, points=_points(config, snrs, extras))


def _missing(path: str):
    raise ScenarioError(path, None, "is required")


def _unknown(what: str, allowed: list[str]) -> str:
    return f"unknown {what}; allowed: " + ", ".join(allowed)


def _table(data: dict, key: str, *, required: bool = False, prefix: str = "") -> dict:
    path = f"{prefix}.{key}" if prefix else key
    if key not in data:
        if required:
            raise ScenarioError(path, None, "is required (a table)")
        return {}
    if not isinstance(data[key], dict):
        raise ScenarioError(path, data[key], "must be a table")
    return data[key]


def _sweep(raw: dict, kind: str) -> tuple[list[float], dict[str, tuple[str, list]]]:
    if "snr" not in raw:
        _missing("sweep.snr")
    snr = raw["snr"]
    if isinstance(snr, dict):
        for key in snr:
            if key not in ("start", "stop", "step"):
                raise ScenarioError(f"sweep.snr.{key}", snr[key], _unknown("key",
                                                                          ["start", "step", "stop"]))
        for key in ("start", "stop", "step"):
            if key not in snr:
                _missing(f"sweep.snr.{key}")
        start, stop, step = (_float(-100.0, 200.0)(f"sweep.snr.{k}", snr[k])
                             for k in ("start", "stop", "step"))
        if step <= 0 or stop < start:
            raise ScenarioError("sweep.snr", snr, "needs step > 0 and stop >= start")
        n = math.floor((stop - start) / step + 1e-9) + 1
        if n > 1000:
            raise ScenarioError("sweep.snr", snr, "must give at most 1000 points")
        snrs = [round(start + i * step, 6) for i in range(n)]
    elif isinstance(snr, list) and snr:
        snrs = [_float(-100.0, 200.0)(f"sweep.snr[{i}]", v) for i, v in enumerate(snr)]
        if len(set(snrs)) != len(snrs):
            raise ScenarioError("sweep.snr", snr, "must not repeat a value")
    else:
        raise ScenarioError("sweep.snr", snr, "must be a non-empty list of dB values or a table "
                            "{start, stop, step}")
    extras: dict[str, tuple[str, list]] = {}
    by_path = {v: k for k, v in SWEEPABLE.items()}
    for key, values in raw.items():
        if key == "snr":
            continue
        name = by_path.get(key, key)
        if name not in SWEEPABLE:
            raise ScenarioError(f"sweep.{key}", values, _unknown("swept parameter",
                                                                ["snr", *sorted(SWEEPABLE)]))
        path = SWEEPABLE[name]
        section, _, leaf = path.rpartition(".")
        spec = SCHEMA[section][leaf]
        if kind not in spec.kinds:
            raise ScenarioError(f"sweep.{key}", values, f"does not apply to link kind {kind!r}")
        if not isinstance(values, list) or not values:
            raise ScenarioError(f"sweep.{key}", values, "must be a non-empty list of values")
        checked = [spec.check(f"sweep.{key}[{i}]", v) for i, v in enumerate(values)]
        if len({json.dumps(v) for v in checked}) != len(checked):
            raise ScenarioError(f"sweep.{key}", values, "must not repeat a value")
        if name in extras:
            raise ScenarioError(f"sweep.{key}", values, f"sweeps {name} twice")
        extras[name] = (path, checked)
    n_points = len(snrs) * math.prod(len(v) for _, v in extras.values())
    if n_points > 10_000:
        raise ScenarioError("sweep", n_points, "must give at most 10000 points")
    return sorted(snrs), extras


def _points(config: dict, snrs: list[float], extras: dict[str, tuple[str, list]]):
    from opennr.sim.links import build_link, link_sizes

    points = []
    names = list(extras)
    for curve, combo in enumerate(itertools.product(*(v for _, v in extras.values()))):
        eff = {k: copy.deepcopy(config[k]) for k in ("link", "channel", "receiver")}
        params = dict(zip(names, combo, strict=True))
        for name, value in params.items():
            section, _, leaf = SWEEPABLE[name].rpartition(".")
            eff[section][leaf] = value
        spec = LinkSpec(config["link"]["kind"], json.dumps(eff, sort_keys=True))
        try:
            link = build_link(spec)
        except ConfigError as exc:
            fields = _PUCCH_FIELD_PATHS if config["link"]["kind"] == "pucch" else {}
            path = fields.get(exc.field) or _FIELD_PATHS.get(exc.field, f"link ({exc.field})")
            swept = {SWEEPABLE[n]: n for n in names}
            where = ""
            if path in swept:
                path = f"sweep.{swept[path]}"
            if params:
                where = " at the sweep point " + ", ".join(f"{k}={v!r}" for k, v in params.items())
            raise ScenarioError(path, exc.value, exc.rule + where, exc.clause) from None
        tbs, slot_seconds, max_tx = link_sizes(link, eff)
        for snr in snrs:
            points.append(ScenarioPoint(index=len(points), curve=curve, snr_db=snr, params=params,
                                        link=spec, tbs=tbs, slot_seconds=slot_seconds,
                                        max_transmissions=max_tx))
    return tuple(points)


def _to_toml(config: dict) -> str:
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return repr(v)

    def table(name: str, d: dict) -> None:
        lines.append(f"[{name}]")
        for k, v in d.items():
            if v is not None and not isinstance(v, dict):
                lines.append(f"{k} = {value(v)}")
        lines.append("")
        for k, v in d.items():
            if isinstance(v, dict) and name != "sweep":
                table(f"{name}.{k}", v)

    for name, d in config.items():
        table(name, d)
    return "\n".join(lines)

"""TS 38.104 §8.2 — the PUSCH performance requirements of the base station as test cases.

The requirements (Tables 8.2.1.2-1 .. -7 and 8.2.2.2-1, -2) and the fixed reference channels of
Annex A are transcribed once, as the CSV files ``data/pusch_38104.csv`` and ``data/frc_38104.csv``
(their headers name the source of every row). A :class:`ConformanceCase` joins a requirement row
with its FRC and turns it into a scenario of :mod:`opennr.sim.scenario` (the PUSCH link with the
stated antennas, propagation condition and correlation, a practical channel estimator, HARQ with
4 transmissions and RV 0, 2, 3, 1).
"""

from __future__ import annotations

import csv
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from opennr.errors import ConfigError

__all__ = ["CASE_TABLE", "DEFAULT_PUCCH_FORMATS", "FRC_TABLE", "ConformanceCase", "Frc", "all_cases",
           "best_estimator", "case_status", "load_cases", "load_frcs", "select_cases"]

_DATA = Path(__file__).with_name("data")
#: The requirement rows (TS 38.104 Tables 8.2.1.2-1 .. -7, 8.2.2.2-1, -2).
CASE_TABLE = _DATA / "pusch_38104.csv"
#: The fixed reference channels (TS 38.104 Annex A.3, A.4, A.5, A.7).
FRC_TABLE = _DATA / "frc_38104.csv"

#: PUCCH formats whose rows flagged ``default`` join the default set (TS 38.104 §8.3.2, §8.3.4: the
#: short formats, a few seconds to a minute per row on two cores).
DEFAULT_PUCCH_FORMATS = (0, 2)

#: Test parameters of TS 38.104 Table 8.2.1.1-1 (and 8.2.2.1-1): HARQ transmissions.
MAX_TRANSMISSIONS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Frc:
    """A fixed reference channel of TS 38.104 Annex A (PUSCH performance requirements).

    Attributes
    ----------
    name : str
        ``G-FR1-A3-8`` etc.
    annex_table : str
        The Annex A table that defines it.
    scs, bandwidth_mhz, n_prb : int
        Subcarrier spacing (kHz), channel bandwidth (MHz) and allocated PRBs (the whole
        transmission bandwidth configuration of TS 38.104 Table 5.3.2-1).
    layers : int
    modulation : str
    mcs_table : str
        TS 38.214 MCS table by the link's name (``qam64``: Table 5.1.3.1-1; ``tp-qam64``: Table
        6.1.4.1-1).
    mcs_index : int
    code_rate_1024 : int
        Target code rate × 1024.
    transform_precoding : bool
    payload : int or None
        Published payload size (bits), when a public copy of it was found.
    payload_source : str
    """

    name: str
    annex_table: str
    scs: int
    bandwidth_mhz: int
    n_prb: int
    layers: int
    modulation: str
    mcs_table: str
    mcs_index: int
    code_rate_1024: int
    transform_precoding: bool
    payload: int | None
    payload_source: str

    def transport_block_size(self) -> int:
        """The TBS of TS 38.214 §6.1.4.2 for the FRC: 14 symbols, two single-symbol DM-RS symbols
        of configuration type 1 with two CDM groups without data (N_DMRS^PRB = 24), no overhead."""
        from opennr.transport.mcs import mcs_entry
        from opennr.transport.tbs import transport_block_size

        entry = mcs_entry(self.mcs_table, self.mcs_index)
        return transport_block_size(n_prb=self.n_prb, n_symb_sh=14, n_dmrs_prb=24,
                                    target_code_rate=entry.target_code_rate, qm=entry.qm,
                                    n_layers=self.layers)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConformanceCase:
    """One requirement row: an FRC, antennas, propagation condition and the required SNR.

    Attributes
    ----------
    case : str
        Identifier ``<table>-r<row>``, e.g. ``8.2.1.2-1-r1``.
    link : str
        ``pusch`` (TS 38.104) or ``pdsch`` (TS 38.101-4).
    clause, table : str
        Clause and table of the requirement.
    row : int
    frc : Frc
    n_tx, n_rx, layers : int
    channel : str
        Propagation condition in conformance shorthand (``TDLB100-400``: TDL-B, 100 ns, 400 Hz).
    correlation : str
        MIMO correlation level.
    fraction : float
        Fraction of the maximum throughput to reach (0.7).
    snr_db : float
        Required SNR.
    spec : str
        Specification version of the row.
    default : bool
        In the quick default set.
    requires : tuple of str
        Features the case needs besides the link (none for the PUSCH rows).
    """

    case: str
    link: str
    clause: str
    table: str
    row: int
    frc: Frc
    n_tx: int
    n_rx: int
    layers: int
    channel: str
    correlation: str
    fraction: float
    snr_db: float
    spec: str
    default: bool
    requires: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return f"{self.spec} §{self.clause} Table {self.table} row {self.row}"

    def scenario_dict(self, snrs: Sequence[float], *, estimator: str | None = None, seed: int = 1,
                      batch_size: int = 8, max_blocks: int = 10_000, name: str = "") -> dict:
        """The scenario (the TOML tables of :mod:`opennr.sim.scenario` as a dict) that simulates the
        case at ``snrs``: TS 38.104 §8.2.1.1 test parameters (4 HARQ transmissions, RV 0, 2, 3, 1),
        the FRC's allocation and DM-RS, the stated antennas and channel, and the best practical
        channel estimator (never perfect CSI)."""
        estimator = estimator or best_estimator()
        if estimator == "perfect":
            raise ConfigError("estimator", estimator, "a conformance test uses a practical channel "
                              "estimator, not perfect CSI", "TS 38.104 §8.1")
        f = self.frc
        link = {"kind": self.link, "scs": f.scs, "n_prb": f.n_prb, "symbols": [0, 14],
                "mapping_type": "A", "mcs_table": f.mcs_table, "mcs_index": f.mcs_index,
                "layers": self.layers, "n_rx": self.n_rx, "n_cell_id": 0,
                "dmrs": {"type": 1, "additional_positions": 1, "length": 1, "type_a_position": 2}}
        if f.transform_precoding:
            link["transform_precoding"] = True
        return {
            "link": link,
            "channel": {"model": self.channel, "correlation": self.correlation},
            "receiver": {"estimator": estimator, "equalizer": "mmse", "harq": True,
                         "max_transmissions": MAX_TRANSMISSIONS},
            "sweep": {"snr": [float(s) for s in snrs]},
            "stop": {"min_errors": max_blocks, "max_blocks": max_blocks, "bler_floor": 0.0},
            "run": {"seed": seed, "batch_size": batch_size,
                    "name": name or f"conformance {self.case} {f.name}"},
        }


def best_estimator() -> str:
    """The best practical channel estimator of the receiver: the Wiener (LMMSE) estimator when the
    receiver has it, least squares otherwise."""
    from opennr.receiver.channel_estimation import ESTIMATORS

    return "wiener" if "wiener" in ESTIMATORS else "ls"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def load_frcs(path: Path = FRC_TABLE) -> dict[str, Frc]:
    """The FRCs of ``frc_38104.csv`` by name."""
    out = {}
    for r in _rows(path):
        out[r["frc"]] = Frc(
            name=r["frc"], annex_table=r["annex_table"], scs=int(r["scs"]),
            bandwidth_mhz=int(r["bandwidth_mhz"]), n_prb=int(r["n_prb"]), layers=int(r["layers"]),
            modulation=r["modulation"], mcs_table=r["mcs_table"], mcs_index=int(r["mcs_index"]),
            code_rate_1024=int(r["code_rate_1024"]), transform_precoding=r["transform_precoding"] == "1",
            payload=int(r["payload"]) if r["payload"] else None, payload_source=r["payload_source"])
    return out


@cache
def load_cases(path: Path = CASE_TABLE, frc_path: Path = FRC_TABLE) -> tuple[ConformanceCase, ...]:
    """Every requirement row of ``pusch_38104.csv``, in table order."""
    frcs = load_frcs(frc_path)
    cases = []
    for r in _rows(path):
        if r["frc"] not in frcs:
            raise ValueError(f"{path.name}: case {r['case']} names an unknown FRC {r['frc']}")
        cases.append(ConformanceCase(
            case=r["case"], link="pusch", clause=r["clause"], table=r["table"], row=int(r["row"]),
            frc=frcs[r["frc"]], n_tx=int(r["n_tx"]), n_rx=int(r["n_rx"]), layers=int(r["layers"]),
            channel=r["channel"], correlation=r["correlation"], fraction=float(r["fraction"]),
            snr_db=float(r["snr_db"]), spec=r["spec"], default=r["default"] == "1"))
    return tuple(cases)


def all_cases() -> tuple:
    """Every requirement row: the PUSCH rows of :func:`load_cases`, then the PUCCH rows of TS 38.104
    §8.3 (:func:`opennr.conformance.pucch.load_pucch_cases`), then the UE's PDSCH rows of
    TS 38.101-4 §5.2 (:func:`opennr.conformance.pdsch.load_pdsch_cases`)."""
    from opennr.conformance.pdsch import load_pdsch_cases
    from opennr.conformance.pucch import load_pucch_cases

    return (*load_cases(), *load_pucch_cases(), *load_pdsch_cases())


def select_cases(names: Sequence[str], cases: Sequence[ConformanceCase] | None = None
                 ) -> list[ConformanceCase]:
    """The cases named by identifier (``8.2.1.2-1-r1``), FRC (``G-FR1-A3-8``), table
    (``8.2.1.2-1``) or shell pattern (``8.2.1.2-?-r1``), among :func:`all_cases` (the PUCCH and
    PDSCH rows too); none given: the default set, the PUSCH rows flagged ``default`` and those of
    the PUCCH rows in :data:`DEFAULT_PUCCH_FORMATS`.

    Raises
    ------
    ConfigError
        A name that matches no case.
    """
    if cases is None and not names:
        from opennr.conformance.pucch import load_pucch_cases

        cases = (*load_cases(),
                 *(c for c in load_pucch_cases() if c.format in DEFAULT_PUCCH_FORMATS))
    elif cases is None:
        cases = all_cases()
    cases = list(cases)
    if not names:
        return [c for c in cases if c.default]
    chosen: list[ConformanceCase] = []
    for name in names:
        hits = [c for c in cases if c.case == name or c.frc.name == name or c.table == name
                or fnmatch.fnmatchcase(c.case, name)]
        if not hits:
            raise ConfigError("case", name, "matches no conformance case; `opennr conformance list` "
                              "shows them (identifier, FRC, table or a shell pattern)")
        chosen += [c for c in hits if c not in chosen]
    return chosen


def case_status(case: ConformanceCase) -> str:
    """``runnable``, or ``needs <feature>`` when the library lacks what the case needs (a missing
    link, or a configuration the link rejects)."""
    from opennr.sim.scenario import parse_scenario

    for feature in case.requires:
        return f"needs {feature}"
    try:
        parse_scenario(case.scenario_dict([case.snr_db]))
    except ImportError as exc:
        return f"needs {exc.name or 'a module'}"
    except ConfigError as exc:
        return f"needs {exc.field}={exc.value!r} ({exc.rule})"
    return "runnable"

"""TS 38.101-4 §5.2 — the PDSCH demodulation requirements of the UE as test cases.

The fixed reference channels of Annex A.3.2 (``data/frc_38101_4.csv``) and the requirement rows of
§5.2.2 (``data/pdsch_38101_4.csv``) are transcribed once; their headers name the public copies
they come from and what those copies do not establish (a row without its required SNR or
propagation condition is listed as needing it and is not run).

A :class:`PdschCase` runs through the PDSCH link (:mod:`opennr.link.pdsch`) with the FRC's
allocation: PDSCH mapping type A from symbol 2 (the CORESET holds symbols 0 and 1), the FRC's
symbols, PRBs, MCS and layers, single-symbol type-1 DM-RS at symbol 2 with the additional
positions that give the FRC's "Number of DMRS REs" and one CDM group without data (6 DM-RS REs per
PRB and DM-RS symbol, the other CDM group carrying data), so that the link's transport block size
(TS 38.214 §5.1.3.2) and channel bits G (TS 38.212 §7.2.5) are the FRC's published payload and
``g_bits``; the stated receive antennas, channel and correlation, a practical channel estimator
and HARQ with 4 transmissions (RV 0, 2, 3, 1, as the TS 38.104 rows).

Approximations (the link has no PDCCH, SSB or CSI-RS in its slots):

* Every slot is the FRC's dominant slot type (slots 1..9 and 12..19 of the 20-slot period): the
  SS/PBCH slot 0, which carries no PDSCH and is not counted, is left out, and the CSI-RS slots
  10 and 11 (fewer channel bits, same payload) are simulated like the others — 2 of 19 slots with
  a 5 % lower code rate.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from opennr.conformance.cases import MAX_TRANSMISSIONS, ConformanceCase, best_estimator
from opennr.errors import ConfigError

__all__ = ["PDSCH_CASE_TABLE", "PDSCH_FRC_TABLE", "PdschCase", "PdschFrc", "load_pdsch_cases",
           "load_pdsch_frcs"]

_DATA = Path(__file__).with_name("data")
#: The requirement rows (TS 38.101-4 §5.2.2.1.1).
PDSCH_CASE_TABLE = _DATA / "pdsch_38101_4.csv"
#: The fixed reference channels (TS 38.101-4 / TS 38.521-4 Annex A.3.2).
PDSCH_FRC_TABLE = _DATA / "frc_38101_4.csv"

#: DM-RS REs per PRB and DM-RS symbol of single-symbol type-1 DM-RS with one CDM group without
#: data (TS 38.211 §7.4.1.1.2; the FRCs' "Number of DMRS REs" counts them).
_DMRS_RE_PER_SYMBOL = 6
#: DM-RS CDM groups without data in the FRCs (TS 38.214 §5.1.6.2; 6 DM-RS REs per symbol and PRB).
_CDM_GROUPS_WITHOUT_DATA = 1
#: First DM-RS symbol of PDSCH mapping type A in the FRCs (dmrs-TypeA-Position).
_TYPE_A_POSITION = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class PdschFrc:
    """A fixed reference channel of TS 38.101-4 Annex A.3.2 (PDSCH performance requirements).

    Attributes
    ----------
    name, annex_table, duplex : str
    bandwidth_mhz, scs, n_prb, prb_start : int
        Channel bandwidth, subcarrier spacing (kHz), allocated PRBs and the first of them; the
        carrier is the maximum transmission bandwidth configuration (52 PRBs at 10 MHz, 15 kHz).
    start_symbol, n_symbols : int
        PDSCH symbols S and L.
    mcs_table : str
        TS 38.214 Table 5.1.3.1-x by the link's name (``qam64``, ``qam64LowSE``, ...).
    mcs_index, layers : int
    modulation : str
    code_rate : float
        Published target code rate (rounded).
    n_dmrs_re : int
        "Number of DMRS REs" per PRB (N_DMRS^PRB of TS 38.214 §5.1.3.2).
    payload, tb_crc, code_blocks : int
        Information bits, TB CRC bits and code blocks per slot (the slots without SSB).
    g_bits, g_bits_csirs : int
        Binary channel bits per slot, without and with the CSI-RS for tracking.
    max_tput_mbps : float
    spec : str
    """

    name: str
    annex_table: str
    duplex: str
    bandwidth_mhz: int
    scs: int
    n_prb: int
    prb_start: int
    start_symbol: int
    n_symbols: int
    mcs_table: str
    mcs_index: int
    modulation: str
    code_rate: float
    layers: int
    n_dmrs_re: int
    payload: int
    tb_crc: int
    code_blocks: int
    g_bits: int
    g_bits_csirs: int
    max_tput_mbps: float
    spec: str

    @property
    def grid_prb(self) -> int:
        """PRBs of the carrier (TS 38.101-1 Table 5.3.2-1 for the FRCs' bandwidth and SCS)."""
        return {(10, 15): 52, (10, 30): 24, (20, 30): 51, (40, 30): 106}[(self.bandwidth_mhz,
                                                                          self.scs)]

    @property
    def dmrs_additional_positions(self) -> int:
        """dmrs-AdditionalPosition giving ``n_dmrs_re`` single-symbol DM-RS REs per PRB."""
        return self.n_dmrs_re // _DMRS_RE_PER_SYMBOL - 1

    def transport_block_size(self) -> int:
        """The TBS of TS 38.214 §5.1.3.2 for the FRC: L symbols, N_DMRS^PRB = ``n_dmrs_re``, no
        overhead (the FRCs' "Overhead for TBS determination" is 0)."""
        from opennr.transport.mcs import mcs_entry
        from opennr.transport.tbs import transport_block_size

        entry = mcs_entry(self.mcs_table, self.mcs_index)
        return transport_block_size(n_prb=self.n_prb, n_symb_sh=self.n_symbols,
                                    n_dmrs_prb=self.n_dmrs_re,
                                    target_code_rate=entry.target_code_rate, qm=entry.qm,
                                    n_layers=self.layers)

    def channel_bits(self) -> int:
        """G of a slot without CSI-RS (TS 38.212 §7.2.5): the allocated REs less the DM-RS REs,
        times Q_m and the layers."""
        from opennr.transport.mcs import mcs_entry

        qm = mcs_entry(self.mcs_table, self.mcs_index).qm
        return self.n_prb * (12 * self.n_symbols - self.n_dmrs_re) * qm * self.layers


@dataclass(frozen=True, slots=True, kw_only=True)
class PdschCase(ConformanceCase):
    """One PDSCH requirement row of TS 38.101-4 §5.2 (``link="pdsch"``); ``frc`` is a
    :class:`PdschFrc`, ``test`` the test number of the requirement table. ``snr_db`` is NaN and
    ``channel`` empty where no public copy establishes them (``requires`` says so)."""

    test: str = ""

    @property
    def source(self) -> str:
        return f"{self.spec} §{self.clause} test {self.test}"

    def scenario_dict(self, snrs: Sequence[float], *, estimator: str | None = None, seed: int = 1,
                      batch_size: int = 8, max_blocks: int = 10_000, name: str = "") -> dict:
        """The scenario of the case at ``snrs`` (see the module notes for the FRC's allocation and
        the approximations); never perfect CSI."""
        estimator = estimator or best_estimator()
        if estimator == "perfect":
            raise ConfigError("estimator", estimator, "a conformance test uses a practical channel "
                              "estimator, not perfect CSI", "TS 38.101-4 §5.1")
        if not self.channel:
            raise ConfigError("channel", self.channel, "the case's propagation condition is not "
                              "established", "TS 38.101-4 §5.2")
        f = self.frc
        link = {"kind": "pdsch", "scs": f.scs, "n_prb": f.grid_prb,
                "prbs": [f.prb_start, f.n_prb], "symbols": [f.start_symbol, f.n_symbols],
                "mapping_type": "A", "mcs_table": f.mcs_table, "mcs_index": f.mcs_index,
                "layers": self.layers, "n_rx": self.n_rx, "n_cell_id": 0,
                "dmrs": {"type": 1, "additional_positions": f.dmrs_additional_positions,
                         "length": 1, "type_a_position": _TYPE_A_POSITION,
                         "cdm_groups_without_data": _CDM_GROUPS_WITHOUT_DATA}}
        return {
            "link": link,
            "channel": {"model": self.channel, "correlation": self.correlation or "low"},
            "receiver": {"estimator": estimator, "equalizer": "mmse", "harq": True,
                         "max_transmissions": MAX_TRANSMISSIONS},
            "sweep": {"snr": [float(s) for s in snrs]},
            "stop": {"min_errors": max_blocks, "max_blocks": max_blocks, "bler_floor": 0.0},
            "run": {"seed": seed, "batch_size": batch_size,
                    "name": name or f"conformance {self.case} {f.name}"},
        }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def load_pdsch_frcs(path: Path = PDSCH_FRC_TABLE) -> dict[str, PdschFrc]:
    """The FRCs of ``frc_38101_4.csv`` by name (TS 38.101-4 Annex A.3.2)."""
    ints = ("bandwidth_mhz", "scs", "n_prb", "prb_start", "start_symbol", "n_symbols",
            "mcs_index", "layers", "n_dmrs_re", "payload", "tb_crc", "code_blocks", "g_bits",
            "g_bits_csirs")
    out = {}
    for r in _rows(path):
        fields = {k: int(r[k]) for k in ints}
        out[r["frc"]] = PdschFrc(
            name=r["frc"], annex_table=r["annex_table"], duplex=r["duplex"],
            mcs_table=r["mcs_table"], modulation=r["modulation"], code_rate=float(r["code_rate"]),
            max_tput_mbps=float(r["max_tput_mbps"]), spec=r["spec"], **fields)
    return out


@cache
def load_pdsch_cases(path: Path = PDSCH_CASE_TABLE,
                     frc_path: Path = PDSCH_FRC_TABLE) -> tuple[PdschCase, ...]:
    """Every PDSCH requirement row of ``pdsch_38101_4.csv``, in table order (TS 38.101-4 §5.2.2);
    a row without its required SNR or propagation condition requires them."""
    frcs = load_pdsch_frcs(frc_path)
    cases = []
    for i, r in enumerate(_rows(path), start=1):
        if r["frc"] not in frcs:
            raise ValueError(f"{path.name}: case {r['case']} names an unknown FRC {r['frc']}")
        missing = [what for what, key in (("the required SNR", "snr_db"),
                                          ("the propagation condition", "channel"),
                                          ("the correlation", "correlation")) if not r[key]]
        requires = (f"{', '.join(missing)} (no public copy of TS 38.101-4 §{r['clause']})",) \
            if missing else ()
        cases.append(PdschCase(
            case=r["case"], link="pdsch", clause=r["clause"], table=r["table"], row=i,
            frc=frcs[r["frc"]], n_tx=int(r["n_tx"]), n_rx=int(r["n_rx"]), layers=int(r["layers"]),
            channel=r["channel"], correlation=r["correlation"], fraction=float(r["fraction"]),
            snr_db=float(r["snr_db"]) if r["snr_db"] else math.nan, spec=r["spec"],
            default=r["default"] == "1", requires=requires, test=r["test"]))
    return tuple(cases)

"""TS 38.214 §5.1.2, §5.1.3, §5.1.6.2 with TS 38.212 §7.3.1.2 — from a PDSCH to the fields of
the DCI format 1_0 / 1_1 that schedules it, and back.

The gNB side (:func:`pdsch_dci_fields`) fills the scheduling fields of a DCI from a
:class:`~opennr.physical.pdsch.PdschConfig`; the UE side (:func:`pdsch_grant_from_dci`) turns
the fields of a decoded DCI into the PDSCH and the transport block it schedules
(:class:`PdschGrant`), given what RRC configured: the bandwidth part, the time-domain
allocation table, the MCS table and the semi-static PDSCH parameters (DM-RS, scrambling
identity, PT-RS).

* Frequency-domain resource assignment of type 1 (§5.1.2.2.2): a resource indication value
  (RIV) of a run of contiguous virtual resource blocks; for DCI format 1_0 in a common search
  space the RBs are counted from the lowest RB of the CORESET in which the DCI was received.
  The VRB-to-PRB mapping field selects the interleaved mapping of TS 38.211 §7.3.1.6 (bundle
  size 2 for format 1_0, vrb-ToPRB-Interleaver for 1_1).
* Time-domain resource assignment (§5.1.2.1): field value m selects row m + 1 of the table,
  (K0, mapping type, S, L) — :func:`default_tda_table` holds the default table A of Table
  5.1.2.1.1-2, :class:`TdaEntry` a row of a configured pdsch-TimeDomainAllocationList.
* MCS (§5.1.3.1) and transport block size (§5.1.3.2) with N_DMRS^PRB from the DM-RS symbols
  and the CDM groups without data, and the xOverhead N_oh^PRB.
* Antenna ports of format 1_1 (TS 38.212 Table 7.3.1.2.2-1, DM-RS type 1, maxLength 1); format
  1_0 uses port 1000 with the CDM groups without data of §5.1.6.2.
* New data indicator, redundancy version and HARQ process number are carried through.

This module sits in ``opennr.physical`` because it maps transport-layer DCI fields onto the
physical-layer :class:`~opennr.physical.pdsch.PdschConfig`. Not modelled: resource allocation
type 0 and dynamic switching, two codewords, the TB scaling field of P-RNTI/RA-RNTI, the
interleaved mapping of format 1_0 in a common search space, and the default tables B and C.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError
from opennr.modulation import bits_per_symbol, modulation_for_qm
from opennr.numerology import Bwp
from opennr.physical.allocation import n_dmrs_prb
from opennr.physical.coreset import CoresetConfig
from opennr.physical.pdsch import PdschConfig, pdsch_dmrs_symbols
from opennr.transport.dci import ANTENNA_PORTS_TABLE_7_3_1_2_2_1, Dci, DciFormat, riv_decode, riv_encode
from opennr.transport.mcs import mcs_entry
from opennr.transport.sch import SchConfig
from opennr.transport.tbs import transport_block_size

__all__ = [
    "PDSCH_TDA_DEFAULT_A",
    "PdschGrant",
    "TdaEntry",
    "default_tda_table",
    "pdsch_dci_fields",
    "pdsch_grant_from_dci",
    "sliv_decode",
    "sliv_encode",
]

_CLAUSE_TDA = "TS 38.214 §5.1.2.1"
_CLAUSE_FDRA = "TS 38.214 §5.1.2.2.2"
_CLAUSE_PORTS = "TS 38.212 Table 7.3.1.2.2-1"

#: TS 38.214 Table 5.1.2.1.1-2, default PDSCH time domain resource allocation A for the normal
#: cyclic prefix: row index -> ((mapping type, K0, S, L) for dmrs-TypeA-Position 2,
#: (mapping type, K0, S, L) for dmrs-TypeA-Position 3).
PDSCH_TDA_DEFAULT_A: dict[int, tuple[tuple[str, int, int, int], tuple[str, int, int, int]]] = {
    1: (("A", 0, 2, 12), ("A", 0, 3, 11)),
    2: (("A", 0, 2, 10), ("A", 0, 3, 9)),
    3: (("A", 0, 2, 9), ("A", 0, 3, 8)),
    4: (("A", 0, 2, 7), ("A", 0, 3, 6)),
    5: (("A", 0, 2, 5), ("A", 0, 3, 4)),
    6: (("B", 0, 9, 4), ("B", 0, 10, 4)),
    7: (("B", 0, 4, 4), ("B", 0, 6, 4)),
    8: (("B", 0, 5, 7), ("B", 0, 5, 7)),
    9: (("B", 0, 5, 2), ("B", 0, 5, 2)),
    10: (("B", 0, 9, 2), ("B", 0, 9, 2)),
    11: (("B", 0, 12, 2), ("B", 0, 12, 2)),
    12: (("A", 0, 1, 13), ("A", 0, 1, 13)),
    13: (("A", 0, 1, 6), ("A", 0, 1, 6)),
    14: (("A", 0, 2, 4), ("A", 0, 2, 4)),
    15: (("B", 0, 4, 7), ("B", 0, 4, 7)),
    16: (("B", 0, 8, 4), ("B", 0, 8, 4)),
}


def sliv_encode(start: int, length: int) -> int:
    """Start and length indicator SLIV of (S, L) (TS 38.214 §5.1.2.1).

    SLIV = 14 (L − 1) + S if L − 1 ≤ 7, else 14 (14 − L + 1) + (14 − 1 − S), with 0 < L ≤ 14 − S.

    Raises
    ------
    ConfigError
        S or L out of range.
    """
    s = check_int("start", start, 0, 13, _CLAUSE_TDA)
    n = check_int("length", length, 1, 14 - s, _CLAUSE_TDA)
    return 14 * (n - 1) + s if n - 1 <= 7 else 14 * (14 - n + 1) + (14 - 1 - s)


def sliv_decode(sliv: int) -> tuple[int, int]:
    """(S, L) of a start and length indicator (TS 38.214 §5.1.2.1), the inverse of
    :func:`sliv_encode`.

    Raises
    ------
    ConfigError
        A SLIV that no (S, L) with S + L ≤ 14 gives (0 .. 104).
    """
    v = check_int("sliv", sliv, 0, 104, _CLAUSE_TDA)
    q, r = divmod(v, 14)
    s, n = r, q + 1
    if s + n > 14:  # second branch: SLIV = 14 (14 − L + 1) + (13 − S)
        s, n = 13 - r, 15 - q
    return s, n


@dataclass(frozen=True, slots=True, kw_only=True)
class TdaEntry:
    """One row of a PDSCH time-domain resource allocation table (TS 38.214 §5.1.2.1, TS 38.331
    PDSCH-TimeDomainResourceAllocation).

    Parameters
    ----------
    k0 : int
        Slot offset K0 between the PDCCH and the PDSCH, 0 .. 32.
    mapping_type : str
        ``"A"`` or ``"B"``.
    start_symbol, length : int
        S and L of the allocation, S + L ≤ 14.

    Raises
    ------
    ConfigError
        A field out of range.
    """

    k0: int = 0
    mapping_type: str = "A"
    start_symbol: int = 2
    length: int = 12

    def __post_init__(self) -> None:
        check_int("k0", self.k0, 0, 32, "TS 38.331 PDSCH-TimeDomainResourceAllocation")
        check_choice("mapping_type", self.mapping_type, ("A", "B"), _CLAUSE_TDA)
        sliv_encode(self.start_symbol, self.length)

    @classmethod
    def from_sliv(cls, sliv: int, *, k0: int = 0, mapping_type: str = "A") -> TdaEntry:
        """A row given by its startSymbolAndLength (SLIV)."""
        s, n = sliv_decode(sliv)
        return cls(k0=k0, mapping_type=mapping_type, start_symbol=s, length=n)

    @property
    def sliv(self) -> int:
        """startSymbolAndLength of the row (:func:`sliv_encode`)."""
        return sliv_encode(self.start_symbol, self.length)


def default_tda_table(type_a_position: int = 2) -> tuple[TdaEntry, ...]:
    """Default PDSCH time-domain allocation A, normal cyclic prefix (TS 38.214 Table
    5.1.2.1.1-2), for a dmrs-TypeA-Position of 2 or 3.

    Returns
    -------
    tuple of TdaEntry
        Rows 1 .. 16 at indices 0 .. 15 (the DCI field value m selects index m).
    """
    pos = check_choice("type_a_position", type_a_position, (2, 3), "TS 38.214 Table 5.1.2.1.1-2")
    return tuple(TdaEntry(mapping_type=m, k0=k0, start_symbol=s, length=n)
                 for m, k0, s, n in (PDSCH_TDA_DEFAULT_A[row][pos - 2] for row in range(1, 17)))


@dataclass(frozen=True, slots=True, kw_only=True)
class PdschGrant:
    """A PDSCH scheduled by a DCI, as found by :func:`pdsch_grant_from_dci`.

    Attributes
    ----------
    pdsch : PdschConfig
        The PDSCH (allocation, modulation, layers, DM-RS, RNTI).
    sch : SchConfig
        Its transport block (TBS, target code rate, Q_m, layers).
    mcs : int
        I_MCS.
    ndi : int
        New data indicator.
    rv : int
        Redundancy version.
    harq_process : int
        HARQ process number.
    k0 : int
        Slot offset of the PDSCH after the PDCCH.
    tda_index : int
        The time-domain resource assignment field value m (row m + 1).
    """

    pdsch: PdschConfig
    sch: SchConfig
    mcs: int
    ndi: int
    rv: int
    harq_process: int
    k0: int
    tda_index: int


def _check_format(fmt: DciFormat) -> None:
    if not isinstance(fmt, DciFormat):
        raise ConfigError("fmt", type(fmt).__name__, "must be a DciFormat", "TS 38.212 §7.3.1")
    if fmt.name not in ("1_0", "1_1"):
        raise ConfigError("fmt", fmt.name, "must be DCI format 1_0 or 1_1 (PDSCH scheduling)",
                          "TS 38.212 §7.3.1.2")


def _field_names(fmt: DciFormat) -> dict[str, str]:
    """Names of the scheduling fields in a format (1_1 numbers the transport block fields)."""
    if fmt.name == "1_1":
        return {"mcs": "mcs_1", "ndi": "ndi_1", "rv": "rv_1"}
    return {"mcs": "mcs", "ndi": "ndi", "rv": "rv"}


def _check_fdra_type1(fmt: DciFormat) -> int:
    n = fmt.n_rb
    width = (n * (n + 1) // 2 - 1).bit_length()
    if fmt.field("frequency_domain_resource_assignment").width != width:
        raise ConfigError("frequency_domain_resource_assignment",
                          fmt.field("frequency_domain_resource_assignment").width,
                          f"only resource allocation type 1 is supported: its field has "
                          f"ceil(log2(N(N+1)/2)) = {width} bits for N = {n}", _CLAUSE_FDRA)
    return n


def _rb_offset(fmt: DciFormat, bwp: Bwp, coreset: CoresetConfig | None) -> int:
    """Offset from the first RB of the RIV numbering to the first PRB of the bandwidth part."""
    if fmt.name == "1_0" and fmt.search_space == "common":
        if coreset is None:
            raise ConfigError("coreset", None,
                              "DCI format 1_0 in a common search space counts RBs from the lowest RB "
                              "of its CORESET: the CORESET is needed", _CLAUSE_FDRA)
        return int(coreset.crbs[0]) - bwp.n_start_bwp
    return 0


def _tda_table(tda_table: Sequence[TdaEntry]) -> tuple[TdaEntry, ...]:
    rows = tuple(tda_table)
    if not 1 <= len(rows) <= 16 or not all(isinstance(r, TdaEntry) for r in rows):
        raise ConfigError("tda_table", tda_table, "must be 1 .. 16 TdaEntry rows", _CLAUSE_TDA)
    return rows


def _ports_1_0(length: int) -> tuple[int, tuple[int, ...]]:
    """(CDM groups without data, ports) assumed with format 1_0 (TS 38.214 §5.1.6.2)."""
    return (1 if length == 2 else 2), (0,)


def pdsch_dci_fields(fmt: DciFormat, pdsch: PdschConfig, *, bwp: Bwp,
                     tda_table: Sequence[TdaEntry], mcs: int, ndi: int = 0, rv: int = 0,
                     harq_process: int = 0, tda_index: int | None = None, k0: int = 0,
                     mcs_table: str = "qam64", coreset: CoresetConfig | None = None,
                     **fields: int) -> dict[str, int]:
    """Scheduling fields of a DCI format 1_0 / 1_1 for a PDSCH (TS 38.212 §7.3.1.2.1,
    §7.3.1.2.2; TS 38.214 §5.1.2.1, §5.1.2.2.2, §5.1.3.1).

    Parameters
    ----------
    fmt : DciFormat
        Format 1_0 or 1_1 (:func:`opennr.transport.dci.dci_format`) with a type 1 frequency
        domain resource assignment over ``fmt.n_rb`` RBs.
    pdsch : PdschConfig
        The PDSCH: a contiguous run of VRBs (``prb_set``, relative to ``bwp``), an allocation
        (mapping type, S, L) found in ``tda_table``, the modulation of ``mcs``, and for 1_1
        DM-RS ports of Table 7.3.1.2.2-1 (or an ``antenna_ports`` value in ``fields``).
    bwp : Bwp
        The active downlink bandwidth part; the PDSCH's own bandwidth part, when set, must be
        it.
    tda_table : sequence of TdaEntry
        The time-domain allocation table (e.g. :func:`default_tda_table`).
    mcs : int
        I_MCS in ``mcs_table``; its Q_m must be that of the PDSCH.
    ndi, rv, harq_process : int
        New data indicator (0/1), redundancy version (0 .. 3), HARQ process number (0 .. 15).
    tda_index : int, optional
        Field value m (row m + 1); by default the first row with the PDSCH's mapping type, S,
        L and ``k0``.
    k0 : int
        Slot offset K0 (used to choose the row when ``tda_index`` is None).
    mcs_table : str
        MCS table name or number (:func:`opennr.transport.mcs.mcs_entry`).
    coreset : CoresetConfig, optional
        The CORESET of the PDCCH; needed for format 1_0 in a common search space.
    **fields : int
        Other fields of the format (``pdsch_to_harq_feedback_timing``, ``tpc_pucch``, ...).

    Returns
    -------
    dict of str to int
        Field values for :meth:`opennr.transport.dci.DciFormat.pack`.

    Raises
    ------
    ConfigError
        A PDSCH that the format cannot schedule (non-contiguous VRBs, no matching row, an
        interleaved mapping without the field, ports outside the table, a modulation other
        than the MCS's), or a field out of range.
    """
    _check_format(fmt)
    if not isinstance(pdsch, PdschConfig):
        raise ConfigError("pdsch", type(pdsch).__name__, "must be a PdschConfig", "TS 38.211 §7.3.1")
    if not isinstance(bwp, Bwp):
        raise ConfigError("bwp", type(bwp).__name__, "must be a Bwp", "TS 38.211 §4.4.5")
    if pdsch.n_start_bwp is not None and (pdsch.n_start_bwp, pdsch.n_size_bwp) != \
            (bwp.n_start_bwp, bwp.n_size_bwp):
        raise ConfigError("pdsch.n_start_bwp", (pdsch.n_start_bwp, pdsch.n_size_bwp),
                          f"must be the bandwidth part of the DCI ({bwp.n_start_bwp}, {bwp.n_size_bwp})",
                          "TS 38.211 §4.4.5")
    names = _field_names(fmt)
    out: dict[str, int] = {}
    # Frequency domain: one run of contiguous VRBs (type 1).
    n = _check_fdra_type1(fmt)
    vrbs = tuple(range(bwp.n_size_bwp)) if pdsch.prb_set is None else pdsch.prb_set
    if vrbs[-1] - vrbs[0] + 1 != len(vrbs):
        raise ConfigError("pdsch.prb_set", vrbs, "must be contiguous VRBs for resource allocation type 1",
                          _CLAUSE_FDRA)
    start = vrbs[0] - _rb_offset(fmt, bwp, coreset)
    if start < 0 or start + len(vrbs) > n:
        raise ConfigError("pdsch.prb_set", vrbs,
                          f"must lie in the N = {n} RBs addressed by the resource indication value",
                          _CLAUSE_FDRA)
    out["frequency_domain_resource_assignment"] = riv_encode(n, start, len(vrbs))
    # VRB-to-PRB mapping.
    if pdsch.vrb_bundle_size is not None:
        has = any(f.name == "vrb_to_prb_mapping" for f in fmt.fields)
        if not has:
            raise ConfigError("pdsch.vrb_bundle_size", pdsch.vrb_bundle_size,
                              "needs the VRB-to-PRB mapping field (vrb-ToPRB-Interleaver configured)",
                              "TS 38.212 §7.3.1.2.2")
        if fmt.name == "1_0":
            if fmt.search_space == "common":
                raise ConfigError("pdsch.vrb_bundle_size", pdsch.vrb_bundle_size,
                                  "the interleaved mapping of format 1_0 in a common search space "
                                  "is not modelled", "TS 38.211 §7.3.1.6")
            if pdsch.vrb_bundle_size != 2:
                raise ConfigError("pdsch.vrb_bundle_size", pdsch.vrb_bundle_size,
                                  "must be 2 with DCI format 1_0", "TS 38.211 §7.3.1.6")
        out["vrb_to_prb_mapping"] = 1
    # Time domain: the row of the table.
    rows = _tda_table(tda_table)
    s, n_sym = pdsch.symbol_allocation
    if tda_index is None:
        match = [i for i, r in enumerate(rows) if (r.mapping_type, r.start_symbol, r.length, r.k0)
                 == (pdsch.mapping_type, s, n_sym, k0)]
        if not match:
            raise ConfigError("pdsch.symbol_allocation", (pdsch.mapping_type, s, n_sym),
                              f"no row of the time-domain allocation table has this mapping type, "
                              f"(S, L) and K0 = {k0}", _CLAUSE_TDA)
        tda_index = match[0]
    m = check_int("tda_index", tda_index, 0, len(rows) - 1, _CLAUSE_TDA)
    r = rows[m]
    if (r.mapping_type, r.start_symbol, r.length) != (pdsch.mapping_type, s, n_sym):
        raise ConfigError("tda_index", m,
                          f"row {m + 1} is type {r.mapping_type} (S, L) = ({r.start_symbol}, "
                          f"{r.length}), not the PDSCH's type {pdsch.mapping_type} ({s}, {n_sym})",
                          _CLAUSE_TDA)
    out["time_domain_resource_assignment"] = m
    # MCS, modulation, HARQ.
    entry = mcs_entry(mcs_table, mcs, retransmission=True)
    if pdsch.n_codewords != 1:
        raise ConfigError("pdsch.n_layers", pdsch.n_layers, "only one codeword (<= 4 layers) is supported",
                          "TS 38.212 §7.3.1.2.2")
    if entry.qm != bits_per_symbol(pdsch.modulations[0]):
        raise ConfigError("mcs", mcs, f"has Q_m = {entry.qm} in table {mcs_table!r}, but the PDSCH "
                          f"uses {pdsch.modulations[0]}", "TS 38.214 §5.1.3.1")
    out[names["mcs"]] = mcs
    out[names["ndi"]] = check_int("ndi", ndi, 0, 1, "TS 38.212 §7.3.1.2")
    out[names["rv"]] = check_int("rv", rv, 0, 3, "TS 38.212 §7.3.1.2")
    out["harq_process_number"] = check_int("harq_process", harq_process, 0, 15, "TS 38.212 §7.3.1.2")
    # Antenna ports.
    d = pdsch.dmrs
    if fmt.name == "1_0":
        cdm, ports = _ports_1_0(n_sym)
        if (d.config_type, d.length, d.n_cdm_groups_without_data, pdsch.dmrs_ports) != (1, 1, cdm, ports):
            raise ConfigError("pdsch.dmrs", d,
                              f"DCI format 1_0 schedules DM-RS type 1, single symbol, port 1000 with "
                              f"{cdm} CDM group(s) without data", "TS 38.214 §5.1.6.2")
    elif "antenna_ports" not in fields:
        if (d.config_type, d.length) != (1, 1) or fmt.field("antenna_ports").width != 4:
            raise ConfigError("pdsch.dmrs", d,
                              "antenna ports are derived only for DM-RS type 1 with maxLength 1 "
                              "(Table 7.3.1.2.2-1); pass antenna_ports=<value> otherwise", _CLAUSE_PORTS)
        key = (d.n_cdm_groups_without_data, tuple(pdsch.dmrs_ports))
        if key not in ANTENNA_PORTS_TABLE_7_3_1_2_2_1:
            raise ConfigError("pdsch.dmrs_ports", pdsch.dmrs_ports,
                              f"with {d.n_cdm_groups_without_data} CDM group(s) without data is no "
                              f"entry of the table", _CLAUSE_PORTS)
        out["antenna_ports"] = ANTENNA_PORTS_TABLE_7_3_1_2_2_1.index(key)
    if fmt.name == "1_1" and any(f.name == "dmrs_sequence_initialization" for f in fmt.fields):
        out["dmrs_sequence_initialization"] = d.n_scid
    for k, v in fields.items():
        out[k] = v
    fmt.pack(out)                                          # checks names and widths
    return out


def pdsch_grant_from_dci(dci: Dci | Mapping[str, int], fmt: DciFormat, *, rnti: int, bwp: Bwp,
                         tda_table: Sequence[TdaEntry], base: PdschConfig | None = None,
                         mcs_table: str = "qam64", vrb_bundle_size: int = 2,
                         coreset: CoresetConfig | None = None, x_overhead: int = 0,
                         initial_sch: SchConfig | None = None) -> PdschGrant:
    """The PDSCH and transport block scheduled by a DCI format 1_0 / 1_1 (TS 38.214 §5.1.2.1,
    §5.1.2.2.2, §5.1.3, §5.1.6.2; TS 38.212 §7.3.1.2).

    Parameters
    ----------
    dci : Dci or mapping of str to int
        The decoded fields (e.g. ``PdcchDetection.fields``).
    fmt : DciFormat
        Its format (1_0 or 1_1, type 1 frequency-domain assignment).
    rnti : int
        The RNTI of the DCI CRC: n_RNTI of the PDSCH scrambling.
    bwp : Bwp
        Active downlink bandwidth part.
    tda_table : sequence of TdaEntry
        Time-domain allocation table.
    base : PdschConfig, optional
        Semi-static PDSCH parameters: DM-RS configuration (type, dmrs-TypeA-Position,
        additional positions, scrambling identities), data scrambling identity ``n_id``, PT-RS.
        Its allocation, modulation, layers, ports, RNTI and VRB mapping are replaced.
    mcs_table : str
        MCS table of the PDSCH.
    vrb_bundle_size : int
        vrb-ToPRB-Interleaver (2 or 4) used when a format 1_1 sets the VRB-to-PRB field.
    coreset : CoresetConfig, optional
        CORESET of the PDCCH; needed for format 1_0 in a common search space.
    x_overhead : int
        N_oh^PRB of the TBS (xOverhead: 0, 6, 12, 18).
    initial_sch : SchConfig, optional
        The transport block of the initial transmission, needed with a reserved MCS index (a
        retransmission): its TBS and target code rate are kept, Q_m comes from the MCS.

    Returns
    -------
    PdschGrant

    Raises
    ------
    ConfigError
        An invalid RIV or row, antenna-port value or MCS, or a PDSCH the base cannot take.
    """
    _check_format(fmt)
    if not isinstance(bwp, Bwp):
        raise ConfigError("bwp", type(bwp).__name__, "must be a Bwp", "TS 38.211 §4.4.5")
    if isinstance(dci, Dci):
        if dci.format != fmt.name:
            raise ConfigError("dci", dci.format, f"must be a DCI of format {fmt.name}", "TS 38.212 §7.3.1")
        values = dict(dci.values)
    else:
        values = dict(dci)
    base = PdschConfig() if base is None else base
    if not isinstance(base, PdschConfig):
        raise ConfigError("base", type(base).__name__, "must be a PdschConfig", "TS 38.211 §7.3.1")
    names = _field_names(fmt)

    def get(name: str) -> int:
        if name not in values:
            raise ConfigError("dci", sorted(values), f"has no field {name!r}", "TS 38.212 §7.3.1.2")
        return int(values[name])

    n = _check_fdra_type1(fmt)
    rb_start, l_rbs = riv_decode(n, get("frequency_domain_resource_assignment"))
    first = rb_start + _rb_offset(fmt, bwp, coreset)
    prbs = tuple(range(first, first + l_rbs))
    rows = _tda_table(tda_table)
    m = check_int("time_domain_resource_assignment", get("time_domain_resource_assignment"), 0,
                  len(rows) - 1, _CLAUSE_TDA)
    row = rows[m]
    bundle = None
    if values.get("vrb_to_prb_mapping", 0):
        if fmt.name == "1_0":
            if fmt.search_space == "common":
                raise ConfigError("vrb_to_prb_mapping", 1, "the interleaved mapping of format 1_0 in "
                                  "a common search space is not modelled", "TS 38.211 §7.3.1.6")
            bundle = 2
        else:
            bundle = check_choice("vrb_bundle_size", vrb_bundle_size, (2, 4), "TS 38.211 §7.3.1.6")
    i_mcs = get(names["mcs"])
    entry = mcs_entry(mcs_table, i_mcs, retransmission=True)
    d = base.dmrs
    if fmt.name == "1_0":
        cdm, ports = _ports_1_0(row.length)
        dmrs = dataclasses.replace(d, config_type=1, length=1, n_cdm_groups_without_data=cdm, n_scid=0)
    else:
        value = get("antenna_ports")
        if (d.config_type, d.length) != (1, 1) or fmt.field("antenna_ports").width != 4:
            raise ConfigError("base.dmrs", d, "antenna ports are read only for DM-RS type 1 with "
                              "maxLength 1 (Table 7.3.1.2.2-1)", _CLAUSE_PORTS)
        if value >= len(ANTENNA_PORTS_TABLE_7_3_1_2_2_1):
            raise ConfigError("antenna_ports", value, "is a reserved value", _CLAUSE_PORTS)
        cdm, ports = ANTENNA_PORTS_TABLE_7_3_1_2_2_1[value]
        dmrs = dataclasses.replace(d, n_cdm_groups_without_data=cdm,
                                   n_scid=int(values.get("dmrs_sequence_initialization", 0)))
    ptrs = base.ptrs if base.ptrs is None else dataclasses.replace(base.ptrs, port=None)
    pdsch = dataclasses.replace(
        base, mapping_type=row.mapping_type, symbol_allocation=(row.start_symbol, row.length),
        prb_set=prbs, n_start_bwp=bwp.n_start_bwp, n_size_bwp=bwp.n_size_bwp, n_layers=len(ports),
        modulation=modulation_for_qm(entry.qm),
        n_rnti=check_int("rnti", rnti, 0, 65535, "TS 38.211 §7.3.1.1"),
        dmrs=dmrs, dmrs_ports=ports, vrb_bundle_size=bundle, ptrs=ptrs)
    if entry.target_code_rate is None:
        if not isinstance(initial_sch, SchConfig):
            raise ConfigError("mcs", i_mcs, "is a reserved index (a retransmission): the SchConfig of "
                              "the initial transmission is needed (initial_sch=...)", "TS 38.214 §5.1.3.2")
        rate, size = initial_sch.target_code_rate, initial_sch.tbs
    else:
        rate = entry.target_code_rate
        size = transport_block_size(n_prb=l_rbs, n_symb_sh=row.length,
                                    n_dmrs_prb=n_dmrs_prb(pdsch_dmrs_symbols(pdsch)[0], pdsch.dmrs),
                                    n_oh_prb=x_overhead,
                                    target_code_rate=rate, qm=entry.qm, n_layers=len(ports))
    sch = SchConfig(tbs=size, target_code_rate=rate, qm=entry.qm, n_layers=len(ports))
    return PdschGrant(pdsch=pdsch, sch=sch, mcs=i_mcs, ndi=get(names["ndi"]), rv=get(names["rv"]),
                      harq_process=get("harq_process_number"), k0=row.k0, tda_index=m)


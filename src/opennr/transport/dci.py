"""TS 38.212 §7.3.1 — downlink control information (DCI) formats: fields, sizes, packing.

The field list of each format is built from the configuration (:class:`DciConfig`): formats
0_0 (§7.3.1.1.1), 0_1 (§7.3.1.1.2), 1_0 (§7.3.1.2.1), 1_1 (§7.3.1.2.2), 2_0 (§7.3.1.3.1),
2_1 (§7.3.1.3.2) and 2_2 (§7.3.1.3.3). Sizes are aligned with the procedure of §7.3.1.0 (Rel-15
steps 0-4): format 0_0 in a common search space (CSS) is padded, or its frequency-domain
resource assignment truncated (most significant bits), to the size of 1_0 in the CSS; in a
UE-specific search space (USS) the smaller of 0_0 and 1_0 is padded to the larger; 0_1 and 1_1
get one zero bit when their size equals that of 0_0/1_0; and when more than 4 sizes, or more than
3 sizes with C-RNTI, remain, 0_0/1_0 in the USS take the CSS sizes and, if still needed, the
smaller of 0_1 and 1_1 is padded.

Frequency-domain resource assignment of type 1 is a resource indication value (RIV) of
TS 38.214 §5.1.2.2.2 (downlink) and §6.1.2.2.2 (uplink), of type 0 an RBG bitmap with the
nominal RBG size P of Tables 5.1.2.2.1-1 / 6.1.2.2.1-1.

Bits are packed MSB first, fields in the order of the clause. Fields of width 0 are omitted.
Not modelled: supplementary uplink, Rel-16/17 fields (0_2/1_2, shared spectrum, open-loop power
control, priority indicators, minimum scheduling offsets), and the rnti-specific FDRA scaling of
1_0 in a CSS outside the initial BWP (TS 38.214 §5.1.2.2.2).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.errors import ConfigError

__all__ = [
    "ANTENNA_PORTS_0_1_BITS",
    "ANTENNA_PORTS_1_1_BITS",
    "ANTENNA_PORTS_TABLE_7_3_1_1_2_6",
    "ANTENNA_PORTS_TABLE_7_3_1_1_2_8",
    "ANTENNA_PORTS_TABLE_7_3_1_2_2_1",
    "DCI_FORMATS",
    "PRECODING_TPMI_COUNTS",
    "RBG_SIZE_TABLE",
    "Dci",
    "DciConfig",
    "DciField",
    "DciFormat",
    "dci_format",
    "dci_formats",
    "n_rbg",
    "rbg_size",
    "riv_decode",
    "riv_encode",
]

_C = "TS 38.212 §7.3.1"
_C00, _C01, _C10, _C11 = (f"{_C}.1.1", f"{_C}.1.2", f"{_C}.2.1", f"{_C}.2.2")
_C20, _C21, _C22 = (f"{_C}.3.1", f"{_C}.3.2", f"{_C}.3.3")
_C_ALIGN = f"{_C}.0"

#: DCI formats built by :func:`dci_format`.
DCI_FORMATS = ("0_0", "0_1", "1_0", "1_1", "2_0", "2_1", "2_2")

#: TS 38.214 Table 5.1.2.2.1-1 (downlink) and Table 6.1.2.2.1-1 (uplink), which hold the same
#: values: (first BWP size, last BWP size, P for Configuration 1, P for Configuration 2).
RBG_SIZE_TABLE = ((1, 36, 2, 4), (37, 72, 4, 8), (73, 144, 8, 16), (145, 275, 16, 16))

#: Antenna ports field width of format 1_1: (dmrs-Type, maxLength) -> bits
#: (TS 38.212 Tables 7.3.1.2.2-1, -2, -3, -4).
ANTENNA_PORTS_1_1_BITS = {(1, 1): 4, (1, 2): 5, (2, 1): 5, (2, 2): 6}

#: Antenna ports field width of format 0_1: (transform precoding, dmrs-Type, maxLength) -> bits
#: (TS 38.212 Tables 7.3.1.1.2-6, -7 with transform precoding; -8..-11, -12..-15, -16..-19,
#: -20..-23 without).
ANTENNA_PORTS_0_1_BITS = {(True, 1, 1): 2, (True, 1, 2): 4, (False, 1, 1): 3, (False, 1, 2): 4,
                          (False, 2, 1): 4, (False, 2, 2): 5}

#: TS 38.212 Table 7.3.1.2.2-1 (dmrs-Type 1, maxLength 1, one codeword): value ->
#: (number of DM-RS CDM groups without data, DM-RS ports); values 12 .. 15 are reserved.
ANTENNA_PORTS_TABLE_7_3_1_2_2_1 = ((1, (0,)), (1, (1,)), (1, (0, 1)), (2, (0,)), (2, (1,)), (2, (2,)),
                                   (2, (3,)), (2, (0, 1)), (2, (2, 3)), (2, (0, 1, 2)),
                                   (2, (0, 1, 2, 3)), (2, (0, 2)))

#: TS 38.212 Table 7.3.1.1.2-6 (transform precoding enabled, dmrs-Type 1, maxLength 1, rank 1).
ANTENNA_PORTS_TABLE_7_3_1_1_2_6 = ((2, (0,)), (2, (1,)), (2, (2,)), (2, (3,)))

#: TS 38.212 Table 7.3.1.1.2-8 (transform precoding disabled, dmrs-Type 1, maxLength 1, rank 1);
#: values 6 and 7 are reserved.
ANTENNA_PORTS_TABLE_7_3_1_1_2_8 = ((1, (0,)), (1, (1,)), (2, (0,)), (2, (1,)), (2, (2,)), (2, (3,)))

#: Rows of TS 38.212 Tables 7.3.1.1.2-2..5 per rank 1, 2, 3, 4 (number of TPMIs) for
#: (antenna ports, codebookSubset); the "precoding information and number of layers" field has
#: ceil(log2(sum over ranks <= maxRank)) bits.
PRECODING_TPMI_COUNTS = {
    (4, "fullyAndPartialAndNonCoherent"): (28, 22, 7, 5),
    (4, "partialAndNonCoherent"): (12, 14, 3, 3),
    (4, "nonCoherent"): (4, 6, 1, 1),
    (2, "fullyAndPartialAndNonCoherent"): (6, 3),
    (2, "nonCoherent"): (2, 1),
}

_RA_TYPES = ("type0", "type1", "dynamicSwitch")


def _bits_for(n: int) -> int:
    """ceil(log2(n)) for n >= 1."""
    return (int(n) - 1).bit_length()


def rbg_size(n_size_bwp: int, config: int = 1) -> int:
    """Nominal RBG size P (TS 38.214 Table 5.1.2.2.1-1, Table 6.1.2.2.1-1).

    Parameters
    ----------
    n_size_bwp : int
        Bandwidth part size, 1 .. 275.
    config : int
        ``rbg-Size`` configuration 1 or 2.
    """
    n = check_int("n_size_bwp", n_size_bwp, 1, 275, "TS 38.214 Table 5.1.2.2.1-1")
    check_choice("rbg_size_config", config, (1, 2), "TS 38.214 Table 5.1.2.2.1-1")
    for lo, hi, p1, p2 in RBG_SIZE_TABLE:
        if lo <= n <= hi:
            return p1 if config == 1 else p2
    raise AssertionError("unreachable")


def n_rbg(n_size_bwp: int, n_start_bwp: int = 0, config: int = 1) -> int:
    """N_RBG = ceil((N_BWP^size + (N_BWP^start mod P)) / P) (TS 38.214 §5.1.2.2.1, §6.1.2.2.1)."""
    p = rbg_size(n_size_bwp, config)
    start = check_int("n_start_bwp", n_start_bwp, 0, 2473, "TS 38.214 §5.1.2.2.1")
    return -(-(n_size_bwp + start % p) // p)


def riv_encode(n_size_bwp: int, rb_start: int, l_rbs: int) -> int:
    """Resource indication value of resource allocation type 1 (TS 38.214 §5.1.2.2.2, §6.1.2.2.2).

    RIV = N (L − 1) + RB_start if L − 1 <= floor(N / 2), else N (N − L + 1) + (N − 1 − RB_start),
    with N = N_BWP^size and 1 <= L <= N − RB_start.

    Raises
    ------
    ConfigError
        If the allocation does not fit the bandwidth part.
    """
    n = check_int("n_size_bwp", n_size_bwp, 1, 275, "TS 38.214 §5.1.2.2.2")
    start = check_int("rb_start", rb_start, 0, n - 1, "TS 38.214 §5.1.2.2.2")
    length = check_int("l_rbs", l_rbs, 1, n - start, "TS 38.214 §5.1.2.2.2 (1 <= L <= N - RB_start)")
    if length - 1 <= n // 2:
        return n * (length - 1) + start
    return n * (n - length + 1) + (n - 1 - start)


def riv_decode(n_size_bwp: int, riv: int) -> tuple[int, int]:
    """(RB_start, L_RBs) of a resource indication value (TS 38.214 §5.1.2.2.2, §6.1.2.2.2).

    Raises
    ------
    ConfigError
        If ``riv`` is not a valid RIV for N_BWP^size (>= N (N + 1) / 2).
    """
    n = check_int("n_size_bwp", n_size_bwp, 1, 275, "TS 38.214 §5.1.2.2.2")
    riv = check_int("riv", riv, 0, n * (n + 1) // 2 - 1, "TS 38.214 §5.1.2.2.2 (RIV < N(N+1)/2)")
    q, r = divmod(riv, n)
    length, start = q + 1, r
    if start + length > n:  # the second branch: RIV = N (N − L + 1) + (N − 1 − RB_start)
        length, start = n - q + 1, n - 1 - r
    return start, length


@dataclass(frozen=True, slots=True)
class DciField:
    """One field of a DCI format: name, width in bits and the clause that sets it."""

    name: str
    width: int
    clause: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DciConfig:
    """Configuration that decides the DCI field widths (TS 38.212 §7.3.1, TS 38.331).

    Parameters (bandwidth parts)
    ----------------------------
    n_size_bwp_dl, n_start_bwp_dl, n_size_bwp_ul, n_start_bwp_ul : int
        Active DL/UL bandwidth parts (size 1 .. 275).
    n_size_coreset0 : int or None
        Size of CORESET 0 (N_RB^DL,BWP of 1_0 in a CSS when configured).
    n_size_initial_bwp_dl, n_size_initial_bwp_ul : int or None
        Initial DL/UL BWP sizes (default: the active ones).
    uss_fallback : bool
        Formats 0_0/1_0 are also monitored in a UE-specific search space.
    css_c_rnti : bool
        Formats 0_0/1_0 with a C-RNTI are monitored in a common search space (their size then
        counts among the at most 3 sizes with C-RNTI of §7.3.1.0).

    Parameters (format 1_1)
    -----------------------
    carrier_indicator : bool
        3-bit carrier indicator in 0_1 and 1_1.
    n_bwp_dl, n_bwp_ul : int
        n_BWP,RRC, configured BWPs other than the initial one (0 .. 4).
    resource_allocation_dl, resource_allocation_ul : str
        ``"type0"``, ``"type1"`` or ``"dynamicSwitch"``.
    rbg_size_dl, rbg_size_ul : int
        RBG size configuration 1 or 2.
    n_tda_dl, n_tda_ul : int
        Entries of the time-domain allocation lists, 1 .. 16 (16: the default tables).
    vrb_to_prb_interleaved : bool
        ``vrb-ToPRB-Interleaver`` configured (1 bit in 1_1 with type 1).
    prb_bundling_dynamic : bool
        ``prb-BundlingType`` dynamicBundling (1 bit).
    n_rate_match_groups : int
        Rate-matching pattern groups, 0 .. 2.
    n_zp_csi_rs_sets : int
        ``aperiodic-ZP-CSI-RS-ResourceSetsToAddModList`` size, 0 .. 3 (ceil(log2(n + 1)) bits).
    two_codewords : bool
        ``maxNrofCodeWordsScheduledByDCI`` = 2.
    harq_ack_codebook : str
        ``"semiStatic"`` or ``"dynamic"``.
    n_serving_cells : int
        Configured serving cells (4-bit DAI in 1_1 with more than one and a dynamic codebook).
    n_k1 : int
        Entries of ``dl-DataToUL-ACK``, 1 .. 8.
    dmrs_type_dl, dmrs_max_length_dl, dmrs_type_ul, dmrs_max_length_ul : int
        1 or 2.
    tci_present : bool
        ``tci-PresentInDCI`` (3 bits).
    cbg_dl, cbg_ul : int
        ``maxCodeBlockGroupsPerTransportBlock``: 0 (CBGs off), 2, 4, 6 or 8.
    cbg_flush : bool
        ``codeBlockGroupFlushIndicator``.

    Parameters (format 0_1)
    -----------------------
    frequency_hopping_ul : bool
        ``frequencyHopping`` configured (1-bit flag with type 1).
    tx_config_ul : str
        ``"codebook"`` or ``"nonCodebook"``.
    n_srs_resources : int
        SRS resources in the set, 1 .. 4.
    max_rank_ul : int
        maxRank (codebook) or L_max (non-codebook), 1 .. 4.
    n_ports_ul : int
        PUSCH antenna ports, 1, 2 or 4.
    codebook_subset : str
        ``"fullyAndPartialAndNonCoherent"``, ``"partialAndNonCoherent"`` or ``"nonCoherent"``.
    transform_precoding : bool
        ``transformPrecoder`` enabled.
    csi_request_bits : int
        ``reportTriggerSize``, 0 .. 6.
    ptrs_ul : bool
        PTRS-UplinkConfig configured.
    beta_offset_dynamic : bool
        Dynamic beta offsets (2 bits).

    Parameters (formats 2_x)
    ------------------------
    payload_size_2_0, payload_size_2_1 : int
        ``dci-PayloadSize`` of 2_0 / 2_1, 1 .. 128.
    sfi_bits : int
        Width of each SFI-index field of 2_0 (ceil(log2(max SFI index + 1))), 1 .. 8.
    n_tpc_blocks : int
        TPC blocks of 2_2; ``tpc_closed_loop`` adds a 1-bit closed-loop indicator per block.

    Raises
    ------
    ConfigError
        If a field is out of range.
    """

    n_size_bwp_dl: int = 52
    n_start_bwp_dl: int = 0
    n_size_bwp_ul: int = 52
    n_start_bwp_ul: int = 0
    n_size_coreset0: int | None = None
    n_size_initial_bwp_dl: int | None = None
    n_size_initial_bwp_ul: int | None = None
    uss_fallback: bool = True
    css_c_rnti: bool = True
    carrier_indicator: bool = False
    n_bwp_dl: int = 0
    n_bwp_ul: int = 0
    resource_allocation_dl: str = "type1"
    resource_allocation_ul: str = "type1"
    rbg_size_dl: int = 1
    rbg_size_ul: int = 1
    n_tda_dl: int = 16
    n_tda_ul: int = 16
    vrb_to_prb_interleaved: bool = False
    prb_bundling_dynamic: bool = False
    n_rate_match_groups: int = 0
    n_zp_csi_rs_sets: int = 0
    two_codewords: bool = False
    harq_ack_codebook: str = "dynamic"
    n_serving_cells: int = 1
    n_k1: int = 8
    dmrs_type_dl: int = 1
    dmrs_max_length_dl: int = 1
    dmrs_type_ul: int = 1
    dmrs_max_length_ul: int = 1
    tci_present: bool = False
    cbg_dl: int = 0
    cbg_ul: int = 0
    cbg_flush: bool = False
    frequency_hopping_ul: bool = False
    tx_config_ul: str = "codebook"
    n_srs_resources: int = 1
    max_rank_ul: int = 1
    n_ports_ul: int = 1
    codebook_subset: str = "nonCoherent"
    transform_precoding: bool = False
    csi_request_bits: int = 0
    ptrs_ul: bool = False
    beta_offset_dynamic: bool = False
    payload_size_2_0: int = 20
    sfi_bits: int = 4
    payload_size_2_1: int = 28
    n_tpc_blocks: int = 1
    tpc_closed_loop: bool = False

    def __post_init__(self) -> None:
        r = "TS 38.331"
        for name in ("n_size_bwp_dl", "n_size_bwp_ul"):
            check_int(name, getattr(self, name), 1, 275, "TS 38.211 §4.4.5")
        for name in ("n_start_bwp_dl", "n_start_bwp_ul"):
            check_int(name, getattr(self, name), 0, 2473, "TS 38.211 §4.4.5")
        for name in ("n_size_coreset0", "n_size_initial_bwp_dl", "n_size_initial_bwp_ul"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name), 1, 275, _C_ALIGN)
        for name in ("uss_fallback", "css_c_rnti", "carrier_indicator", "vrb_to_prb_interleaved",
                     "prb_bundling_dynamic",
                     "two_codewords", "tci_present", "cbg_flush", "frequency_hopping_ul",
                     "transform_precoding", "ptrs_ul", "beta_offset_dynamic", "tpc_closed_loop"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ConfigError(name, getattr(self, name), "must be a boolean", r)
        check_int("n_bwp_dl", self.n_bwp_dl, 0, 4, _C11)
        check_int("n_bwp_ul", self.n_bwp_ul, 0, 4, _C01)
        check_choice("resource_allocation_dl", self.resource_allocation_dl, _RA_TYPES, "TS 38.214 §5.1.2.2")
        check_choice("resource_allocation_ul", self.resource_allocation_ul, _RA_TYPES, "TS 38.214 §6.1.2.2")
        check_choice("rbg_size_dl", self.rbg_size_dl, (1, 2), "TS 38.214 Table 5.1.2.2.1-1")
        check_choice("rbg_size_ul", self.rbg_size_ul, (1, 2), "TS 38.214 Table 6.1.2.2.1-1")
        check_int("n_tda_dl", self.n_tda_dl, 1, 16, "TS 38.214 §5.1.2.1")
        check_int("n_tda_ul", self.n_tda_ul, 1, 16, "TS 38.214 §6.1.2.1")
        check_int("n_rate_match_groups", self.n_rate_match_groups, 0, 2, _C11)
        check_int("n_zp_csi_rs_sets", self.n_zp_csi_rs_sets, 0, 3, _C11)
        check_choice("harq_ack_codebook", self.harq_ack_codebook, ("semiStatic", "dynamic"), "TS 38.213 §9.1")
        check_int("n_serving_cells", self.n_serving_cells, 1, 32, _C11)
        check_int("n_k1", self.n_k1, 1, 8, _C11)
        for name in ("dmrs_type_dl", "dmrs_max_length_dl", "dmrs_type_ul", "dmrs_max_length_ul"):
            check_choice(name, getattr(self, name), (1, 2), "TS 38.211 §7.4.1.1")
        check_choice("cbg_dl", self.cbg_dl, (0, 2, 4, 6, 8), "TS 38.331 PDSCH-CodeBlockGroupTransmission")
        check_choice("cbg_ul", self.cbg_ul, (0, 2, 4, 6, 8), "TS 38.331 PUSCH-CodeBlockGroupTransmission")
        if self.two_codewords and self.cbg_dl > 4:
            raise ConfigError("cbg_dl", self.cbg_dl, "must be <= 4 with two codewords",
                              "TS 38.331 PDSCH-CodeBlockGroupTransmission")
        check_choice("tx_config_ul", self.tx_config_ul, ("codebook", "nonCodebook"), "TS 38.214 §6.1.1")
        check_int("n_srs_resources", self.n_srs_resources, 1, 4, _C01)
        check_int("max_rank_ul", self.max_rank_ul, 1, 4, _C01)
        check_choice("n_ports_ul", self.n_ports_ul, (1, 2, 4), _C01)
        check_choice("codebook_subset", self.codebook_subset,
                     ("fullyAndPartialAndNonCoherent", "partialAndNonCoherent", "nonCoherent"), _C01)
        if self.tx_config_ul == "codebook" and self.max_rank_ul > self.n_ports_ul:
            raise ConfigError("max_rank_ul", self.max_rank_ul,
                              f"must be <= n_ports_ul = {self.n_ports_ul} for codebook transmission", _C01)
        if self.transform_precoding and self.max_rank_ul != 1:
            raise ConfigError("max_rank_ul", self.max_rank_ul, "must be 1 with transform precoding",
                              "TS 38.211 §6.3.1.4")
        if self.dmrs_type_ul == 2 and self.transform_precoding:
            raise ConfigError("dmrs_type_ul", self.dmrs_type_ul, "must be 1 with transform precoding",
                              "TS 38.211 §6.4.1.1")
        check_int("csi_request_bits", self.csi_request_bits, 0, 6, _C01)
        check_int("payload_size_2_0", self.payload_size_2_0, 1, 128, _C20)
        check_int("sfi_bits", self.sfi_bits, 1, 8, _C20)
        check_int("payload_size_2_1", self.payload_size_2_1, 1, 128, _C21)
        check_int("n_tpc_blocks", self.n_tpc_blocks, 1, 32, _C22)


@dataclass(frozen=True, slots=True)
class Dci:
    """A DCI as named fields (TS 38.212 §7.3.1): ``dci["mcs"]``, ``dci.format``.

    Attributes
    ----------
    format : str
        ``"0_0"``, ``"1_1"``, ...
    values : dict of str to int
        Field values (bitmaps and RIVs as unsigned integers, MSB first).
    """

    format: str
    values: Mapping[str, int]

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values


@dataclass(frozen=True, slots=True)
class DciFormat:
    """Field layout of one DCI format after size alignment (TS 38.212 §7.3.1).

    Attributes
    ----------
    name : str
        ``"0_0"``, ``"0_1"``, ``"1_0"``, ``"1_1"``, ``"2_0"``, ``"2_1"``, ``"2_2"``.
    search_space : str
        ``"common"`` or ``"ue"``.
    fields : tuple of DciField
        In transmission order (MSB of the first field first).
    n_rb : int
        N_RB^BWP used by the frequency-domain resource assignment (RIV decoding).
    """

    name: str
    search_space: str
    fields: tuple[DciField, ...]
    n_rb: int

    @property
    def size(self) -> int:
        """Payload size A in bits."""
        return sum(f.width for f in self.fields)

    def field(self, name: str) -> DciField:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def matches(self, bits) -> bool:
        """Whether ``bits`` has this format's size and identifier (first bit: 0 UL, 1 DL)."""
        b = np.asarray(bits)
        if b.shape != (self.size,):
            return False
        if self.fields[0].name == "identifier":
            return int(b[0]) == (1 if self.name.startswith("1") else 0)
        return True

    def pack(self, values: Mapping[str, int] | Dci | None = None, **kwargs: int) -> np.ndarray:
        """Payload bits of a DCI, fields MSB first (TS 38.212 §7.3.1).

        Missing fields are 0; the identifier is set from the format; padding is 0.

        Raises
        ------
        ConfigError
            For an unknown field name, or a value that does not fit its field.
        """
        vals = dict(values.values if isinstance(values, Dci) else (values or {}))
        vals.update(kwargs)
        names = {f.name for f in self.fields}
        for name in vals:
            if name not in names:
                raise ConfigError(name, vals[name], f"is not a field of DCI format {self.name} "
                                  f"({self.search_space} search space): {', '.join(sorted(names))}", _C)
        if "identifier" in names:
            ident = 1 if self.name.startswith("1") else 0
            if vals.setdefault("identifier", ident) != ident:
                raise ConfigError("identifier", vals["identifier"],
                                  f"must be {ident} for DCI format {self.name}", _C)
        out = np.zeros(self.size, dtype=np.uint8)
        pos = 0
        for f in self.fields:
            v = vals.get(f.name, 0)
            integral = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            if not integral or not 0 <= int(v) < (1 << f.width):
                raise ConfigError(f.name, v, f"must be an integer in 0 .. {(1 << f.width) - 1} "
                                  f"({f.width} bits)", f.clause)
            v = int(v)
            for i in range(f.width):
                out[pos + i] = (v >> (f.width - 1 - i)) & 1
            pos += f.width
        return out

    def unpack(self, bits) -> Dci:
        """Named fields of a payload (TS 38.212 §7.3.1).

        Raises
        ------
        ConfigError
            If the payload length is not the format size.
        """
        b = as_bits("bits", bits)
        if b.shape != (self.size,):
            raise ConfigError("bits", f"{b.shape[-1] if b.ndim else 0} bits",
                              f"DCI format {self.name} ({self.search_space} search space) has "
                              f"{self.size} bits", _C)
        vals, pos = {}, 0
        for f in self.fields:
            v = 0
            for x in b[pos:pos + f.width]:
                v = (v << 1) | int(x)
            vals[f.name] = v
            pos += f.width
        return Dci(self.name, vals)


# --- field lists before alignment -------------------------------------------------------------

def _riv_bits(n: int) -> int:
    return _bits_for(n * (n + 1) // 2)


def _fields_0_0(n_ul: int) -> list[DciField]:
    return [DciField("identifier", 1, _C00),
            DciField("frequency_domain_resource_assignment", _riv_bits(n_ul), _C00),
            DciField("time_domain_resource_assignment", 4, _C00), DciField("frequency_hopping_flag", 1, _C00),
            DciField("mcs", 5, _C00), DciField("ndi", 1, _C00), DciField("rv", 2, _C00),
            DciField("harq_process_number", 4, _C00), DciField("tpc_pusch", 2, _C00)]


def _fields_1_0(n_dl: int) -> list[DciField]:
    return [DciField("identifier", 1, _C10),
            DciField("frequency_domain_resource_assignment", _riv_bits(n_dl), _C10),
            DciField("time_domain_resource_assignment", 4, _C10), DciField("vrb_to_prb_mapping", 1, _C10),
            DciField("mcs", 5, _C10), DciField("ndi", 1, _C10), DciField("rv", 2, _C10),
            DciField("harq_process_number", 4, _C10), DciField("dai", 2, _C10),
            DciField("tpc_pucch", 2, _C10),
            DciField("pucch_resource_indicator", 3, _C10), DciField("pdsch_to_harq_feedback_timing", 3, _C10)]


def _bwp_indicator_bits(n_bwp_rrc: int) -> int:
    return _bits_for(n_bwp_rrc + 1 if n_bwp_rrc <= 3 else n_bwp_rrc)


def _fdra_bits(ra: str, n: int, start: int, rbg_config: int) -> int:
    t0 = n_rbg(n, start, rbg_config)
    t1 = _riv_bits(n)
    return {"type0": t0, "type1": t1, "dynamicSwitch": max(t0, t1) + 1}[ra]


def _fields_1_1(c: DciConfig) -> list[DciField]:
    f = [DciField("identifier", 1, _C11),
         DciField("carrier_indicator", 3 if c.carrier_indicator else 0, _C11),
         DciField("bandwidth_part_indicator", _bwp_indicator_bits(c.n_bwp_dl), _C11),
         DciField("frequency_domain_resource_assignment",
                  _fdra_bits(c.resource_allocation_dl, c.n_size_bwp_dl, c.n_start_bwp_dl, c.rbg_size_dl),
                  f"{_C11}, TS 38.214 §5.1.2.2"),
         DciField("time_domain_resource_assignment", _bits_for(c.n_tda_dl), _C11),
         DciField("vrb_to_prb_mapping",
                  int(c.vrb_to_prb_interleaved and c.resource_allocation_dl != "type0"), _C11),
         DciField("prb_bundling_size_indicator", int(c.prb_bundling_dynamic), _C11),
         DciField("rate_matching_indicator", c.n_rate_match_groups, _C11),
         DciField("zp_csi_rs_trigger", _bits_for(c.n_zp_csi_rs_sets + 1), _C11),
         DciField("mcs_1", 5, _C11), DciField("ndi_1", 1, _C11), DciField("rv_1", 2, _C11)]
    if c.two_codewords:
        f += [DciField("mcs_2", 5, _C11), DciField("ndi_2", 1, _C11), DciField("rv_2", 2, _C11)]
    dai = 0 if c.harq_ack_codebook == "semiStatic" else (4 if c.n_serving_cells > 1 else 2)
    f += [DciField("harq_process_number", 4, _C11), DciField("dai", dai, _C11),
          DciField("tpc_pucch", 2, _C11), DciField("pucch_resource_indicator", 3, _C11),
          DciField("pdsch_to_harq_feedback_timing", _bits_for(c.n_k1), _C11),
          DciField("antenna_ports", ANTENNA_PORTS_1_1_BITS[(c.dmrs_type_dl, c.dmrs_max_length_dl)],
                   f"{_C11}, Tables 7.3.1.2.2-1..4"),
          DciField("tci", 3 if c.tci_present else 0, _C11),
          DciField("srs_request", 2, _C11),
          DciField("cbg_transmission_information", c.cbg_dl * (2 if c.two_codewords else 1), _C11),
          DciField("cbg_flushing_out_information", int(c.cbg_flush and c.cbg_dl > 0), _C11),
          DciField("dmrs_sequence_initialization", 1, _C11)]
    return f


def _precoding_bits(c: DciConfig) -> int:
    if c.tx_config_ul != "codebook" or c.n_ports_ul == 1:
        return 0
    subset = c.codebook_subset
    if c.n_ports_ul == 2 and subset == "partialAndNonCoherent":
        subset = "fullyAndPartialAndNonCoherent"
    counts = PRECODING_TPMI_COUNTS[(c.n_ports_ul, subset)]
    return _bits_for(sum(counts[:c.max_rank_ul]))


def _sri_bits(c: DciConfig) -> int:
    n = c.n_srs_resources
    if c.tx_config_ul == "codebook":
        return _bits_for(n)
    return _bits_for(sum(math.comb(n, k) for k in range(1, min(c.max_rank_ul, n) + 1)))


def _fields_0_1(c: DciConfig) -> list[DciField]:
    ra = c.resource_allocation_ul
    dai1 = 1 if c.harq_ack_codebook == "semiStatic" else 2
    ptrs = 2 if (c.ptrs_ul and not c.transform_precoding and c.max_rank_ul > 1) else 0
    return [DciField("identifier", 1, _C01),
            DciField("carrier_indicator", 3 if c.carrier_indicator else 0, _C01),
            DciField("bandwidth_part_indicator", _bwp_indicator_bits(c.n_bwp_ul), _C01),
            DciField("frequency_domain_resource_assignment",
                     _fdra_bits(ra, c.n_size_bwp_ul, c.n_start_bwp_ul, c.rbg_size_ul),
                     f"{_C01}, TS 38.214 §6.1.2.2"),
            DciField("time_domain_resource_assignment", _bits_for(c.n_tda_ul), _C01),
            DciField("frequency_hopping_flag", int(c.frequency_hopping_ul and ra != "type0"), _C01),
            DciField("mcs", 5, _C01), DciField("ndi", 1, _C01), DciField("rv", 2, _C01),
            DciField("harq_process_number", 4, _C01),
            DciField("dai_1", dai1, _C01),
            DciField("dai_2", 2 if (c.harq_ack_codebook == "dynamic" and c.n_serving_cells > 1) else 0, _C01),
            DciField("tpc_pusch", 2, _C01),
            DciField("srs_resource_indicator", _sri_bits(c), _C01),
            DciField("precoding_information_and_layers", _precoding_bits(c),
                     f"{_C01}, Tables 7.3.1.1.2-2..5"),
            DciField("antenna_ports",
                     ANTENNA_PORTS_0_1_BITS[(c.transform_precoding, c.dmrs_type_ul, c.dmrs_max_length_ul)],
                     f"{_C01}, Tables 7.3.1.1.2-6..23"),
            DciField("srs_request", 2, _C01),
            DciField("csi_request", c.csi_request_bits, _C01),
            DciField("cbg_transmission_information", c.cbg_ul, _C01),
            DciField("ptrs_dmrs_association", ptrs, _C01),
            DciField("beta_offset_indicator", 2 if c.beta_offset_dynamic else 0, _C01),
            DciField("dmrs_sequence_initialization", 0 if c.transform_precoding else 1, _C01),
            DciField("ul_sch_indicator", 1, _C01)]


def _size(fields: list[DciField]) -> int:
    return sum(f.width for f in fields)


def _pad(fields: list[DciField], n: int, clause: str = _C_ALIGN) -> list[DciField]:
    return [*fields, DciField("padding", n, clause)] if n > 0 else list(fields)


def _truncate_fdra(fields: list[DciField], n: int) -> list[DciField]:
    return [DciField(f.name, f.width - n, f"{f.clause}, {_C_ALIGN}")
            if f.name == "frequency_domain_resource_assignment" else f for f in fields]


def _clean(fields: list[DciField]) -> tuple[DciField, ...]:
    return tuple(f for f in fields if f.width > 0)


@functools.lru_cache(maxsize=256)
def dci_formats(config: DciConfig) -> dict[tuple[str, str], DciFormat]:
    """Every DCI format of a configuration after the size alignment of TS 38.212 §7.3.1.0.

    Returns
    -------
    dict
        ``{(format, search_space): DciFormat}`` for ("0_0"/"1_0", "common"/"ue"), ("0_1"/"1_1",
        "ue") and ("2_0"/"2_1"/"2_2", "common").
    """
    c = config
    n_dl_css = c.n_size_coreset0 or c.n_size_initial_bwp_dl or c.n_size_bwp_dl
    n_ul_css = c.n_size_initial_bwp_ul or c.n_size_bwp_ul
    # Step 0: CSS 0_0 aligned to CSS 1_0 (padding, or truncation of the FDRA MSBs).
    css_10 = _fields_1_0(n_dl_css)
    css_00 = _fields_0_0(n_ul_css)
    diff = _size(css_10) - _size(css_00)
    css_00 = _pad(css_00, diff) if diff >= 0 else _truncate_fdra(css_00, -diff)
    # Step 1: USS 0_0 and 1_0 on the active BWPs, the smaller padded to the larger.
    uss_00, uss_10 = _fields_0_0(c.n_size_bwp_ul), _fields_1_0(c.n_size_bwp_dl)
    n_dl_uss, n_ul_uss = c.n_size_bwp_dl, c.n_size_bwp_ul
    diff = _size(uss_10) - _size(uss_00)
    uss_00, uss_10 = (_pad(uss_00, diff), uss_10) if diff >= 0 else (uss_00, _pad(uss_10, -diff))
    # Step 2: 0_1 / 1_1 one bit longer when equal to 0_0/1_0 in a USS.
    base_01, base_11 = _fields_0_1(c), _fields_1_1(c)
    fallback = _size(uss_00) if c.uss_fallback else None
    f01 = _pad(base_01, 1) if _size(base_01) == fallback else base_01
    f11 = _pad(base_11, 1) if _size(base_11) == fallback else base_11

    def too_many() -> bool:
        crnti = {_size(f01), _size(f11)} | ({_size(uss_00)} if c.uss_fallback else set())
        total = crnti | {_size(css_00)}
        if c.css_c_rnti:
            crnti.add(_size(css_00))
        return len(total) > 4 or len(crnti) > 3

    # Step 3/4: at most 4 sizes, at most 3 with C-RNTI.
    if too_many():
        uss_00, uss_10, n_dl_uss, n_ul_uss = list(css_00), list(css_10), n_dl_css, n_ul_css
        f01 = _pad(base_01, 1) if _size(base_01) == _size(css_00) else base_01
        f11 = _pad(base_11, 1) if _size(base_11) == _size(css_00) else base_11
        if too_many():
            diff = _size(f11) - _size(f01)
            f01, f11 = (_pad(f01, diff), f11) if diff >= 0 else (f01, _pad(f11, -diff))
    size_css = _size(css_10)
    f20 = [DciField(f"slot_format_indicator_{i + 1}", c.sfi_bits, _C20)
           for i in range(c.payload_size_2_0 // c.sfi_bits)]
    f20 = _pad(f20, c.payload_size_2_0 - _size(f20), _C20)
    f21 = [DciField(f"preemption_indication_{i + 1}", 14, _C21) for i in range(c.payload_size_2_1 // 14)]
    f21 = _pad(f21, c.payload_size_2_1 - _size(f21), _C21)
    f22 = []
    for i in range(c.n_tpc_blocks):
        if c.tpc_closed_loop:
            f22.append(DciField(f"closed_loop_indicator_{i + 1}", 1, _C22))
        f22.append(DciField(f"tpc_command_{i + 1}", 2, _C22))
    if _size(f22) > size_css:
        raise ConfigError("n_tpc_blocks", c.n_tpc_blocks,
                          f"DCI format 2_2 ({_size(f22)} bits) must not exceed the size of format "
                          f"1_0 in the CSS ({size_css} bits)", _C22)
    f22 = _pad(f22, size_css - _size(f22), _C22)
    out = {("0_0", "common"): DciFormat("0_0", "common", _clean(css_00), n_ul_css),
           ("1_0", "common"): DciFormat("1_0", "common", _clean(css_10), n_dl_css),
           ("0_0", "ue"): DciFormat("0_0", "ue", _clean(uss_00), n_ul_uss),
           ("1_0", "ue"): DciFormat("1_0", "ue", _clean(uss_10), n_dl_uss),
           ("0_1", "ue"): DciFormat("0_1", "ue", _clean(f01), c.n_size_bwp_ul),
           ("1_1", "ue"): DciFormat("1_1", "ue", _clean(f11), c.n_size_bwp_dl),
           ("2_0", "common"): DciFormat("2_0", "common", _clean(f20), 0),
           ("2_1", "common"): DciFormat("2_1", "common", _clean(f21), 0),
           ("2_2", "common"): DciFormat("2_2", "common", _clean(f22), 0)}
    return out


def dci_format(name: str, config: DciConfig, search_space: str | None = None) -> DciFormat:
    """Field layout of DCI format ``name`` after size alignment (TS 38.212 §7.3.1, §7.3.1.0).

    Parameters
    ----------
    name : str
        ``"0_0"``, ``"0_1"``, ``"1_0"``, ``"1_1"``, ``"2_0"``, ``"2_1"`` or ``"2_2"``.
    config : DciConfig
    search_space : str, optional
        ``"common"`` or ``"ue"``; defaults to ``"ue"`` for 0_x/1_x and ``"common"`` for 2_x.

    Returns
    -------
    DciFormat

    Raises
    ------
    ConfigError
        Unknown format, or a format that is not monitored in that search space type.
    """
    check_choice("format", name, DCI_FORMATS, _C)
    if search_space is None:
        search_space = "common" if name.startswith("2") else "ue"
    check_choice("search_space", search_space, ("common", "ue"), "TS 38.213 §10.1")
    formats = dci_formats(config)
    key = (name, search_space)
    if key not in formats:
        raise ConfigError("search_space", search_space,
                          f"DCI format {name} is monitored only in a "
                          f"{'UE-specific' if search_space == 'common' else 'common'} search space",
                          "TS 38.213 §10.1")
    return formats[key]

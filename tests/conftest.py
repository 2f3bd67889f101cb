"""Shared test fixtures: the reference vectors under ``tests/vectors``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from hypothesis import settings

# Property tests draw the same examples on every run: CI and a developer see the same outcome.
settings.register_profile("opennr", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("opennr")

VECTORS = Path(__file__).parent / "vectors"


def vector_files(family: str, pattern: str = "*.mat") -> list[Path]:
    """Every vector file of ``family`` matching ``pattern``; an empty family is an error."""
    files = sorted((VECTORS / family).glob(pattern))
    if not files:
        raise FileNotFoundError(f"no reference vectors {family}/{pattern} under {VECTORS}")
    return files


def load_vector(path: Path) -> dict:
    """Load one MATLAB vector file (squeezed, structs as attribute objects)."""
    return scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)


def as_int(x) -> np.ndarray:
    """A stored field as ``int64``: MATLAB saves whole doubles in small integer types."""
    return np.asarray(x).astype(np.int64)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@dataclass(frozen=True)
class PdschVectorCase:
    """The configuration and contents of one pdsch / pdsch_short vector file."""

    v: dict
    carrier: object
    config: object
    sch: object
    tb: np.ndarray
    rm: np.ndarray
    rvs: np.ndarray
    grid: np.ndarray


def pdsch_vector_case(path: Path) -> PdschVectorCase:
    """Carrier, PDSCH and DL-SCH configuration of a pdsch vector file, with its contents.

    The files scale the DM-RS by 10^(-3/20) with two CDM groups without data (see
    tests/vectors/README.md), the opposite sign of TS 38.214 Table 4.1-1: the DM-RS power is
    set explicitly to match them.
    """
    from opennr.numerology import Carrier
    from opennr.physical.dmrs import DmrsConfig
    from opennr.physical.pdsch import PdschConfig
    from opennr.transport.sch import SchConfig

    v = load_vector(path)
    n_layers = int(v["NumLayers"])
    rm = np.atleast_2d(as_int(v["RM_out"]))
    n_slots = rm.shape[0]
    fd = np.atleast_2d(v["fd_slot_data"])
    k = fd.shape[1] // (n_slots * 14)
    assert v["MappingType"] == "A" and int(v["DMRSConfigurationType"]) == 1
    assert int(v["DMRSLength"]) == 1
    n_cdm = int(v["NumCDMGroupsWithoutData"])
    dmrs = DmrsConfig(config_type=1, type_a_position=int(v["DMRSTypeAPosition"]),
                      additional_position=int(v["DMRSAdditionalPosition"]),
                      n_cdm_groups_without_data=n_cdm, n_id=1, n_scid=int(v["NSCID"]),
                      power_db=-3.0 if n_cdm == 2 else 0.0)
    config = PdschConfig(mapping_type="A",
                         symbol_allocation=tuple(int(x) for x in as_int(v["SymbolAllocation"])),
                         prb_set=tuple(np.atleast_1d(as_int(v["PRBSet"])).tolist()),
                         n_layers=n_layers, modulation=str(v["Modulation"]),
                         n_rnti=int(v["RNTI"]), n_id=int(v["NID"]), dmrs=dmrs,
                         strict_time_allocation=False)
    tb = np.atleast_1d(as_int(v["trblk_out"])).astype(np.uint8)
    sch = SchConfig(tbs=tb.size, target_code_rate=float(v["TargetCodeRateby1024"]) / 1024,
                    qm=int(v["Qm"]), n_layers=n_layers)
    return PdschVectorCase(v=v, carrier=Carrier(scs=int(v["scs"]), n_size_grid=k // 12, n_cell_id=1),
                           config=config, sch=sch, tb=tb, rm=rm,
                           rvs=np.atleast_1d(as_int(v["rv_out"])),
                           grid=fd.reshape(n_layers, n_slots, 14, k))


#: Identities fixed in the ulsch / ulsch_uci vectors (tests/vectors/README.md): RNTI 1, data
#: N_ID 1, DM-RS NID0 10, nPUSCH-Identity 30.
PUSCH_VECTOR_IDS = {"n_rnti": 1, "n_id": 1, "nid0": 10, "n_id_rs": 30}


def pusch_vector_config(v: dict):
    """Carrier and PUSCH configuration of one ulsch / ulsch_uci vector file."""
    from opennr.modulation.mapping import modulation_for_qm
    from opennr.numerology import Carrier
    from opennr.physical.dmrs import DmrsConfig
    from opennr.physical.pusch import PuschConfig

    prbs = tuple(as_int(np.atleast_1d(v["PRBSet"])).tolist())
    start, length = as_int(v["SymbolAllocation"]).tolist()
    scheme = "codebook" if str(v["TransmissionScheme"]) == "codebook" else "non-codebook"
    # MATLAB ignores NumAntennaPorts for non-codebook transmission, where W = I (ports = layers)
    ports = int(v["NumAntennaPorts"]) if scheme == "codebook" else None
    ids = PUSCH_VECTOR_IDS
    cfg = PuschConfig(
        symbol_allocation=(start, length), prb_set=prbs, n_layers=int(v["NumLayers"]),
        modulation=modulation_for_qm(int(v["Qm"])), n_rnti=ids["n_rnti"], n_id=ids["n_id"],
        transform_precoding=bool(v["TransformPrecoding"]), transmission_scheme=scheme,
        n_antenna_ports=ports, tpmi=int(v["TPMI"]),
        dmrs=DmrsConfig(additional_position=int(v["DMRSAdditionalPosition"]),
                        n_cdm_groups_without_data=int(v["NumCDMGroupsWithoutData"]),
                        n_id=ids["nid0"]),
        n_id_rs=ids["n_id_rs"], group_hopping=bool(v["GroupHopping"]),
        sequence_hopping=bool(v["SequenceHopping"]))
    return Carrier(n_size_grid=max(prbs) + 1), cfg


@dataclass(frozen=True)
class PdcchVectorCase:
    """The configuration and per-slot contents of one pdcch vector file (nrPDCCH_*)."""

    v: dict
    carrier: object
    pdcch: object
    dci: np.ndarray      # (n_slots, A)
    rm: np.ndarray       # (n_slots, 108 L)
    symbols: np.ndarray  # (n_slots, 54 L)
    dmrs: np.ndarray     # (n_slots, N_DMRS)
    grid: np.ndarray     # (n_slots, 14, K)


def pdcch_vector_case(path: Path) -> PdcchVectorCase:
    """Carrier, CORESET, search space and PDCCH of a pdcch vector file (N_ID^cell = 1, CORESET
    and search space id 1, UE-specific search space, see tests/vectors/README.md)."""
    from opennr.numerology import Carrier
    from opennr.physical.coreset import CoresetConfig
    from opennr.physical.pdcch import PdcchConfig
    from opennr.physical.search_space import SearchSpaceConfig

    v = load_vector(path)
    rm = np.atleast_2d(as_int(v["RM_out"])).astype(np.uint8)
    n_slots = rm.shape[0]
    fd = np.asarray(v["fd_slot_data"]).reshape(-1)
    k = fd.size // (n_slots * 14)
    coreset = CoresetConfig(coreset_id=1, frequency_resources=tuple(as_int(v["FrequencyResources"]).tolist()),
                            duration=int(v["coresetDuration"]), cce_reg_mapping=str(v["CCEREGMapping"]),
                            reg_bundle_size=int(v["REGBundleSize"]),
                            interleaver_size=int(v["InterleaverSize"]),
                            shift_index=int(v["ShiftIndex"]),
                            precoder_granularity=str(v["PrecoderGranularity"]))
    ss = SearchSpaceConfig(search_space_id=1, search_space_type="ue",
                           start_symbol=int(v["StartSymbolWithinSlot"]),
                           num_candidates=tuple(as_int(v["NumCandidates"]).tolist()))
    pdcch = PdcchConfig(coreset=coreset, search_space=ss, aggregation_level=int(v["AggregationLevel"]),
                        candidate=int(v["AllocatedCandidate"]) - 1, rnti=int(v["RNTI"]),
                        n_id=int(v["DMRSScramblingID"]))
    return PdcchVectorCase(v=v, carrier=Carrier(scs=int(v["scs"]), n_size_grid=k // 12, n_cell_id=1),
                           pdcch=pdcch, dci=np.atleast_2d(as_int(v["dcibits_out"])).astype(np.uint8),
                           rm=rm, symbols=np.atleast_2d(v["mod_out"]), dmrs=np.atleast_2d(v["dmrssym_out"]),
                           grid=fd.reshape(n_slots, 14, k))


@dataclass(frozen=True)
class PucchVectorCase:
    """The configuration and contents of one pucch_f0/f2/f3/f4 vector file."""

    v: dict
    carrier: object
    config: object
    codewords: np.ndarray
    uci: np.ndarray | None
    grid: np.ndarray


def pucch_vector_case(path: Path) -> PucchVectorCase:
    """Carrier (N_ID^cell = 0, unused: every ID is given), PUCCH configuration, per-slot
    codewords and UCI payloads of a pucch vector file (see tests/vectors/README.md).

    ``uci`` holds the payload of each slot for formats 2..4: the stream ``1 0 1 0 ...`` (F2, F3)
    or ``0 0 1 1 ...`` (F4) continuing from one slot into the next; None for format 0.
    """
    from opennr.numerology import Carrier
    from opennr.physical.pucch import PucchConfig

    v = load_vector(path)
    fmt = int(path.name.split("pucchformat")[1][0])
    fd = np.asarray(v["fd_slot_data"]).reshape(-1)
    n_slots = 2 if int(v["scs"]) == 15 else 4
    k = fd.size // (n_slots * 14)
    prb = np.atleast_1d(as_int(v["PRBSet"]))
    assert np.array_equal(prb, prb[0] + np.arange(prb.size))
    kw = {"format": fmt, "symbol_allocation": tuple(as_int(v["SymbolAllocation"]).tolist()),
          "start_prb": int(prb[0]), "n_prb": int(prb.size),
          "second_hop_prb": int(v["SecondHopStartPRB"]) if v["FrequencyHopping"] == "intraSlot" else None}
    if fmt != 2:
        kw.update(group_hopping=str(v["GroupHopping"]), hopping_id=int(v["HoppingID"]))
    if fmt == 0:
        kw["initial_cyclic_shift"] = int(v["InitialCyclicShift"])
    else:
        kw.update(n_rnti=int(v["RNTI"]), n_id=int(v["NID"]))
    if fmt == 2:
        kw["n_id_0"] = int(v["NID0"])
    if fmt >= 3:
        kw.update(modulation=str(v["Modulation"]), additional_dmrs=bool(int(v["AdditionalDMRS"])))
    if fmt == 4:
        kw.update(spreading_factor=int(v["SpreadingFactor"]), occ_index=int(v["OCCI"]))
    codewords = np.atleast_2d(as_int(v["codeword_out"]))
    if fmt == 0 and int(v["NumUCIBits"]) == 0:
        codewords = codewords.reshape(n_slots, 1)
    uci = None
    if fmt >= 2:
        a = int(v["NumUCIBits"])
        pattern = (0, 0, 1, 1) if fmt == 4 else (1, 0)
        stream = np.resize(np.array(pattern, np.uint8), a * n_slots)
        uci = stream.reshape(n_slots, a)
    return PucchVectorCase(v=v, carrier=Carrier(scs=int(v["scs"]), n_size_grid=k // 12, n_cell_id=0),
                           config=PucchConfig(**kw), codewords=codewords, uci=uci,
                           grid=fd.reshape(n_slots, 14, k))

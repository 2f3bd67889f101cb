"""Blind decoding of the PDCCH (receiver, not normative; TS 38.211 §7.3.2, §7.4.1.3, TS 38.212
§7.3, TS 38.213 §10.1).

For each monitored search space set in the slot, the CORESET is processed once:

1. DM-RS channel estimation per receive antenna: least squares at the DM-RS REs, averaged over
   the 3 DM-RS of each RB and the CORESET symbols (a REG bundle spans all of them), then linear
   interpolation in frequency between RB centres, only inside one REG bundle
   (``sameAsREG-bundle``: the precoder may change from bundle to bundle) or one contiguous RB run
   (``allContiguousRBs``), holding the end values at the edges. The noise variance is the
   residual of the least-squares values around their RB mean (``n / (n − 1)`` corrected).
2. MMSE equalization (:func:`opennr.receiver.equalize`) and max-log QPSK demapping of every
   data RE of the CORESET.

Then every candidate of the search space gathers its LLRs in mapping order (§7.3.2.5), is
descrambled (§7.3.2.3), rate-recovered and CA-SCL decoded for each monitored DCI size
(candidates of one aggregation level and size are decoded as one batch), and kept when the CRC
masked with the RNTI checks. Candidates can be skipped early when the DM-RS signal-to-noise ratio
over their REGs is below ``min_dmrs_snr_db`` (off by default).

Nested candidates can carry the same DCI: with a 1-symbol non-interleaved CORESET the first half
of a level-2L codeword is the level-L codeword on the first half of its CCEs (rate matching by
repetition), so both decode. Detections with the same payload on nested CCE sets are reduced to
one: each is re-encoded and correlated with its equalized symbols, the candidates whose mean
correlation is below 0.7 of the group's best are dropped (their extra CCEs carry nothing), and the
highest aggregation level among the rest is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.modulation import demodulate, modulate
from opennr.numerology import Carrier, slot_number
from opennr.physical.coreset import CoresetConfig
from opennr.physical.pdcch import (
    DMRS_SUBCARRIERS,
    PDCCH_BITS_PER_CCE,
    pdcch_dmrs_values,
    pdcch_resources,
    pdcch_scrambling_c_init,
    pdcch_scrambling_n_rnti,
)
from opennr.physical.search_space import SearchSpaceConfig, is_monitoring_slot, search_space_candidates
from opennr.receiver._common import check_noise_var, rx_slot_grid
from opennr.receiver.equalization import equalize
from opennr.sequences.gold import gold_sequence
from opennr.transport.dci_coding import DCI_A_MAX, dci_decode, dci_encode

__all__ = [
    "DciFormatLike",
    "MonitoredSearchSpace",
    "PdcchDetection",
    "pdcch_blind_decode",
]

_CLAUSE = "TS 38.213 §10.1"
_NESTED_RATIO = 0.7
_DATA_SC = np.array([k for k in range(12) if k not in DMRS_SUBCARRIERS])
_DMRS_SC = np.array(DMRS_SUBCARRIERS)


class DciFormatLike(Protocol):
    """What the blind decoder needs from a DCI format: its size and how to read its bits."""

    name: str
    size: int

    def matches(self, bits: np.ndarray) -> bool:
        """Whether a payload of this size can be this format (identifier bit)."""

    def unpack(self, bits: np.ndarray):
        """The named fields of a payload."""


@dataclass(frozen=True, slots=True)
class MonitoredSearchSpace:
    """A search space set monitored by the UE, with the DCI formats it expects (TS 38.213 §10.1).

    Parameters
    ----------
    coreset : CoresetConfig
    search_space : SearchSpaceConfig
    dci_formats : sequence of int or DciFormatLike
        DCI payload sizes A to try, or format objects (``opennr.transport.dci.DciFormat``);
        formats of one size are told apart by :meth:`DciFormatLike.matches`.
    rnti : int or None
        RNTI expected on the CRC (and of the hashing and scrambling); None uses the ``rnti`` of
        :func:`pdcch_blind_decode`.
    n_id : int or None
        ``pdcch-DMRS-ScramblingID``; None uses N_ID^cell.
    """

    coreset: CoresetConfig
    search_space: SearchSpaceConfig
    dci_formats: tuple = field(default=())
    rnti: int | None = None
    n_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.coreset, CoresetConfig):
            raise ConfigError("coreset", type(self.coreset).__name__, "must be a CoresetConfig", _CLAUSE)
        if not isinstance(self.search_space, SearchSpaceConfig):
            raise ConfigError("search_space", type(self.search_space).__name__,
                              "must be a SearchSpaceConfig", _CLAUSE)
        formats = tuple(self.dci_formats)
        if not formats:
            raise ConfigError("dci_formats", self.dci_formats, "must name at least one DCI size",
                              "TS 38.212 §7.3.1")
        for f in formats:
            size = f if isinstance(f, (int, np.integer)) else getattr(f, "size", None)
            check_int("dci_formats (size)", size, 1, DCI_A_MAX, "TS 38.212 §7.3.1")
        object.__setattr__(self, "dci_formats", formats)
        if self.rnti is not None:
            check_int("rnti", self.rnti, 0, 65535, _CLAUSE)
        if self.n_id is not None:
            check_int("n_id", self.n_id, 0, 65535, "TS 38.211 §7.3.2.3")


@dataclass(frozen=True, slots=True)
class PdcchDetection:
    """One DCI found by :func:`pdcch_blind_decode`.

    Attributes
    ----------
    bits : numpy.ndarray of uint8, shape (A,)
        The DCI payload.
    format : str or None
        Name of the matching DCI format (None when only sizes were given).
    fields : object or None
        ``format.unpack(bits)`` of the matching format.
    rnti : int
    aggregation_level : int
    candidate : int
        Candidate index m (0-based) in its search space.
    cces : tuple of int
        CCE indices; ``cces[0]`` is the CCE index n_CCE,0 of TS 38.213 §9.2.1.
    coreset_id, search_space_id : int
    snr_db : float
        DM-RS signal-to-noise ratio over the candidate's REGs.
    correlation : float
        Mean of Re(conj(s) x̂) over the candidate's data REs for the re-encoded symbols s
        (about 1 for a clean detection).
    """

    bits: np.ndarray
    format: str | None
    fields: object
    rnti: int
    aggregation_level: int
    candidate: int
    cces: tuple[int, ...]
    coreset_id: int
    search_space_id: int
    snr_db: float
    correlation: float


@functools.lru_cache(maxsize=64)
def _coreset_geometry(coreset: CoresetConfig):
    """Per-RB interpolation neighbours inside the precoder groups of the CORESET."""
    n_rb, dur = coreset.n_rb, coreset.duration
    rb = np.arange(n_rb)
    if coreset.precoder_granularity == "sameAsREG-bundle":
        group = rb * dur // coreset.reg_bundle_size
    else:
        crbs = coreset.crbs
        group = np.concatenate([[0], np.cumsum(np.diff(crbs) != 1)])
    # Subcarrier k of RB b sits (k - 5) / 12 RBs from its centre; the neighbour is b ± 1.
    sc = np.arange(12)
    step = np.where(sc > 5, 1, -1)
    nb = rb[:, None] + step[None, :]
    valid = (nb >= 0) & (nb < n_rb)
    nb = np.where(valid, nb, rb[:, None])
    same = valid & (group[nb] == group[:, None])
    w = np.where(same, np.abs(sc - 5) / 12.0, 0.0).astype(np.float32)
    return nb, w


def _c_from_geometry(coreset, grid, carrier, start_symbol, dmrs):
    """Channel estimate, noise residuals and per-RB DM-RS power of the CORESET."""
    dur = coreset.duration
    k0 = 12 * (coreset.crbs - carrier.n_start_grid)
    sc = (k0[:, None] + np.arange(12)[None, :]).reshape(-1)
    y = grid[:, start_symbol:start_symbol + dur][:, :, sc].reshape(grid.shape[0], dur, coreset.n_rb, 12)
    ls = y[..., _DMRS_SC] * np.conj(dmrs)[None]                     # (rx, dur, rb, 3)
    h_rb = ls.mean(axis=(1, 3))                                       # (rx, rb)
    n = 3 * dur
    resid = (np.abs(ls - h_rb[:, None, :, None]) ** 2).sum(axis=(0, 1, 3)) * (n / (n - 1))
    nb, w = _coreset_geometry(coreset)
    h = (1 - w)[None] * h_rb[:, :, None] + w[None] * h_rb[:, nb]     # (rx, rb, 12)
    power = (np.abs(h_rb) ** 2).sum(axis=0)                           # (rb,)
    return y, h, resid, power


@functools.lru_cache(maxsize=64)
def _descrambling_signs(c_init: int, length: int) -> np.ndarray:
    s = 1.0 - 2.0 * gold_sequence(c_init, length).astype(np.float32)
    s.setflags(write=False)
    return s


def _format_of(formats, size: int, bits: np.ndarray):
    for f in formats:
        if isinstance(f, (int, np.integer)):
            if int(f) == size:
                return None
        elif f.size == size and f.matches(bits):
            return f
    return None


def _sizes(formats) -> list[int]:
    out = []
    for f in formats:
        s = int(f) if isinstance(f, (int, np.integer)) else int(f.size)
        if s not in out:
            out.append(s)
    return out


def pdcch_blind_decode(grid, carrier: Carrier, monitored: Sequence[MonitoredSearchSpace], rnti: int = 1,
                       *, n_slot: int | None = None, noise_var: float | None = None, list_size: int = 8,
                       min_dmrs_snr_db: float | None = None) -> list[PdcchDetection]:
    """Blind decoding of every PDCCH candidate of the monitored search spaces of a slot.

    TS 38.213 §10.1 (candidates), TS 38.211 §7.3.2 and §7.4.1.3 (PDCCH and DM-RS), TS 38.212
    §7.3 (DCI coding). See the module description for the estimation and the handling of nested
    candidates.

    Parameters
    ----------
    grid : array_like of complex, shape (n_rx, N_symb^slot, K) or (N_symb^slot, K)
        Received slot grid (after OFDM demodulation), K = 12 N_grid^size.
    carrier : Carrier
        Carrier (n_cell_id for the default scrambling and DM-RS identities, n_frame).
    monitored : sequence of MonitoredSearchSpace
        The search space sets to search, with their DCI sizes or formats.
    rnti : int
        C-RNTI of the UE (hashing, scrambling, CRC) for the entries whose ``rnti`` is None.
    n_slot : int, optional
        Slot number n_s,f^μ; None uses ``carrier.n_slot``.
    noise_var : float, optional
        Noise variance per RE; None estimates it from the DM-RS of each candidate.
    list_size : int
        CA-SCL list size (1 .. 32).
    min_dmrs_snr_db : float, optional
        Skip candidates whose DM-RS SNR estimate is below this (early rejection).

    Returns
    -------
    list of PdcchDetection
        In the order of ``monitored``, then aggregation level, then candidate.

    Raises
    ------
    ConfigError
        A CORESET that does not fit the carrier, invalid candidate counts or RNTI.
    ValueError
        A grid of the wrong shape.
    """
    g = rx_slot_grid("grid", grid, carrier).astype(np.complex64, copy=False)
    rnti = check_int("rnti", rnti, 0, 65535, _CLAUSE)
    n_s = slot_number(carrier, n_slot)
    noise_var = check_noise_var(noise_var)
    found: list[PdcchDetection] = []
    for mon in monitored:
        if not isinstance(mon, MonitoredSearchSpace):
            raise ConfigError("monitored", type(mon).__name__, "entries must be MonitoredSearchSpace",
                              _CLAUSE)
        ss = mon.search_space
        if not is_monitoring_slot(ss, carrier.n_frame, n_s, carrier.slots_per_frame):
            continue
        found.extend(_search(g, carrier, mon, rnti if mon.rnti is None else mon.rnti, n_s, noise_var,
                             list_size, min_dmrs_snr_db))
    return _reduce_nested(found)


def _search(g, carrier, mon, rnti, n_s, noise_var, list_size, min_snr_db):
    cs, ss = mon.coreset, mon.search_space
    start = ss.start_symbol
    n_id = carrier.n_cell_id if mon.n_id is None else mon.n_id
    dmrs = pdcch_dmrs_values(carrier, cs, start, n_id, n_s)     # checks the CORESET
    y, h, resid, power = _c_from_geometry(cs, g, carrier, start, dmrs)
    n_rx, dur = g.shape[0], cs.duration
    plan = _candidate_plan(cs, ss, n_s, max(rnti, 1))
    cands = plan.candidates
    if not cands:
        return []
    # Noise and DM-RS SNR of each candidate over its own REGs.
    n_res = 3 * dur * n_rx
    sigma2 = np.maximum(plan.rb_sum @ resid / (n_res * plan.n_rbs), 1e-12)
    sig = (plan.rb_sum @ power) / plan.n_rbs - n_rx * sigma2 / (3 * dur)
    snr_db = 10 * np.log10(np.maximum(sig, 1e-12) / (n_rx * sigma2))
    nv = sigma2 if noise_var is None else np.full(len(cands), float(noise_var))
    # MMSE equalization of the data REs of the whole CORESET with the noise of the CORESET.
    sigma2_all = float(noise_var) if noise_var is not None else max(float(np.median(nv)), 1e-12)
    yd = y[..., _DATA_SC].reshape(n_rx, -1)
    hd = np.broadcast_to(h[:, None], (n_rx, dur, cs.n_rb, 12))[..., _DATA_SC].reshape(n_rx, 1, -1)
    x, nv_eff = equalize(yd, hd, sigma2_all)
    x, nv_eff = x[0], nv_eff[0]
    nv_eff = np.where(np.isfinite(nv_eff), nv_eff, 1e6).astype(np.float32)
    llr = demodulate(x, "QPSK", np.maximum(nv_eff, 1e-6)).reshape(-1, 2)
    n_rnti = pdcch_scrambling_n_rnti(rnti, mon.n_id, ss.search_space_type == "ue")
    signs = _descrambling_signs(pdcch_scrambling_c_init(n_rnti, n_id), PDCCH_BITS_PER_CCE * 16)
    by_level: dict[int, list[int]] = {}
    for level, idx in plan.by_level.items():
        keep = [i for i in idx if min_snr_db is None or snr_db[i] >= min_snr_db]
        if keep:
            by_level[level] = keep
    sizes = _sizes(mon.dci_formats)
    plain_sizes = {int(f) for f in mon.dci_formats if isinstance(f, (int, np.integer))}
    out = []
    for level, idx in by_level.items():
        e = PDCCH_BITS_PER_CCE * level
        re_idx = plan.data_index[idx, :e // 2]
        cw = llr[re_idx].reshape(len(idx), e) * signs[:e]
        for size in sizes:
            res = dci_decode(cw, size, rnti, list_size=list_size)
            for j in np.flatnonzero(res.crc_ok):
                i = idx[j]
                bits = res.bits[j].copy()
                fmt = _format_of(mon.dci_formats, size, bits)
                if fmt is None and size not in plain_sizes:
                    continue  # no monitored format of this size accepts the identifier
                s = modulate(dci_encode(bits, rnti, e) ^ (signs[:e] < 0), "QPSK")
                corr = float(np.real(np.vdot(s, x[re_idx[j]])) / s.size)
                level_, m, cces = cands[i]
                out.append(PdcchDetection(
                    bits=bits, format=None if fmt is None else fmt.name,
                    fields=None if fmt is None else fmt.unpack(bits), rnti=rnti, aggregation_level=level_,
                    candidate=m, cces=tuple(int(c) for c in cces), coreset_id=cs.coreset_id,
                    search_space_id=ss.search_space_id, snr_db=float(snr_db[i]), correlation=corr))
    return out


@dataclass(frozen=True, slots=True)
class _CandidatePlan:
    candidates: list
    by_level: dict
    data_index: np.ndarray      # (n_candidates, 54 * 16) padded with zeros
    rb_sum: np.ndarray          # (n_candidates, N_RB) 0/1: the RBs of each candidate
    n_rbs: np.ndarray           # (n_candidates,)


@functools.lru_cache(maxsize=1024)
def _candidate_plan(coreset: CoresetConfig, search_space: SearchSpaceConfig, n_slot: int,
                    rnti: int) -> _CandidatePlan:
    """Candidates of a search space in a slot with their RE indices and RBs (cached)."""
    cands = search_space_candidates(coreset, search_space, n_slot, rnti)
    n = len(cands)
    by_level: dict[int, list[int]] = {}
    rb_sum = np.zeros((n, coreset.n_rb))
    data = {}
    for i, (level, _, cces) in enumerate(cands):
        by_level.setdefault(level, []).append(i)
        cc = tuple(int(c) for c in cces)
        data[i] = _local_data_index(coreset, cc)
        rb_sum[i, np.unique(pdcch_resources(coreset, cc).data[1])] = 1.0
    width = max((v.size for v in data.values()), default=0)
    data_index = np.zeros((n, width), dtype=np.int64)
    for i in range(n):
        data_index[i, :data[i].size] = data[i]
    return _CandidatePlan(cands, by_level, data_index, rb_sum, rb_sum.sum(axis=1))


@functools.lru_cache(maxsize=4096)
def _local_data_index(coreset: CoresetConfig, cces: tuple[int, ...]) -> np.ndarray:
    """Data REs of a candidate as indices into the CORESET's data REs (symbol, RB, 9 per RB)."""
    pos = pdcch_resources(coreset, cces).data
    sc_rank = np.searchsorted(_DATA_SC, pos[2])
    idx = (pos[0] * coreset.n_rb + pos[1]) * _DATA_SC.size + sc_rank
    idx = idx.astype(np.int64)
    idx.setflags(write=False)
    return idx


def _reduce_nested(found: list[PdcchDetection]) -> list[PdcchDetection]:
    """One report per DCI among detections with the same payload on nested CCE sets."""
    keep = [True] * len(found)
    groups: list[list[int]] = []
    for i, d in enumerate(found):
        for grp in groups:
            r = found[grp[0]]
            if (r.rnti == d.rnti and r.coreset_id == d.coreset_id and r.bits.size == d.bits.size
                    and np.array_equal(r.bits, d.bits)
                    and any(set(found[k].cces) <= set(d.cces) or set(d.cces) <= set(found[k].cces)
                            for k in grp)):
                grp.append(i)
                break
        else:
            groups.append([i])
    for grp in groups:
        if len(grp) == 1:
            continue
        best = max(found[k].correlation for k in grp)
        strong = [k for k in grp if found[k].correlation >= _NESTED_RATIO * best]
        chosen = max(strong, key=lambda k: (found[k].aggregation_level, -k))
        for k in grp:
            keep[k] = k == chosen
    return [d for d, k in zip(found, keep, strict=True) if k]

"""TS 38.211 §7.3, §7.4, §5.3 — the downlink resource grid of one carrier and slot, with
several channels in it.

:class:`DownlinkSlot` collects the channels of a slot on ``n_ports`` antenna ports and builds
their common grid and OFDM waveform:

* the SS/PBCH blocks of an SS burst that fall in the slot (TS 38.211 §7.4.3, TS 38.213 §4.1,
  :mod:`opennr.physical.ssb`);
* PDCCHs, each a DCI payload coded for its RNTI (TS 38.212 §7.3) on a search-space candidate
  or on an aggregation level and first CCE of a CORESET (TS 38.211 §7.3.2, §7.4.1.3,
  :mod:`opennr.physical.pdcch`);
* PDSCHs, from codewords or transport blocks (TS 38.212 §7.2), rate-matched around the
  CORESETs of the PDCCHs in the slot, the PRBs of the SS/PBCH blocks in their symbols and the
  CSI-RS REs (TS 38.214 §5.1.4, :mod:`opennr.physical.reserved`; TS 38.211 §7.3.1,
  :mod:`opennr.physical.pdsch`);
* CSI-RS given as lists of REs (zero power when no values are given).

Every resource element carries at most one channel: an RE claimed by two channels raises
:class:`~opennr.errors.ConfigError` naming both channels and the RE. The only overlaps allowed
are PDCCH DM-RS REs of PDCCHs in the same CORESET that carry the same value (the DM-RS of the
``allContiguousRBs`` precoder granularity spans REGs of other PDCCHs), and the layers of one
PDSCH, which share their REs.

The PDSCHs are mapped when the grid is built (:meth:`DownlinkSlot.grid`), once every channel
they rate-match around is known, so that channels can be added in any order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from opennr._validate import as_bits, check_choice, check_int
from opennr.errors import ConfigError
from opennr.modulation import bits_per_symbol
from opennr.numerology import Carrier
from opennr.ofdm import ofdm_modulate
from opennr.physical.coreset import CoresetConfig, check_coreset
from opennr.physical.layermap import codeword_layers, per_codeword
from opennr.physical.pbch import PBCH_M_BIT
from opennr.physical.pdcch import (
    PdcchConfig,
    pdcch_bit_capacity,
    pdcch_cce_dmrs,
    pdcch_cce_indices,
    pdcch_dmrs,
    pdcch_indices,
    pdcch_modulate,
    pdcch_scrambling_n_rnti,
    pdcch_symbols,
)
from opennr.physical.pdsch import (
    PdschConfig,
    pdsch_bit_capacity,
    pdsch_dmrs,
    pdsch_grid,
    pdsch_indices,
    pdsch_plan,
    pdsch_ptrs,
)
from opennr.physical.reserved import coreset_reserved, re_list_reserved, reserved_union, ssb_reserved
from opennr.physical.search_space import AGGREGATION_LEVELS
from opennr.physical.ssb import SSB_SUBCARRIERS, SSB_SYMBOLS, SsBurstConfig, ssb_block
from opennr.transport.dci_coding import dci_encode
from opennr.transport.sch import SchConfig, sch_encode

__all__ = ["DownlinkSlot", "PlacedChannel"]

_CLAUSE = "TS 38.211 §7.3, §7.4"
# Clause that forbids two kinds of channel on one RE (the pair is unordered).
_OVERLAP_CLAUSES = {
    frozenset(("PDSCH", "PDCCH")): "TS 38.214 §5.1.4",
    frozenset(("PDSCH", "SS/PBCH block")): "TS 38.214 §5.1.4",
    frozenset(("PDSCH", "CSI-RS")): "TS 38.214 §5.1.4",
    frozenset(("PDCCH", "SS/PBCH block")): "TS 38.213 §10.1",
    frozenset(("PDCCH",)): "TS 38.213 §10.1",
    frozenset(("CSI-RS", "SS/PBCH block")): "TS 38.214 §5.2.2.3.1",
}


@dataclass(frozen=True, slots=True)
class PlacedChannel:
    """One channel of a :class:`DownlinkSlot` and the resource elements it occupies.

    Attributes
    ----------
    name : str
        The name given when the channel was added (unique in the slot).
    kind : str
        ``"SS/PBCH block"``, ``"PDCCH"``, ``"PDSCH"`` or ``"CSI-RS"``.
    ports : tuple of int
        Antenna ports (indices into the grid's first axis) the channel is sent on.
    parts : dict of str to numpy.ndarray
        Flat indices l · K + k of the slot grid (K = 12 N_grid^size) of each part of the channel,
        sorted: ``"block"`` for an SS/PBCH block; ``"data"`` and ``"dmrs"`` for a PDCCH;
        ``"data"``, ``"dmrs"`` and ``"ptrs"`` for a PDSCH; ``"re"`` for a CSI-RS.
    reserved : numpy.ndarray
        For a PDSCH, the REs it was rate-matched around (TS 38.214 §5.1.4); empty otherwise.
    """

    name: str
    kind: str
    ports: tuple[int, ...]
    parts: dict[str, np.ndarray]
    reserved: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def indices(self) -> np.ndarray:
        """Every RE of the channel, sorted flat indices l · K + k."""
        return np.unique(np.concatenate([*self.parts.values(), np.zeros(0, np.int64)]))


@dataclass(slots=True)
class _Entry:
    """A channel with its values on each port: port -> (flat indices, values)."""

    channel: PlacedChannel
    values: dict[int, tuple[np.ndarray, np.ndarray]]
    shared: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # REs that may be shared
    share_key: object = None


@dataclass(slots=True)
class _PdschRequest:
    name: str
    config: PdschConfig
    codewords: list[np.ndarray] | None
    tbs: list[np.ndarray] | None
    schs: list[SchConfig] | None
    rv: tuple[int, ...]
    ports: tuple[int, ...]
    scale: float
    rate_match: bool
    around_pdcch: str
    reserved: np.ndarray


def _amplitude(field_name: str, power_db: object) -> float:
    if isinstance(power_db, bool) or not isinstance(power_db, (int, float, np.number)) \
            or not math.isfinite(float(power_db)):
        raise ConfigError(field_name, power_db, "must be a finite number of dB")
    return float(10.0 ** (float(power_db) / 20.0))


class DownlinkSlot:
    """Builder of the downlink resource grid of one slot of a carrier (TS 38.211 §7.3, §7.4,
    §5.3).

    Parameters
    ----------
    carrier : Carrier
        The carrier; ``carrier.n_slot`` and ``carrier.n_frame`` are the slot n_s,f^μ and the
        frame (SFN) of the grid.
    n_ports : int
        Number of antenna ports of the grid (≥ 1).

    Examples
    --------
    >>> slot = DownlinkSlot(carrier, n_ports=1)
    >>> slot.add_ssb(burst, pbch_bits).add_pdcch(dci_bits, pdcch).add_pdsch(pdsch, tb=tb, sch=sch)
    >>> grid = slot.grid()          # (1, 14, 12 N_grid^size)
    >>> x = slot.waveform()         # OFDM-modulated, (1, samples)
    """

    def __init__(self, carrier: Carrier, *, n_ports: int = 1):
        if not isinstance(carrier, Carrier):
            raise ConfigError("carrier", type(carrier).__name__, "must be an opennr.numerology.Carrier")
        self.carrier = carrier
        self.n_ports = check_int("n_ports", n_ports, 1, clause="TS 38.211 §4.4.2")
        self._size = carrier.symbols_per_slot * carrier.n_subcarriers
        self._entries: list[_Entry] = []
        self._owner = np.full(self._size, -1, dtype=np.int32)
        self._coresets: list[tuple[CoresetConfig, int]] = []
        self._bursts: list[SsBurstConfig] = []
        self._csi_rs: list[np.ndarray] = []
        self._pdsch: list[_PdschRequest] = []
        self._names: set[str] = set()
        self._built: tuple[np.ndarray, list[PlacedChannel]] | None = None

    # -- bookkeeping ------------------------------------------------------------------------

    def _name(self, name: str | None, kind: str) -> str:
        if name is None:
            i = 0
            while f"{kind} {i}" in self._names:
                i += 1
            name = f"{kind} {i}"
        if not isinstance(name, str) or not name:
            raise ConfigError("name", name, "must be a non-empty string")
        if name in self._names:
            raise ConfigError("name", name, "is already used by another channel of the slot")
        return name

    def _port(self, field_name: str, port: object) -> int:
        return check_int(field_name, port, 0, self.n_ports - 1, "TS 38.211 §4.4.2 (ports of the grid)")

    def _check_free(self, entry: _Entry, owner: np.ndarray, entries: list[_Entry]) -> None:
        """Raise ConfigError when the new entry claims an RE held by another channel."""
        res = entry.channel.indices
        held = owner[res]
        clash = held >= 0
        if not clash.any():
            return
        for pos in np.flatnonzero(clash):
            re = int(res[pos])
            other = entries[int(held[pos])]
            if (entry.share_key is not None and entry.share_key == other.share_key
                    and _same_shared_value(entry, other, re)):
                continue
            l, k = divmod(re, self.carrier.n_subcarriers)
            new, old = entry.channel, other.channel
            clause = _OVERLAP_CLAUSES.get(frozenset((new.kind, old.kind)), _CLAUSE)
            raise ConfigError(f"{new.kind} {new.name!r}", (l, k),
                              f"resource element (symbol {l}, subcarrier {k}) is also used by "
                              f"{old.kind} {old.name!r}; two channels may not share an RE",
                              clause)

    def _commit(self, entry: _Entry) -> None:
        self._check_free(entry, self._owner, self._entries)
        self._owner[entry.channel.indices] = len(self._entries)
        self._entries.append(entry)
        self._names.add(entry.channel.name)
        self._built = None

    # -- SS/PBCH blocks ---------------------------------------------------------------------

    def add_ssb(self, burst: SsBurstConfig,
                pbch_bits: Callable[[int, int, int], np.ndarray] | np.ndarray, *, port: int = 0,
                name: str | None = None) -> DownlinkSlot:
        """Place the SS/PBCH blocks of an SS burst that fall in this slot (TS 38.211 §7.4.3,
        TS 38.213 §4.1).

        Each transmitted candidate block i_SSB of a half frame that holds a burst occupies 4
        symbols from its candidate symbol and the 240 subcarriers from
        :attr:`SsBurstConfig.first_subcarrier`; the rows of a block that fall in this slot are
        placed (:func:`opennr.physical.ssb.ssb_block`). Each block is a channel of its own,
        named ``"<name> i_SSB=<i>"``.

        Parameters
        ----------
        burst : SsBurstConfig
            Its carrier grid must be this carrier's (same subcarrier spacing and grid).
        pbch_bits : callable or array_like of 0/1
            The 864 BCH codeword bits of each block: a callable ``f(sfn, n_hf, i_ssb)``, or an
            array broadcastable to (L_max, 864) indexed by i_SSB.
        port : int
            Antenna port of the blocks.
        name : str, optional
            Base name (default ``"SS/PBCH block"``).

        Returns
        -------
        DownlinkSlot
            ``self``, to chain calls.

        Raises
        ------
        ConfigError
            A different carrier grid, a port outside the grid, or an RE already used.
        ValueError
            PBCH bits of the wrong shape.
        """
        reserved = ssb_reserved(self.carrier, burst)       # checks the carrier grid
        port = self._port("port", port)
        base = "SS/PBCH block" if name is None else name
        c = self.carrier
        slots_hf = c.slots_per_frame // 2
        h_abs = 2 * c.n_frame + c.n_slot // slots_hf
        sfn, n_hf = (h_abs // 2) % 1024, h_abs % 2
        first = (c.n_slot % slots_hf) * c.symbols_per_slot
        k0 = burst.first_subcarrier
        table = None
        if not callable(pbch_bits):
            bits = as_bits("pbch_bits", pbch_bits)
            try:
                table = np.broadcast_to(bits, (burst.l_max, PBCH_M_BIT))
            except ValueError:
                raise ValueError(f"pbch_bits: expected a callable or an array broadcastable to "
                                 f"(L_max, {PBCH_M_BIT}) = ({burst.l_max}, {PBCH_M_BIT}), got "
                                 f"shape {bits.shape}") from None
        entries = []
        if reserved.size:
            for i in np.flatnonzero(burst.transmitted):
                i = int(i)
                l0 = int(burst.candidate_symbols[i]) - first
                rows = [r for r in range(SSB_SYMBOLS) if 0 <= l0 + r < c.symbols_per_slot]
                if not rows:
                    continue
                b = as_bits("pbch_bits", pbch_bits(sfn, n_hf, i)) if table is None else table[i]
                if b.shape != (PBCH_M_BIT,):
                    raise ValueError(f"pbch_bits: the callable returned shape {b.shape} for "
                                     f"sfn={sfn}, n_hf={n_hf}, i_ssb={i}; expected ({PBCH_M_BIT},)")
                block = ssb_block(burst.n_cell_id, i, burst.l_max, b, n_hf=n_hf,
                                  beta_pss=burst.beta_pss, beta_sss=burst.beta_sss,
                                  beta_pbch=burst.beta_pbch, beta_dmrs=burst.beta_dmrs)
                r = np.asarray(rows)
                idx = ((l0 + r)[:, None] * c.n_subcarriers
                       + (k0 + np.arange(SSB_SUBCARRIERS))[None, :]).reshape(-1)
                vals = block[r].reshape(-1)
                nm = self._name(f"{base} i_SSB={i}", "SS/PBCH block")
                ch = PlacedChannel(nm, "SS/PBCH block", (port,), {"block": idx})
                entries.append(_Entry(ch, {port: (idx, vals)}))
        for e in entries:
            self._check_free(e, self._owner, self._entries)
        for e in entries:
            self._commit(e)
        if reserved.size:
            self._bursts.append(burst)
        return self

    # -- PDCCH ------------------------------------------------------------------------------

    def add_pdcch(self, dci_bits: np.ndarray, pdcch: PdcchConfig, *, port: int = 0,
                  power_db: float = 0.0, name: str | None = None) -> DownlinkSlot:
        """Place a PDCCH on a search-space candidate (TS 38.211 §7.3.2, §7.4.1.3; TS 38.212
        §7.3; TS 38.213 §10.1).

        The DCI payload is coded for ``pdcch.rnti`` and rate-matched to E = 108 L bits
        (:func:`opennr.transport.dci_coding.dci_encode`), then scrambled, modulated and mapped
        with its DM-RS on the CCEs of candidate ``pdcch.candidate`` in this slot
        (:func:`opennr.physical.pdcch.pdcch_indices`).

        Parameters
        ----------
        dci_bits : array_like of 0/1, shape (A,)
            DCI payload (e.g. :meth:`opennr.transport.dci.DciFormat.pack`).
        pdcch : PdcchConfig
        port : int
            Antenna port.
        power_db : float
            Power offset of the PDCCH and its DM-RS in dB (amplitude 10^(power_db/20)).
        name : str, optional
            Default ``"PDCCH <n>"``.

        Returns
        -------
        DownlinkSlot

        Raises
        ------
        ConfigError
            The CORESET leaves the carrier or the slot, a port outside the grid, an invalid
            payload length, or an RE already used.
        """
        if not isinstance(pdcch, PdcchConfig):
            raise ConfigError("pdcch", type(pdcch).__name__, "must be a PdcchConfig", "TS 38.211 §7.3.2")
        port = self._port("port", port)
        scale = _amplitude("power_db", power_db)
        c = self.carrier
        e = pdcch_bit_capacity(pdcch.aggregation_level)
        cw = dci_encode(as_bits("dci_bits", dci_bits), pdcch.rnti, e)
        data_idx = pdcch_indices(c, pdcch)
        data = pdcch_symbols(cw, c, pdcch)
        dmrs_idx, dmrs = pdcch_dmrs(c, pdcch)
        n_id = c.n_cell_id if pdcch.n_id is None else pdcch.n_id
        self._add_pdcch_entry(name, port, scale, data_idx, data, dmrs_idx, dmrs,
                              (pdcch.coreset, pdcch.search_space.start_symbol, n_id))
        return self

    def add_pdcch_cces(self, dci_bits: np.ndarray, coreset: CoresetConfig, *, start_symbol: int,
                       aggregation_level: int, cce_index: int, rnti: int, n_id: int | None = None,
                       ue_specific: bool = True, port: int = 0, power_db: float = 0.0,
                       name: str | None = None) -> DownlinkSlot:
        """Place a PDCCH on CCEs ``cce_index .. cce_index + L − 1`` of a CORESET (TS 38.211
        §7.3.2, §7.4.1.3; TS 38.212 §7.3).

        As :meth:`add_pdcch` without a search space: the CCEs are given. The scrambling uses
        c_init = (n_RNTI 2^16 + n_ID) mod 2^31 with n_RNTI = ``rnti`` when ``ue_specific`` and
        ``n_id`` is given, else 0 (§7.3.2.3).

        Parameters
        ----------
        dci_bits : array_like of 0/1, shape (A,)
        coreset : CoresetConfig
        start_symbol : int
            First OFDM symbol of the CORESET in the slot.
        aggregation_level : int
            L in {1, 2, 4, 8, 16}.
        cce_index : int
            First CCE, a multiple of L with cce_index + L ≤ N_CCE (TS 38.213 §10.1).
        rnti : int
            RNTI of the DCI CRC, 0 .. 65535.
        n_id : int, optional
            ``pdcch-DMRS-ScramblingID``; None uses N_ID^cell.
        ue_specific : bool
            A UE-specific search space (for the scrambling n_RNTI).
        port, power_db, name
            As for :meth:`add_pdcch`.

        Returns
        -------
        DownlinkSlot

        Raises
        ------
        ConfigError
            Invalid level, CCE index, RNTI, identity or port; an RE already used.
        """
        if not isinstance(coreset, CoresetConfig):
            raise ConfigError("coreset", type(coreset).__name__, "must be a CoresetConfig",
                              "TS 38.211 §7.3.2.2")
        c = self.carrier
        check_coreset(c, coreset, start_symbol)
        level = int(check_choice("aggregation_level", aggregation_level, AGGREGATION_LEVELS,
                                 "TS 38.211 Table 7.3.2.1-1"))
        cce_index = check_int("cce_index", cce_index, 0, coreset.n_cce - level, "TS 38.213 §10.1")
        if cce_index % level:
            raise ConfigError("cce_index", cce_index,
                              f"must be a multiple of the aggregation level L={level}", "TS 38.213 §10.1")
        rnti = check_int("rnti", rnti, 0, 65535, "TS 38.212 §7.3.2")
        nid = c.n_cell_id if n_id is None else check_int("n_id", n_id, 0, 65535, "TS 38.211 §7.3.2.3")
        port = self._port("port", port)
        scale = _amplitude("power_db", power_db)
        cces = np.arange(cce_index, cce_index + level)
        cw = dci_encode(as_bits("dci_bits", dci_bits), rnti, pdcch_bit_capacity(level))
        data = pdcch_modulate(cw, pdcch_scrambling_n_rnti(rnti, n_id, ue_specific), nid)
        data_idx = pdcch_cce_indices(c, coreset, cces, start_symbol=start_symbol)
        dmrs_idx, dmrs = pdcch_cce_dmrs(c, coreset, cces, start_symbol=start_symbol, n_id=nid)
        self._add_pdcch_entry(name, port, scale, data_idx, data, dmrs_idx, dmrs,
                              (coreset, int(start_symbol), nid))
        return self

    def _add_pdcch_entry(self, name, port, scale, data_idx, data, dmrs_idx, dmrs, key) -> None:
        nm = self._name(name, "PDCCH")
        idx = np.concatenate([data_idx, dmrs_idx]).astype(np.int64)
        vals = np.concatenate([data, dmrs]).astype(np.complex64) * np.complex64(scale)
        ch = PlacedChannel(nm, "PDCCH", (port,), {"data": np.sort(data_idx), "dmrs": np.sort(dmrs_idx)})
        self._commit(_Entry(ch, {port: (idx, vals)}, shared=np.sort(dmrs_idx), share_key=key))
        coreset, start, _ = key
        if (coreset, start) not in self._coresets:
            self._coresets.append((coreset, start))

    # -- CSI-RS -----------------------------------------------------------------------------

    def add_csi_rs(self, symbols: np.ndarray, subcarriers: np.ndarray,
                   values: np.ndarray | None = None, *, ports: Sequence[int] = (0,),
                   name: str | None = None) -> DownlinkSlot:
        """Place a CSI-RS given by its resource elements (TS 38.211 §7.4.1.5).

        The REs are rate-matched around by every PDSCH of the slot (TS 38.214 §5.1.4). With
        ``values`` None the CSI-RS has zero power (a ZP CSI-RS: the REs are reserved, nothing
        is sent).

        Parameters
        ----------
        symbols, subcarriers : array_like of int, shape (N,)
            OFDM symbol l and carrier subcarrier k of each RE.
        values : array_like of complex, shape (N,) or (len(ports), N), optional
            Value on each RE (and port: CDM ports share the REs).
        ports : sequence of int
            Antenna ports.
        name : str, optional
            Default ``"CSI-RS <n>"``.

        Returns
        -------
        DownlinkSlot

        Raises
        ------
        ValueError
            REs outside the slot grid or values of the wrong shape.
        ConfigError
            A port outside the grid, or an RE already used.
        """
        c = self.carrier
        l_arr = np.asarray(symbols).reshape(-1)
        k_arr = np.asarray(subcarriers).reshape(-1)
        res = re_list_reserved(c, l_arr, k_arr)          # checks shapes and ranges
        flat = l_arr.astype(np.int64) * c.n_subcarriers + k_arr.astype(np.int64)
        if np.unique(flat).size != flat.size:
            raise ValueError("symbols, subcarriers: an RE is listed twice")
        ports_t = tuple(self._port("ports", p) for p in ports)
        if not ports_t or len(set(ports_t)) != len(ports_t):
            raise ConfigError("ports", ports, "must list distinct ports")
        if values is None:
            v = np.zeros((len(ports_t), flat.size), np.complex64)
        else:
            v = np.asarray(values, dtype=np.complex64)
            if v.ndim == 1:
                v = np.broadcast_to(v, (len(ports_t), v.size))
            if v.shape != (len(ports_t), flat.size):
                raise ValueError(f"values: expected shape ({flat.size},) or ({len(ports_t)}, "
                                 f"{flat.size}), got {np.shape(values)}")
        nm = self._name(name, "CSI-RS")
        ch = PlacedChannel(nm, "CSI-RS", ports_t, {"re": res})
        self._commit(_Entry(ch, {p: (flat, v[j]) for j, p in enumerate(ports_t)}))
        self._csi_rs.append(res)
        return self

    # -- PDSCH ------------------------------------------------------------------------------

    def add_pdsch(self, config: PdschConfig, *, codewords=None, tb=None,
                  sch: SchConfig | Sequence[SchConfig] | None = None, rv: int | Sequence[int] = 0,
                  ports: Sequence[int] | None = None, power_db: float = 0.0,
                  rate_match: bool = True, around_pdcch: str = "coreset",
                  reserved: np.ndarray | None = None, name: str | None = None) -> DownlinkSlot:
        """Add a PDSCH (TS 38.211 §7.3.1, §7.4.1.1, §7.4.1.2; TS 38.212 §7.2; TS 38.214 §5.1.4).

        The PDSCH is mapped when the grid is built. With ``rate_match`` its data (and PT-RS)
        avoid the REs of :meth:`pdsch_reserved` — every CORESET holding a PDCCH of the slot in
        its symbols (or only the PDCCHs' own REs), the PRBs of the SS/PBCH blocks in their
        symbols and the CSI-RS REs — plus ``reserved``. Its DM-RS is not rate-matched: a DM-RS
        RE on another channel is an error.

        Parameters
        ----------
        config : PdschConfig
        codewords : array_like of 0/1 or sequence of two, optional
            Rate-matched codeword(s) of G bits (:meth:`pdsch_bit_capacity`).
        tb : array_like of 0/1 or sequence of two, optional
            Transport block(s), DL-SCH coded (:func:`opennr.transport.sch.sch_encode`) to the G
            of the allocation. Exactly one of ``codewords`` and ``tb``.
        sch : SchConfig or sequence of two
            Transport block parameters of each codeword (with ``tb``); ``sch.tbs`` must be the
            transport block length.
        rv : int or sequence of int
            Redundancy version of each codeword (with ``tb``).
        ports : sequence of int, optional
            Antenna port of each layer; default 0 .. ν − 1.
        power_db : float
            Power offset of the PDSCH and its reference signals in dB.
        rate_match : bool
            Rate-match around the reserved REs of the slot.
        around_pdcch : {"coreset", "pdcch"}
            ``"coreset"``: the whole CORESETs of the PDCCHs are reserved (as rate-matching
            resources, TS 38.214 §5.1.4.1); ``"pdcch"``: only the REs of the PDCCHs and their
            DM-RS (the rule of TS 38.214 §5.1.4 for the PDCCH that schedules the PDSCH), so
            that the PDSCH may use the rest of the CORESET.
        reserved : array_like of int, optional
            Further flat indices l · K + k not available for the PDSCH.
        name : str, optional
            Default ``"PDSCH <n>"``.

        Returns
        -------
        DownlinkSlot

        Raises
        ------
        ConfigError
            Ports outside the grid or not one per layer; mismatched transport block
            parameters. Overlaps are reported by :meth:`grid`.
        ValueError
            Neither or both of ``codewords`` and ``tb``.
        """
        if not isinstance(config, PdschConfig):
            raise ConfigError("config", type(config).__name__, "must be a PdschConfig", "TS 38.211 §7.3.1")
        pdsch_plan(self.carrier, config)                  # checks the allocation against the carrier
        n_cw = config.n_codewords
        if (codewords is None) == (tb is None):
            raise ValueError("add_pdsch: give exactly one of codewords and tb")
        cws = tbs = schs = None
        if codewords is not None:
            cws = list(per_codeword("codewords", codewords, n_cw, bits=True))
        else:
            tbs = list(per_codeword("tb", tb, n_cw, bits=True))
            if sch is None:
                raise ConfigError("sch", None, "the SchConfig of each transport block is needed with tb",
                                  "TS 38.212 §7.2")
            schs = list(per_codeword("sch", sch, n_cw))
            for q, (t, s) in enumerate(zip(tbs, schs, strict=True)):
                if not isinstance(s, SchConfig):
                    raise ConfigError(f"sch[{q}]", type(s).__name__, "must be a SchConfig", "TS 38.212 §7.2")
                if t.ndim != 1 or t.size != s.tbs:
                    raise ConfigError(f"tb[{q}]", f"{t.size} bits",
                                      f"must be a transport block of sch.tbs = {s.tbs} bits",
                                      "TS 38.212 §7.2")
                nu, qm = codeword_layers(config.n_layers)[q], bits_per_symbol(config.modulations[q])
                if s.n_layers != nu or s.qm != qm:
                    raise ConfigError(f"sch[{q}]", s,
                                      f"n_layers and qm must be those of codeword {q} of the PDSCH "
                                      f"({nu} layers, Q_m = {qm})", "TS 38.212 §7.2.5")
        rvs = tuple(int(check_choice("rv", r, (0, 1, 2, 3), "TS 38.212 §5.4.2.1"))
                    for r in per_codeword("rv", rv, n_cw, broadcast=True))
        if ports is None:
            ports_t = tuple(range(config.n_layers))
        else:
            ports_t = tuple(self._port("ports", p) for p in ports)
        if len(ports_t) != config.n_layers or len(set(ports_t)) != len(ports_t):
            raise ConfigError("ports", ports, f"must list {config.n_layers} distinct ports, one per layer",
                              "TS 38.211 §7.3.1.4")
        for p in ports_t:
            self._port("ports", p)
        extra = np.zeros(0, np.int64) if reserved is None else np.asarray(reserved, np.int64).reshape(-1)
        if extra.size and (extra.min() < 0 or extra.max() >= self._size):
            raise ValueError(f"reserved: indices must be in [0, {self._size}) (l * K + k of the slot grid)")
        if not isinstance(rate_match, bool):
            raise ConfigError("rate_match", rate_match, "must be a bool")
        check_choice("around_pdcch", around_pdcch, ("coreset", "pdcch"), "TS 38.214 §5.1.4")
        nm = self._name(name, "PDSCH")
        self._names.add(nm)
        self._pdsch.append(_PdschRequest(nm, config, cws, tbs, schs, rvs, ports_t,
                                         _amplitude("power_db", power_db), rate_match, around_pdcch,
                                         extra))
        self._built = None
        return self

    def pdsch_reserved(self, extra: np.ndarray | None = None, *,
                       around_pdcch: str = "coreset") -> np.ndarray:
        """REs not available for a rate-matched PDSCH in this slot (TS 38.214 §5.1.4).

        The union of every CORESET that holds a PDCCH of the slot (in its symbols, TS 38.214
        §5.1.4.1) — or with ``around_pdcch="pdcch"`` only the REs of the PDCCHs and their DM-RS
        —, the PRBs of the SS/PBCH blocks of the slot in their symbols, the CSI-RS REs, and
        ``extra``.

        Returns
        -------
        numpy.ndarray of int64
            Sorted flat indices l · K + k.
        """
        c = self.carrier
        check_choice("around_pdcch", around_pdcch, ("coreset", "pdcch"), "TS 38.214 §5.1.4")
        if around_pdcch == "coreset":
            sets = [coreset_reserved(c, cs, s) for cs, s in self._coresets]
        else:
            sets = [e.channel.indices for e in self._entries if e.channel.kind == "PDCCH"]
        sets += [ssb_reserved(c, b) for b in self._bursts]
        sets += list(self._csi_rs)
        if extra is not None:
            sets.append(np.asarray(extra, np.int64))
        return reserved_union(*sets)

    def pdsch_bit_capacity(self, config: PdschConfig, *, rate_match: bool = True,
                           around_pdcch: str = "coreset",
                           reserved: np.ndarray | None = None) -> tuple[int, ...]:
        """G of each codeword of a PDSCH in this slot, after rate matching around the reserved
        REs of the channels added so far (TS 38.212 §7.2.5, TS 38.214 §5.1.4; the arguments
        are those of :meth:`add_pdsch`)."""
        res = self.pdsch_reserved(reserved, around_pdcch=around_pdcch) if rate_match else reserved
        return pdsch_bit_capacity(self.carrier, config, reserved=res)

    def _pdsch_entry(self, req: _PdschRequest) -> _Entry:
        c, cfg = self.carrier, req.config
        res = self.pdsch_reserved(req.reserved, around_pdcch=req.around_pdcch) if req.rate_match \
            else np.unique(req.reserved).astype(np.int64)
        g = pdsch_bit_capacity(c, cfg, reserved=res)
        if req.codewords is not None:
            cws = req.codewords
            for q, (x, gq) in enumerate(zip(cws, g, strict=True)):
                if x.shape != (gq,):
                    raise ConfigError(f"{req.name!r} codewords[{q}]", f"{x.size} bits",
                                      f"must have G = {gq} bits, the capacity of the allocation after "
                                      f"rate matching around {res.size} reserved REs", "TS 38.214 §5.1.4")
        else:
            cws = [sch_encode(t, s, g=gq, rv=r) for t, s, gq, r in zip(req.tbs, req.schs, g, req.rv,
                                                                      strict=True)]
        layers = pdsch_grid(cws if len(cws) > 1 else cws[0], c, cfg, reserved=res)
        data = pdsch_indices(c, cfg, reserved=res)
        dmrs_idx, _ = pdsch_dmrs(c, cfg)
        ptrs_idx, _ = pdsch_ptrs(c, cfg, reserved=res)
        parts = {"data": np.sort(data), "dmrs": np.unique(dmrs_idx), "ptrs": np.sort(ptrs_idx)}
        occupied = np.unique(np.concatenate(list(parts.values())))
        flat = layers.reshape(cfg.n_layers, -1)
        values = {p: (occupied, flat[j, occupied] * np.complex64(req.scale))
                  for j, p in enumerate(req.ports)}
        ch = PlacedChannel(req.name, "PDSCH", req.ports, parts, reserved=res)
        return _Entry(ch, values)

    # -- output -----------------------------------------------------------------------------

    def _build(self) -> tuple[np.ndarray, list[PlacedChannel]]:
        if self._built is not None:
            return self._built
        owner = self._owner.copy()
        entries = list(self._entries)
        for req in self._pdsch:
            e = self._pdsch_entry(req)
            self._check_free(e, owner, entries)
            owner[e.channel.indices] = len(entries)
            entries.append(e)
        grid = np.zeros((self.n_ports, self._size), np.complex64)
        for e in entries:
            for p, (idx, val) in e.values.items():
                grid[p, idx] = val
        grid = grid.reshape(self.n_ports, self.carrier.symbols_per_slot, self.carrier.n_subcarriers)
        grid.setflags(write=False)
        self._built = (grid, [e.channel for e in entries])
        return self._built

    @property
    def channels(self) -> list[PlacedChannel]:
        """Every channel of the slot with its REs, in the order added (PDSCHs last)."""
        return list(self._build()[1])

    def grid(self) -> np.ndarray:
        """The resource grid of the slot (TS 38.211 §4.4.2).

        Returns
        -------
        numpy.ndarray of complex64, shape (n_ports, N_symb^slot, 12 N_grid^size)
            A new array.

        Raises
        ------
        ConfigError
            A PDSCH whose REs overlap another channel, or whose codeword length is not the
            capacity of its allocation after rate matching.
        """
        return self._build()[0].copy()

    def waveform(self, *, nfft: int | None = None, sample_rate: float | None = None,
                 carrier_frequency: float = 0.0) -> np.ndarray:
        """OFDM waveform of the slot (TS 38.211 §5.3.1, §5.4; :func:`opennr.ofdm.ofdm_modulate`).

        Parameters
        ----------
        nfft, sample_rate : optional
            See :func:`opennr.numerology.ofdm_info`.
        carrier_frequency : float
            f0 in Hz of the upconversion phase term; 0 disables it.

        Returns
        -------
        numpy.ndarray of complex64, shape (n_ports, samples)
        """
        return ofdm_modulate(self._build()[0], self.carrier, nfft=nfft, sample_rate=sample_rate,
                             carrier_frequency=carrier_frequency, n_slot=self.carrier.n_slot)


def _same_shared_value(new: _Entry, old: _Entry, re: int) -> bool:
    """Whether RE ``re`` is a shareable RE of both entries with the same value on each port."""
    if not (np.isin(re, new.shared) and np.isin(re, old.shared)):
        return False
    for p, (idx, val) in new.values.items():
        if p not in old.values:
            return False
        oi, ov = old.values[p]
        a = val[np.flatnonzero(idx == re)]
        b = ov[np.flatnonzero(oi == re)]
        if a.size != 1 or b.size != 1 or not np.isclose(a[0], b[0]):
            return False
    return True

"""TS 38.212 §6.3.2.4.1 and §6.2.7 — UCI on the PUSCH: resources of HARQ-ACK, CSI part 1 and
CSI part 2, and their multiplexing with the UL-SCH.

Resources (§6.3.2.4.1.1-3). With ``M = sum_l M_sc^UCI(l)`` over the PUSCH symbols (0 on DM-RS
symbols), ``M_0 = sum_{l >= l_0} M_sc^UCI(l)`` (``l_0`` the first symbol without DM-RS after
the first DM-RS symbol(s)) and ``sum K_r`` the UL-SCH code block sizes:

- ``Q'_ACK = min(ceil((O_ACK + L_ACK) β_ACK M / sum K_r), ceil(α M_0))`` with UL-SCH and
  ``min(ceil((O_ACK + L_ACK) β_ACK / (R Q_m)), ceil(α M_0))`` without;
- ``Q'_CSI1 = min(ceil((O_CSI1 + L) β_CSI1 M / sum K_r), ceil(α M) − Q'_ACK/rvd)`` with UL-SCH;
  without it ``min(ceil((O_CSI1 + L) β_CSI1 / (R Q_m)), M − Q'_ACK/rvd)`` when CSI part 2 is
  present and ``M − Q'_ACK/rvd`` otherwise. ``Q'_ACK/rvd`` is ``Q'_ACK`` for more than 2
  HARQ-ACK bits and the reserved REs ``Q'_rvd`` (``Q'_ACK`` with ``O_ACK = 2``, ``L = 0``)
  for 0, 1 or 2 bits;
- ``Q'_CSI2 = min(ceil((O_CSI2 + L) β_CSI2 M / sum K_r), ceil(α M) − Q'_ACK' − Q'_CSI1)`` with
  UL-SCH and ``M − Q'_ACK' − Q'_CSI1`` without, ``Q'_ACK'`` being ``Q'_ACK`` for more than 2 bits
  and 0 otherwise;
- ``G_x = N_L Q'_x Q_m`` and ``G_ULSCH = G − G_CSI1 − G_CSI2 − G_ACK`` (``G_ACK`` left out for
  at most 2 bits, which puncture).

Multiplexing (§6.2.7): step 1 reserves REs for 0-2 HARQ-ACK bits from ``l_0``; step 2 maps
more than 2 HARQ-ACK bits from ``l_0``; step 3 maps CSI part 1 from the first symbol without
DM-RS on the REs neither taken nor reserved, then CSI part 2 on the REs not taken (reserved ones
included); step 4 fills the rest with the UL-SCH; step 5 overwrites reserved REs with 1-2
HARQ-ACK bits. In each symbol a part that does not fill the free REs is spread with the step
``d = floor(free N_L Q_m / remaining bits)``. All of it is computed once into index maps
(:class:`UciPuschPlan`); multiplexing and demultiplexing are gathers and scatters.

Intra-slot frequency hopping (``N_hop = 2``): every step walks each hop in turn, from ``l^(i)``
(HARQ-ACK and reserved REs: the first symbol after the hop's first DM-RS symbols) or
``l_CSI^(i)`` (CSI: the hop's first symbol without DM-RS), placing ``G^x(i)`` bits of each part:
``G^x(1) = N_L Q_m ⌊G^x / (2 N_L Q_m)⌋`` and ``G^x(2) = G^x − G^x(1)`` with UL-SCH and for the
reserved REs; without UL-SCH the first hop's share is capped by its REs (``M_3`` after
``l^(1)`` for HARQ-ACK, ``M_1`` less HARQ-ACK or the reserved REs for CSI part 1) and CSI part 2,
or CSI part 1 without CSI part 2, takes the rest of each hop. A walk continues past its hop when
the hop is full, as the spec's loops do; reserved REs or 1-2-bit HARQ-ACK of the two hops that
would then coincide are refused.

The codeword holds the placeholders of the 1-2-bit UCI codes (x = −1, y = −2); positions left
empty without UL-SCH are 0, as in MATLAB ``nrULSCHMultiplex``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from opennr._validate import as_bits, as_llrs, check_choice, check_int
from opennr.coding.polar.construction import E_MAX
from opennr.coding.segmentation import A_UCI_MAX, uci_segmentation
from opennr.coding.smallblock import PLACEHOLDER_X, PLACEHOLDER_Y, QM_VALUES
from opennr.errors import ConfigError
from opennr.transport.sch import SchConfig, sch_plan
from opennr.transport.uci import UciDecodeResult, uci_crc_length, uci_decode, uci_encode, uci_min_e

__all__ = [
    "BETA_OFFSET_ACK",
    "BETA_OFFSET_CSI",
    "UCI_SCALING",
    "PuschUciDecodeResult",
    "PuschUciResources",
    "UciPuschConfig",
    "UciPuschPlan",
    "pusch_uci_decode",
    "pusch_uci_encode",
    "pusch_uci_placeholders",
    "pusch_uci_resources",
    "uci_pusch_plan",
    "ulsch_uci_demultiplex",
    "ulsch_uci_multiplex",
]

_CLAUSE = "TS 38.212 §6.3.2.4.1"
_MUX_CLAUSE = "TS 38.212 §6.2.7"

#: TS 38.213 Table 9.3-1: β_offset^HARQ-ACK for I_offset^HARQ-ACK = 0 .. 15.
BETA_OFFSET_ACK = (1.0, 2.0, 2.5, 3.125, 4.0, 5.0, 6.25, 8.0, 10.0, 12.625, 15.875, 20.0, 31.0,
                   50.0, 80.0, 126.0)
#: TS 38.213 Table 9.3-2: β_offset^CSI-1 and β_offset^CSI-2 for I_offset^CSI = 0 .. 18.
BETA_OFFSET_CSI = (1.125, 1.25, 1.375, 1.625, 1.75, 2.0, 2.25, 2.5, 2.875, 3.125, 3.5, 4.0, 5.0,
                   6.25, 8.0, 10.0, 12.625, 15.875, 20.0)
#: TS 38.331 PUSCH-Config ``scaling``: the values of α.
UCI_SCALING = (0.5, 0.65, 0.8, 1.0)


def _check_real_choice(field: str, value, allowed, clause: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(field, value, "must be a real number", clause)
    v = float(value)
    for a in allowed:
        if abs(v - a) < 1e-9:
            return a
    raise ConfigError(field, value, "must be one of " + ", ".join(f"{a:g}" for a in allowed), clause)


@dataclass(frozen=True, slots=True, kw_only=True)
class UciPuschConfig:
    """The UCI carried on a PUSCH and its resource parameters (TS 38.212 §6.3.2.4.1).

    Parameters
    ----------
    o_ack, o_csi1, o_csi2 : int
        Payload sizes ``O_ACK``, ``O_CSI-1``, ``O_CSI-2`` (0 = absent), at most 1706. CSI part 2
        needs CSI part 1.
    beta_offset_ack : float
        β_offset^HARQ-ACK, a value of TS 38.213 Table 9.3-1 (default 20).
    beta_offset_csi1, beta_offset_csi2 : float
        β_offset^CSI-1 and β_offset^CSI-2, values of TS 38.213 Table 9.3-2 (default 6.25).
    alpha : float
        The scaling α (0.5, 0.65, 0.8 or 1).

    Raises
    ------
    ConfigError
        A size or an offset out of range.
    """

    o_ack: int = 0
    o_csi1: int = 0
    o_csi2: int = 0
    beta_offset_ack: float = 20.0
    beta_offset_csi1: float = 6.25
    beta_offset_csi2: float = 6.25
    alpha: float = 1.0

    def __post_init__(self) -> None:
        for f in ("o_ack", "o_csi1", "o_csi2"):
            check_int(f, getattr(self, f), lo=0, hi=A_UCI_MAX, clause="TS 38.212 §6.3.2.1")
        if self.o_csi2 and not self.o_csi1:
            raise ConfigError("o_csi2", self.o_csi2, "CSI part 2 needs CSI part 1 (o_csi1 > 0)",
                              "TS 38.212 §6.3.2.1")
        tbl = "TS 38.213 Table 9.3-1"
        object.__setattr__(self, "beta_offset_ack",
                           _check_real_choice("beta_offset_ack", self.beta_offset_ack, BETA_OFFSET_ACK, tbl))
        tbl = "TS 38.213 Table 9.3-2"
        for f in ("beta_offset_csi1", "beta_offset_csi2"):
            object.__setattr__(self, f, _check_real_choice(f, getattr(self, f), BETA_OFFSET_CSI, tbl))
        object.__setattr__(self, "alpha", _check_real_choice("alpha", self.alpha, UCI_SCALING,
                                                             "TS 38.331 PUSCH-Config scaling"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PuschUciResources:
    """The resource elements of a PUSCH as seen by UCI multiplexing (TS 38.212 §6.2.7).

    Parameters
    ----------
    m_sc : tuple of int
        ``M_sc^PUSCH(l)``: data REs (for UL-SCH) in each OFDM symbol ``l = 0 .. N_symb,all − 1``
        of the PUSCH allocation, in time order (DM-RS symbols included, with the REs left for
        data when there are CDM groups without DM-RS; PT-RS REs excluded).
    dmrs : tuple of bool
        True for the symbols that carry DM-RS: ``M_sc^UCI(l) = 0`` there.
    n_layers : int
        N_L, 1..4.
    qm : int
        Modulation order Q_m.
    n_symb_hop : int
        ``N_symb,hop^PUSCH(1)``: OFDM symbols of the first hop with intra-slot frequency hopping
        (TS 38.214 §6.3: ⌊N_symb,all / 2⌋), the second hop being the rest; 0 without frequency
        hopping. Each hop must carry DM-RS.
    """

    m_sc: tuple
    dmrs: tuple
    n_layers: int
    qm: int
    n_symb_hop: int = 0

    def __post_init__(self) -> None:
        m = tuple(int(check_int("m_sc", x, lo=0, clause=_MUX_CLAUSE)) for x in self.m_sc)
        d = tuple(bool(x) for x in self.dmrs)
        if not m or len(d) != len(m):
            raise ConfigError("dmrs", self.dmrs, f"must have one entry per symbol of m_sc ({len(m)})",
                              _MUX_CLAUSE)
        if not any(d):
            raise ConfigError("dmrs", self.dmrs, "at least one symbol must carry DM-RS", _MUX_CLAUSE)
        object.__setattr__(self, "m_sc", m)
        object.__setattr__(self, "dmrs", d)
        check_int("n_layers", self.n_layers, lo=1, hi=4, clause=_MUX_CLAUSE)
        check_choice("qm", self.qm, QM_VALUES, _MUX_CLAUSE)
        if self.n_symb_hop:
            check_int("n_symb_hop", self.n_symb_hop, lo=1, hi=len(m) - 1, clause=_MUX_CLAUSE)
            for a, b in self.hops:
                if not any(d[a:b]):
                    raise ConfigError("dmrs", self.dmrs, f"each hop must carry DM-RS (symbols {a}.."
                                      f"{b - 1} do not)", "TS 38.211 §6.4.1.1.3")
        else:
            check_int("n_symb_hop", self.n_symb_hop, lo=0, hi=0, clause=_MUX_CLAUSE)

    @property
    def m_sc_uci(self) -> tuple:
        """``M_sc^UCI(l)``: ``M_sc^PUSCH(l)`` outside the DM-RS symbols, else 0."""
        return tuple(0 if d else m for m, d in zip(self.m_sc, self.dmrs, strict=True))

    @property
    def hops(self) -> tuple:
        """``(first, stop)`` symbol range of each hop (one range without frequency hopping)."""
        n = len(self.m_sc)
        if not self.n_symb_hop:
            return ((0, n),)
        return ((0, self.n_symb_hop), (self.n_symb_hop, n))

    @property
    def l_ack(self) -> tuple:
        """``l^(i)`` of each hop: its first symbol after its first set of consecutive DM-RS
        symbols (where HARQ-ACK and the reserved REs start)."""
        out = []
        for a, b in self.hops:
            l = a + self.dmrs[a:b].index(True)
            while l < b and self.dmrs[l]:
                l += 1
            out.append(l)
        return tuple(out)

    @property
    def l_csi(self) -> tuple:
        """``l_CSI^(i)`` of each hop: its first symbol without DM-RS (where CSI starts)."""
        return tuple(next((l for l in range(a, b) if not self.dmrs[l]), b) for a, b in self.hops)

    @property
    def l0(self) -> int:
        """``l_0`` (= ``l^(1)``): the first symbol without DM-RS after the first DM-RS
        symbol(s) of the PUSCH."""
        return self.l_ack[0]

    @property
    def g(self) -> int:
        """Codeword length ``G = N_L Q_m sum_l M_sc^PUSCH(l)``."""
        return sum(self.m_sc) * self.n_layers * self.qm


def pusch_uci_resources(plan) -> PuschUciResources:
    """The :class:`PuschUciResources` of a PUSCH layout (TS 38.212 §6.2.7).

    With intra-slot frequency hopping the first hop has the symbols of the plan's first hop
    (TS 38.214 §6.3). With transform precoding and PT-RS, ``M_sc^PUSCH(l)`` of a PT-RS symbol
    leaves out its PT-RS samples (TS 38.212 §6.3.2.4.1.1).

    Parameters
    ----------
    plan : opennr.physical.pusch.PuschPlan
        Any object with ``data_indices`` (flat ``l K + k`` indices of the data REs of one layer),
        ``n_subcarriers`` (``K``), ``dmrs_symbols``, ``hop_symbols``, ``data_symbols``,
        ``tp_data_positions``, ``m_sc`` and ``config`` (with ``symbol_allocation``, ``n_layers``,
        ``qm`` and ``hop``), as :func:`opennr.physical.pusch.pusch_plan` returns.

    Returns
    -------
    PuschUciResources

    Raises
    ------
    ConfigError
        A plan restricted to one hop (``config.hop`` set).
    """
    if getattr(plan.config, "hop", None) is not None:
        raise ConfigError("hop", plan.config.hop, "UCI multiplexing needs the whole PUSCH "
                          "(hop=None)", _MUX_CLAUSE)
    start, length = plan.config.symbol_allocation
    tp_data = getattr(plan, "tp_data_positions", None)
    if tp_data is not None:
        syms = np.asarray(plan.data_symbols)[np.asarray(tp_data) // int(plan.m_sc)]
    else:
        syms = np.asarray(plan.data_indices) // int(plan.n_subcarriers)
    counts = np.bincount(syms - start, minlength=length)[:length]
    dm = set(int(x) for x in np.asarray(plan.dmrs_symbols))
    hop_symbols = tuple(getattr(plan, "hop_symbols", ()) or (start,))
    n_hop = hop_symbols[1] - hop_symbols[0] if len(hop_symbols) > 1 else 0
    return PuschUciResources(m_sc=tuple(int(c) for c in counts),
                             dmrs=tuple((start + l) in dm for l in range(length)),
                             n_layers=int(plan.config.n_layers), qm=int(plan.config.qm),
                             n_symb_hop=n_hop)


@dataclass(frozen=True, slots=True)
class UciPuschPlan:
    """Resources and index maps of UCI multiplexed on a PUSCH (built by :func:`uci_pusch_plan`).

    Attributes
    ----------
    resources : PuschUciResources
    uci : UciPuschConfig
    ulsch : bool
        Whether the PUSCH carries UL-SCH.
    q_ack, q_ack_rvd, q_csi1, q_csi2 : int
        ``Q'_ACK``, reserved REs ``Q'_rvd`` (0 for more than 2 HARQ-ACK bits), ``Q'_CSI1``,
        ``Q'_CSI2`` (per layer).
    g, g_ack, g_csi1, g_csi2, g_ulsch : int
        Codeword length and rate-matching lengths ``E`` of each part (``G_ULSCH = 0`` without
        UL-SCH).
    hop_split : tuple of (str, tuple of int)
        The coded bits of each part in each hop, ``G^x(1), G^x(2)`` of §6.2.7 (one entry per
        hop): ``("rvd", ...)`` the reserved REs' bits ``G^ACK,rvd(i)``, then ``"ack"``,
        ``"csi1"``, ``"csi2"``.
    ack_index, csi1_index, csi2_index, ulsch_index : numpy.ndarray of int64
        Codeword position of each bit of the rate-matched parts; read-only.
    ulsch_punctured, csi2_punctured : numpy.ndarray of bool
        UL-SCH / CSI part 2 bits overwritten by 1-2 HARQ-ACK bits; read-only.
    """

    resources: PuschUciResources
    uci: UciPuschConfig
    ulsch: bool
    q_ack: int
    q_ack_rvd: int
    q_csi1: int
    q_csi2: int
    g: int
    g_ack: int
    g_csi1: int
    g_csi2: int
    g_ulsch: int
    ack_index: np.ndarray = field(repr=False, compare=False)
    csi1_index: np.ndarray = field(repr=False, compare=False)
    csi2_index: np.ndarray = field(repr=False, compare=False)
    ulsch_index: np.ndarray = field(repr=False, compare=False)
    ulsch_punctured: np.ndarray = field(repr=False, compare=False)
    csi2_punctured: np.ndarray = field(repr=False, compare=False)
    hop_split: tuple = ()


def _q_prime(o: int, l_crc: int, beta: float, m_total: int, sum_k: int | None, r: float, qm: int) -> int:
    """The first term of the Q' formulas: with UL-SCH (sum_k given) or without (R Q_m)."""
    if sum_k is not None:
        return math.ceil((o + l_crc) * beta * m_total / sum_k)
    return math.ceil((o + l_crc) * beta / (r * qm))


_EMPTY = np.zeros(0, np.int64)
_EMPTY.setflags(write=False)


def _spread(avail: np.ndarray, remaining: int, per_re: int) -> np.ndarray:
    """REs taken in one symbol by §6.2.7: all of them, or ``ceil(rem/b)`` with step ``d``."""
    if remaining >= avail.size * per_re:
        return avail
    d = (avail.size * per_re) // remaining
    m = -(-remaining // per_re)
    return avail[np.arange(m) * d]


def _fill(sets: list, start: int, g: int, per_re: int) -> list:
    """One walk of §6.2.7: from symbol ``start`` on, take REs of ``sets[l]`` until ``g`` bits
    are placed."""
    taken = [_EMPTY for _ in sets]
    count, l = 0, start
    while count < g:
        if l >= len(sets):
            raise ConfigError("uci", g, "the UCI of a hop does not fit the remaining REs of the "
                              "PUSCH", _MUX_CLAUSE)
        if sets[l].size:
            taken[l] = _spread(sets[l], g - count, per_re)
            count += taken[l].size * per_re
        l += 1
    return taken


def _hop_split(g: int, b: int, n_hop: int) -> tuple:
    """``(N_L Q_m ⌊G/(2 N_L Q_m)⌋, N_L Q_m ⌈G/(2 N_L Q_m)⌉)`` with frequency hopping, ``(G,)``
    without."""
    if n_hop == 1:
        return (g,)
    first = b * (g // (2 * b))
    return (first, g - first)


def _uci_hop_splits(res: PuschUciResources, uci: UciPuschConfig, ulsch: bool, g_rvd: int,
                    g_ack: int, g_csi1: int, g_csi2: int) -> dict:
    """The coded bits of each part in each hop, ``G^x(i)`` of §6.2.7.

    Without UL-SCH and with hopping the first hop's shares are capped by its REs: ``M_1``,
    ``M_2`` are the UCI REs of the two hops and ``M_3`` those of the first hop from ``l^(1)``.
    The spec lists the cases HARQ-ACK + CSI part 1, HARQ-ACK + CSI part 1 + CSI part 2 and
    CSI part 1 + CSI part 2 (with CSI part 1 alone HARQ-ACK is padded to 2 bits, §6.3.2.1.1).
    Outside them (CSI part 1 alone with 0 or 1 HARQ-ACK bit; HARQ-ACK alone) the part keeps the
    rule of the listed cases that treat it: CSI part 1 its first-hop cap by the reserved REs,
    HARQ-ACK its cap by ``M_3``.
    """
    b = res.n_layers * res.qm
    n_hop = len(res.hops)
    o_ack, o2 = uci.o_ack, uci.o_csi2
    rvd = _hop_split(g_rvd, b, n_hop)
    if n_hop == 1 or ulsch:
        return dict(rvd=rvd, ack=_hop_split(g_ack, b, n_hop), csi1=_hop_split(g_csi1, b, n_hop),
                    csi2=_hop_split(g_csi2, b, n_hop))
    m_uci = res.m_sc_uci
    (a1, e1), (a2, e2) = res.hops
    m1, m2 = b * sum(m_uci[a1:e1]), b * sum(m_uci[a2:e2])
    m3 = b * sum(m_uci[res.l_ack[0]:e1])
    first = min(b * (g_ack // (2 * b)), m3)
    ack = (first, g_ack - first)
    csi1, csi2 = (0, 0), (0, 0)
    if g_csi1 and not o2 and o_ack >= 2:  # only HARQ-ACK and CSI part 1
        csi1 = (m1 - ack[0], m2 - ack[1])
    elif g_csi1:
        taken = ack if o_ack > 2 else rvd   # what CSI part 1 may not use in the first hop
        first = min(b * (g_csi1 // (2 * b)), m1 - taken[0])
        csi1 = (first, g_csi1 - first)
        if o2:
            csi2 = (m1 - csi1[0], m2 - csi1[1])
            if o_ack > 2:
                csi2 = (csi2[0] - ack[0], csi2[1] - ack[1])
    return dict(rvd=rvd, ack=ack, csi1=csi1, csi2=csi2)


@functools.lru_cache(maxsize=256)
def _plan(res: PuschUciResources, uci: UciPuschConfig, sum_k: int | None, r: float) -> UciPuschPlan:
    nl, qm = res.n_layers, res.qm
    b = nl * qm
    m_uci = res.m_sc_uci
    m_total = sum(m_uci)
    m_l0 = sum(m_uci[res.l0:])
    ulsch = sum_k is not None
    o_ack, o1, o2 = uci.o_ack, uci.o_csi1, uci.o_csi2

    # §6.3.2.4.1.1 HARQ-ACK and the reserved REs of §6.2.7 step 1 (O_ACK = 2, L = 0)
    cap_ack = math.ceil(uci.alpha * m_l0)
    q_ack = 0
    if o_ack:
        l_ack = uci_crc_length(o_ack)
        q_ack = min(_q_prime(o_ack, l_ack, uci.beta_offset_ack, m_total, sum_k, r, qm), cap_ack)
    q_rvd = 0
    if o_ack <= 2:
        q_rvd = min(_q_prime(2, 0, uci.beta_offset_ack, m_total, sum_k, r, qm), cap_ack)
    q_ack_csi1 = q_ack if o_ack > 2 else q_rvd
    q_ack_csi2 = q_ack if o_ack > 2 else 0

    # §6.3.2.4.1.2 CSI part 1
    q_csi1 = 0
    if o1:
        first = _q_prime(o1, uci_crc_length(o1), uci.beta_offset_csi1, m_total, sum_k, r, qm)
        if ulsch:
            q_csi1 = min(first, math.ceil(uci.alpha * m_total) - q_ack_csi1)
        elif o2:
            q_csi1 = min(first, m_total - q_ack_csi1)
        else:
            q_csi1 = m_total - q_ack_csi1
    # §6.3.2.4.1.3 CSI part 2
    q_csi2 = 0
    if o2:
        if ulsch:
            first = _q_prime(o2, uci_crc_length(o2), uci.beta_offset_csi2, m_total, sum_k, r, qm)
            q_csi2 = min(first, math.ceil(uci.alpha * m_total) - q_ack_csi2 - q_csi1)
        else:
            q_csi2 = m_total - q_ack_csi2 - q_csi1
    for name, q, o in (("o_ack", q_ack, o_ack), ("o_csi1", q_csi1, o1), ("o_csi2", q_csi2, o2)):
        if o and (q <= 0 or q * b < uci_min_e(o, q * b)):
            raise ConfigError(name, o, f"does not fit the PUSCH: {q} REs per layer give E = {q * b} "
                              f"bits, {uci_min_e(o, max(q * b, 1))} needed", _CLAUSE)
        if o >= 12 and uci_segmentation(o, q * b).e_r > E_MAX:
            raise ConfigError(name, o, f"E = {q * b} bits exceed the polar limit of {E_MAX} per code "
                              "block (raise the code rate or lower β_offset)", "TS 38.212 §5.4.1")
    g_ack, g_csi1, g_csi2 = b * q_ack, b * q_csi1, b * q_csi2
    g = res.g
    g_ulsch = g - g_csi1 - g_csi2 - (g_ack if o_ack > 2 else 0) if ulsch else 0
    if ulsch and g_ulsch <= 0:
        raise ConfigError("uci", uci, f"leaves no UL-SCH bits (G = {g})", _MUX_CLAUSE)

    # §6.2.7: the coded bits of each part in each hop, and the sets of free REs per symbol
    # (indices of the data REs of the symbol, ascending)
    split = _uci_hop_splits(res, uci, ulsch, b * q_rvd if o_ack <= 2 else 0, g_ack, g_csi1, g_csi2)
    if min(min(v) for v in split.values()) < 0:  # pragma: no cover - guarded by the Q' formulas
        raise ConfigError("uci", uci, f"negative share of a hop: {split}", _MUX_CLAUSE)
    l_ack, l_csi = res.l_ack, res.l_csi
    n_symb = len(res.m_sc)
    uci_free = [np.arange(m_uci[l], dtype=np.int64) for l in range(n_symb)]

    def remove(sets: list, taken: list) -> list:
        return [np.setdiff1d(f, t, assume_unique=True) for f, t in zip(sets, taken, strict=True)]

    rvd = [_EMPTY] * n_symb
    if o_ack <= 2 and q_rvd:  # step 1: reserved REs, from l^(i) in each hop
        for i, start in enumerate(l_ack):
            walk = _fill(uci_free, start, split["rvd"][i], b)
            rvd = [np.union1d(r_, w) for r_, w in zip(rvd, walk, strict=True)]
        if sum(r_.size for r_ in rvd) * b != b * q_rvd:
            raise ConfigError("uci", uci, "the reserved REs of the two hops overlap (the first hop "
                              "has too few REs after its DM-RS)", _MUX_CLAUSE)
    ack_walks, csi1_walks, csi2_walks = [], [], []
    if o_ack > 2:  # step 2: HARQ-ACK, from l^(i) in each hop
        for i, start in enumerate(l_ack):
            ack_walks.append(_fill(uci_free, start, split["ack"][i], b))
            uci_free = remove(uci_free, ack_walks[-1])
    if g_csi1:  # step 3, CSI part 1 from l_CSI^(i): not on reserved REs
        for i, start in enumerate(l_csi):
            csi1_walks.append(_fill(remove(uci_free, rvd), start, split["csi1"][i], b))
            uci_free = remove(uci_free, csi1_walks[-1])
    if g_csi2:  # step 3, CSI part 2 from l_CSI^(i): reserved REs included
        for i, start in enumerate(l_csi):
            csi2_walks.append(_fill(uci_free, start, split["csi2"][i], b))
            uci_free = remove(uci_free, csi2_walks[-1])
    if o_ack and o_ack <= 2:  # step 5: 1-2 HARQ-ACK bits on the reserved REs
        for i, start in enumerate(l_ack):
            ack_walks.append(_fill(rvd, start, split["ack"][i], b))

    offsets = np.concatenate([[0], np.cumsum(res.m_sc)]) * b
    nu = np.arange(b, dtype=np.int64)

    def bits_of(walks: list) -> np.ndarray:
        parts = [(offsets[l] + k[:, None] * b + nu[None, :]).ravel()
                 for walk in walks for l, k in enumerate(walk)]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    ack_index, csi1_index, csi2_index = bits_of(ack_walks), bits_of(csi1_walks), bits_of(csi2_walks)
    if np.unique(ack_index).size != ack_index.size:
        raise ConfigError("uci", uci, "the HARQ-ACK of the two hops overlap (the first hop has too "
                          "few reserved REs after its DM-RS)", _MUX_CLAUSE)
    if ulsch:  # step 4: everything not taken by HARQ-ACK (> 2 bits) or CSI
        used = np.zeros(g, dtype=bool)
        used[csi1_index] = True
        used[csi2_index] = True
        if o_ack > 2:
            used[ack_index] = True
        ulsch_index = np.flatnonzero(~used).astype(np.int64)
    else:
        ulsch_index = np.zeros(0, np.int64)
    if ulsch_index.size != g_ulsch:  # pragma: no cover - consistency of §6.2.7 with §6.3.2.4
        raise RuntimeError("UL-SCH positions do not match G_ULSCH")
    punct = np.zeros(g, dtype=bool)
    if o_ack and o_ack <= 2:
        punct[ack_index] = True
    arrays = dict(ack_index=ack_index, csi1_index=csi1_index, csi2_index=csi2_index,
                  ulsch_index=ulsch_index, ulsch_punctured=punct[ulsch_index],
                  csi2_punctured=punct[csi2_index])
    for a in arrays.values():
        a.setflags(write=False)
    return UciPuschPlan(resources=res, uci=uci, ulsch=ulsch, q_ack=q_ack,
                        q_ack_rvd=q_rvd if o_ack <= 2 else 0, q_csi1=q_csi1, q_csi2=q_csi2, g=g,
                        g_ack=g_ack, g_csi1=g_csi1, g_csi2=g_csi2, g_ulsch=g_ulsch,
                        hop_split=tuple((k, v) for k, v in split.items()), **arrays)


def uci_pusch_plan(resources: PuschUciResources, uci: UciPuschConfig, *, sch: SchConfig | None = None,
                   target_code_rate: float | None = None) -> UciPuschPlan:
    """Resources of UCI on a PUSCH (TS 38.212 §6.3.2.4.1) and the multiplexing maps (§6.2.7).

    Parameters
    ----------
    resources : PuschUciResources
        The PUSCH resource elements (:func:`pusch_uci_resources`).
    uci : UciPuschConfig
        Payload sizes, β offsets and α.
    sch : SchConfig, optional
        The UL-SCH transport block when the PUSCH carries one; its code block sizes give
        ``sum K_r = C K`` (filler bits included, as in MATLAB ``nrULSCHInfo``). Its ``qm`` and
        ``n_layers`` must match ``resources``.
    target_code_rate : float, optional
        ``R`` of the PUSCH MCS, needed without UL-SCH (``sch`` None) when there is HARQ-ACK or
        CSI part 1 with CSI part 2.

    Returns
    -------
    UciPuschPlan
        Cached per configuration.

    Raises
    ------
    ConfigError
        A UCI part that does not fit (``E`` too small for its payload), no room left for the
        UL-SCH, a missing or invalid code rate, or ``sch`` inconsistent with ``resources``.
    """
    if not isinstance(resources, PuschUciResources):
        raise TypeError(f"resources: expected PuschUciResources, got {type(resources).__name__}")
    if not isinstance(uci, UciPuschConfig):
        raise TypeError(f"uci: expected UciPuschConfig, got {type(uci).__name__}")
    sum_k = None
    if sch is not None:
        if not isinstance(sch, SchConfig):
            raise TypeError(f"sch: expected SchConfig or None, got {type(sch).__name__}")
        if sch.qm != resources.qm or sch.n_layers != resources.n_layers:
            raise ConfigError("sch", sch, f"qm and n_layers must match the PUSCH ({resources.qm}, "
                              f"{resources.n_layers})", _MUX_CLAUSE)
        seg = sch_plan(sch).seg
        sum_k = seg.c * seg.k
        r = float(sch.target_code_rate)
    else:
        needs_r = uci.o_ack > 0 or (uci.o_csi1 > 0 and uci.o_csi2 > 0)
        if target_code_rate is None:
            if needs_r:
                raise ConfigError("target_code_rate", None, "is needed without UL-SCH", _CLAUSE)
            r = 0.5
        else:
            r = target_code_rate
            if isinstance(r, bool) or not isinstance(r, (int, float, np.floating)) or not 0 < r < 1:
                raise ConfigError("target_code_rate", r, "must be a real number in (0, 1)", _CLAUSE)
            r = float(r)
        if uci.o_ack == 0 and uci.o_csi1 == 0:
            raise ConfigError("uci", uci, "a PUSCH without UL-SCH must carry UCI", _MUX_CLAUSE)
    return _plan(resources, uci, sum_k, r)


def ulsch_uci_multiplex(plan: UciPuschPlan, *, ulsch=None, ack=None, csi1=None, csi2=None) -> np.ndarray:
    """Data and control multiplexing (TS 38.212 §6.2.7), like MATLAB ``nrULSCHMultiplex``.

    Parameters
    ----------
    plan : UciPuschPlan
    ulsch : array_like of uint8, shape (..., G_ULSCH), optional
        Rate-matched UL-SCH bits (:func:`~opennr.transport.sch.sch_encode` with
        ``g = plan.g_ulsch``); required when the plan has UL-SCH.
    ack, csi1, csi2 : array_like of int, shape (..., G_x), optional
        Coded UCI parts (:func:`~opennr.transport.uci.uci_encode` with ``e = plan.g_x``), with
        placeholders; required when the part is present.

    Returns
    -------
    numpy.ndarray of int8, shape (..., G)
        The codeword with the placeholders x = −1, y = −2 (0 where nothing is mapped).

    Raises
    ------
    ValueError
        A part missing, present when not planned, of the wrong length, or with invalid values.
    """
    if not isinstance(plan, UciPuschPlan):
        raise TypeError(f"plan: expected UciPuschPlan, got {type(plan).__name__}")
    parts = []
    for name, value, index, present in (
            ("ulsch", ulsch, plan.ulsch_index, plan.ulsch),
            ("csi1", csi1, plan.csi1_index, plan.uci.o_csi1 > 0),
            ("csi2", csi2, plan.csi2_index, plan.uci.o_csi2 > 0),
            ("ack", ack, plan.ack_index, plan.uci.o_ack > 0)):
        if value is None:
            if present:
                raise ValueError(f"{name}: required by the plan ({index.size} bits)")
            continue
        if not present:
            raise ValueError(f"{name}: not part of the plan")
        arr = np.asarray(value)
        if name == "ulsch":
            arr = as_bits(name, arr).astype(np.int8)
        elif not np.issubdtype(arr.dtype, np.integer) or (arr.size and (arr.min() < PLACEHOLDER_Y
                                                                        or arr.max() > 1)):
            raise ValueError(f"{name}: values must be 0, 1, -1 (x) or -2 (y)")
        if arr.ndim < 1 or arr.shape[-1] != index.size:
            raise ValueError(f"{name}: last dimension must be {index.size}, got shape {arr.shape}")
        parts.append((arr, index))
    lead = np.broadcast_shapes(*(a.shape[:-1] for a, _ in parts))
    out = np.zeros((*lead, plan.g), dtype=np.int8)
    for arr, index in parts:  # in §6.2.7 order: HARQ-ACK of 1-2 bits written last (step 5)
        out[..., index] = arr
    return out


def ulsch_uci_demultiplex(plan: UciPuschPlan, llr) -> dict:
    """Split codeword LLRs into UL-SCH, HARQ-ACK, CSI part 1 and CSI part 2 LLRs (inverse of
    TS 38.212 §6.2.7), like MATLAB ``nrULSCHDemultiplex``.

    UL-SCH and CSI part 2 bits that 1-2 HARQ-ACK bits overwrote get LLR 0 (erasures).

    Parameters
    ----------
    plan : UciPuschPlan
    llr : array_like of float32, shape (..., G)
        Descrambled LLRs of the codeword.

    Returns
    -------
    dict of str to numpy.ndarray of float32
        ``"ulsch"`` (..., G_ULSCH), ``"ack"`` (..., G_ACK), ``"csi1"`` (..., G_CSI1),
        ``"csi2"`` (..., G_CSI2).

    Raises
    ------
    ValueError
        ``llr`` is not a real array of last dimension ``G``.
    """
    if not isinstance(plan, UciPuschPlan):
        raise TypeError(f"plan: expected UciPuschPlan, got {type(plan).__name__}")
    arr = as_llrs("llr", llr)
    if arr.shape[-1] != plan.g:
        raise ValueError(f"llr: last dimension must be G={plan.g}, got shape {arr.shape}")
    ulsch = arr[..., plan.ulsch_index]
    ulsch[..., plan.ulsch_punctured] = 0.0
    csi2 = arr[..., plan.csi2_index]
    csi2[..., plan.csi2_punctured] = 0.0
    return {"ulsch": ulsch, "ack": arr[..., plan.ack_index], "csi1": arr[..., plan.csi1_index],
            "csi2": csi2}


def pusch_uci_placeholders(plan: UciPuschPlan) -> tuple[np.ndarray, np.ndarray]:
    """Codeword positions of the placeholders x and y (TS 38.212 §5.3.3.1-2, §6.2.7).

    UCI parts of 1 or 2 bits with ``Q_m > 1`` carry them; a receiver passes them to the
    descrambler (:func:`opennr.physical.pusch.pusch_descramble_llrs`).

    Parameters
    ----------
    plan : UciPuschPlan

    Returns
    -------
    x_indices, y_indices : numpy.ndarray of int64
        Ascending 0-based positions in the codeword of length ``G``.
    """
    if not isinstance(plan, UciPuschPlan):
        raise TypeError(f"plan: expected UciPuschPlan, got {type(plan).__name__}")
    return _placeholders(plan)


@functools.lru_cache(maxsize=256)
def _placeholders(plan: UciPuschPlan) -> tuple[np.ndarray, np.ndarray]:
    qm = plan.resources.qm
    parts = {name: uci_encode(np.zeros(o, np.uint8), g, qm=qm) if o else None
             for name, o, g in (("ack", plan.uci.o_ack, plan.g_ack),
                                ("csi1", plan.uci.o_csi1, plan.g_csi1),
                                ("csi2", plan.uci.o_csi2, plan.g_csi2))}
    ulsch = np.zeros(plan.g_ulsch, np.uint8) if plan.ulsch else None
    template = ulsch_uci_multiplex(plan, ulsch=ulsch, **parts)
    x = np.flatnonzero(template == PLACEHOLDER_X)
    y = np.flatnonzero(template == PLACEHOLDER_Y)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def pusch_uci_encode(plan: UciPuschPlan, *, ulsch=None, ack=None, csi1=None, csi2=None) -> np.ndarray:
    """Encode the UCI payloads and multiplex them with rate-matched UL-SCH bits
    (TS 38.212 §6.3.2 and §6.2.7).

    Parameters
    ----------
    plan : UciPuschPlan
    ulsch : array_like of uint8, shape (..., G_ULSCH), optional
        Rate-matched UL-SCH bits (required when the plan has UL-SCH).
    ack, csi1, csi2 : array_like of uint8, shape (..., O_x), optional
        Payloads (required when planned).

    Returns
    -------
    numpy.ndarray of int8, shape (..., G)
        The multiplexed codeword with placeholders, ready for PUSCH scrambling.
    """
    if not isinstance(plan, UciPuschPlan):
        raise TypeError(f"plan: expected UciPuschPlan, got {type(plan).__name__}")
    qm = plan.resources.qm
    coded = {}
    for name, bits, o, g in (("ack", ack, plan.uci.o_ack, plan.g_ack),
                             ("csi1", csi1, plan.uci.o_csi1, plan.g_csi1),
                             ("csi2", csi2, plan.uci.o_csi2, plan.g_csi2)):
        if bits is None:
            coded[name] = None
            continue
        arr = as_bits(name, bits)
        if arr.shape[-1] != o:
            raise ValueError(f"{name}: last dimension must be O = {o}, got shape {arr.shape}")
        coded[name] = uci_encode(arr, g, qm=qm)
    return ulsch_uci_multiplex(plan, ulsch=ulsch, **coded)


@dataclass(frozen=True, slots=True)
class PuschUciDecodeResult:
    """Output of :func:`pusch_uci_decode`.

    Attributes
    ----------
    ack, csi1, csi2 : UciDecodeResult or None
        Decoded HARQ-ACK, CSI part 1 and CSI part 2 (None when absent).
    ulsch_llr : numpy.ndarray of float32, shape (..., G_ULSCH)
        UL-SCH LLRs for :func:`~opennr.transport.sch.sch_decode` with ``g = G_ULSCH``
        (punctured bits are 0).
    """

    ack: UciDecodeResult | None
    csi1: UciDecodeResult | None
    csi2: UciDecodeResult | None
    ulsch_llr: np.ndarray


def pusch_uci_decode(plan: UciPuschPlan, llr, *, list_size: int = 8) -> PuschUciDecodeResult:
    """Demultiplex the LLRs of a PUSCH codeword and decode its UCI (TS 38.212 §6.2.7, §6.3.2).

    Parameters
    ----------
    plan : UciPuschPlan
        The plan of the transmission (:func:`uci_pusch_plan`).
    llr : array_like of float32, shape (..., G)
        Descrambled codeword LLRs (ln P(0)/P(1)); placeholder positions may hold anything.
    list_size : int
        CA-SCL list size for polar-coded UCI.

    Returns
    -------
    PuschUciDecodeResult
    """
    parts = ulsch_uci_demultiplex(plan, llr)
    qm = plan.resources.qm
    out = {}
    for name, o in (("ack", plan.uci.o_ack), ("csi1", plan.uci.o_csi1), ("csi2", plan.uci.o_csi2)):
        out[name] = uci_decode(parts[name], o, qm=qm, list_size=list_size) if o else None
    return PuschUciDecodeResult(ack=out["ack"], csi1=out["csi1"], csi2=out["csi2"],
                                ulsch_llr=parts["ulsch"])

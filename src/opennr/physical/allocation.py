"""Resource allocation shared by the PDSCH and the PUSCH: DM-RS antenna ports (TS 38.211
Tables 7.4.1.1.2-1/2, 6.4.1.1.3-1/2), the allocated common resource blocks inside the bandwidth
part (§4.4.4.4), the data resource elements around the DM-RS (§7.3.1.5, §6.3.1.6) and the DM-RS
overhead N_DMRS^PRB of the transport block size (TS 38.214 §5.1.3.2, §6.1.4.2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from opennr._validate import check_int
from opennr.errors import ConfigError
from opennr.numerology import Carrier, channel_bwp
from opennr.physical.dmrs import DmrsConfig, dmrs_cdm_subcarriers, dmrs_port
from opennr.physical.ptrs import PtrsConfig, ptrs_k_ref_re


def check_dmrs_ports(dmrs: DmrsConfig, dmrs_ports: Sequence[int] | None, n_layers: int, *,
                     clause: str, port_clause: str, table_clause: str) -> tuple[int, ...]:
    """The DM-RS ports of ``n_layers`` layers (default 0 .. ν−1), checked against the DM-RS
    configuration: one distinct port per layer, each within the ports of the configuration type
    and length, and in a CDM group that the CDM groups without data cover.

    Raises
    ------
    ConfigError
        Naming ``dmrs_ports``, the ports and the rule broken.
    """
    ports = tuple(range(n_layers)) if dmrs_ports is None \
        else tuple(int(check_int("dmrs_ports", p, 0, 11, port_clause)) for p in dmrs_ports)
    if len(ports) != n_layers:
        raise ConfigError("dmrs_ports", dmrs_ports, f"must list one port per layer ({n_layers})",
                          clause)
    if len(set(ports)) != len(ports):
        raise ConfigError("dmrs_ports", ports, "must be distinct", clause)
    for p in ports:
        if p >= dmrs.n_ports_max:
            raise ConfigError("dmrs_ports", ports,
                              f"port {p} needs more than {dmrs.n_ports_max} ports of DM-RS "
                              f"type {dmrs.config_type} with length {dmrs.length}", table_clause)
        g = dmrs_port(dmrs.config_type, p).cdm_group
        if g >= dmrs.n_cdm_groups_without_data:
            raise ConfigError("dmrs_ports", ports,
                              f"port {p} is in CDM group {g}, which needs "
                              f"n_cdm_groups_without_data > {g}", "TS 38.212 §7.3.1.1.2, §7.3.1.2.2")
    return ports


def check_ptrs_port(ptrs: PtrsConfig, dmrs: DmrsConfig, dmrs_ports: Sequence[int], n_layers: int, *,
                    clause: str) -> PtrsConfig:
    """The PT-RS of a shared channel (CP-OFDM) with its antenna port: the lowest DM-RS port when
    none is given, else one of the DM-RS ports (``clause``: TS 38.214 §5.1.6.3, §6.2.3.1); its
    resource-element offset (TS 38.211 Tables 7.4.1.2.2-1, 6.4.1.2.2.1-1) and its power for
    ``n_layers`` layers are checked.

    Raises
    ------
    ConfigError
        Naming ``ptrs.port`` or the PT-RS field at fault.
    """
    port = min(dmrs_ports) if ptrs.port is None else ptrs.port
    if port not in dmrs_ports:
        raise ConfigError("ptrs.port", port, f"must be one of the DM-RS ports {tuple(dmrs_ports)}",
                          clause)
    ptrs_k_ref_re(dmrs.config_type, port, ptrs.re_offset)
    ptrs.beta(n_layers)
    return ptrs if ptrs.port is not None else dataclasses.replace(ptrs, port=port)


def check_symbol_allocation(symbol_allocation: Sequence[int], clause: str) -> tuple[int, int]:
    """(S, L) of a shared-channel allocation: S in 0..13, L in 1..14, S + L ≤ 14 (TS 38.214
    §5.1.2.1, §6.1.2.1; the rules of the mapping type are the channel's).

    Raises
    ------
    ConfigError
        Naming ``symbol_allocation``.
    """
    alloc = tuple(symbol_allocation)
    if len(alloc) != 2:
        raise ConfigError("symbol_allocation", symbol_allocation, "must be (S, L)", clause)
    s = check_int("symbol_allocation[0]", alloc[0], 0, 13, clause)
    n = check_int("symbol_allocation[1]", alloc[1], 1, 14, clause)
    if s + n > 14:
        raise ConfigError("symbol_allocation", alloc, "S + L must be <= 14", clause)
    return s, n


def check_prb_set(prb_set: Sequence[int] | None, clause: str) -> tuple[int, ...] | None:
    """The PRBs of an allocation (counted in the bandwidth part), sorted, each 0..274 and none
    repeated; ``None`` (the whole bandwidth part) stays None.

    Raises
    ------
    ConfigError
        Naming ``prb_set``.
    """
    if prb_set is None:
        return None
    prbs = tuple(int(check_int("prb_set", p, 0, 274, clause)) for p in
                 np.atleast_1d(np.asarray(prb_set)).tolist())
    if not prbs:
        raise ConfigError("prb_set", prb_set, "must not be empty", clause)
    if len(set(prbs)) != len(prbs):
        raise ConfigError("prb_set", prb_set, "must not repeat a PRB", clause)
    return tuple(sorted(prbs))


def allocated_crbs(carrier: Carrier, n_start_bwp: int | None, n_size_bwp: int | None,
                   prb_set: Sequence[int] | None) -> np.ndarray:
    """Common resource blocks of a PRB allocation (PRBs counted from the bandwidth part, all of
    it when ``prb_set`` is None; the carrier is the bandwidth part when none is given).

    Raises
    ------
    ConfigError
        The bandwidth part is outside the carrier or a PRB outside the bandwidth part.
    """
    bwp = channel_bwp(carrier, n_start_bwp, n_size_bwp)
    prbs = np.arange(bwp.n_size_bwp, dtype=np.int64) if prb_set is None \
        else np.asarray(prb_set, dtype=np.int64)
    if prbs[-1] >= bwp.n_size_bwp:
        raise ConfigError("prb_set", int(prbs[-1]),
                          f"PRBs must be < n_size_bwp={bwp.n_size_bwp}", "TS 38.211 §4.4.4.4")
    return prbs + bwp.n_start_bwp


def dmrs_symbols(l_bar: Sequence[int], dmrs: DmrsConfig) -> tuple[np.ndarray, np.ndarray]:
    """Slot symbols of the DM-RS (each l̄ followed by l̄ + 1 for double-symbol DM-RS) and
    their l′."""
    dmrs_l = np.array([lb + lp for lb in l_bar for lp in range(dmrs.length)], dtype=np.int64)
    dmrs_lp = np.array([lp for _ in l_bar for lp in range(dmrs.length)], dtype=np.int64)
    return dmrs_l, dmrs_lp


def n_dmrs_prb(dmrs_symbols: Sequence[int] | np.ndarray, dmrs: DmrsConfig) -> int:
    """N_DMRS^PRB of the transport block size (TS 38.214 §5.1.3.2, §6.1.4.2): the DM-RS REs per
    PRB in the scheduled duration, including the overhead of the DM-RS CDM groups without data.

    In N'_RE = 12 N_symb^sh − N_DMRS^PRB − N_oh^PRB only the DM-RS symbols count, each with the
    subcarriers of the CDM groups without data (6 per group for type 1, 4 for type 2, TS 38.211
    §7.4.1.1.2); PT-RS and other reserved REs are not part of it (their overhead is N_oh^PRB).

    Parameters
    ----------
    dmrs_symbols : sequence of int
        The DM-RS OFDM symbols of the allocation (``plan.dmrs_symbols``).
    dmrs : DmrsConfig

    Returns
    -------
    int
    """
    per_symbol = sum(dmrs_cdm_subcarriers(dmrs.config_type, g).size
                     for g in range(dmrs.n_cdm_groups_without_data))
    return len(dmrs_symbols) * per_symbol


def data_resource_elements(carrier: Carrier, crbs: np.ndarray, start: int, length: int,
                           dmrs_l: np.ndarray, dmrs: DmrsConfig) -> tuple[np.ndarray, np.ndarray]:
    """Data REs of a shared channel in a slot, frequency first then symbol, as flat indices
    ``l * K + k``, and the symbols that carry data. In a DM-RS symbol the subcarriers of the CDM
    groups without data are not used (TS 38.211 §7.3.1.5, §6.3.1.6)."""
    k_sc = carrier.n_subcarriers
    blocked = np.zeros(12, dtype=bool)
    for g in range(dmrs.n_cdm_groups_without_data):
        blocked[dmrs_cdm_subcarriers(dmrs.config_type, g)] = True
    k_rb = (crbs - carrier.n_start_grid)[:, None] * 12 + np.arange(12)[None, :]
    k_all = k_rb.reshape(-1)
    k_dmrs = k_rb[:, ~blocked].reshape(-1)
    rows, syms = [], []
    for sym in range(start, start + length):
        k = k_dmrs if sym in dmrs_l else k_all
        if k.size:
            rows.append(sym * k_sc + k)
            syms.append(sym)
    data = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    return data, np.array(syms, dtype=np.int64)

"""From a scenario's effective configuration to a link: ``pdsch`` (:class:`~opennr.link.PdschLink`),
``pusch`` (``opennr.link.pusch.PuschLink``), ``dlsch-awgn``
(:class:`~opennr.link.DlschAwgnLink`) and ``pucch`` (``opennr.link.pucch.PucchLink``).

:func:`build_link` is what a worker process calls for every batch; it keeps the links it built,
so a worker builds each point's link once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

__all__ = ["build_link", "link_sizes"]


@lru_cache(maxsize=16)
def build_link(spec: Any):
    """The link of a :class:`~opennr.sim.scenario.LinkSpec` (kind and effective configuration).

    Raises
    ------
    ConfigError
        From the link's configuration, naming its own field (the scenario maps it to a key).
    """
    config = json.loads(spec.config)
    builder = _BUILDERS[spec.kind]
    return builder(config)


def link_sizes(link: Any, config: dict) -> tuple[int, float, int]:
    """Transport block size (the payload bits of a PUCCH), slot duration in seconds (TS 38.211
    §4.3.2: 1 ms / 2^μ) and transmissions per block of a built link."""
    slot_seconds = 1e-3 * 15 / config["link"]["scs"]
    if config["link"]["kind"] == "pucch":
        return int(link.block_bits), slot_seconds, 1
    tbs = int(link.sch.tbs)
    rx = config["receiver"]
    return tbs, slot_seconds, rx["max_transmissions"] if rx["harq"] else 1


def _channel_name(config: dict) -> str:
    from opennr.channel import parse_tdl_name

    model = config["channel"]["model"]
    doppler = config["channel"].get("doppler")
    if model == "awgn" or doppler is None:
        return model
    name, _, _ = parse_tdl_name(model)
    return f"{name}-{doppler:g}"


def _grid_parts(config: dict, shared_cls) -> dict:
    """Carrier and the shared-channel allocation fields common to the PDSCH and the PUSCH."""
    from opennr.numerology import Carrier
    from opennr.physical.dmrs import DmrsConfig

    link, dmrs = config["link"], config["link"]["dmrs"]
    carrier = Carrier(scs=link["scs"], n_size_grid=link["n_prb"], n_cell_id=link["n_cell_id"])
    prbs = link["prbs"]
    prb_set = None if prbs is None else tuple(range(prbs[0], prbs[0] + prbs[1]))
    dmrs_config = DmrsConfig(config_type=dmrs["type"], type_a_position=dmrs["type_a_position"],
                             additional_position=dmrs["additional_positions"],
                             length=dmrs["length"],
                             n_cdm_groups_without_data=dmrs["cdm_groups_without_data"])
    fields = {"mapping_type": link["mapping_type"], "symbol_allocation": tuple(link["symbols"]),
              "prb_set": prb_set, "n_layers": link["layers"], "n_rnti": link["n_rnti"],
              "dmrs": dmrs_config}
    if link.get("transform_precoding"):
        fields["transform_precoding"] = True
    return {"carrier": carrier, "shared": shared_cls(**fields)}


def _receiver_fields(config: dict) -> dict:
    link, rx = config["link"], config["receiver"]
    return {"mcs_table": link["mcs_table"], "mcs_index": link["mcs_index"], "n_rx": link["n_rx"],
            "channel": _channel_name(config), "correlation": config["channel"]["correlation"],
            "estimator": rx["estimator"], "equalizer": rx["equalizer"], "harq": rx["harq"],
            "max_transmissions": rx["max_transmissions"],
            "harq_processes": rx["harq_processes"], "decoder": rx["decoder"],
            "max_iterations": rx["iterations"], "tbs": link["tbs"]}


def _pdsch(config: dict):
    from opennr.link.pdsch import PdschLink, PdschLinkConfig
    from opennr.physical.pdsch import PdschConfig

    parts = _grid_parts(config, PdschConfig)
    return PdschLink(PdschLinkConfig(carrier=parts["carrier"], pdsch=parts["shared"],
                                     **_receiver_fields(config)))


def _pusch(config: dict):
    from opennr.link.pusch import PuschLink, PuschLinkConfig
    from opennr.physical.pusch import PuschConfig

    parts = _grid_parts(config, PuschConfig)
    return PuschLink(PuschLinkConfig(carrier=parts["carrier"], pusch=parts["shared"],
                                     tp_pi2bpsk=config["link"]["tp_pi2bpsk"],
                                     **_receiver_fields(config)))


def _dlsch_awgn(config: dict):
    from opennr.link.dlsch import DlschAwgnConfig, DlschAwgnLink

    link, rx = config["link"], config["receiver"]
    return DlschAwgnLink(DlschAwgnConfig(
        mcs_table=link["mcs_table"], mcs_index=link["mcs_index"], n_prb=link["n_prb"],
        n_symbols=link["symbols"][1], n_dmrs_prb=link["n_dmrs_prb"], n_layers=link["layers"],
        tbs=link["tbs"], harq=rx["harq"], max_transmissions=rx["max_transmissions"],
        decoder=rx["decoder"], max_iterations=rx["iterations"], n_rnti=link["n_rnti"]))


#: Default PUCCH symbols (first, count): the last symbol for the short formats 0 and 2, the whole
#: slot for the long formats (TS 38.211 Table 6.3.2.1-1).
_PUCCH_SYMBOLS = {0: (13, 1), 1: (0, 14), 2: (13, 1), 3: (0, 14), 4: (0, 14)}


def _pucch(config: dict):
    """The PUCCH link; with hopping and no second hop PRB, the second hop takes the last PRBs of
    the carrier (the set-up of TS 38.104 §8.3)."""
    from opennr.link.pucch import PucchLink, PucchLinkConfig
    from opennr.numerology import Carrier
    from opennr.physical.pucch import PucchConfig

    link, p = config["link"], config["link"]["pucch"]
    carrier = Carrier(scs=link["scs"], n_size_grid=link["n_prb"], n_cell_id=link["n_cell_id"])
    fmt = p["format"]
    symbols = tuple(p["symbols"]) if p["symbols"] is not None else _PUCCH_SYMBOLS[fmt]
    second = p["second_hop_prb"]
    hopping = p["hopping"] or second is not None
    if hopping and second is None:
        second = max(0, link["n_prb"] - p["n_prb"])
    pucch = PucchConfig(format=fmt, symbol_allocation=symbols, start_prb=p["start_prb"],
                        n_prb=p["n_prb"], second_hop_prb=second if hopping else None,
                        group_hopping=p["group_hopping"], hopping_id=p["hopping_id"],
                        initial_cyclic_shift=p["initial_cyclic_shift"], occ_index=p["occ_index"],
                        spreading_factor=p["spreading_factor"], modulation=p["modulation"],
                        additional_dmrs=p["additional_dmrs"], n_rnti=link["n_rnti"])
    return PucchLink(PucchLinkConfig(
        carrier=carrier, pucch=pucch, n_bits=p["bits"], n_rx=link["n_rx"],
        channel=_channel_name(config), correlation=config["channel"]["correlation"],
        payload=p["payload"], false_alarm=p["false_alarm"], dtx=p["dtx"],
        estimator=p["estimator"]))


_BUILDERS = {"pdsch": _pdsch, "pusch": _pusch, "dlsch-awgn": _dlsch_awgn, "pucch": _pucch}

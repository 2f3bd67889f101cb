"""The figures of a run: metrics per point from the stored counters, curves, the 70 % SNR.

Everything here works from what the results store holds (the points' sizes and the summed batch
counters), so finished, interrupted and imported runs are reported the same way.
"""

from __future__ import annotations

from opennr.sim.stats import crossing_snr, point_metrics

__all__ = ["THROUGHPUT_CRITERION", "summarize_run"]

#: Fraction of the maximum throughput of the conformance requirements (TS 38.101-4 §5.2,
#: TS 38.104 §8.2): a test passes if the throughput reaches 70 % at the required SNR.
THROUGHPUT_CRITERION = 0.7


def summarize_run(record: dict, batches: dict[int, list[dict[str, int]]]) -> dict:
    """Metrics of every point and curve of a stored run.

    Parameters
    ----------
    record : dict
        The run as :meth:`ResultsStore.run` returns it.
    batches : dict
        Batch counters by point (:meth:`ResultsStore.batches`).

    Returns
    -------
    dict
        ``run``, ``name``, ``kind``, ``status``, ``seed``, ``version``, ``config``, ``machine``;
        ``points``: per point its ``point``, ``curve``, ``snr_db``, ``params``, ``tbs``,
        ``status`` (``done``, ``skipped`` below the BLER floor, or ``pending`` in an unfinished
        run), ``batches`` and the figures of :func:`~opennr.sim.stats.point_metrics` (for a PUCCH
        run, with the rates of :func:`~opennr.link.pucch.pucch_metrics`); ``curves``:
        per curve its ``params`` and ``snr_70`` (the SNR at which the throughput reaches 70 %
        of the maximum, interpolated; ``None`` if not reached).
    """
    points = []
    curves: dict[int, dict] = {}
    for meta in record["points"]:
        i = meta["index"]
        counts: dict[str, int] = {}
        for c in batches.get(i, []):
            for k, v in c.items():
                counts[k] = counts.get(k, 0) + int(v)
        figures = point_metrics(counts, tbs=meta["tbs"], slot_seconds=meta["slot_seconds"],
                                max_transmissions=meta["max_transmissions"])
        if record["kind"] == "pucch":
            from opennr.link.pucch import pucch_metrics

            figures.update(pucch_metrics(counts, snr_db=meta["snr_db"]))
        if counts.get("blocks", 0):
            status = "done"
        else:
            status = "skipped" if record["status"] == "done" else "pending"
        row = {"point": i, "curve": meta["curve"], "snr_db": meta["snr_db"],
               "params": meta["params"], "tbs": meta["tbs"], "status": status,
               "batches": len(batches.get(i, [])), **figures}
        points.append(row)
        curve = curves.setdefault(meta["curve"], {"curve": meta["curve"], "params": meta["params"],
                                                  "snrs": [], "throughput": []})
        if status == "done":
            curve["snrs"].append(meta["snr_db"])
            curve["throughput"].append(figures["throughput"])
    out_curves = []
    for curve in curves.values():
        snr_70 = crossing_snr(curve["snrs"], curve["throughput"], THROUGHPUT_CRITERION)
        out_curves.append({"curve": curve["curve"], "params": curve["params"], "snr_70": snr_70})
    return {"run": record["id"], "name": record["name"], "kind": record["kind"],
            "status": record["status"], "seed": record["seed"], "version": record["version"],
            "machine": record["machine"], "config": record["config"], "points": points,
            "curves": out_curves}


def curve_label(name: str, params: dict) -> str:
    """A legend label: the run's name and the curve's swept parameters."""
    if not params:
        return name
    return name + " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"

"""BLER and throughput against SNR, with confidence intervals, for one or several runs.

Drawn with matplotlib's object API on an Agg canvas (no display needed); the file type follows
the suffix (``.png``, ``.svg``, ``.pdf``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from opennr.sim.report import THROUGHPUT_CRITERION, curve_label

__all__ = ["PLOT_SUFFIXES", "plot_runs"]

PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def plot_runs(summaries: Sequence[dict], path: str | Path | None = None, *,
              references: Sequence[float] = ()) -> Figure:
    """Plot the residual BLER (log scale) and the throughput (fraction of the maximum) against
    SNR, one line with 95 % Wilson error bars per curve of every run.

    Parameters
    ----------
    summaries : sequence of dict
        Runs as :func:`opennr.sim.report.summarize_run` returns them.
    path : str or Path, optional
        Where to save the figure (``.png``, ``.svg`` or ``.pdf``).
    references : sequence of float
        SNRs to mark, e.g. the required SNR of a conformance test: a vertical line on both
        axes and a marker at 70 % throughput.

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the BLER, axes 1 the throughput; each curve is one errorbar container.
    """
    if path is not None and Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise ValueError(f"{path}: the plot file must end in " + ", ".join(PLOT_SUFFIXES))
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax_bler, ax_tput = fig.subplots(1, 2)
    for summary in summaries:
        name = f"run {summary['run']}: {summary['name']}"
        for curve in summary["curves"]:
            rows = [p for p in summary["points"]
                    if p["curve"] == curve["curve"] and p["status"] == "done"]
            if not rows:
                continue
            snr = [p["snr_db"] for p in rows]
            label = curve_label(name, curve["params"])
            bler = [p["bler"] for p in rows]
            # A point without errors is drawn at its upper bound (log axes have no 0).
            shown = [b if b > 0 else p["bler_high"] for b, p in zip(bler, rows, strict=True)]
            lo = [s - p["bler_low"] if b > 0 else 0.0 for s, b, p in zip(shown, bler, rows,
                                                                             strict=True)]
            hi = [p["bler_high"] - s for s, p in zip(shown, rows, strict=True)]
            line = ax_bler.errorbar(snr, shown, yerr=[lo, hi], marker="o", ms=4, capsize=3,
                                    label=label)
            color = line.lines[0].get_color()
            tput = [p["throughput"] for p in rows]
            t_lo = [t - p["throughput_low"] for t, p in zip(tput, rows, strict=True)]
            t_hi = [p["throughput_high"] - t for t, p in zip(tput, rows, strict=True)]
            ax_tput.errorbar(snr, tput, yerr=[t_lo, t_hi], marker="o", ms=4, capsize=3,
                             color=color, label=label)
            if curve["snr_70"] is not None and not math.isnan(curve["snr_70"]):
                ax_tput.plot([curve["snr_70"]], [THROUGHPUT_CRITERION], marker="x", ms=8,
                             color=color, linestyle="none")
    for ref in references:
        for ax in (ax_bler, ax_tput):
            ax.axvline(ref, color="k", linestyle="--", linewidth=1)
        ax_tput.plot([ref], [THROUGHPUT_CRITERION], marker="D", color="k", linestyle="none",
                     label=f"reference {ref:g} dB")
    ax_bler.set_yscale("log")
    ax_bler.set_xlabel("SNR (dB)")
    ax_bler.set_ylabel("BLER (residual)")
    ax_bler.grid(True, which="both", alpha=0.3)
    ax_tput.axhline(THROUGHPUT_CRITERION, color="grey", linestyle=":", linewidth=1)
    ax_tput.set_xlabel("SNR (dB)")
    ax_tput.set_ylabel("throughput (fraction of maximum)")
    ax_tput.set_ylim(0, 1.02)
    ax_tput.grid(True, alpha=0.3)
    ax_tput.legend(fontsize="small", loc="lower right")
    if path is not None:
        fig.savefig(path)
    return fig

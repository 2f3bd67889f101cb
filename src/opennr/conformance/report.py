"""The conformance report: one row per case (TS 38.104 §8.2 requirement, what the receiver
achieved, margin, verdict) as Markdown and as one self-contained HTML file, with a
throughput-against-SNR plot per case (PNG files beside the report)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path

from opennr import __version__
from opennr.conformance.runner import CaseResult

__all__ = ["report_rows", "statistics_note", "throughput_cell", "write_report"]

_COLUMNS = ("case", "FRC", "BW/SCS", "antennas", "channel", "estimator", "required SNR dB",
            "throughput at required", "achieved SNR dB", "margin dB", "verdict")


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _snr(x: float, snrs: list[float]) -> str:
    """An SNR of a crossing, or where it lies when outside the sweep (±inf)."""
    if x == -math.inf:
        return f"< {min(snrs):g}"
    if x == math.inf:
        return f"> {max(snrs):g}"
    return f"{x:.2f}"


def _range(lo: float, hi: float, snrs: list[float], *, margin: bool = False) -> str:
    if margin:     # required − achieved: the outside markers swap
        return f"[{_margin(lo)}, {_margin(hi)}]"
    return f"[{_snr(lo, snrs)}, {_snr(hi, snrs)}]"


def _margin(x: float) -> str:
    if x == math.inf:
        return "+inf"
    if x == -math.inf:
        return "-inf"
    return f"{x:.2f}"


def throughput_cell(point: dict) -> str:
    """The throughput of one point with its bounds, batches and slots."""
    if not point["transmissions"]:
        return "-"
    return (f"{point['throughput']:.1%} [{point['low']:.1%}, {point['high']:.1%}] "
            f"({point['batches']} batches, {point['transmissions']} slots)")


def report_rows(results: Sequence[CaseResult]) -> list[dict[str, str]]:
    """The report table: one dict per case, keyed by the column names."""
    rows = []
    for r in results:
        c = r.case
        at_req = min(r.points, key=lambda p: abs(p["snr_db"] - c.snr_db))
        tput = throughput_cell(at_req)
        if r.quick:
            achieved, margin = "-", "-"
            verdict = (f"{r.verdict} ({r.confidence:.0%} one-sided, {at_req['batches']} "
                       "independent batches)")
        else:
            snrs = [p["snr_db"] for p in r.points]
            achieved = _fmt(r.achieved_snr)
            if r.margin_bound == ">":
                achieved = f"< {min(snrs):g}"
            elif r.margin_bound == "<":
                achieved = f"> {max(snrs):g}"
            margin = (r.margin_bound or "") + _fmt(r.margin)
            if r.achieved_range is not None:
                achieved += " " + _range(*r.achieved_range, snrs)
                margin += " " + _range(*r.margin_range, snrs, margin=True)
            verdict = r.verdict
        rows.append({
            "case": c.case, "FRC": c.frc.name,
            "BW/SCS": f"{c.frc.bandwidth_mhz} MHz / {c.frc.scs} kHz",
            "antennas": f"{c.n_tx}x{c.n_rx}, {c.layers} layer(s)",
            "channel": f"{c.channel} {c.correlation}", "estimator": r.estimator,
            "required SNR dB": f"{c.snr_db:g}", "throughput at required": tput,
            "achieved SNR dB": achieved, "margin dB": margin, "verdict": verdict})
    return rows


def statistics_note(results: Sequence[CaseResult]) -> str:
    """How the bounds of the report were obtained."""
    quick = any(r.quick for r in results)
    conf = results[0].confidence if results else 0.95
    size = next((p["batch_size"] for r in results for p in r.points if p["batch_size"]), 1)
    text = (f"Statistics: every batch of {size} transport block(s) with its HARQ retransmissions "
            "is an independent channel realisation; the blocks of one batch share one fading "
            "channel and are not counted as independent. Throughput = delivered blocks / slots "
            "(the long-run ratio E[K]/E[N] over batches); its bounds are a betting confidence "
            "sequence on the batch outcomes (valid for bounded values, whatever their "
            "distribution, and at any stopping batch). ")
    if quick:
        text += (f"Quick: {conf:.0%} one-sided bounds; pass when the lower bound reaches 70 %, "
                 "fail when the upper bound is below it, undecided when the slot limit came "
                 "first. ")
    if not all(r.quick for r in results):
        text += (f"Full sweep: {conf:.0%} two-sided interval per point; the achieved SNR is "
                 "interpolated at 70 % and its range where the upper and lower bounds cross "
                 "70 %. ")
    return text + "BLER bars in the plots count blocks as independent (indicative only)."


def _plot(result: CaseResult, path: Path) -> None:
    from opennr.sim.plot import plot_runs

    summary = dict(result.summary)
    summary["name"] = f"{result.case.case} {result.case.frc.name}"
    fig = plot_runs([summary], None, references=[result.case.snr_db])
    fig.suptitle(f"{result.case.source}: {result.case.frc.name}, {result.case.n_tx}x"
                 f"{result.case.n_rx}, {result.case.channel}", fontsize="small")
    fig.savefig(path, dpi=90)


def write_report(results: Sequence[CaseResult], out_dir: str | Path, *,
                 title: str = "opennr conformance report", note: str = "") -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and ``<case>.png`` (one plot per case) to
    ``out_dir``; returns the paths of the two reports."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = report_rows(results)
    images = []
    for r in results:
        png = out / f"{r.case.case}.png"
        _plot(r, png)
        images.append(png)
    tally = ", ".join(f"{sum(r.verdict == v for r in results)} {v}"
                      for v in ("pass", "fail", "undecided"))
    head = (f"opennr {__version__}; {len(results)} case(s): {tally}. Criterion: throughput "
            "≥ 70 % of the maximum at the required SNR (TS 38.104 §8.2.1.1), 4 HARQ "
            "transmissions with RV 0, 2, 3, 1, practical channel estimation.")
    stats = statistics_note(results)
    md = [f"# {title}", "", head, "", stats, ""]
    if note:
        md += [note, ""]
    md.append("| " + " | ".join(_COLUMNS) + " |")
    md.append("|" + "---|" * len(_COLUMNS))
    for row in rows:
        md.append("| " + " | ".join(row[c] for c in _COLUMNS) + " |")
    md.append("")
    for r, png in zip(results, images, strict=True):
        md += [f"## {r.case.case}: {r.case.frc.name}", "", f"Source: {r.case.source}; results "
               f"store run {r.run_id}.", "", f"![{r.case.case}]({png.name})", ""]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #999;padding:3px 6px;font-size:90%}"
             ".pass{background:#d8f5d0}.fail{background:#f8d0d0}.undecided{background:#f5efc8}")
    h = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
         f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
         f"<p>{html.escape(head)}</p><p>{html.escape(stats)}</p>"]
    if note:
        h.append(f"<p>{html.escape(note)}</p>")
    h.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS) + "</tr>")
    for r, row in zip(results, rows, strict=True):
        h.append(f"<tr class='{html.escape(r.verdict)}'>"
                 + "".join(f"<td>{html.escape(row[c])}</td>" for c in _COLUMNS) + "</tr>")
    h.append("</table>")
    for r, png in zip(results, images, strict=True):
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        h.append(f"<h2>{html.escape(r.case.case)}: {html.escape(r.case.frc.name)}</h2>"
                 f"<p>{html.escape(r.case.source)}; results store run {r.run_id}.</p>"
                 f"<img alt='{html.escape(png.name)}' src='data:image/png;base64,{data}'>")
    h.append("</body></html>")
    html_path = out / "report.html"
    html_path.write_text("\n".join(h), encoding="utf-8")
    return md_path, html_path

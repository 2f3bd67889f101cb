"""The conformance report: one row per case (TS 38.104 §8.2 / TS 38.101-4 §5.2 throughput
requirement, or the TS 38.104 §8.3 PUCCH criteria; what the receiver achieved, margin, verdict) as
Markdown and as one self-contained HTML file, with a throughput-against-SNR plot per throughput
case (PNG files beside the report)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path

from opennr import __version__
from opennr.conformance.runner import CaseResult

__all__ = ["criteria_cell", "report_rows", "statistics_note", "throughput_cell", "write_report"]

_COLUMNS = ("case", "FRC", "BW/SCS", "antennas", "channel", "estimator", "required SNR dB",
            "criterion", "measured at required SNR", "achieved SNR dB", "margin dB", "verdict")


def _is_pucch(result) -> bool:
    """A PUCCH result (TS 38.104 §8.3) carries its criteria's figures instead of throughput."""
    return hasattr(result, "figures")


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


def criteria_cell(figures: dict) -> str:
    """The measured probabilities of a PUCCH case (TS 38.104 §8.3), each with its one-sided bounds
    ``[low, high]`` and its limit."""
    return "; ".join(f"{m} {est:.2%} [{lo:.2%}, {hi:.2%}] (limit {lim:.1%})"
                     for m, (est, lo, hi, lim) in figures.items())


def _pucch_row(r) -> dict[str, str]:
    c = r.case
    verdict = (f"{r.verdict} ({r.confidence:.0%} over checkpoints and criteria, bounds at level "
               f"{r.alpha:.2g}, {r.slots} independent slots)")
    return {"case": c.case, "FRC": c.frc.name,
            "BW/SCS": f"{c.bandwidth_mhz} MHz / {c.scs} kHz",
            "antennas": f"{c.n_tx}x{c.n_rx}", "channel": f"{c.channel} {c.correlation}",
            "estimator": r.estimator, "required SNR dB": f"{c.snr_db:g}",
            "criterion": " and ".join(f"{m} ≤ {lim:.1%}" for m, lim in c.criteria),
            "measured at required SNR": criteria_cell(r.figures), "achieved SNR dB": "-",
            "margin dB": "-", "verdict": verdict}


def report_rows(results: Sequence) -> list[dict[str, str]]:
    """The report table: one dict per case, keyed by the column names (a PUCCH case's row from
    the figures of its criteria, the others' from their throughput)."""
    rows = []
    for r in results:
        if _is_pucch(r):
            rows.append(_pucch_row(r))
            continue
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
            "required SNR dB": f"{c.snr_db:g}",
            "criterion": f"throughput ≥ {c.fraction:.0%}", "measured at required SNR": tput,
            "achieved SNR dB": achieved, "margin dB": margin, "verdict": verdict})
    return rows


def statistics_note(results: Sequence) -> str:
    """How the bounds of the report were obtained."""
    pucch = [r for r in results if _is_pucch(r)]
    results = [r for r in results if not _is_pucch(r)]
    text = ""
    if pucch:
        text = ("PUCCH (TS 38.104 §8.3): every slot is an independent channel realisation; each "
                "probability has exact (Clopper-Pearson) one-sided bounds, judged at doubling "
                "checkpoints (500, 1000, 2000 ... slots) at level (1 − confidence) over the "
                f"checkpoints and criteria ({pucch[0].confidence:.0%} overall): pass when every "
                "upper bound is within its limit, fail when a lower bound exceeds it, undecided "
                "at the slot limit. ")
    if not results:
        return text.rstrip()
    quick = any(r.quick for r in results)
    conf = results[0].confidence
    size = next((p["batch_size"] for r in results for p in r.points if p["batch_size"]), 1)
    text += (f"Statistics: every batch of {size} transport block(s) with its HARQ "
             "retransmissions is an independent channel realisation; the blocks of one batch share "
             "one fading channel and are not counted as independent. Throughput = delivered "
             "blocks / slots (the long-run ratio E[K]/E[N] over batches); its bounds are a betting "
             "confidence sequence on the batch outcomes (valid for bounded values, whatever their "
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


def write_report(results: Sequence, out_dir: str | Path, *,
                 title: str = "opennr conformance report", note: str = "") -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and ``<case>.png`` (one plot per case) to
    ``out_dir`` (no plot for a PUCCH case, judged at its required SNR only); returns the paths
    of the two reports."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = report_rows(results)
    images: list[Path | None] = []
    for r in results:
        png = None
        if not _is_pucch(r):
            png = out / f"{r.case.case}.png"
            _plot(r, png)
        images.append(png)
    tally = ", ".join(f"{sum(r.verdict == v for r in results)} {v}"
                      for v in ("pass", "fail", "undecided"))
    criteria = []
    if any(not _is_pucch(r) for r in results):
        criteria.append("throughput ≥ 70 % of the maximum at the required SNR (TS 38.104 "
                        "§8.2.1.1, TS 38.101-4 §5.2), 4 HARQ transmissions with RV 0, 2, 3, 1, "
                        "practical channel estimation")
    if any(_is_pucch(r) for r in results):
        criteria.append("PUCCH: the probabilities of TS 38.104 §8.3 (missed ACK, NACK-to-ACK, "
                        "DTX-to-ACK, UCI BLER) within their limits at the required SNR, DM-RS "
                        "channel estimation")
    head = (f"opennr {__version__}; {len(results)} case(s): {tally}. Criteria: "
            + "; ".join(criteria or ["none"]) + ".")
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
               f"store run {r.run_id}.", ""]
        md += [f"![{r.case.case}]({png.name})", ""] if png is not None else [r.line(), ""]
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
        h.append(f"<h2>{html.escape(r.case.case)}: {html.escape(r.case.frc.name)}</h2>"
                 f"<p>{html.escape(r.case.source)}; results store run {r.run_id}.</p>")
        if png is None:
            h.append(f"<p>{html.escape(r.line())}</p>")
        else:
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            h.append(f"<img alt='{html.escape(png.name)}' src='data:image/png;base64,{data}'>")
    h.append("</body></html>")
    html_path = out / "report.html"
    html_path.write_text("\n".join(h), encoding="utf-8")
    return md_path, html_path

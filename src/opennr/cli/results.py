"""``opennr results``: list, show, export and plot the runs of a results store."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opennr.cli._console import console, err_console
from opennr.cli.simulate import DEFAULT_STORE, json_safe, print_summary

results_app = typer.Typer(no_args_is_help=True, help="Runs in a results store: list, show, "
                                                     "export, plot.")

StoreOption = Annotated[Path, typer.Option(help="SQLite results store.")]


def _open(store: Path):
    from opennr.sim.store import ResultsStore, StoreError

    try:
        return ResultsStore(store, readonly=True)
    except StoreError as exc:
        _fail(exc)


def _fail(exc: Exception):
    err_console.print(f"[red]error:[/] {exc}")
    raise typer.Exit(2) from None


def _summary(db, run_id: int) -> dict:
    from opennr.sim.report import summarize_run
    from opennr.sim.store import StoreError

    try:
        return summarize_run(db.run(run_id), db.batches(run_id))
    except StoreError as exc:
        _fail(exc)


@results_app.command("list")
def list_runs(store: StoreOption = DEFAULT_STORE) -> None:
    """The runs of the store: id, name, status, points, batches, seed, version, date."""
    with _open(store) as db:
        table = Table(title=f"Runs in {store}")
        for col in ("run", "name", "kind", "status", "points", "batches", "seed", "version",
                    "started"):
            table.add_column(col, justify="right" if col in ("run", "points", "batches", "seed")
                             else "left")
        for rec in db.runs():
            table.add_row(str(rec["id"]), rec["name"], rec["kind"], rec["status"],
                          str(len(rec["points"])), str(db.batch_count(rec["id"])), str(rec["seed"]),
                          rec["version"], time.strftime("%Y-%m-%d %H:%M", time.localtime(rec["created"])))
        console.print(table)


@results_app.command()
def show(run: Annotated[int, typer.Argument(help="Run id.")],
         store: StoreOption = DEFAULT_STORE) -> None:
    """A run's configuration, machine and figures per point."""
    with _open(store) as db:
        summary = _summary(db, run)
    m = summary["machine"]
    console.print(f"run {summary['run']} ({summary['status']}): {summary['name']}; opennr "
                  f"{summary['version']}, seed {summary['seed']}, {m.get('node', '')} "
                  f"{m.get('platform', '')}, {m.get('cpu_count', '?')} CPUs")
    print_summary(summary)


@results_app.command()
def export(run: Annotated[int, typer.Argument(help="Run id.")],
           as_csv: Annotated[bool, typer.Option("--csv", help="One CSV row per point.")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="The whole run as JSON.")] = False,
           output: Annotated[Path | None, typer.Option("-o", "--output",
                                                       help="File to write (default: stdout).")]
           = None,
           store: StoreOption = DEFAULT_STORE) -> None:
    """Export a run's figures as CSV (one row per point) or JSON (configuration included)."""
    if as_csv == as_json:
        _fail(ValueError("choose one of --csv and --json"))
    with _open(store) as db:
        summary = _summary(db, run)
    if as_json:
        text = json.dumps(json_safe(summary), indent=2) + "\n"
    else:
        text = to_csv(summary)
    if output is None:
        print(text, end="")
    else:
        output.write_text(text)
        console.print(f"wrote {output}")


def to_csv(summary: dict) -> str:
    """One row per point: run, curve, swept parameters, SNR, status and every figure."""
    param_names = list(dict.fromkeys(k for p in summary["points"] for k in p["params"]))
    figure_names = list(dict.fromkeys(k for p in summary["points"] for k in p
                                      if k not in ("params", "point", "curve", "snr_db", "status")))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["run", "point", "curve", *param_names, "snr_db", "status", *figure_names])
    for p in summary["points"]:
        writer.writerow([summary["run"], p["point"], p["curve"],
                         *(p["params"].get(k, "") for k in param_names), p["snr_db"], p["status"],
                         *(p.get(k, "") for k in figure_names)])
    return buf.getvalue()


@results_app.command()
def plot(runs: Annotated[list[int], typer.Argument(help="Run ids (several share the figure).")],
         output: Annotated[Path, typer.Option("-o", "--output", help="Image to write: .png, .svg "
                                                                     "or .pdf.")],
         reference: Annotated[list[float] | None, typer.Option(
             "--reference", help="SNR to mark (e.g. a conformance requirement); repeatable.")]
         = None,
         store: StoreOption = DEFAULT_STORE) -> None:
    """BLER (log) and throughput against SNR with 95 % confidence intervals."""
    from opennr.sim.plot import PLOT_SUFFIXES, plot_runs

    if output.suffix.lower() not in PLOT_SUFFIXES:
        _fail(ValueError(f"{output}: the plot file must end in " + ", ".join(PLOT_SUFFIXES)))
    with _open(store) as db:
        summaries = [_summary(db, r) for r in runs]
    plot_runs(summaries, output, references=reference or ())
    console.print(f"wrote {output}")

"""``opennr simulate``: run a scenario file (or the built-in default) into the results store."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from opennr import __version__
from opennr.cli._console import console, err_console
from opennr.errors import ConfigError

DEFAULT_STORE = Path("opennr-results.db")


def simulate(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario file (TOML); without it, the built-in PDSCH TDLC300-100 1x2 scenario.",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (0: one per CPU; default: this process only).")] = None,
    dask: Annotated[str | None, typer.Option(
        help="Run on Dask: 'local:N' starts a local cluster of N processes, 'tcp://host:8786' "
             "attaches to a scheduler.")] = None,
    dask_timeout: Annotated[float, typer.Option(help="Seconds to wait for the Dask scheduler.")]
        = 10.0,
    store: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_STORE,
    resume: Annotated[bool, typer.Option(
        help="Continue the latest unfinished run of this scenario (without a scenario: of the "
             "store).")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress display.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Link-level simulation of a scenario: BLER, throughput, BER and EVM against SNR.

    The figures come with confidence intervals; every batch is committed to the results store.
    """
    from opennr.sim.executors import ExecutorError, make_executor
    from opennr.sim.runner import execute_run, start_run
    from opennr.sim.scenario import DEFAULT_SCENARIO, load_scenario
    from opennr.sim.store import ResultsStore, StoreError

    try:
        if workers is not None and dask is not None:
            raise ConfigError("--workers", workers, "cannot be combined with --dask")
        if workers is not None and workers < 0:
            raise ConfigError("--workers", workers, "must be >= 0")
        if scenario is None and not resume:
            scenario = DEFAULT_SCENARIO
        loaded = load_scenario(scenario) if scenario is not None else None
    except ConfigError as exc:
        _fail(exc)
    try:
        # The executor first: a scheduler out of reach leaves the store as it was.
        executor = make_executor(workers, dask, dask_timeout=dask_timeout)
    except ExecutorError as exc:
        _fail(exc)
    handle = None
    try:
        db = ResultsStore(store)
    except StoreError as exc:
        executor.close()
        _fail(exc)
    try:
        handle = start_run(db, loaded, resume=resume)
        sc = handle.scenario
        if not quiet and not as_json:
            verb = "resuming" if handle.resumed else "run"
            console.print(f"[bold]opennr {__version__}[/] {verb} {handle.run_id} in {store}: "
                          f"{sc.name}; {len(sc.points)} points, seed {sc.seed}, "
                          f"{executor.workers} worker(s)")
        with _Display(sc, quiet or as_json) as display:
            summary = execute_run(db, handle, executor, on_progress=display.progress,
                                  on_point_done=display.point_done)
    except KeyboardInterrupt:
        _stopped(handle, "interrupted", scenario, store)
        raise typer.Exit(130) from None
    except (ConfigError, StoreError) as exc:
        _fail(exc)
    except Exception as exc:  # a worker lost, a cluster gone: the committed batches stay
        _stopped(handle, f"stopped by {type(exc).__name__}: {exc}", scenario, store)
        raise typer.Exit(1) from None
    finally:
        executor.close()
        db.close()
    if as_json:
        print(json.dumps(json_safe(summary), indent=2))
    else:
        print_summary(summary)


def _stopped(handle, why: str, scenario, store) -> None:
    if handle is None:
        err_console.print(why)
        return
    again = " ".join(str(x) for x in ("opennr simulate", scenario, "--resume --store", store)
                     if x is not None)
    err_console.print(f"{why}: run {handle.run_id} keeps its committed batches; continue it with "
                      f"`{again}`")


def _fail(exc: Exception):
    err_console.print(f"[red]error:[/] {exc}")
    raise typer.Exit(2) from None


def json_safe(value):
    """NaN and infinities as ``null`` (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


class _Display:
    """Rich progress: one bar per point being simulated and one for the whole sweep."""

    def __init__(self, scenario, quiet: bool):
        self.scenario = scenario
        self.stop = scenario.stop_rule()
        self.quiet = quiet
        self.tasks: dict[int, TaskID] = {}
        self.progress = self._noop if quiet else self._update
        self.point_done = self._noop if quiet else self._done
        self._bar: Progress | None = None

    def __enter__(self):
        if not self.quiet:
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=console, transient=False)
            self._bar.__enter__()
            self.overall = self._bar.add_task("sweep", total=len(self.scenario.points),
                                              info="points")
            self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False

    def _noop(self, point, result) -> None:
        pass

    def _label(self, point: int) -> str:
        p = self.scenario.points[point]
        params = "".join(f" {k}={v}" for k, v in p.params.items())
        return f"{p.snr_db:6.2f} dB{params}"

    def _update(self, point, result) -> None:
        from opennr.sim.engine import expected_blocks

        c = result.counts
        if point not in self.tasks:
            self.tasks[point] = self._bar.add_task(self._label(point), total=self.stop.max_blocks,
                                                   info="")
        self._bar.update(self.tasks[point], completed=c["blocks"],
                         total=expected_blocks(self.stop, c),
                         info=f"errors {c['block_errors']}  BLER {result.bler:.3g}")

    def _done(self, point, result) -> None:
        task = self.tasks.pop(point, None)
        if task is not None:
            self._bar.remove_task(task)
        c = result.counts
        label = self._label(point)
        if result.skipped:
            self._bar.console.print(f"{label}: skipped (below the BLER floor)")
        else:
            tput = c.get("delivered_bits", 0) / (self.scenario.points[point].tbs
                                                  * max(1, c.get("transmissions", 0)))
            self._bar.console.print(f"{label}: {c['blocks']} blocks, {c['block_errors']} errors, "
                                    f"BLER {result.bler:.3g}, throughput {tput:.1%}")
        self._bar.advance(self.overall)


def print_summary(summary: dict) -> None:
    """The results of a run as tables, one per curve, with the 70 % throughput SNR (for a
    PUCCH run, the detection and error rates of TS 38.104 §8.3 instead)."""
    if summary["kind"] == "pucch":
        _print_pucch_summary(summary)
        return
    for curve in summary["curves"]:
        params = ", ".join(f"{k}={v}" for k, v in curve["params"].items())
        title = f"run {summary['run']}: {summary['name']}" + (f" ({params})" if params else "")
        rows = [p for p in summary["points"] if p["curve"] == curve["curve"]]
        harq = any("bler_tx2" in p for p in rows)
        table = Table(title=title)
        columns = ["SNR dB", "blocks", "errors", "BLER", "95% interval"]
        columns += ["BLER 1st tx"] if harq else []
        columns += ["throughput", "Mbit/s", "BER", "EVM", "iterations"]
        for col in columns:
            table.add_column(col, justify="right")
        for r in rows:
            if r["status"] != "done":
                table.add_row(f"{r['snr_db']:g}", "-", "-", r["status"], *[""] * (len(columns) - 4))
                continue
            cells = [f"{r['snr_db']:g}", str(r["blocks"]), str(r["block_errors"]),
                     f"{r['bler']:.3g}", f"{r['bler_low']:.2g}-{r['bler_high']:.2g}"]
            cells += [f"{r['bler_tx1']:.3g}"] if harq else []
            evm = "-" if math.isnan(r["evm"]) else f"{100 * r['evm']:.2f}%"
            cells += [f"{r['throughput']:.1%}", f"{r['throughput_mbps']:.2f}", f"{r['ber']:.2e}",
                      evm, f"{r['iterations']:.2f}"]
            table.add_row(*cells)
        console.print(table)
        snr_70 = curve["snr_70"]
        console.print("70 % of the maximum throughput at "
                      + ("(not reached in the sweep)" if snr_70 is None else f"{snr_70:.2f} dB"))


#: Columns of a PUCCH run: heading -> rate of :func:`opennr.link.pucch.pucch_metrics`.
_PUCCH_COLUMNS = {"UCI BLER": "bler", "ACK missed": "ack_missed", "NACK->ACK": "nack_to_ack",
                  "DTX->ACK": "dtx_to_ack"}


def _print_pucch_summary(summary: dict) -> None:
    for curve in summary["curves"]:
        params = ", ".join(f"{k}={v}" for k, v in curve["params"].items())
        title = f"run {summary['run']}: {summary['name']}" + (f" ({params})" if params else "")
        rows = [p for p in summary["points"] if p["curve"] == curve["curve"]]
        shown = [h for h, k in _PUCCH_COLUMNS.items()
                 if any(not math.isnan(r.get(k, math.nan)) for r in rows)]
        table = Table(title=title)
        for col in ["SNR dB", "slots", *shown]:
            table.add_column(col, justify="right")
        for r in rows:
            if r["status"] != "done":
                table.add_row(f"{r['snr_db']:g}", "-", r["status"], *[""] * (len(shown) - 1))
                continue
            cells = [f"{r['snr_db']:g}", str(r["blocks"])]
            for h in shown:
                k = _PUCCH_COLUMNS[h]
                v = r[k]
                cells.append("-" if math.isnan(v) else
                             f"{v:.3g} ({r[k + '_low']:.2g}-{r[k + '_high']:.2g})")
            table.add_row(*cells)
        console.print(table)

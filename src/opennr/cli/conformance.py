"""``opennr conformance``: the 3GPP performance requirements (TS 38.104 §8.2 PUSCH and §8.3 PUCCH,
TS 38.101-4 §5.2 PDSCH) — list the cases, run them into the results store, write the report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opennr import __version__
from opennr.cli._console import console, err_console
from opennr.errors import ConfigError

conformance_app = typer.Typer(no_args_is_help=True, help="3GPP performance requirements: list "
                                                         "the test cases, run them, report.")

DEFAULT_STORE = Path("opennr-conformance.db")


def _fail(exc: Exception):
    err_console.print(f"[red]error:[/] {exc}")
    raise typer.Exit(2) from None


@conformance_app.command("list")
def list_cases(
    cases: Annotated[list[str] | None, typer.Argument(
        help="Cases by identifier, FRC, table or shell pattern (default: all).",
        show_default=False)] = None,
) -> None:
    """The test cases, PUSCH, PUCCH and PDSCH rows in turn: identifier, link, FRC (or PUCCH
    resource and test), bandwidth/SCS, antennas, channel, required SNR, whether it is in the
    default set and whether it can run (or which feature it needs)."""
    import math

    from opennr.conformance import case_status, select_cases
    from opennr.conformance.cases import all_cases

    try:
        chosen = select_cases(cases) if cases else list(all_cases())
    except ConfigError as exc:
        _fail(exc)
    in_default = {c.case for c in select_cases([])}      # what `run` without names runs
    table = Table(title="Conformance cases: TS 38.104 §8.2 PUSCH, §8.3 PUCCH; TS 38.101-4 §5.2 "
                        "PDSCH",
                  caption="PUSCH, PDSCH: throughput ≥ 70 % at the required SNR. PUCCH: the "
                          "probabilities of the test named in the FRC column (missed ACK, "
                          "NACK-to-ACK, UCI BLER; DTX-to-ACK or detection on noise) within their "
                          "limits. ants: transmit x receive antennas, layers or PUCCH format. "
                          "dflt: in the set `run` takes without names.")
    for col in ("case", "link", "FRC", "MHz/kHz", "ants", "channel", "SNR dB", "dflt", "status"):
        table.add_column(col, justify="right" if col == "SNR dB" else "left",
                         no_wrap=col in ("case", "FRC", "channel", "ants"), overflow="fold",
                         min_width=10 if col == "status" else None)
    for c in chosen:
        status = case_status(c)
        shown = "[green]runnable[/]" if status == "runnable" else f"[yellow]{status}[/]"
        antennas = f"{c.n_tx}x{c.n_rx} " + (f"F{c.format}" if c.link == "pucch" else f"{c.layers}L")
        snr = "-" if math.isnan(c.snr_db) else f"{c.snr_db:g}"
        channel = f"{c.channel} {c.correlation}".strip() or "-"
        table.add_row(c.case, c.link.upper(), c.frc.name, f"{c.frc.bandwidth_mhz}/{c.frc.scs}",
                      antennas, channel, snr, "yes" if c.case in in_default else "", shown)
    console.print(table)


@conformance_app.command("run")
def run(
    cases: Annotated[list[str] | None, typer.Argument(
        help="Cases by identifier, FRC, table or shell pattern (default: the quick default set).",
        show_default=False)] = None,
    quick: Annotated[bool, typer.Option(
        help="Only the required SNR, until a one-sided bound on the throughput over independent "
             "batches decides pass/fail.")] = False,
    max_slots: Annotated[int | None, typer.Option(
        help="Slot limit per SNR point (default 3000 quick, 1500 full; PUCCH cases 20000); "
             "reached without a decision, the quick verdict is 'undecided'.")] = None,
    min_batches: Annotated[int, typer.Option(
        help="Quick: independent batches before a verdict may be taken.")] = 20,
    batch_size: Annotated[int, typer.Option(
        help="Transport blocks per batch (one channel realisation each).")] = 1,
    confidence: Annotated[float, typer.Option(help="Confidence of the bounds.")] = 0.95,
    span: Annotated[float, typer.Option(help="Full sweep: required SNR ± span dB.")] = 3.0,
    step: Annotated[float, typer.Option(help="Full sweep: SNR step in dB.")] = 1.0,
    estimator: Annotated[str | None, typer.Option(
        help="Channel estimator (default: the best practical one; never perfect CSI).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random streams.")] = 1,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (0: one per CPU; default: this process only).")] = None,
    dask: Annotated[str | None, typer.Option(
        help="Run on Dask: 'local:N' or a scheduler address such as tcp://host:8786.")] = None,
    store: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_STORE,
    resume: Annotated[bool, typer.Option(
        help="Reuse finished runs of the same cases and settings and continue unfinished ones.")]
        = False,
    output: Annotated[Path, typer.Option("-o", "--output", help="Report folder.")]
        = Path("conformance-report"),
) -> None:
    """Run conformance cases through the simulation engine and write the report (Markdown, HTML,
    one throughput plot per PUSCH/PDSCH case). PUCCH cases run at their required SNR with their
    own criteria (TS 38.104 §8.3), with or without --quick."""
    from opennr.conformance import (
        ConformanceOptions,
        case_status,
        report_rows,
        run_cases,
        select_cases,
        write_report,
    )
    from opennr.sim.executors import ExecutorError, make_executor
    from opennr.sim.store import ResultsStore, StoreError

    try:
        if workers is not None and dask is not None:
            raise ConfigError("--workers", workers, "cannot be combined with --dask")
        if workers is not None and workers < 0:
            raise ConfigError("--workers", workers, "must be >= 0")
        if estimator == "perfect":
            raise ConfigError("--estimator", estimator, "a conformance test uses a practical "
                              "channel estimator, not perfect CSI", "TS 38.104 §8.1")
        chosen = select_cases(cases or [])
        blocked = [(c, s) for c in chosen if (s := case_status(c)) != "runnable"]
        for c, s in blocked:
            err_console.print(f"{c.case}: [yellow]{s}[/], not run")
        chosen = [c for c in chosen if all(c is not b for b, _ in blocked)]
        options = ConformanceOptions(quick=quick, max_slots=max_slots, min_batches=min_batches,
                                     confidence=confidence, span=span, step=step,
                                     estimator=estimator, seed=seed, batch_size=batch_size)
        options.stop()
    except ConfigError as exc:
        _fail(exc)
    try:
        executor = make_executor(workers, dask)
    except ExecutorError as exc:
        _fail(exc)
    t0 = time.perf_counter()
    from opennr.conformance.runner import PUCCH_MAX_SLOTS

    how = []
    if any(c.link != "pucch" for c in chosen):
        how.append(options.label())
    if any(c.link == "pucch" for c in chosen):
        how.append(f"PUCCH at the required SNR, max {max_slots or PUCCH_MAX_SLOTS} slots")
    console.print(f"[bold]opennr {__version__}[/] conformance, {len(chosen)} case(s), "
                  f"{'; '.join(how) or options.label()}, {executor.workers} worker(s), "
                  f"store {store}")

    def started(case) -> None:
        console.print(f"{case.case} {case.frc.name} {case.n_tx}x{case.n_rx} {case.channel}, "
                      f"required {case.snr_db:g} dB ...")

    def finished(r) -> None:
        elapsed = f"({time.perf_counter() - t0:.0f} s)"
        if hasattr(r, "figures"):     # a PUCCH case: its criteria, not throughput
            crit = "; ".join(f"{m} {est:.2%} [{lo:.2%}, {hi:.2%}] (limit {lim:.1%})"
                             for m, (est, lo, hi, lim) in r.figures.items())
            console.print(f"  {r.verdict}: {crit} at {r.case.snr_db:g} dB, one-sided bounds "
                          f"({r.confidence:.0%} overall) over {r.slots} independent slots "
                          f"{elapsed}", soft_wrap=True)
            return
        if r.quick:
            p = r.points[0]
            console.print(f"  {r.verdict}: throughput {p['throughput']:.1%} at {p['snr_db']:g} "
                          f"dB, {r.confidence:.0%} one-sided bounds [{p['low']:.1%}, "
                          f"{p['high']:.1%}] over {p['batches']} independent batches "
                          f"({p['blocks']} blocks, {p['transmissions']} slots) {elapsed}",
                          soft_wrap=True)
            return
        for p in r.points:
            if p["transmissions"]:
                console.print(f"    {p['snr_db']:g} dB: throughput {p['throughput']:.1%} "
                              f"[{p['low']:.1%}, {p['high']:.1%}] over {p['batches']} batches "
                              f"({p['transmissions']} slots)", soft_wrap=True)
        row = report_rows([r])[0]
        console.print(f"  {r.verdict}: 70 % at {row['achieved SNR dB']} dB "
                      f"({r.confidence:.0%} range), margin {row['margin dB']} dB {elapsed}",
                      soft_wrap=True)

    try:
        with ResultsStore(store) as db:
            results = run_cases(db, chosen, options, executor=executor, resume=resume,
                                on_case=started, on_result=finished)
    except KeyboardInterrupt:
        err_console.print("interrupted: the committed batches stay in the store; continue with "
                          "--resume")
        raise typer.Exit(130) from None
    except (ConfigError, StoreError) as exc:
        _fail(exc)
    finally:
        executor.close()
    note = ""
    if blocked:
        note = "Not run: " + "; ".join(f"{c.case} ({s})" for c, s in blocked) + "."
    md, page = write_report(results, output, note=note)
    tally = ", ".join(f"{sum(r.verdict == v for r in results)} {v}"
                      for v in ("pass", "fail", "undecided") if any(r.verdict == v for r in results))
    console.print(f"{len(results)} case(s): {tally or 'none run'} in {time.perf_counter() - t0:.0f} "
                  f"s; report {md} and {page}")

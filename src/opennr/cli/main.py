"""The ``opennr`` command line: ``simulate``, ``bench`` and ``info``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opennr import __version__
from opennr.errors import ConfigError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="opennr: an open 5G New Radio physical layer.")
# A table piped to a file or a log keeps its columns readable.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, soft_wrap=True)


def parse_snrs(text: str) -> list[float]:
    """SNR points from ``"start:stop:step"`` (stop included) or a comma-separated list."""
    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            n = int(np.floor((stop - start) / step + 1e-9)) + 1
            return [round(start + i * step, 6) for i in range(n)]
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ConfigError("snr", text, "must be 'start:stop:step' with step > 0 and stop >= start, "
                          "or a comma-separated list of dB values") from None


@app.command()
def simulate(
    mcs_table: Annotated[str, typer.Option(help="MCS table: qam64, qam256, qam64LowSE, qam1024.")]
        = "qam64",
    mcs: Annotated[int, typer.Option(help="MCS index.")] = 16,
    prb: Annotated[int, typer.Option(help="Number of allocated PRBs.")] = 52,
    symbols: Annotated[int, typer.Option(help="OFDM symbols of the allocation.")] = 14,
    dmrs_re: Annotated[int, typer.Option(help="DM-RS REs per PRB (overhead).")] = 12,
    layers: Annotated[int, typer.Option(help="Number of layers.")] = 1,
    tbs: Annotated[int | None, typer.Option(help="Transport block size (default: TS 38.214).")]
        = None,
    snr: Annotated[str, typer.Option(help="SNR points in dB: 'start:stop:step' or a list.")]
        = "8:10:0.25",
    harq: Annotated[bool, typer.Option(help="HARQ with RV sequence 0,2,3,1 and soft combining.")]
        = False,
    max_tx: Annotated[int, typer.Option(help="Transmissions per TB with HARQ.")] = 4,
    decoder: Annotated[str, typer.Option(help="LDPC decoder: nms, oms, spa.")] = "nms",
    iterations: Annotated[int, typer.Option(help="Maximum LDPC iterations.")] = 10,
    min_errors: Annotated[int, typer.Option(help="Stop a point after this many TB errors.")] = 100,
    max_blocks: Annotated[int, typer.Option(help="Stop a point after this many TBs.")] = 2000,
    batch: Annotated[int, typer.Option(help="TBs per batch.")] = 32,
    bler_floor: Annotated[float, typer.Option(help="Skip higher SNRs once BLER falls below.")]
        = 1e-3,
    seed: Annotated[int, typer.Option(help="Seed of the run.")] = 1,
    store: Annotated[Path, typer.Option(help="SQLite results store.")] = Path("opennr-results.db"),
    resume: Annotated[bool, typer.Option(help="Resume the latest unfinished run in the store.")]
        = False,
    quiet: Annotated[bool, typer.Option(help="No progress display.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Coded BLER of the DL-SCH over AWGN, swept over SNR."""
    from opennr.link.dlsch import DlschAwgnConfig, DlschAwgnLink
    from opennr.sim import ResultsStore, StopRule, run_sweep
    from opennr.sim.store import StoreError

    try:
        with ResultsStore(store) as db:
            if resume:
                run_id = db.latest_unfinished()
                if run_id is None:
                    raise StoreError(f"{store}: no unfinished run to resume")
                rec = db.run(run_id)
                config = DlschAwgnConfig(**rec["config"]["link"])
                stop = StopRule(**rec["config"]["stop"])
                snrs, seed = rec["snrs"], rec["seed"]
            else:
                config = DlschAwgnConfig(
                    mcs_table=mcs_table, mcs_index=mcs, n_prb=prb, n_symbols=symbols,
                    n_dmrs_prb=dmrs_re, n_layers=layers, tbs=tbs, harq=harq,
                    max_transmissions=max_tx, decoder=decoder, max_iterations=iterations)
                stop = StopRule(min_errors=min_errors, max_blocks=max_blocks, batch_size=batch,
                                bler_floor=bler_floor)
                snrs = parse_snrs(snr)
                run_id = db.new_run("dlsch-awgn", {"link": config.as_dict(),
                                                   "stop": stop_as_dict(stop)}, snrs, seed)
            link = DlschAwgnLink(config)
            done = db.batches(run_id)
            if not quiet and not as_json:
                console.print(f"[bold]opennr {__version__}[/] run {run_id} in {store}: "
                              f"{link.describe()}")
            with _progress(quiet or as_json) as progress:
                tasks = {}

                def on_progress(point: int, result) -> None:
                    if progress is None:
                        return
                    if point not in tasks:
                        tasks[point] = progress.add_task(f"{result.snr_db:6.2f} dB",
                                                         total=stop.max_blocks, errors=0,
                                                         bler=float("nan"))
                    progress.update(tasks[point], completed=result.counts["blocks"],
                                    errors=result.counts["block_errors"], bler=result.bler)

                results = run_sweep(link, snrs, stop, seed, done=done,
                                    on_batch=lambda p, b, s, c: db.add_batch(run_id, p, b, s, c),
                                    on_progress=on_progress)
            db.finish(run_id)
    except (ConfigError, StoreError, ValueError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    rows = [link.metrics(r) for r in results]
    if as_json:
        print(json.dumps({"run": run_id, "version": __version__, "seed": seed,
                          "config": config.as_dict(), "points": rows}, indent=2))
    else:
        console.print(_results_table(rows, config.harq))


def stop_as_dict(stop) -> dict:
    return {"min_errors": stop.min_errors, "max_blocks": stop.max_blocks,
            "batch_size": stop.batch_size, "bler_floor": stop.bler_floor}


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(quiet: bool):
    if quiet:
        return _NoProgress()
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("errors {task.fields[errors]}  BLER {task.fields[bler]:.3g}"),
                    TimeElapsedColumn(), console=console, transient=False)


def _results_table(rows: list[dict], harq: bool) -> Table:
    table = Table(title="DL-SCH over AWGN")
    columns = ["SNR dB", "TBs", "errors", "BLER", "95% interval"]
    columns += ["BLER 1st tx"] if harq else []
    columns += ["BER", "throughput", "iterations"]
    for col in columns:
        table.add_column(col, justify="right")
    for r in rows:
        if r["skipped"]:
            table.add_row(f"{r['snr_db']:g}", "-", "-", "skipped", *[""] * (len(columns) - 4))
            continue
        cells = [f"{r['snr_db']:g}", str(r["blocks"]), str(r["block_errors"]), f"{r['bler']:.3g}",
                 f"{r['bler_low']:.2g}-{r['bler_high']:.2g}"]
        cells += [f"{r['bler_first_tx']:.3g}"] if harq else []
        cells += [f"{r['ber']:.2e}", f"{r['throughput']:.1%}", f"{r['iterations']:.2f}"]
        table.add_row(*cells)
    return table


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="Short runs (less accurate figures).")] = False,
    only: Annotated[list[str] | None, typer.Option(help="Run only these benchmarks.")] = None,
    folder: Annotated[Path | None, typer.Option(help="The benchmarks folder.")] = None,
) -> None:
    """Throughput benchmarks, compared with their targets."""
    from opennr.cli.bench import find_benchmarks, load_benchmarks, machine_description

    try:
        modules = load_benchmarks(find_benchmarks(folder), only)
    except (FileNotFoundError, ValueError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    info = machine_description()
    console.print("[bold]opennr bench[/] " + __version__ + "  " +
                  "  ".join(f"{k}: {v}" for k, v in info.items()))
    table = Table(title="Benchmarks")
    for col in ("benchmark", "figure", "value", "unit", "target", "status"):
        table.add_column(col, justify="right" if col in ("value", "target") else "left")
    for name, module in modules.items():
        console.print(f"running {name} ...")
        for row in module.run(quick=quick):
            target = row.get("target")
            status = "" if target is None else ("met" if row["value"] >= target else "below")
            table.add_row(name, row["name"], f"{row['value']:.4g}", row["unit"],
                          "" if target is None else f"{target:g}",
                          {"met": "[green]met[/]", "below": "[red]below[/]"}.get(status, ""))
    console.print(table)


@app.command()
def info() -> None:
    """Version, machine and libraries."""
    from opennr.cli.bench import machine_description

    console.print(f"opennr {__version__}")
    for k, v in machine_description().items():
        console.print(f"  {k}: {v}")


@app.command()
def cellsearch(
    recording: Annotated[Path, typer.Argument(help="SigMF recording (.sigmf-meta).")],
    ssb_scs: Annotated[int | None, typer.Option(help="SS/PBCH subcarrier spacing in kHz, 15, 30, "
                                                     "120 or 240 (default: the band's, or 15 "
                                                     "and 30).")] = None,
    ssb_frequency: Annotated[float | None, typer.Option(
        help="Centre of the SS/PBCH block relative to the recording centre, Hz "
             "(default: search).")] = None,
    band: Annotated[str | None, typer.Option(
        help="NR operating band, e.g. n78: search its synchronization raster around the "
             "recording's centre frequency (SigMF core:frequency).")] = None,
    ssb_case: Annotated[str | None, typer.Option(
        help="SS/PBCH block pattern A..E, for the frame timing of 30 kHz blocks without a "
             "band.")] = None,
    l_max: Annotated[int | None, typer.Option(help="L_max, 4, 8 or 64 (default: inferred).")] = None,
    all_blocks: Annotated[bool, typer.Option(help="List every decoded block.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cells as JSON.")] = False,
) -> None:
    """Cell search in an IQ recording: PCI, SS/PBCH block index, SFN, MIB, CFO, SNR, timing."""
    from opennr.io.sigmf import read_sigmf
    from opennr.receiver import cell_search

    try:
        samples, meta = read_sigmf(recording)
        if band is not None and meta.frequency is None:
            raise ConfigError("band", band, "needs the recording's centre frequency "
                              "(SigMF captures[0] core:frequency), which is missing")
        cells = cell_search(samples, meta.sample_rate, ssb_scs=ssb_scs,
                            ssb_frequency=ssb_frequency, l_max=l_max, band=band,
                            centre_frequency=meta.frequency, ssb_case=ssb_case,
                            all_blocks=all_blocks)
    except (ConfigError, ValueError, FileNotFoundError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"recording": str(recording), "version": __version__,
                          "sample_rate": meta.sample_rate, "frequency": meta.frequency,
                          "band": band, "cells": [c.as_dict() for c in cells]}, indent=2))
        return
    table = Table(title=f"Cells in {recording.name} ({meta.sample_rate / 1e6:g} Msps)")
    absolute = meta.frequency is not None
    # Compact columns (the full MIB is in --json): n_hf, SCS in kHz, SIB1 = pdcch-ConfigSIB1.
    columns = ["PCI", "SSB", "SFN", "n_hf", "SCS", "case"]
    columns += ["SSB MHz", "GSCN"] if absolute else ["offset kHz"]
    columns += ["CFO Hz", "timing", "frame start", "SNR dB", "k_SSB", "SIB1"]
    for col in columns:
        table.add_column(col, justify="right", no_wrap=True)
    for c in cells:
        where = ([f"{c.absolute_frequency / 1e6:.3f}", "-" if c.gscn is None else str(c.gscn)]
                 if absolute else [f"{c.frequency / 1e3:g}"])
        table.add_row(str(c.n_cell_id), str(c.ssb_index), str(c.sfn), str(c.half_frame),
                      str(c.scs), c.case or "-", *where, f"{c.cfo:.0f}", str(c.timing),
                      "-" if c.frame_start is None else str(c.frame_start), f"{c.snr_db:.1f}",
                      str(c.k_ssb), str(c.mib.pdcch_config_sib1))
    console.print(table)
    if not cells:
        console.print("no cell found")


waveform_app = typer.Typer(no_args_is_help=True, help="Write test waveforms as SigMF recordings.")
app.add_typer(waveform_app, name="waveform")

_DEFAULT_CASE = {15: "A", 30: "C", 120: "D", 240: "E"}


@waveform_app.command("ssb")
def waveform_ssb(
    output: Annotated[Path, typer.Option("-o", "--output", help="Recording to write "
                                                                "(.sigmf-meta).")],
    n_cell_id: Annotated[int, typer.Option(help="Physical cell identity, 0 .. 1007.")] = 0,
    scs: Annotated[int, typer.Option(help="SS/PBCH subcarrier spacing in kHz: 15, 30, 120 or "
                                          "240.")] = 15,
    case: Annotated[str | None, typer.Option(help="Candidate pattern A..E (default A at 15 kHz, "
                                                  "C at 30, D at 120, E at 240 kHz).")] = None,
    l_max: Annotated[int | None, typer.Option(help="L_max, 4 or 8 (default 4), 64 for 120 and "
                                                   "240 kHz.")] = None,
    transmitted: Annotated[str | None, typer.Option(help="Bitmap of transmitted blocks, e.g. "
                                                         "1010 (default: all).")] = None,
    period: Annotated[int, typer.Option(help="Burst period in ms.")] = 20,
    sfn: Annotated[int, typer.Option(help="System frame number of the first frame.")] = 0,
    frames: Annotated[int, typer.Option(help="Number of 10 ms frames.")] = 2,
    n_rb: Annotated[int, typer.Option(help="Carrier size in resource blocks.")] = 52,
    n_crb_ssb: Annotated[int, typer.Option(help="N_CRB^SSB (offsetToPointA).")] = 10,
    k_ssb: Annotated[int, typer.Option(help="k_SSB, 0 .. 23 (0 .. 11 at 120/240 kHz).")] = 0,
    sample_rate: Annotated[float | None, typer.Option(help="Sample rate in Hz (a multiple of "
                                                           "the SCS).")] = None,
    frequency: Annotated[float | None, typer.Option(help="Centre frequency to record in the "
                                                         "metadata, Hz.")] = None,
    scs_common: Annotated[int | None, typer.Option(
        help="MIB subCarrierSpacingCommon, kHz (default 15, or 60 at 120/240 kHz).")] = None,
    dmrs_type_a_position: Annotated[int, typer.Option(help="MIB dmrs-TypeA-Position.")] = 2,
    pdcch_config_sib1: Annotated[int, typer.Option(help="MIB pdcch-ConfigSIB1.")] = 0,
    cell_barred: Annotated[bool, typer.Option(help="MIB cellBarred.")] = False,
    intra_freq_reselection: Annotated[bool, typer.Option(
        help="MIB intraFreqReselection allowed.")] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing recording.")] = False,
) -> None:
    """An SS-burst waveform with BCH-coded MIBs (TS 38.211 §7.4.3, TS 38.212 §7.1), as SigMF."""
    from opennr.io.sigmf import write_sigmf
    from opennr.numerology import Carrier
    from opennr.physical.ssb import SsBurstConfig, ss_burst_waveform
    from opennr.transport.bch import Mib, bch_bit_source

    try:
        if transmitted is not None and not set(transmitted) <= {"0", "1"}:
            raise ConfigError("transmitted", transmitted, "must be a string of 0 and 1")
        if isinstance(frames, bool) or frames < 1:
            raise ConfigError("frames", frames, "must be >= 1")
        fr2 = scs in (120, 240)
        l_max_value = l_max if l_max is not None else (64 if fr2 else 4)
        scs_common_value = scs_common if scs_common is not None else (60 if fr2 else 15)
        carrier = Carrier(scs=scs, n_size_grid=n_rb, n_frame=sfn)
        config = SsBurstConfig(
            carrier=carrier, case=case if case is not None else _DEFAULT_CASE.get(scs, "A"),
            l_max=l_max_value, transmitted=None if transmitted is None else tuple(
                int(b) for b in transmitted), period=period, n_crb_ssb=n_crb_ssb, k_ssb=k_ssb,
            scs_common=scs_common_value if fr2 else None, n_cell_id=n_cell_id)
        mib = Mib(subcarrier_spacing_common=scs_common_value,
                  dmrs_type_a_position=dmrs_type_a_position, pdcch_config_sib1=pdcch_config_sib1,
                  cell_barred=cell_barred, intra_freq_reselection=intra_freq_reselection)
        samples = ss_burst_waveform(config, bch_bit_source(mib, k_ssb, l_max_value, n_cell_id),
                                    n_half_frames=2 * frames, sample_rate=sample_rate)[0]
        rate = sample_rate if sample_rate is not None else _default_rate(carrier)
        centre = (config.first_subcarrier + 120 - carrier.n_subcarriers // 2) * scs * 1e3
        meta_fn, _ = write_sigmf(output, samples, rate, frequency=frequency, overwrite=overwrite,
                                 description=f"opennr SS burst: PCI {n_cell_id}, case "
                                             f"{config.case}, SFN {sfn}, SS/PBCH block centre "
                                             f"{centre:g} Hz from the recording centre")
    except (ConfigError, ValueError, FileExistsError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(f"wrote {meta_fn}: {samples.size} samples at {rate / 1e6:g} Msps, "
                  f"SS/PBCH block centre at {centre:g} Hz from the recording centre")


def _default_rate(carrier) -> float:
    from opennr.numerology import ofdm_info

    return ofdm_info(carrier).sample_rate

"""The ``opennr`` command line: ``simulate``, ``results``, ``conformance``, ``bench``, ``info``,
``cellsearch`` and ``waveform``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opennr import __version__
from opennr.cli._console import console, err_console
from opennr.cli.conformance import conformance_app
from opennr.cli.results import results_app
from opennr.cli.simulate import simulate
from opennr.errors import ConfigError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="opennr: an open 5G New Radio physical layer.")
app.command()(simulate)
app.add_typer(results_app, name="results")
app.add_typer(conformance_app, name="conformance")


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

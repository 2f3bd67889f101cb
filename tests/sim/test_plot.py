"""Plots of BLER and throughput: files, one errorbar line per curve and run, reference marks."""

from __future__ import annotations

import pytest
from matplotlib.container import ErrorbarContainer

from opennr.sim.plot import plot_runs
from opennr.sim.report import summarize_run


def fake_run(run_id, n_curves, snrs=(0.0, 2.0, 4.0)):
    """A stored run with ``n_curves`` curves whose BLER falls with the SNR."""
    points, batches = [], {}
    for c in range(n_curves):
        for k, snr in enumerate(snrs):
            i = len(points)
            points.append({"index": i, "curve": c, "snr_db": snr, "params": {"mcs_index": c},
                           "tbs": 100, "slot_seconds": 1e-3, "max_transmissions": 1})
            errors = [90, 30, 0][k]
            batches[i] = [{"blocks": 100, "block_errors": errors, "first_tx_errors": errors,
                           "transmissions": 100, "delivered_bits": (100 - errors) * 100}]
    record = {"id": run_id, "name": f"run{run_id}", "kind": "coin", "status": "done", "seed": 1,
              "version": "x", "machine": {}, "config": {}, "points": points}
    return summarize_run(record, batches)


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")])
def test_plot_file_and_lines(tmp_path, suffix, magic):
    out = tmp_path / f"p{suffix}"
    fig = plot_runs([fake_run(1, 2), fake_run(2, 1)], out, references=[3.0])
    assert out.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert b"<svg" in out.read_bytes()[:2000]
    ax_bler, ax_tput = fig.axes
    for ax in (ax_bler, ax_tput):
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == 3                    # 2 curves of run 1, 1 of run 2
        assert all(len(b.lines[0].get_xdata()) == 3 for b in bars)
    assert ax_bler.get_yscale() == "log"
    # The point without errors is drawn at the upper end of its interval, not at 0.
    assert min(bars[0].lines[0].get_ydata()) > 0
    # One reference line on each axes, and the 70 % marker of the reference.
    assert sum(1 for ln in ax_bler.lines if list(ln.get_xdata()) == [3.0, 3.0]) == 1
    labels = ax_tput.get_legend_handles_labels()[1]
    assert "reference 3 dB" in labels and "run1 (mcs_index=1)" in " ".join(labels)


def test_throughput_70_percent_point():
    s = fake_run(1, 1)
    # Throughput 0.1, 0.7, 1.0 at 0, 2, 4 dB: the 70 % point is the 2 dB point itself.
    assert s["curves"][0]["snr_70"] == pytest.approx(2.0)


def test_plot_refuses_unknown_file_types(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg"):
        plot_runs([fake_run(1, 1)], tmp_path / "p.jpg")

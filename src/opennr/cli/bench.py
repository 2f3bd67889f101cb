"""``opennr bench``: run the scripts of the ``benchmarks/`` folder and compare with their targets."""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
from pathlib import Path

import numba
import numpy as np


def find_benchmarks(folder: Path | None = None) -> Path:
    """The ``benchmarks/`` folder: the one given, else the source checkout's, else ``./benchmarks``."""
    candidates = [folder] if folder else [
        Path(__file__).resolve().parents[3] / "benchmarks", Path.cwd() / "benchmarks"]
    for c in candidates:
        if c is not None and c.is_dir() and any(c.glob("bench_*.py")):
            return c
    shown = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"no benchmarks folder with bench_*.py scripts found (looked in {shown})")


def load_benchmarks(folder: Path, only: list[str] | None = None) -> dict[str, object]:
    """Import every ``bench_*.py`` of ``folder`` (or those named in ``only``) as modules."""
    modules = {}
    if str(folder) not in sys.path:  # the scripts share helpers that live beside them
        sys.path.insert(0, str(folder))
    for path in sorted(folder.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        spec = importlib.util.spec_from_file_location(f"opennr_bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[name] = module
    if only:
        missing = sorted(set(only) - set(modules))
        if missing:
            known = ", ".join(p.stem.removeprefix("bench_") for p in sorted(folder.glob("bench_*.py")))
            raise ValueError(f"unknown benchmark(s) {', '.join(missing)}; known: {known}")
    return modules


def machine_description() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba threads": str(numba.get_num_threads()),
        "simd": _simd(),
    }


def _simd() -> str:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    for name in ("avx512f", "avx2", "avx", "sse4_2"):
        if name in flags:
            return name.upper()
    return "none"

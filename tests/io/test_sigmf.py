"""SigMF recordings: round trips, every supported datatype, and malformed files."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sigmf

import opennr
from opennr.errors import ConfigError
from opennr.io import SIGMF_DATATYPES, read_sigmf, write_sigmf


def _write_raw(tmp_path, name, global_extra, data: bytes, captures=None, meta_text=None):
    """A recording written by hand (not by the code under test)."""
    meta = {"global": {"core:version": "1.2.0", **global_extra},
            "captures": captures if captures is not None else [{"core:sample_start": 0}],
            "annotations": []}
    (tmp_path / f"{name}.sigmf-meta").write_text(meta_text if meta_text is not None else json.dumps(meta))
    (tmp_path / f"{name}.sigmf-data").write_bytes(data)
    return tmp_path / name


def test_round_trip(tmp_path, rng):
    x = (rng.normal(size=1000) + 1j * rng.normal(size=1000)).astype(np.complex64)
    meta_fn, data_fn = write_sigmf(tmp_path / "rec", x, 30.72e6, frequency=3.5e9, description="SS burst")
    assert meta_fn.name == "rec.sigmf-meta" and data_fn.name == "rec.sigmf-data"
    assert data_fn.stat().st_size == 8 * x.size
    meta = json.loads(meta_fn.read_text())
    assert meta["global"]["core:datatype"] == "cf32_le"
    assert meta["global"]["core:recorder"] == f"opennr {opennr.__version__}"
    assert meta["global"]["core:sample_rate"] == 30.72e6
    assert meta["captures"][0]["core:frequency"] == 3.5e9
    for path in (tmp_path / "rec", meta_fn, data_fn, str(meta_fn)):
        y, md = read_sigmf(path)
        assert y.dtype == np.complex64
        np.testing.assert_array_equal(y, x)
        assert md.sample_rate == 30.72e6 and md.frequency == 3.5e9 and md.n_samples == 1000
        assert md.datatype == "cf32_le" and md.description == "SS burst"
        assert md.recorder.startswith("opennr ")
    # The sigmf package itself reads the file back the same.
    handle = sigmf.fromfile(str(tmp_path / "rec"))
    np.testing.assert_array_equal(handle.read_samples(), x)
    handle.validate()


def test_write_options(tmp_path):
    write_sigmf(tmp_path / "a", np.arange(4), 1e6)
    y, md = read_sigmf(tmp_path / "a")
    np.testing.assert_array_equal(y, np.arange(4))
    assert md.frequency is None and md.description is None
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_sigmf(tmp_path / "a", np.zeros(2), 1e6)
    write_sigmf(tmp_path / "a", np.zeros(2), 2e6, overwrite=True)
    assert read_sigmf(tmp_path / "a")[1].n_samples == 2
    write_sigmf(tmp_path / "empty", np.zeros(0, np.complex64), 1e6)
    assert read_sigmf(tmp_path / "empty")[0].shape == (0,)


@pytest.mark.parametrize(("datatype", "fmt", "full"), [("ci8", "i1", 2**7), ("ci16_le", "<i2", 2**15),
                                                       ("ci32_le", "<i4", 2**31)])
def test_fixed_point(tmp_path, rng, datatype, fmt, full):
    info = np.iinfo(np.dtype(fmt))
    comp = rng.integers(info.min, info.max, size=64, endpoint=True).astype(fmt)
    comp[:2] = [info.min, info.max]
    path = _write_raw(tmp_path, "r", {"core:datatype": datatype, "core:sample_rate": 1.92e6},
                      comp.tobytes(), captures=[{"core:sample_start": 0, "core:frequency": 7.0e8}])
    y, md = read_sigmf(path)
    assert y.dtype == np.complex64 and y.shape == (32,)
    expect = (comp[0::2].astype(np.float64) + 1j * comp[1::2].astype(np.float64)) / full
    np.testing.assert_allclose(y, expect, rtol=1e-6, atol=1e-9)
    assert md.datatype == datatype and md.frequency == 7.0e8 and md.sample_rate == 1.92e6
    raw, _ = read_sigmf(path, scale=False)
    np.testing.assert_allclose(raw, expect * full, rtol=1e-6)
    assert datatype in SIGMF_DATATYPES


def test_big_endian_bytes_are_not_read_as_little(tmp_path):
    comp = np.array([1, 2, 3, 4], dtype=">i2")
    path = _write_raw(tmp_path, "be", {"core:datatype": "ci16_be", "core:sample_rate": 1e6}, comp.tobytes())
    with pytest.raises(ValueError, match=r"core:datatype: datatype 'ci16_be' is not supported"):
        read_sigmf(path)


@pytest.mark.parametrize("datatype", ["cf64_le", "rf32_le", "cu8", "ri16_le", "cf32_be", "nonsense"])
def test_unsupported_datatypes(tmp_path, datatype):
    path = _write_raw(tmp_path, "x", {"core:datatype": datatype, "core:sample_rate": 1e6}, bytes(16))
    with pytest.raises(ValueError, match=rf"datatype '{datatype}' is not supported \(supported: ci8"):
        read_sigmf(path)


@pytest.mark.parametrize(("glob", "data", "captures", "match"), [
    ({"core:sample_rate": 1e6}, bytes(8), None, r"core:datatype: missing"),
    ({"core:datatype": "cf32_le"}, bytes(8), None, r"core:sample_rate: missing"),
    ({"core:datatype": "cf32_le", "core:sample_rate": "fast"}, bytes(8), None,
     r"core:sample_rate: must be a number, got 'fast'"),
    ({"core:datatype": "cf32_le", "core:sample_rate": -5}, bytes(8), None,
     r"core:sample_rate: must be a positive finite number"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, bytes(12), None,
     r"12 bytes, not a whole number of 8-byte cf32_le samples"),
    ({"core:datatype": "ci16_le", "core:sample_rate": 1e6}, bytes(7), None,
     r"7 bytes, not a whole number of 4-byte ci16_le samples"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, np.array([1, np.nan, 0, 0], "<f4").tobytes(),
     None, r"samples: 1 non-finite .* sample 0"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, np.array([0, 0, 1, np.inf], "<f4").tobytes(),
     None, r"samples: 1 non-finite .* sample 1"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, bytes(8),
     [{"core:sample_start": 0, "core:frequency": "3.5 GHz"}], r"core:frequency: must be a number"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6, "core:num_channels": 2}, bytes(16), None,
     r"core:num_channels: only single-channel"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6, "core:trailing_bytes": 4}, bytes(12), None,
     r"core:trailing_bytes: non-conforming"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, bytes(16),
     [{"core:sample_start": 0, "core:header_bytes": 8}], r"captures\[0\].core:header_bytes: non-conforming"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6, "core:sha512": "00"}, bytes(8), None,
     r"core:sha512: the data file does not match"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, bytes(8), {"a": 1}, r"captures: must be a list"),
    ({"core:datatype": "cf32_le", "core:sample_rate": 1e6, "core:description": 5}, bytes(8), None,
     r"core:description: must be a string"),
])
def test_bad_recordings(tmp_path, glob, data, captures, match):
    path = _write_raw(tmp_path, "bad", glob, data, captures=captures)
    with pytest.raises(ValueError, match=match):
        read_sigmf(path)


@pytest.mark.parametrize(("text", "match"), [
    ('{"global": {"core:datatype": "cf32_le",', r"metadata: malformed JSON"),
    ("", r"metadata: malformed JSON"),
    ("[1, 2]", r"metadata: must be a JSON object, got list"),
    ('{"captures": []}', r"global: missing or not a JSON object"),
    ("[" * 100000 + "]" * 100000, r"metadata: malformed JSON"),
])
def test_malformed_metadata(tmp_path, text, match):
    path = _write_raw(tmp_path, "m", {}, bytes(8), meta_text=text)
    with pytest.raises(ValueError, match=match):
        read_sigmf(path)


def test_not_utf8(tmp_path):
    (tmp_path / "u.sigmf-meta").write_bytes(b"\xff\xfe{}")
    (tmp_path / "u.sigmf-data").write_bytes(bytes(8))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_sigmf(tmp_path / "u")


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"metadata file .* not found"):
        read_sigmf(tmp_path / "nothing")
    path = _write_raw(tmp_path, "nodata", {"core:datatype": "cf32_le", "core:sample_rate": 1e6}, b"")
    (tmp_path / "nodata.sigmf-data").unlink()
    with pytest.raises(ValueError, match=r"dataset: data file .*nodata.sigmf-data not found"):
        read_sigmf(path)


@pytest.mark.parametrize(("args", "kwargs", "exc", "match"), [
    ((np.zeros((2, 3)), 1e6), {}, ValueError, r"samples: expected a 1-D array"),
    ((np.array([1, np.nan]), 1e6), {}, ValueError, r"samples: contain NaN"),
    ((np.array(["a"]), 1e6), {}, ValueError, r"samples: expected a numeric array"),
    ((np.zeros(2), 0), {}, ConfigError, r"sample_rate=0: must be a positive"),
    ((np.zeros(2), float("inf")), {}, ConfigError, r"sample_rate=inf"),
    ((np.zeros(2), 1e6), {"frequency": float("nan")}, ConfigError, r"frequency=nan"),
    ((np.zeros(2), 1e6), {"description": 3}, ConfigError, r"description=3: must be a string"),
])
def test_write_errors(tmp_path, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        write_sigmf(tmp_path / "w", *args, **kwargs)
    assert not (tmp_path / "w.sigmf-meta").exists()

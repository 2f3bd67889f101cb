"""SigMF recordings in and out (SigMF specification v1.x, core namespace).

A recording is a pair ``<name>.sigmf-meta`` (JSON metadata) and ``<name>.sigmf-data``
(interleaved samples). :func:`read_sigmf` reads single-channel complex recordings of datatype
``ci8``, ``ci16_le``, ``ci32_le`` or ``cf32_le`` into ``np.complex64`` samples, with the sample
rate (``core:sample_rate``) and the centre frequency of the first capture
(``captures[0]["core:frequency"]``). :func:`write_sigmf` writes ``cf32_le`` recordings with the
``sigmf`` package. Files from outside are untrusted: every defect gives a ``ValueError`` naming
the file and the field, never a crash, a hang or silently shortened data.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sigmf
from sigmf import keys
from sigmf.error import SigMFError
from sigmf.sigmffile import get_sigmf_filenames

import opennr
from opennr.errors import ConfigError

__all__ = ["SIGMF_DATATYPES", "SigmfMetadata", "read_sigmf", "write_sigmf"]

#: Datatypes read by :func:`read_sigmf`: numpy dtype of one component and the full scale used to
#: normalise fixed-point components to [-1, 1) (2^(bits-1), as the ``sigmf`` package does).
SIGMF_DATATYPES: dict[str, tuple[str, float]] = {
    "ci8": ("i1", 2.0**7),
    "ci16_le": ("<i2", 2.0**15),
    "ci32_le": ("<i4", 2.0**31),
    "cf32_le": ("<f4", 1.0),
}

# Metadata files larger than this are not JSON metadata of a recording.
_MAX_META_BYTES = 64 * 2**20


@dataclass(frozen=True, slots=True, kw_only=True)
class SigmfMetadata:
    """What opennr uses from the metadata of a SigMF recording.

    Attributes
    ----------
    sample_rate : float
        ``global["core:sample_rate"]`` in Hz.
    frequency : float or None
        ``captures[0]["core:frequency"]``, centre frequency in Hz, when given.
    datatype : str
        ``global["core:datatype"]`` of the data file.
    n_samples : int
        Number of complex samples in the data file.
    description, recorder : str or None
        ``core:description`` and ``core:recorder`` when given.
    """

    sample_rate: float
    frequency: float | None
    datatype: str
    n_samples: int
    description: str | None = None
    recorder: str | None = None


def _fail(path: Path, field: str, rule: str) -> ValueError:
    return ValueError(f"{path}: {field}: {rule}")


def _number(path: Path, field: str, value: object, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, field, f"must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or (positive and v <= 0):
        raise _fail(path, field, f"must be a {'positive ' if positive else ''}finite number, "
                                 f"got {value!r}")
    return v


def _optional_str(path: Path, field: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _fail(path, field, f"must be a string, got {value!r}")


def _load_metadata(meta_fn: Path) -> dict:
    if not meta_fn.is_file():
        raise FileNotFoundError(f"SigMF metadata file {meta_fn} not found")
    size = meta_fn.stat().st_size
    if size > _MAX_META_BYTES:
        raise _fail(meta_fn, "metadata", f"{size} bytes is too large for SigMF metadata")
    try:
        meta = json.loads(meta_fn.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(meta_fn, "metadata", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _fail(meta_fn, "metadata", f"malformed JSON ({exc.msg} at line {exc.lineno}, "
                                         f"column {exc.colno})") from None
    except RecursionError:
        raise _fail(meta_fn, "metadata", "malformed JSON (nested too deeply)") from None
    if not isinstance(meta, dict):
        raise _fail(meta_fn, "metadata", f"must be a JSON object, got {type(meta).__name__}")
    if not isinstance(meta.get("global"), dict):
        raise _fail(meta_fn, "global", "missing or not a JSON object")
    captures = meta.get("captures", [])
    if not isinstance(captures, list) or not all(isinstance(c, dict) for c in captures):
        raise _fail(meta_fn, "captures", "must be a list of JSON objects")
    return meta


def read_sigmf(path: str | Path, *, scale: bool = True) -> tuple[np.ndarray, SigmfMetadata]:
    """Read a single-channel complex SigMF recording.

    Parameters
    ----------
    path : str or Path
        The recording, with or without the ``.sigmf-meta`` / ``.sigmf-data`` extension.
    scale : bool
        Divide fixed-point components (ci8, ci16_le, ci32_le) by 2^(bits − 1) so that full
        scale is ±1; with ``False`` they keep their integer values.

    Returns
    -------
    samples : numpy.ndarray
        ``np.complex64`` (n_samples,).
    metadata : SigmfMetadata

    Raises
    ------
    FileNotFoundError
        If the metadata file does not exist.
    ValueError
        If the metadata is not valid JSON or lacks ``core:datatype`` or ``core:sample_rate``,
        if a field has a wrong type or value (naming it), if the datatype is not one of
        :data:`SIGMF_DATATYPES`, if the recording has several channels or is a non-conforming
        or metadata-only dataset, if the data file is missing, its length is not a whole number
        of samples or its SHA-512 does not match ``core:sha512``, or if cf32 samples are not
        finite.
    """
    fns = get_sigmf_filenames(Path(path))
    meta_fn, data_fn = fns["meta_fn"], fns["data_fn"]
    meta = _load_metadata(meta_fn)
    glob = meta["global"]

    datatype = glob.get(keys.DATATYPE_KEY)
    if datatype is None:
        raise _fail(meta_fn, keys.DATATYPE_KEY, "missing")
    if datatype not in SIGMF_DATATYPES:
        shown = ", ".join(SIGMF_DATATYPES)
        raise _fail(meta_fn, keys.DATATYPE_KEY,
                    f"datatype {datatype!r} is not supported (supported: {shown})")
    if keys.SAMPLE_RATE_KEY not in glob:
        raise _fail(meta_fn, keys.SAMPLE_RATE_KEY, "missing: the sample rate is required")
    sample_rate = _number(meta_fn, keys.SAMPLE_RATE_KEY, glob[keys.SAMPLE_RATE_KEY], positive=True)
    n_channels = glob.get(keys.NUM_CHANNELS_KEY, 1)
    if n_channels != 1 or isinstance(n_channels, bool):
        raise _fail(meta_fn, keys.NUM_CHANNELS_KEY,
                    f"only single-channel recordings are supported, got {n_channels!r}")
    for key in (keys.DATASET_KEY, keys.TRAILING_BYTES_KEY, keys.METADATA_ONLY_KEY):
        if glob.get(key):
            raise _fail(meta_fn, key, "non-conforming and metadata-only datasets are not supported")
    captures = meta.get("captures", [])
    for i, cap in enumerate(captures):
        if cap.get(keys.HEADER_BYTES_KEY):
            raise _fail(meta_fn, f"captures[{i}].{keys.HEADER_BYTES_KEY}",
                        "non-conforming datasets are not supported")
    frequency = None
    if captures and keys.FREQUENCY_KEY in captures[0]:
        frequency = _number(meta_fn, f"captures[0].{keys.FREQUENCY_KEY}",
                            captures[0][keys.FREQUENCY_KEY], positive=False)
    description = _optional_str(meta_fn, keys.DESCRIPTION_KEY, glob.get(keys.DESCRIPTION_KEY))
    recorder = _optional_str(meta_fn, keys.RECORDER_KEY, glob.get(keys.RECORDER_KEY))

    if not data_fn.is_file():
        raise _fail(meta_fn, "dataset", f"data file {data_fn} not found")
    component, full_scale = SIGMF_DATATYPES[datatype]
    sample_bytes = 2 * np.dtype(component).itemsize
    size = data_fn.stat().st_size
    if size % sample_bytes:
        raise _fail(data_fn, keys.DATATYPE_KEY,
                    f"data file has {size} bytes, not a whole number of {sample_bytes}-byte "
                    f"{datatype} samples (truncated?)")
    raw = data_fn.read_bytes()
    if len(raw) != size:
        raise _fail(data_fn, "dataset", f"read {len(raw)} bytes, expected {size} (file changed)")
    expected_hash = glob.get(keys.SHA512_KEY)
    if expected_hash is not None:
        if not isinstance(expected_hash, str):
            raise _fail(meta_fn, keys.SHA512_KEY, f"must be a hex string, got {expected_hash!r}")
        if hashlib.sha512(raw).hexdigest() != expected_hash.lower():
            raise _fail(data_fn, keys.SHA512_KEY, "the data file does not match its SHA-512 hash")

    parts = np.frombuffer(raw, dtype=component)
    if datatype == "cf32_le":
        bad = np.flatnonzero(~np.isfinite(parts))
        if bad.size:
            raise _fail(data_fn, "samples",
                        f"{bad.size} non-finite (NaN or infinite) value(s), the first in sample "
                        f"{int(bad[0]) // 2}")
    comp = parts.astype(np.float32)
    if scale and full_scale != 1.0:
        comp *= np.float32(1.0 / full_scale)
    samples = comp.view(np.complex64) if comp.size else np.zeros(0, dtype=np.complex64)
    metadata = SigmfMetadata(sample_rate=sample_rate, frequency=frequency, datatype=datatype,
                             n_samples=int(samples.size), description=description,
                             recorder=recorder)
    return np.ascontiguousarray(samples), metadata


def write_sigmf(path: str | Path, samples: np.ndarray, sample_rate: float, *,
                frequency: float | None = None, description: str | None = None,
                overwrite: bool = False) -> tuple[Path, Path]:
    """Write a single-channel ``cf32_le`` SigMF recording.

    The metadata holds ``core:datatype`` ``cf32_le``, ``core:sample_rate``, ``core:version``,
    ``core:recorder`` ``"opennr <version>"``, ``core:sha512`` of the data, optionally
    ``core:description``, and one capture at sample 0 with ``core:frequency`` when given.

    Parameters
    ----------
    path : str or Path
        The recording name, with or without extension; writes ``<name>.sigmf-meta`` and
        ``<name>.sigmf-data``.
    samples : array_like of complex, shape (n_samples,)
        Finite samples (stored as complex64).
    sample_rate : float
        Sample rate in Hz (> 0).
    frequency : float, optional
        Centre frequency in Hz.
    description : str, optional
        Free text.
    overwrite : bool
        Replace existing files; otherwise an existing file is an error.

    Returns
    -------
    tuple of Path
        (metadata file, data file).

    Raises
    ------
    ValueError
        If ``samples`` is not a finite 1-D numeric array.
    ConfigError
        If ``sample_rate``, ``frequency`` or ``description`` is invalid.
    FileExistsError
        If a file exists and ``overwrite`` is false.
    """
    arr = np.asarray(samples)
    if arr.ndim != 1:
        raise ValueError(f"samples: expected a 1-D array (one channel), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.timedelta64):
        raise ValueError(f"samples: expected a numeric array, got {arr.dtype}")
    data = np.ascontiguousarray(arr, dtype=np.complex64)
    if not np.isfinite(data.view(np.float32)).all():
        raise ValueError("samples: contain NaN or infinite values")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.number)) \
            or not math.isfinite(float(sample_rate)) or float(sample_rate) <= 0:
        raise ConfigError("sample_rate", sample_rate, "must be a positive finite number in Hz")
    if frequency is not None and (isinstance(frequency, bool)
                                  or not isinstance(frequency, (int, float, np.number))
                                  or not math.isfinite(float(frequency))):
        raise ConfigError("frequency", frequency, "must be a finite number in Hz")
    if description is not None and not isinstance(description, str):
        raise ConfigError("description", description, "must be a string")
    fns = get_sigmf_filenames(Path(path))
    meta_fn, data_fn = fns["meta_fn"], fns["data_fn"]
    if not overwrite:
        for fn in (meta_fn, data_fn):
            if fn.exists():
                raise FileExistsError(f"{fn} exists (pass overwrite=True to replace it)")

    raw = data.astype("<c8").tobytes()
    global_info = {
        keys.DATATYPE_KEY: "cf32_le",
        keys.SAMPLE_RATE_KEY: float(sample_rate),
        keys.RECORDER_KEY: f"opennr {opennr.__version__}",
        keys.VERSION_KEY: sigmf.__specification__,
    }
    if description is not None:
        global_info[keys.DESCRIPTION_KEY] = description
    try:
        handle = sigmf.SigMFFile(global_info=global_info)
        handle.set_data_file(data_buffer=io.BytesIO(raw), skip_checksum=True)
        capture = {} if frequency is None else {keys.FREQUENCY_KEY: float(frequency)}
        handle.add_capture(0, metadata=capture)
        handle.set_global_field(keys.SHA512_KEY, hashlib.sha512(raw).hexdigest())
        handle.tofile(fns["base_fn"], overwrite=True)
    except SigMFError as exc:
        raise ValueError(f"{meta_fn}: SigMF: {exc}") from exc
    if not data_fn.is_file() or data_fn.stat().st_size != len(raw):
        data_fn.write_bytes(raw)
    return meta_fn, data_fn

"""The results store: an SQLite file holding runs and the counters of every simulated batch.

A run records its full effective configuration (the scenario with every default filled in),
its points, its seed, the opennr version and the machine. Each batch's counters are committed
as soon as the engine counts the batch, so an interrupted run (Ctrl-C, a killed process, a lost
worker) resumes from the store losing at most the batches that were in flight, and nothing is
counted twice: a batch is keyed by (run, point, batch).

The file is opened read-only to read it, and it is checked before anything is written: a file
that is not an opennr store, is corrupt, or comes from a newer opennr is refused untouched.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
from pathlib import Path

from opennr import __version__

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    points TEXT NOT NULL,
    seed INTEGER NOT NULL,
    version TEXT NOT NULL,
    machine TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE batches (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    point INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    snr_db REAL NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (run_id, point, batch)
);
"""

_RUN_COLUMNS = ("id", "created", "updated", "name", "kind", "config", "points", "seed", "version",
                "machine", "status")


class StoreError(RuntimeError):
    """The results file cannot be used: corrupt, from a newer opennr, or not a results store."""


def machine_info() -> dict:
    """Where a run ran: host, platform, processor and CPU count."""
    return {"node": platform.node(), "platform": platform.platform(),
            "machine": platform.machine(), "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "python": platform.python_version()}


class ResultsStore:
    """Runs and their batch counters in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The store file.
    readonly : bool
        Open an existing file for reading only (``opennr results``); otherwise the file and its
        parent folder are created if they do not exist.

    Raises
    ------
    StoreError
        The file is not an SQLite database, holds no opennr store, or has a newer schema (the
        file is then left as it was), or (read-only) does not exist.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if readonly and not exists:
            raise StoreError(f"{self.path}: no such results store")
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if readonly:
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                self._db = sqlite3.connect(self.path, timeout=30)
            self._check(exists, readonly)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a readable opennr results store ({exc})") from exc
        except StoreError:
            self._db.close()
            raise

    def _check(self, exists: bool, readonly: bool) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables and not exists:
            if readonly:
                raise StoreError(f"{self.path}: empty file, not a results store")
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.execute("INSERT INTO meta VALUES ('created_by', ?)",
                                 (f"opennr {__version__}",))
        else:
            if "meta" not in tables:
                raise StoreError(f"{self.path}: not a readable opennr results store (an SQLite file "
                                 "without opennr's tables)")
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            try:
                schema = int(row[0])
            except (TypeError, ValueError):
                raise StoreError(f"{self.path}: not a readable opennr results store (no schema "
                                 "version)") from None
            if schema > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: results store schema {schema} is newer than this "
                                 f"opennr ({__version__}) understands ({SCHEMA_VERSION}); upgrade "
                                 "opennr to read it")
            if schema < SCHEMA_VERSION:
                raise StoreError(f"{self.path}: results store schema {schema} is older than this "
                                 f"opennr's ({SCHEMA_VERSION}); keep it with the opennr that wrote "
                                 "it and start a new store")
            missing = {"runs", "batches"} - tables
            if missing:
                raise StoreError(f"{self.path}: not a readable opennr results store (missing "
                                 f"tables {', '.join(sorted(missing))})")
            self._db.execute("SELECT count(*) FROM batches").fetchone()
        if not readonly:
            # WAL with synchronous=NORMAL: a commit survives the process being killed, and costs
            # no fsync per batch.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new_run(self, kind: str, config: dict, points: list[dict], seed: int, *,
                name: str = "") -> int:
        """Record a new run and return its id.

        Parameters
        ----------
        kind : str
            The link kind.
        config : dict
            The effective configuration (JSON-serialisable).
        points : list of dict
            The points of the sweep (SNR, curve, swept parameters, sizes for the metrics).
        seed : int
            The run's seed.
        name : str
            A label.
        """
        now = time.time()
        with self._db:
            cur = self._db.execute(
                "INSERT INTO runs (created, updated, name, kind, config, points, seed, version, "
                "machine, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                (now, now, name, kind, json.dumps(config, sort_keys=True), json.dumps(points),
                 int(seed), __version__, json.dumps(machine_info())))
        return int(cur.lastrowid)

    def add_batch(self, run_id: int, point: int, batch: int, snr_db: float,
                  counts: dict[str, int]) -> None:
        """Commit one batch's counters; a batch already stored is an error, never a double count."""
        try:
            with self._db:
                self._db.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?)",
                                 (run_id, point, batch, snr_db, json.dumps(counts)))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"run {run_id}: point {point} batch {batch} is already stored") from exc

    def set_status(self, run_id: int, status: str) -> None:
        """Mark a run ``running``, ``interrupted`` or ``done``."""
        with self._db:
            self._db.execute("UPDATE runs SET status=?, updated=? WHERE id=?",
                             (status, time.time(), run_id))

    def finish(self, run_id: int) -> None:
        self.set_status(run_id, "done")

    def run(self, run_id: int) -> dict:
        """The run's record: id, created, updated, name, kind, config, points, seed, version,
        machine and status."""
        row = self._db.execute(f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE id=?",
                               (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id}")
        rec = dict(zip(_RUN_COLUMNS, row, strict=True))
        for key in ("config", "points", "machine"):
            rec[key] = json.loads(rec[key])
        return rec

    def runs(self) -> list[dict]:
        ids = [r[0] for r in self._db.execute("SELECT id FROM runs ORDER BY id")]
        return [self.run(i) for i in ids]

    def latest_unfinished(self, config: dict | None = None) -> int | None:
        """The latest run not marked done (with this effective configuration, if given)."""
        rows = self._db.execute("SELECT id, config FROM runs WHERE status != 'done' "
                                "ORDER BY id DESC").fetchall()
        for run_id, text in rows:
            if config is None or json.loads(text) == json.loads(json.dumps(config)):
                return int(run_id)
        return None

    def batches(self, run_id: int) -> dict[int, list[dict[str, int]]]:
        """Stored batch counters by point, in batch order (only the unbroken prefix 0, 1, ...)."""
        out: dict[int, list[dict[str, int]]] = {}
        for point, batch, counts in self._db.execute(
                "SELECT point, batch, counts FROM batches WHERE run_id=? ORDER BY point, batch",
                (run_id,)):
            lst = out.setdefault(point, [])
            if batch == len(lst):
                lst.append(json.loads(counts))
        return out

    def batch_count(self, run_id: int) -> int:
        return int(self._db.execute("SELECT count(*) FROM batches WHERE run_id=?",
                                    (run_id,)).fetchone()[0])

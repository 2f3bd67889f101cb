"""The results store: an SQLite file holding runs and the counters of every simulated batch.

A run records its full effective configuration, its seed, the opennr version and the machine.
Each batch's counters are committed as soon as the batch is done, so an interrupted run resumes
from the store losing at most the batch that was in flight, and nothing is counted twice (a
batch is keyed by run, point and batch index).
"""

from __future__ import annotations

import json
import platform
import sqlite3
import time
from pathlib import Path

from opennr import __version__

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    snrs TEXT NOT NULL,
    seed INTEGER NOT NULL,
    version TEXT NOT NULL,
    machine TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    point INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    snr_db REAL NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (run_id, point, batch)
);
"""


class StoreError(RuntimeError):
    """The results file cannot be used: corrupt, from a newer opennr, or not a results store."""


class ResultsStore:
    """Runs and their batch counters in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The store file; created with its parent folder if it does not exist.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.commit()
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: results store schema {row[0]} is newer than this "
                                 f"opennr understands ({SCHEMA_VERSION}); upgrade opennr")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a readable opennr results store ({exc})") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new_run(self, kind: str, config: dict, snrs: list[float], seed: int) -> int:
        """Record a new run and return its id."""
        machine = f"{platform.node()} {platform.machine()} {platform.processor()}".strip()
        cur = self._db.execute(
            "INSERT INTO runs (created, kind, config, snrs, seed, version, machine, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
            (time.time(), kind, json.dumps(config, sort_keys=True), json.dumps(list(snrs)),
             int(seed), __version__, machine))
        self._db.commit()
        return int(cur.lastrowid)

    def add_batch(self, run_id: int, point: int, batch: int, snr_db: float,
                  counts: dict[str, int]) -> None:
        """Commit one batch's counters; a batch already stored is an error, never a double count."""
        try:
            self._db.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?)",
                             (run_id, point, batch, snr_db, json.dumps(counts)))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"run {run_id}: point {point} batch {batch} is already stored") from exc
        self._db.commit()

    def finish(self, run_id: int) -> None:
        self._db.execute("UPDATE runs SET status='done' WHERE id=?", (run_id,))
        self._db.commit()

    def run(self, run_id: int) -> dict:
        """The run's record: kind, config, snrs, seed, version, machine, status."""
        row = self._db.execute(
            "SELECT id, created, kind, config, snrs, seed, version, machine, status "
            "FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id}")
        keys = ("id", "created", "kind", "config", "snrs", "seed", "version", "machine", "status")
        rec = dict(zip(keys, row, strict=True))
        rec["config"] = json.loads(rec["config"])
        rec["snrs"] = json.loads(rec["snrs"])
        return rec

    def runs(self) -> list[dict]:
        ids = [r[0] for r in self._db.execute("SELECT id FROM runs ORDER BY id")]
        return [self.run(i) for i in ids]

    def latest_unfinished(self) -> int | None:
        row = self._db.execute(
            "SELECT id FROM runs WHERE status != 'done' ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else int(row[0])

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

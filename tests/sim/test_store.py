"""The results store: integrity of the file, schema versions, duplicate batches, runs."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from opennr import __version__
from opennr.sim.store import SCHEMA_VERSION, ResultsStore, StoreError


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_store(path):
    with ResultsStore(path) as db:
        run_id = db.new_run("coin", {"a": 1}, [{"snr_db": 0.0}], 7, name="coin run")
        db.add_batch(run_id, 0, 0, 0.0, {"blocks": 4, "block_errors": 1})
    return run_id


def test_a_run_records_configuration_seed_version_and_machine(tmp_path):
    run_id = make_store(tmp_path / "r.db")
    with ResultsStore(tmp_path / "r.db", readonly=True) as db:
        rec = db.run(run_id)
    assert rec["config"] == {"a": 1} and rec["seed"] == 7 and rec["version"] == __version__
    assert rec["name"] == "coin run" and rec["status"] == "running"
    assert rec["machine"]["cpu_count"] >= 1 and rec["machine"]["platform"]


def test_duplicate_batch_is_refused_and_not_counted_twice(tmp_path):
    run_id = make_store(tmp_path / "r.db")
    with ResultsStore(tmp_path / "r.db") as db:
        with pytest.raises(StoreError, match="already stored"):
            db.add_batch(run_id, 0, 0, 0.0, {"blocks": 4, "block_errors": 4})
        assert db.batches(run_id) == {0: [{"blocks": 4, "block_errors": 1}]}


def test_only_the_unbroken_prefix_of_batches_counts(tmp_path):
    run_id = make_store(tmp_path / "r.db")
    with ResultsStore(tmp_path / "r.db") as db:
        db.add_batch(run_id, 0, 2, 0.0, {"blocks": 4, "block_errors": 0})
        assert len(db.batches(run_id)[0]) == 1


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.db"
    make_store(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    before = digest(path)
    for readonly in (False, True):
        with pytest.raises(StoreError, match="newer than this opennr"):
            ResultsStore(path, readonly=readonly)
    assert digest(path) == before


@pytest.mark.parametrize("content", [b"not a database" * 64,
                                     b"SQLite format 3\x00" + b"\xff" * 2000])
def test_corrupt_file_is_refused_untouched(tmp_path, content):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a readable opennr results store"):
            ResultsStore(path, readonly=readonly)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(StoreError, match="without opennr's tables"):
        ResultsStore(path)
    assert digest(path) == before


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreError, match="no such results store"):
        ResultsStore(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()


def test_latest_unfinished_matches_the_configuration(tmp_path):
    with ResultsStore(tmp_path / "r.db") as db:
        a = db.new_run("coin", {"a": 1}, [], 1)
        b = db.new_run("coin", {"a": 2}, [], 1)
        assert db.latest_unfinished() == b
        assert db.latest_unfinished({"a": 1}) == a
        db.finish(a)
        assert db.latest_unfinished({"a": 1}) is None
        assert [r["status"] for r in db.runs()] == ["done", "running"]

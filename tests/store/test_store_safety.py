"""The store under stress: concurrent writers, a killed writer, corrupt files, old schemas."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from store_helpers import count, fixture_curriculum, writer_command

from tutor.curriculum import grade
from tutor.progress import ProgressStore, ProgressStoreError
from tutor.progress_schema import MIGRATIONS, SCHEMA_VERSION


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_two_writer_processes_at_once_lose_nothing(tmp_path: Path):
    db = tmp_path / "shared.sqlite3"
    n = 120
    procs = [
        subprocess.Popen(
            writer_command(db, n, tag), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for tag in ("first", "second")
    ]
    for p in procs:  # both have opened the store; release them together
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    ids = [[int(x) for x in out] for out in outputs]
    assert [len(i) for i in ids] == [n, n]
    assert set(ids[0]).isdisjoint(ids[1])
    # They really wrote at the same time: their attempts interleave.
    assert min(ids[1]) < max(ids[0]) and min(ids[0]) < max(ids[1])
    with ProgressStore(db) as store:
        attempts = store.attempts()
        assert len(attempts) == 2 * n
        assert {a.id for a in attempts} == set(ids[0]) | set(ids[1])
        by_tag = {tag: sum(a.quiz_id == tag for a in attempts) for tag in ("first", "second")}
        assert by_tag == {"first": n, "second": n}
        assert store.sections_read("streams") == {"s0", "s1", "s2"}
    assert integrity(db) == "ok"


def test_killed_writer_loses_no_committed_attempt(tmp_path: Path):
    db = tmp_path / "killed.sqlite3"
    proc = subprocess.Popen(writer_command(db, 100_000, "k"), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    committed = [int(proc.stdout.readline()) for _ in range(60)]
    os.kill(proc.pid, signal.SIGKILL)  # mid-run: it is writing the next attempts
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    with ProgressStore(db) as store:
        assert store.recovered_from is None
        stored = {a.id for a in store.attempts()}
        assert set(committed) <= stored
        # It carries on from where the killed process stopped.
        q = fixture_curriculum().question("st-add")
        new = store.record_attempt(q, grade(q, 1))
        assert new.id > max(stored)
    assert integrity(db) == "ok"


def _make_store_with_attempts(path: Path, n: int = 200) -> None:
    curriculum = fixture_curriculum()
    q = curriculum.question("st-add")
    with ProgressStore(path) as store:
        for i in range(n):
            store.record_attempt(q, grade(q, i % 3), time_taken_s=float(i))
    with sqlite3.connect(path) as conn:  # fold the WAL into the main file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.mark.parametrize("damage", ["garbage", "overwritten-page"])
def test_corrupt_file_is_kept_aside_and_a_fresh_one_started(tmp_path: Path, damage: str):
    db = tmp_path / "progress.sqlite3"
    if damage == "garbage":
        db.write_bytes(b"this is not a database\n" * 200)
    else:
        _make_store_with_attempts(db)
        data = bytearray(db.read_bytes())
        page = 4096
        assert len(data) > 4 * page
        data[2 * page : 3 * page] = b"\xa5" * page
        db.write_bytes(bytes(data))
    original = db.read_bytes()

    with ProgressStore(db) as store:
        aside = store.recovered_from
        assert aside is not None and aside.parent == tmp_path
        assert aside.name.startswith("progress.sqlite3.corrupt-")
        assert aside.read_bytes() == original  # kept exactly as it was
        assert str(aside) in (store.recovery_message or "")
        assert str(db) in (store.recovery_message or "")
        assert store.attempts() == []  # a fresh file that works
        q = fixture_curriculum().question("st-add")
        store.record_attempt(q, grade(q, 1))
    assert integrity(db) == "ok"
    with ProgressStore(db) as again:
        assert again.recovered_from is None
        assert len(again.attempts()) == 1


def test_a_busy_file_is_waited_for_not_treated_as_corrupt(tmp_path: Path):
    db = tmp_path / "busy.sqlite3"
    _make_store_with_attempts(db, n=3)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO lab_runs (lab, title, created_at, params, result) "
                   "VALUES ('x', 'held', '2026-01-01T00:00:00+00:00', '{}', '{}')")  # fmt: skip
    released = threading.Event()

    def release_soon() -> None:
        time.sleep(0.5)
        holder.execute("COMMIT")
        released.set()

    threading.Thread(target=release_soon).start()
    with ProgressStore(db) as store:
        q = fixture_curriculum().question("st-add")
        store.record_attempt(q, grade(q, 1))  # waits for the other writer
        assert released.is_set()
        assert store.recovered_from is None
        assert len(store.attempts()) == 4
        assert [r.title for r in store.list_runs()] == ["held"]
    holder.close()


def test_migrates_an_empty_version_0_file(tmp_path: Path):
    db = tmp_path / "v0.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE unrelated (x)")  # a file SQLite made, nothing of ours
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    with ProgressStore(db) as store:
        store.save_run("patching", "t", {}, {})
        store.record_visit("streams", "intro", 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"unrelated", "attempts", "cards", "sections_read", "lab_runs"} <= tables


def test_migrates_version_1_keeping_its_data(tmp_path: Path):
    db = tmp_path / "v1.sqlite3"
    with sqlite3.connect(db) as conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO attempts (question_id, quiz_id, lesson_id, source, answer, correct, "
            "rating, time_taken_s, created_at) VALUES ('st-add', 'streams-check', 'streams', "
            "'quiz', '1', 1, 3, 2.0, '2026-01-01T00:00:00.000+00:00')"
        )
        conn.execute("PRAGMA user_version = 1")
    with ProgressStore(db) as store:
        (old,) = store.attempts()
        assert (old.question_id, old.answer, old.correct) == ("st-add", 1, True)
        run_id = store.save_run("sae", "after upgrade", {"k": 4}, {"l0": 4})
        assert store.load_run(run_id).params == {"k": 4}
    assert count(db, "attempts") == 1


def test_a_newer_schema_is_refused_untouched(tmp_path: Path):
    db = tmp_path / "future.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = db.read_bytes()
    with pytest.raises(ProgressStoreError, match="newer mitutor"):
        ProgressStore(db)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["future.sqlite3"]  # nothing moved aside


def test_a_path_that_cannot_be_a_file_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(ProgressStoreError, match=r"cannot open .*not-a-dir/progress.sqlite3"):
        ProgressStore(blocker / "progress.sqlite3")

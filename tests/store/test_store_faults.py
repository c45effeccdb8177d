"""Faults around the progress file: a garbled write-ahead log, a full disk, a bad home,
and the side files' permissions."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from store_helpers import REPO, fixture_curriculum

from tutor.curriculum import grade
from tutor.paths import DataDirError, data_dir
from tutor.progress import ProgressStore, StoreWriteError
from tutor.progress_wal import check_wal


def _answer(store: ProgressStore, n: int) -> None:
    q = fixture_curriculum().question("st-add")
    for i in range(n):
        store.record_attempt(q, grade(q, i % 2), quiz_id="streams-check")


def _snapshot_with_log(tmp_path: Path, n: int) -> Path:
    """A copy of a database taken while open, so its -wal holds committed frames."""
    live = tmp_path / "live" / "progress.sqlite3"
    live.parent.mkdir()
    store = ProgressStore(live)
    store._conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every commit in the log
    _answer(store, n)
    copy = tmp_path / "copy" / "progress.sqlite3"
    copy.parent.mkdir()
    shutil.copy2(live, copy)
    shutil.copy2(live.with_name(live.name + "-wal"), copy.with_name(copy.name + "-wal"))
    store.close()
    return copy


def test_an_intact_log_is_replayed_and_not_reported(tmp_path: Path):
    db = _snapshot_with_log(tmp_path, 40)
    wal = db.with_name(db.name + "-wal")
    found = check_wal(wal)
    assert not found.damaged and found.valid_frames > 40
    with ProgressStore(db) as store:
        assert store.recovered_from is None
        assert len(store.attempts()) == 40


def test_a_garbled_log_is_kept_aside_and_reported(tmp_path: Path):
    db = _snapshot_with_log(tmp_path, 40)
    wal = db.with_name(db.name + "-wal")
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # zero a run of bytes inside a frame's page
    wal.write_bytes(bytes(data))
    found = check_wal(wal)
    assert found.damaged and "checksum" in found.reason
    damaged_log = bytes(data)
    with ProgressStore(db) as store:
        assert store.recovered_from is not None
        assert "write-ahead log" in (store.recovery_message or "")
        assert str(store.recovered_from) in (store.recovery_message or "")
        kept_log = store.recovered_from.with_name(store.recovered_from.name + "-wal")
        assert kept_log.read_bytes() == damaged_log  # the evidence is kept as it was
        assert store.recovered_from.exists()
        # SQLite still gives what it can read: the attempts before the damage.
        assert 0 < len(store.attempts()) < 40
        _answer(store, 1)  # and the store works


def test_a_log_header_that_is_not_a_log_is_damage(tmp_path: Path):
    wal = tmp_path / "x-wal"
    wal.write_bytes(b"garbage!" * 10)
    assert check_wal(wal).damaged
    wal.write_bytes(bytes(64))  # a zeroed header: SQLite treats the log as empty
    assert not check_wal(wal).damaged


class _FailingConnection:
    """A connection whose writes fail as on a full disk while ``full`` is set."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.full = True

    def execute(self, sql: str, *args: Any) -> Any:
        if self.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def close(self) -> None:
        self.conn.close()


def test_a_full_disk_keeps_answers_in_memory_and_writes_them_later(tmp_path: Path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    failing = _FailingConnection(store._conn)
    store._conn = failing  # type: ignore[assignment]
    q = fixture_curriculum().question("st-add")
    with pytest.raises(StoreWriteError, match="disk is full.*1 change kept in memory"):
        store.record_attempt(q, grade(q, 0), quiz_id="streams-check")
    first_time = store.pending[0][2]["when"]
    with pytest.raises(StoreWriteError, match="2 changes kept"):
        store.record_visit("streams", "s0", 0)
    assert store.retry_pending() == 2  # still full: nothing lost, nothing written
    failing.full = False
    _answer(store, 1)  # the next write first writes what was kept, in order
    assert store.pending == []
    attempts = store.attempts()
    assert len(attempts) == 2
    assert min(a.created_at for a in attempts) == first_time.replace(
        microsecond=first_time.microsecond // 1000 * 1000
    )
    assert store.sections_read("streams") == {"s0"}
    store.close()


def test_side_files_are_made_private(tmp_path: Path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        side.touch()
        os.chmod(side, 0o644)
    store = ProgressStore(db)
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
    store.close()


@pytest.mark.parametrize("make_bad", ["file", "under-file"])
def test_a_bad_mitutor_home_is_one_clear_line(
    tmp_path: Path, make_bad: str, monkeypatch: pytest.MonkeyPatch
):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    home = blocker if make_bad == "file" else blocker / "sub"
    env = {**os.environ, "MITUTOR_HOME": str(home), "PYTHONPATH": str(REPO)}
    monkeypatch.setenv("MITUTOR_HOME", str(home))
    with pytest.raises(DataDirError, match="MITUTOR_HOME"):
        data_dir()
    for argv in ([],):  # the app: its progress file lives there
        done = subprocess.run(
            [sys.executable, "-m", "tutor", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "MITUTOR_HOME" in done.stderr and str(blocker) in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1

"""The learner's progress: a SQLite file in the user data directory.

What it keeps: sections read and the last position in each lesson, every quiz attempt
(question, answer, right or wrong, time taken, when), each question's FSRS review card,
finished-quiz scores, and saved lab runs.

How it stays safe:

- WAL journal, ``synchronous=FULL``: a committed attempt survives the process being
  killed at any moment.
- Every write is one ``BEGIN IMMEDIATE`` transaction (an attempt and its card update
  together; a lesson visit's "read" mark and position together), and a generous busy
  timeout, so two app instances writing at once both succeed.
- The file (and SQLite's -wal/-shm files, which copy its permissions) is mode 0600.
- A file SQLite reports as corrupt is renamed aside (kept, never deleted) and a fresh one
  started; ``recovered_from`` / ``recovery_message`` say so for the UI to show.
- A garbled ``-wal`` (SQLite would silently drop every commit after the bad frame) is
  found before opening (:mod:`tutor.progress_wal`): copies of the file and its log are kept
  aside and named, and the store opens with what SQLite can still read.
- A write that fails (a full disk, an I/O error) is kept in memory, in order, and retried
  before the next write or by ``retry_pending()``; the caller gets ``StoreWriteError``
  saying so, and the app keeps running.
- ``PRAGMA user_version`` migrations (see :mod:`tutor.progress_schema`).

One connection is shared by all threads (workers included) behind a lock.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.curriculum.grading import Grade, QuizScore
from tutor.curriculum.review import CardState, ReviewScheduler, card_from_json, utcnow
from tutor.progress_schema import MIGRATIONS, SCHEMA_VERSION
from tutor.wording import count

if TYPE_CHECKING:
    from tutor.curriculum.loader import Curriculum
    from tutor.curriculum.schema import FreeRecall, Lesson, MultiChoice, SingleChoice

DB_NAME = "progress.sqlite3"
BUSY_TIMEOUT_S = 30.0
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class ProgressStoreError(Exception):
    """The progress file cannot be used (and was not replaced): the message says why."""


class StoreWriteError(ProgressStoreError):
    """A write failed (disk full, I/O error); it is kept in memory and retried later."""


_WRITE_ERRORS = (sqlite3.OperationalError, OSError)


def _kept_on_failure(method: Any) -> Any:
    """Make a write method durable in memory: earlier failed writes are replayed first, in
    order, and a failing write is queued (with its time fixed now) instead of lost."""
    import inspect

    takes_when = "when" in inspect.signature(method).parameters

    @functools.wraps(method)
    def wrapper(self: ProgressStore, *args: Any, **kwargs: Any) -> Any:
        if takes_when and kwargs.get("when") is None:
            kwargs["when"] = utcnow()
        try:
            self._replay_pending()
            return method(self, *args, **kwargs)
        except _WRITE_ERRORS as err:
            self.pending.append((method, args, kwargs))
            n = len(self.pending)
            raise StoreWriteError(
                f"could not write to {self.path} ({err}); {n} change{'s' if n != 1 else ''} "
                "kept in memory, to be written when it works again"
            ) from err

    return wrapper


@dataclass(frozen=True)
class AttemptRecord:
    """One answer to one question. ``answer`` is as stored by grading (JSON-decoded)."""

    id: int
    question_id: str
    quiz_id: str | None
    lesson_id: str | None
    source: str
    answer: Any
    correct: bool
    rating: int
    time_taken_s: float | None
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """A saved lab run."""

    id: int
    lab: str
    title: str
    created_at: datetime
    params: dict[str, Any]
    result: dict[str, Any]


@dataclass(frozen=True)
class ExerciseAttempt:
    """One check of an exercise."""

    id: int
    exercise_id: str
    lesson_id: str | None
    passed: bool
    message: str
    duration_s: float | None
    created_at: datetime


@dataclass(frozen=True)
class LessonStats:
    """What the home and progress screens show for one lesson."""

    lesson_id: str
    title: str
    sections_read: int
    sections_total: int
    best_score: QuizScore | None
    cards_due: int
    cards_total: int
    attempts: int

    @property
    def reading_fraction(self) -> float:
        return self.sections_read / self.sections_total if self.sections_total else 0.0


def default_path() -> Path:
    from tutor import paths

    return paths.data_dir() / DB_NAME


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a lab run")


def _is_corruption(err: sqlite3.DatabaseError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


class ProgressStore:
    """The progress database. Safe to share between threads and between processes.

    ``path`` defaults to ``paths.data_dir() / "progress.sqlite3"`` (``MITUTOR_HOME``
    overrides the data directory). ``scheduler`` sets the FSRS settings used to update
    review cards (tests pass ``ReviewScheduler(fuzz=False)``).
    """

    def __init__(
        self, path: Path | None = None, *, scheduler: ReviewScheduler | None = None
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.scheduler = scheduler or ReviewScheduler()
        self.recovered_from: Path | None = None
        self.recovery_message: str | None = None
        self.pending: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._check_log()
            try:
                self._conn = self._open_waiting()
            except sqlite3.DatabaseError as err:
                if not _is_corruption(err):
                    raise ProgressStoreError(f"cannot open {self.path}: {err}") from err
                self._set_aside(str(err))
                self._conn = self._open()
        except OSError as err:
            raise ProgressStoreError(f"cannot open {self.path}: {err}") from err

    # -- opening, recovery, migrations -------------------------------------------------

    def _open_waiting(self) -> sqlite3.Connection:
        # Switching to WAL and the first migration take locks for which SQLite does not
        # always call its busy handler, so a second instance starting at the same moment
        # can get "database is locked" at once: wait and try again, within the timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.01
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as err:
                if "locked" not in str(err).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    def _open(self) -> sqlite3.Connection:
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                err = sqlite3.DatabaseError(f"integrity check failed: {check}")
                err.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
                raise err
            self._refuse_newer(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            self._private_side_files()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again inside the write lock: another instance may have migrated.
            self._refuse_newer(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _refuse_newer(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ProgressStoreError(
                f"{self.path} was written by a newer mitutor (schema {version}, this "
                f"version knows {SCHEMA_VERSION}); upgrade mitutor or set MITUTOR_HOME "
                "to use another directory"
            )

    def _private_side_files(self) -> None:
        """SQLite's -wal/-shm copy the database's mode only when it creates them: an older
        one keeps whatever mode it had."""
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists() and extra.stat().st_mode & 0o077:
                os.chmod(extra, 0o600)

    def _check_log(self) -> None:
        """Before SQLite replays the log (dropping what follows a garbled frame), check it;
        if damaged, keep copies of the file and its log aside and say so."""
        from tutor.progress_wal import check_wal

        wal = self.path.with_name(self.path.name + "-wal")
        found = check_wal(wal)
        if not found.damaged or not self.path.exists():
            return
        aside = self._aside_name("damaged-log")
        shutil.copy2(self.path, aside)
        shutil.copy2(wal, aside.with_name(aside.name + "-wal"))
        self.recovered_from = aside
        self.recovery_message = (
            f"The progress file's write-ahead log {wal} is damaged ({found.reason}); answers "
            f"saved after its first {count(found.valid_frames, 'valid frame')} may be missing. Copies "
            f"of the file and its log were kept as {aside} and {aside.name}-wal."
        )

    def _aside_name(self, label: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.{label}-{stamp}")
        n = 2
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.{label}-{stamp}-{n}")
            n += 1
        return aside

    def _replay_pending(self) -> None:
        with self._lock:
            while self.pending:
                method, args, kwargs = self.pending[0]
                method(self, *args, **kwargs)
                self.pending.pop(0)

    def retry_pending(self) -> int:
        """Write the changes kept in memory; return how many are still waiting."""
        with suppress(_WRITE_ERRORS):
            self._replay_pending()
        return len(self.pending)

    def _set_aside(self, reason: str) -> None:
        aside = self._aside_name("corrupt")
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + suffix))
        self.recovered_from = aside
        self.recovery_message = (
            f"The progress file {self.path} could not be read ({reason}). It was kept as "
            f"{aside} and a fresh one was started."
        )

    def close(self) -> None:
        with self._lock:
            self.retry_pending()
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # -- lessons ---------------------------------------------------------------------

    @_kept_on_failure
    def record_visit(
        self, lesson_id: str, section_key: str, section_index: int, when: datetime | None = None
    ) -> None:
        """The learner is on this section: mark it read and make it the resume point."""
        stamp = _iso(when or utcnow())
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sections_read VALUES (?, ?, ?)",
                (lesson_id, section_key, stamp),
            )
            conn.execute(
                "INSERT INTO lesson_position VALUES (?, ?, ?, ?) ON CONFLICT (lesson_id) DO "
                "UPDATE SET section_index = excluded.section_index, "
                "section_key = excluded.section_key, updated_at = excluded.updated_at",
                (lesson_id, section_index, section_key, stamp),
            )

    def sections_read(self, lesson_id: str) -> set[str]:
        """Keys of the sections of this lesson ever shown."""
        rows = self._read("SELECT section_key FROM sections_read WHERE lesson_id = ?", (lesson_id,))
        return {row[0] for row in rows}

    def last_position(self, lesson_id: str) -> tuple[int, str] | None:
        """``(section_index, section_key)`` last recorded for this lesson, if any."""
        rows = self._read(
            "SELECT section_index, section_key FROM lesson_position WHERE lesson_id = ?",
            (lesson_id,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def resume_index(self, lesson: Lesson) -> int:
        """The section to reopen this lesson at: the last one shown, found by key (so
        edits that move sections still land right), else by index, else the first."""
        position = self.last_position(lesson.id)
        if position is None or not lesson.sections:
            return 0
        index, key = position
        by_key = lesson.section_index(key)
        if by_key is not None:
            return by_key
        return min(max(index, 0), len(lesson.sections) - 1)

    # -- quiz attempts and review cards --------------------------------------------------

    @_kept_on_failure
    def record_attempt(
        self,
        question: SingleChoice | MultiChoice | FreeRecall,
        grade: Grade,
        *,
        quiz_id: str | None = None,
        time_taken_s: float | None = None,
        source: str = "quiz",
        when: datetime | None = None,
    ) -> AttemptRecord:
        """Store one graded answer and update the question's review card, atomically.

        ``source`` says where it was answered ("quiz" or "review").
        """
        if grade.question_id != question.id:
            raise ValueError(f"grade is for {grade.question_id!r}, question is {question.id!r}")
        moment = (when or utcnow()).astimezone(UTC)
        stamp = _iso(moment)
        with self._write() as conn:
            row = conn.execute(
                "SELECT card FROM cards WHERE question_id = ?", (question.id,)
            ).fetchone()
            card = card_from_json(row[0]) if row else self.scheduler.new_card(question.id, moment)
            card = self.scheduler.review(card, grade.rating, moment, time_taken_s)
            cursor = conn.execute(
                "INSERT INTO attempts (question_id, quiz_id, lesson_id, source, answer, "
                "correct, rating, time_taken_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    question.id,
                    quiz_id,
                    question.lesson,
                    source,
                    json.dumps(grade.answer),
                    int(grade.correct),
                    int(grade.rating),
                    time_taken_s,
                    stamp,
                ),
            )
            conn.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?) ON CONFLICT (question_id) DO UPDATE SET "
                "card = excluded.card, due_ts = excluded.due_ts, updated_at = excluded.updated_at",
                (question.id, card.to_json(), card.due.timestamp(), stamp),
            )
            attempt_id = cursor.lastrowid
        assert attempt_id is not None
        return AttemptRecord(
            attempt_id,
            question.id,
            quiz_id,
            question.lesson,
            source,
            grade.answer,
            grade.correct,
            int(grade.rating),
            time_taken_s,
            moment,
        )

    def attempts(
        self, question_id: str | None = None, lesson_id: str | None = None
    ) -> list[AttemptRecord]:
        """Attempts, oldest first, optionally for one question or one lesson."""
        sql = (
            "SELECT id, question_id, quiz_id, lesson_id, source, answer, correct, rating, "
            "time_taken_s, created_at FROM attempts"
        )
        where, args = [], []
        if question_id is not None:
            where.append("question_id = ?")
            args.append(question_id)
        if lesson_id is not None:
            where.append("lesson_id = ?")
            args.append(lesson_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._read(sql + " ORDER BY id", tuple(args))
        return [
            AttemptRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                json.loads(r[5]),
                bool(r[6]),
                r[7],
                r[8],
                datetime.fromisoformat(r[9]),
            )
            for r in rows
        ]

    def card(self, question_id: str) -> CardState | None:
        """The question's review card, or None if it was never answered."""
        rows = self._read("SELECT card FROM cards WHERE question_id = ?", (question_id,))
        return CardState(question_id, card_from_json(rows[0][0])) if rows else None

    def cards(self) -> list[CardState]:
        """Every card, soonest due first."""
        rows = self._read("SELECT question_id, card FROM cards ORDER BY due_ts, question_id")
        return [CardState(q, card_from_json(c)) for q, c in rows]

    def due_cards(self, now: datetime | None = None) -> list[CardState]:
        """Cards due at ``now`` (default: now), most overdue first."""
        moment = (now or utcnow()).timestamp()
        rows = self._read(
            "SELECT question_id, card FROM cards WHERE due_ts <= ? ORDER BY due_ts, question_id",
            (moment,),
        )
        return [CardState(q, card_from_json(c)) for q, c in rows]

    @_kept_on_failure
    def record_quiz_score(
        self, quiz_id: str, lesson_id: str | None, score: QuizScore, when: datetime | None = None
    ) -> None:
        """Store the score of a finished quiz."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO quiz_scores (quiz_id, lesson_id, correct, total, finished_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (quiz_id, lesson_id, score.correct, score.total, _iso(when or utcnow())),
            )

    def best_quiz_score(self, quiz_id: str) -> QuizScore | None:
        """The best finished score for this quiz (highest fraction, then most questions)."""
        rows = self._read(
            "SELECT correct, total FROM quiz_scores WHERE quiz_id = ? AND total > 0 "
            "ORDER BY CAST(correct AS REAL) / total DESC, total DESC LIMIT 1",
            (quiz_id,),
        )
        return QuizScore(rows[0][0], rows[0][1]) if rows else None

    # -- per-lesson summary -------------------------------------------------------------

    def lesson_stats(
        self, curriculum: Curriculum, lesson_id: str, now: datetime | None = None
    ) -> LessonStats:
        """Sections read / total, best score of the lesson's quiz, its cards due."""
        lesson = curriculum.lesson(lesson_id)
        keys = {s.key for s in lesson.sections}
        read = len(self.sections_read(lesson_id) & keys)
        best = self.best_quiz_score(lesson.quiz) if lesson.quiz else None
        question_ids = {q.id for q in curriculum.questions_for_lesson(lesson_id)}
        due = {c.question_id for c in self.due_cards(now)} & question_ids
        carded = {c.question_id for c in self.cards()} & question_ids
        n_attempts = self._read("SELECT COUNT(*) FROM attempts WHERE lesson_id = ?", (lesson_id,))
        return LessonStats(
            lesson_id,
            lesson.title,
            read,
            len(keys),
            best,
            len(due),
            len(carded),
            n_attempts[0][0],
        )

    def all_lesson_stats(
        self, curriculum: Curriculum, now: datetime | None = None
    ) -> list[LessonStats]:
        """``lesson_stats`` for every lesson, in course order."""
        return [self.lesson_stats(curriculum, lesson.id, now) for lesson in curriculum.lessons]

    # -- lab runs ---------------------------------------------------------------------

    @_kept_on_failure
    def save_run(
        self, lab: str, title: str, params: dict, result: dict, when: datetime | None = None
    ) -> int:
        """Save a lab run (``params`` and ``result`` must be JSON-able; numpy arrays and
        tensors are stored as lists, non-finite numbers as null). Returns its id."""
        from tutor.labs.jsonout import to_jsonable

        params_json = json.dumps(to_jsonable(params), default=_jsonable, allow_nan=False)
        result_json = json.dumps(to_jsonable(result), default=_jsonable, allow_nan=False)
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO lab_runs (lab, title, created_at, params, result) "
                "VALUES (?, ?, ?, ?, ?)",
                (lab, title, _iso(when or utcnow()), params_json, result_json),
            )
            run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def list_runs(self, lab: str | None = None) -> list[RunRecord]:
        """Saved runs, newest first, optionally for one lab."""
        sql = "SELECT id, lab, title, created_at, params, result FROM lab_runs"
        args: tuple[Any, ...] = ()
        if lab is not None:
            sql += " WHERE lab = ?"
            args = (lab,)
        return [self._run(row) for row in self._read(sql + " ORDER BY id DESC", args)]

    def load_run(self, run_id: int) -> RunRecord:
        """One saved run; ``KeyError`` if there is no run with this id."""
        rows = self._read(
            "SELECT id, lab, title, created_at, params, result FROM lab_runs WHERE id = ?",
            (run_id,),
        )
        if not rows:
            raise KeyError(f"no saved run with id {run_id}")
        return self._run(rows[0])

    @staticmethod
    def _run(row: tuple[Any, ...]) -> RunRecord:
        return RunRecord(
            row[0],
            row[1],
            row[2],
            datetime.fromisoformat(row[3]),
            json.loads(row[4]),
            json.loads(row[5]),
        )

    # -- exercises -----------------------------------------------------------------------

    @_kept_on_failure
    def record_exercise_attempt(
        self,
        exercise_id: str,
        lesson_id: str | None,
        passed: bool,
        message: str,
        duration_s: float | None = None,
        when: datetime | None = None,
    ) -> None:
        """Store one check and, atomically, update the exercise's review card.

        A failed check creates the card (due at once, like a missed question); a pass
        moves an existing card days ahead. The card's id is ``exercise:<id>``.
        """
        from tutor.curriculum.grading import SelfRating
        from tutor.curriculum.review import exercise_card_id

        moment = (when or utcnow()).astimezone(UTC)
        stamp = _iso(moment)
        card_id = exercise_card_id(exercise_id)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO exercise_attempts (exercise_id, lesson_id, passed, message, "
                "duration_s, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (exercise_id, lesson_id, int(passed), message, duration_s, stamp),
            )
            row = conn.execute(
                "SELECT card FROM cards WHERE question_id = ?", (card_id,)
            ).fetchone()
            if row is None and passed:
                return
            card = card_from_json(row[0]) if row else self.scheduler.new_card(card_id, moment)
            rating = SelfRating.GOOD if passed else SelfRating.AGAIN
            card = self.scheduler.review(card, rating, moment)
            conn.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?) ON CONFLICT (question_id) DO UPDATE SET "
                "card = excluded.card, due_ts = excluded.due_ts, updated_at = excluded.updated_at",
                (card_id, card.to_json(), card.due.timestamp(), stamp),
            )

    def exercise_attempts(self, exercise_id: str | None = None) -> list[ExerciseAttempt]:
        """Checks, oldest first, optionally of one exercise."""
        sql = (
            "SELECT id, exercise_id, lesson_id, passed, message, duration_s, created_at "
            "FROM exercise_attempts"
        )
        args: tuple[Any, ...] = ()
        if exercise_id is not None:
            sql += " WHERE exercise_id = ?"
            args = (exercise_id,)
        return [
            ExerciseAttempt(r[0], r[1], r[2], bool(r[3]), r[4], r[5], datetime.fromisoformat(r[6]))
            for r in self._read(sql + " ORDER BY id", args)
        ]

    def exercise_results(self) -> dict[str, tuple[bool, bool]]:
        """Per checked exercise: (latest check passed, ever passed)."""
        rows = self._read(
            "SELECT exercise_id, MAX(passed), "
            "(SELECT passed FROM exercise_attempts AS b WHERE b.exercise_id = a.exercise_id "
            "ORDER BY id DESC LIMIT 1) FROM exercise_attempts AS a GROUP BY exercise_id"
        )
        return {r[0]: (bool(r[2]), bool(r[1])) for r in rows}

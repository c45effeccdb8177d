"""Exercise attempts in the progress store: migration from an older file, cards, statuses."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from tutor.curriculum.exercises import load_exercises
from tutor.curriculum.review import ReviewScheduler, due_exercises, exercise_card_id
from tutor.exercises.status import FAILED, NOT_STARTED, SOLVED, solved_count, statuses
from tutor.progress import ProgressStore
from tutor.progress_schema import MIGRATIONS

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_a_version_2_database_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    for statements in MIGRATIONS[:2]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO quiz_scores (quiz_id, lesson_id, correct, total, finished_at) "
        "VALUES ('q', 'l', 3, 4, '2025-01-01T00:00:00.000+00:00')"
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with ProgressStore(path) as store:
        assert store.best_quiz_score("q").correct == 3
        store.record_exercise_attempt("logit-diff", "activation-patching", False, "nope", 1.0)
        assert [a.message for a in store.exercise_attempts()] == ["nope"]
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS) >= 3


def test_failed_exercise_becomes_a_due_card_and_a_pass_schedules_it_later(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=ReviewScheduler(fuzz=False))
    store.record_exercise_attempt("fvu-and-l0", "sparse-autoencoders", True, "ok", when=NOW)
    assert store.card(exercise_card_id("fvu-and-l0")) is None  # solved first time: no card
    store.record_exercise_attempt("logit-diff", "activation-patching", False, "x", when=NOW)
    assert due_exercises(store, ["logit-diff", "fvu-and-l0"], NOW) == ["logit-diff"]
    store.record_exercise_attempt("logit-diff", "activation-patching", True, "ok", when=NOW)
    assert due_exercises(store, ["logit-diff"], NOW) == []
    card = store.card(exercise_card_id("logit-diff"))
    assert card.due > NOW + timedelta(hours=12)


def test_statuses_follow_the_latest_check(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    exercises = load_exercises().exercises
    ids = [e.id for e in exercises[:3]]
    store.record_exercise_attempt(ids[0], None, True, "ok")
    store.record_exercise_attempt(ids[1], None, True, "ok")
    store.record_exercise_attempt(ids[1], None, False, "broke it")
    status = statuses(exercises, store)
    assert [status[i] for i in ids] == [SOLVED, FAILED, NOT_STARTED]
    assert solved_count(exercises, store) == 2

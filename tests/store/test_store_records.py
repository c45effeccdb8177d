"""What the progress store keeps: visits, attempts with their cards, scores, lab runs."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import fixture_curriculum

from tutor.curriculum import QuizScore, ReviewScheduler, SelfRating, grade
from tutor.progress import ProgressStore, default_path

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def curriculum():
    return fixture_curriculum()


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore(tmp_path / "p.sqlite3", scheduler=ReviewScheduler(fuzz=False)) as s:
        yield s


def test_default_path_follows_mitutor_home(_isolated_home: Path):
    assert default_path() == _isolated_home / "progress.sqlite3"
    with ProgressStore() as s:
        assert s.path == _isolated_home / "progress.sqlite3"
        assert s.path.exists()


def test_visits_mark_sections_read_and_remember_the_position(store, curriculum, tmp_path):
    lesson = curriculum.lesson("streams")
    assert store.resume_index(lesson) == 0
    store.record_visit("streams", "intro", 0)
    store.record_visit("streams", "why-addition-matters", 2)
    store.record_visit("streams", "why-addition-matters", 2)
    assert store.sections_read("streams") == {"intro", "why-addition-matters"}
    assert store.last_position("streams") == (2, "why-addition-matters")
    assert store.resume_index(lesson) == 2
    # A section that moved is found by its key; a vanished one falls back to the index.
    store.record_visit("streams", "reading-and-writing-2", 1)
    assert store.resume_index(lesson) == 3
    store.record_visit("streams", "gone", 99)
    assert store.resume_index(lesson) == len(lesson.sections) - 1
    # Reopening the file (a restarted app) sees the same.
    with ProgressStore(store.path) as again:
        assert again.sections_read("streams") == {
            "intro",
            "why-addition-matters",
            "reading-and-writing-2",
            "gone",
        }
        assert again.last_position("streams") == (99, "gone")


def test_attempts_are_kept_with_their_card(store, curriculum):
    q = curriculum.question("st-which")
    first = store.record_attempt(
        q, grade(q, [0]), quiz_id="streams-check", time_taken_s=3.25, when=T0
    )
    second = store.record_attempt(q, grade(q, [0, 1]), source="review", when=T0 + timedelta(1))
    attempts = store.attempts(question_id="st-which")
    assert [a.id for a in attempts] == [first.id, second.id]
    a, b = attempts
    assert (a.answer, a.correct, a.rating, a.time_taken_s, a.quiz_id, a.lesson_id) == (
        [0],
        False,
        int(SelfRating.AGAIN),
        3.25,
        "streams-check",
        "streams",
    )
    assert a.created_at == T0
    assert (b.answer, b.correct, b.source) == ([0, 1], True, "review")
    assert store.attempts(lesson_id="heads") == []

    card = store.card("st-which")
    assert card is not None and card.card.last_review == T0 + timedelta(1)
    # The card is what FSRS gives for the same two reviews, done here by hand.
    sched = ReviewScheduler(fuzz=False)
    expected = sched.review(sched.new_card("st-which", T0), SelfRating.AGAIN, T0)
    expected = sched.review(expected, SelfRating.GOOD, T0 + timedelta(1))
    assert card.due == expected.due
    assert card.card.stability == pytest.approx(expected.stability)


def test_free_recall_self_ratings_and_due_cards(store, curriculum):
    q = curriculum.question("st-free")
    store.record_attempt(q, grade(q, SelfRating.AGAIN), when=T0)
    assert [c.question_id for c in store.due_cards(T0)] == ["st-free"]
    store.record_attempt(q, grade(q, SelfRating.EASY), when=T0 + timedelta(minutes=2))
    assert store.due_cards(T0 + timedelta(hours=1)) == []
    assert [c.question_id for c in store.cards()] == ["st-free"]


def test_mismatched_grade_is_refused_and_nothing_written(store, curriculum):
    with pytest.raises(ValueError, match="grade is for"):
        store.record_attempt(
            curriculum.question("st-add"), grade(curriculum.question("hd-move"), 0)
        )
    assert store.attempts() == [] and store.cards() == []


def test_lesson_stats(store, curriculum):
    store.record_visit("streams", "intro", 0)
    store.record_visit("streams", "reading-and-writing", 1)
    store.record_visit("streams", "old-section-no-longer-there", 7)
    for qid, answer in [("st-add", 0), ("hd-count", 1), ("st-which", [0, 1])]:
        q = curriculum.question(qid)
        store.record_attempt(q, grade(q, answer), when=T0)
    store.record_quiz_score("streams-check", "streams", QuizScore(1, 3), when=T0)
    store.record_quiz_score("streams-check", "streams", QuizScore(2, 3), when=T0)
    store.record_quiz_score("streams-check", "streams", QuizScore(0, 3), when=T0)
    stats = store.lesson_stats(curriculum, "streams", now=T0)
    assert (stats.sections_read, stats.sections_total) == (2, 4)
    assert stats.best_score == QuizScore(2, 3)
    # st-add and hd-count (which names the streams lesson) were missed; st-which was right.
    assert (stats.cards_due, stats.cards_total, stats.attempts) == (2, 3, 3)
    heads = store.lesson_stats(curriculum, "heads", now=T0)
    assert (heads.sections_read, heads.best_score, heads.cards_due) == (0, None, 0)
    assert [s.lesson_id for s in store.all_lesson_stats(curriculum, T0)] == ["streams", "heads"]


def test_lab_runs_round_trip(store):
    np = pytest.importorskip("numpy")
    first = store.save_run("patching", "Eiffel", {"layers": 12}, {"bars": np.arange(3) / 2})
    second = store.save_run("sae", "TopK", {"k": 8}, {"l0": np.float32(7.5)})
    third = store.save_run("patching", "Colosseum", {"prompt": "The Colosseum is in"}, {})
    assert [r.id for r in store.list_runs()] == [third, second, first]
    assert [r.title for r in store.list_runs("patching")] == ["Colosseum", "Eiffel"]
    run = store.load_run(first)
    assert (run.lab, run.params, run.result) == ("patching", {"layers": 12}, {"bars": [0, 0.5, 1]})
    assert store.load_run(second).result == {"l0": 7.5}
    with pytest.raises(KeyError, match="no saved run with id 999"):
        store.load_run(999)
    with pytest.raises(TypeError, match="cannot store a object"):
        store.save_run("sae", "bad", {}, {"x": object()})
    assert len(store.list_runs()) == 3


def test_files_are_private(tmp_path: Path, curriculum):
    path = tmp_path / "private.sqlite3"
    with ProgressStore(path) as s:
        q = curriculum.question("st-add")
        s.record_attempt(q, grade(q, 1))
        for p in (path, path.with_name(path.name + "-wal")):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    path.chmod(0o644)
    with ProgressStore(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_threads_share_one_store(store, curriculum):
    q = curriculum.question("st-add")

    def work() -> None:
        for i in range(25):
            store.record_attempt(q, grade(q, i % 3))
            store.record_visit("streams", "intro", 0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.attempts()) == 100

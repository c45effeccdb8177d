"""FSRS scheduling: misses come back at once, recalled cards move out by days, growing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from curriculum_fixtures import COURSE
from fsrs import State

from tutor.curriculum import ReviewScheduler, SelfRating, due_questions, grade, load_curriculum
from tutor.curriculum.review import is_due
from tutor.progress import ProgressStore

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_missed_card_is_due_now_and_good_card_is_days_away():
    sched = ReviewScheduler(fuzz=False)
    missed = sched.review(sched.new_card("a", T0), SelfRating.AGAIN, T0)
    good = sched.review(sched.new_card("b", T0), SelfRating.GOOD, T0)
    assert is_due(missed, T0)
    assert missed.state == State.Learning
    assert not is_due(good, T0 + timedelta(hours=23))
    assert good.due >= T0 + timedelta(days=1)
    assert good.state == State.Review


def test_intervals_grow_with_recall_and_order_by_rating():
    sched = ReviewScheduler(fuzz=False)
    intervals = []
    card, when = sched.new_card("a", T0), T0
    for _ in range(4):
        card = sched.review(card, SelfRating.GOOD, when)
        intervals.append(card.due - when)
        when = card.due
    assert intervals == sorted(intervals) and intervals[0] < intervals[-1]

    reviewed = sched.review(sched.new_card("b", T0), SelfRating.GOOD, T0)
    later = reviewed.due
    by_rating = {
        r: sched.review(reviewed, r, later).due - later
        for r in (SelfRating.HARD, SelfRating.GOOD, SelfRating.EASY)
    }
    assert by_rating[SelfRating.HARD] < by_rating[SelfRating.GOOD] < by_rating[SelfRating.EASY]
    lapsed = sched.review(reviewed, SelfRating.AGAIN, later)
    assert lapsed.state == State.Relearning and is_due(lapsed, later)


def test_due_questions_serves_missed_cards_across_lessons(tmp_path):
    curriculum = load_curriculum([COURSE / "content"], [COURSE / "quizzes"])
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=ReviewScheduler(fuzz=False))
    for qid, answer in [("st-add", 0), ("hd-move", 1), ("st-which", [0, 1])]:
        q = curriculum.question(qid)
        store.record_attempt(q, grade(q, answer), when=T0)
    due = due_questions(curriculum, store, now=T0 + timedelta(minutes=1))
    assert [d.question.id for d in due] == ["hd-move", "st-add"]
    assert due[0].quiz.id == "heads-check"
    assert [d.question.id for d in due_questions(curriculum, store, T0, lesson_id="heads")] == [
        "hd-move"
    ]
    # The right answer comes back only days later.
    assert "st-which" in {
        d.question.id for d in due_questions(curriculum, store, T0 + timedelta(days=60))
    }
    # A card whose question was removed from the quizzes is not served.
    smaller = load_curriculum([COURSE / "content"], [COURSE / "quizzes" / "streams-check.yaml"])
    assert [d.question.id for d in due_questions(smaller, store, T0)] == ["st-add"]

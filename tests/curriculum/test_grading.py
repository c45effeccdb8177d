"""Marking answers of each kind, and tallying a quiz."""

from __future__ import annotations

import pytest
from curriculum_fixtures import COURSE

from tutor.curriculum import AnswerError, SelfRating, grade, load_curriculum, score


@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum([COURSE / "content"], [COURSE / "quizzes"])


def test_single_choice(curriculum):
    q = curriculum.question("st-add")  # answer 1 of 3
    right, wrong = grade(q, 1), grade(q, 0)
    assert (right.correct, right.rating, right.answer, right.expected) == (
        True,
        SelfRating.GOOD,
        1,
        1,
    )
    assert (wrong.correct, wrong.rating, wrong.expected) == (False, SelfRating.AGAIN, 1)
    assert wrong.explanation == "Layers add their output to the stream."
    for bad in (3, -1, True, "1", [1]):
        with pytest.raises(AnswerError, match="st-add"):
            grade(q, bad)


def test_multi_choice_needs_exactly_the_right_set(curriculum):
    q = curriculum.question("st-which")  # answer [0, 1] of 3
    assert grade(q, [1, 0]).correct
    assert grade(q, {0, 1}).correct
    assert grade(q, [0, 1, 1]).answer == [0, 1]
    assert not grade(q, [0]).correct  # a subset is wrong
    assert not grade(q, [0, 1, 2]).correct  # a superset is wrong
    assert not grade(q, []).correct
    with pytest.raises(AnswerError):
        grade(q, [0, 3])
    with pytest.raises(AnswerError):
        grade(q, 0)


def test_free_recall_is_self_rated(curriculum):
    q = curriculum.question("st-free")
    again = grade(q, SelfRating.AGAIN)
    assert not again.correct and again.answer == "again"
    assert again.expected == q.model_answer
    for rating in (SelfRating.HARD, SelfRating.GOOD, SelfRating.EASY, 4):
        result = grade(q, rating)
        assert result.correct and result.rating == rating
    with pytest.raises(AnswerError):
        grade(q, 5)


def test_score(curriculum):
    q = curriculum.question("st-add")
    s = score([grade(q, 1), grade(q, 0), grade(q, 1)])
    assert (s.correct, s.total, s.percent) == (2, 3, 67)
    assert str(s) == "2/3 (67%)"
    assert score([]).fraction == 0.0

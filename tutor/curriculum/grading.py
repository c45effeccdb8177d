"""Marking answers: right or wrong, what was expected, and the rating the review queue gets.

- ``single``: the answer is a choice index.
- ``multi``: the answer is a collection of choice indexes; right only if it is exactly
  the set of right choices (order and repeats do not matter).
- ``free``: the learner reveals the model answer and rates themselves; Again counts as
  wrong, Hard/Good/Easy as right.

A wrong choice answer schedules the card as Again; a right one as Good.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from tutor.curriculum.schema import FreeRecall, MultiChoice, SingleChoice


class SelfRating(IntEnum):
    """How well an answer was recalled; the values match FSRS's ratings."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer.

    ``answer`` is the normalised answer as it should be stored (an int, a sorted list of
    ints, or the self-rating's name); ``expected`` is the right choice index(es), or the
    model answer for free recall.
    """

    question_id: str
    correct: bool
    rating: SelfRating
    answer: int | list[int] | str
    expected: int | list[int] | str
    explanation: str


class AnswerError(ValueError):
    """The answer does not fit the question (wrong type, index out of range)."""


def grade_single(question: SingleChoice, choice: int) -> Grade:
    """Mark a single-choice answer given as a 0-based choice index."""
    if isinstance(choice, bool) or not isinstance(choice, int):
        raise AnswerError(f"{question.id}: a single-choice answer is one index, got {choice!r}")
    _check_range(question, [choice])
    correct = choice == question.answer
    return Grade(
        question.id,
        correct,
        SelfRating.GOOD if correct else SelfRating.AGAIN,
        choice,
        question.answer,
        question.explanation,
    )


def grade_multi(question: MultiChoice, choices: Iterable[int]) -> Grade:
    """Mark a multiple-choice answer: right only if exactly the right choices are picked."""
    picked = sorted(set(choices))
    _check_range(question, picked)
    correct = frozenset(picked) == question.answer_set
    return Grade(
        question.id,
        correct,
        SelfRating.GOOD if correct else SelfRating.AGAIN,
        picked,
        sorted(question.answer),
        question.explanation,
    )


def grade_free(question: FreeRecall, rating: SelfRating | int) -> Grade:
    """Record a self-rated free-recall answer; Again is wrong, anything else is right."""
    try:
        rating = SelfRating(rating)
    except ValueError:
        raise AnswerError(f"{question.id}: a self-rating is 1-4, got {rating!r}") from None
    return Grade(
        question.id,
        rating != SelfRating.AGAIN,
        rating,
        rating.name.lower(),
        question.model_answer,
        question.explanation,
    )


def grade(
    question: SingleChoice | MultiChoice | FreeRecall, answer: int | Iterable[int] | SelfRating
) -> Grade:
    """Mark ``answer`` for any kind of question (see the module docstring for the forms)."""
    if isinstance(question, SingleChoice):
        return grade_single(question, answer)  # type: ignore[arg-type]
    if isinstance(question, MultiChoice):
        if isinstance(answer, int):
            raise AnswerError(f"{question.id}: a multiple-choice answer is a list of indexes")
        return grade_multi(question, answer)
    return grade_free(question, answer)  # type: ignore[arg-type]


def _check_range(question: SingleChoice | MultiChoice, picked: list[int]) -> None:
    n = len(question.choices)
    for index in picked:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise AnswerError(f"{question.id}: {index!r} is not a choice (0 to {n - 1})")


@dataclass(frozen=True)
class QuizScore:
    """Right answers out of questions asked."""

    correct: int
    total: int

    @property
    def fraction(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.fraction)

    def __str__(self) -> str:
        return f"{self.correct}/{self.total} ({self.percent}%)"


def score(grades: Iterable[Grade]) -> QuizScore:
    """Tally a finished quiz."""
    marks = [g.correct for g in grades]
    return QuizScore(sum(marks), len(marks))

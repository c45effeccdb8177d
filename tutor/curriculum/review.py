"""Spaced review with FSRS: one card per question, updated by every answer.

A card is created the first time a question is answered. A wrong answer (or a
self-rating of Again) makes the card due again at once, so the Review screen serves it
in the same sitting; a right answer moves it days ahead, further each time it is
recalled. The ``fsrs`` package does the scheduling; this module only fixes its settings
and converts to and from what the progress store keeps.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Card, Rating, Scheduler, State

from tutor.curriculum.grading import SelfRating
from tutor.curriculum.schema import FreeRecall, MultiChoice, Quiz, SingleChoice

if TYPE_CHECKING:
    from tutor.curriculum.loader import Curriculum
    from tutor.progress import ProgressStore

# One zero-length learning step: a miss is due again immediately, a first right answer
# graduates straight to a review interval measured in days.
LEARNING_STEPS = (timedelta(0),)
RELEARNING_STEPS = (timedelta(0),)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewScheduler:
    """FSRS with the tutor's settings. ``fuzz=False`` makes intervals deterministic."""

    def __init__(self, *, fuzz: bool = True, desired_retention: float = 0.9) -> None:
        self._scheduler = Scheduler(
            desired_retention=desired_retention,
            learning_steps=LEARNING_STEPS,
            relearning_steps=RELEARNING_STEPS,
            enable_fuzzing=fuzz,
        )

    @staticmethod
    def new_card(question_id: str, now: datetime | None = None) -> Card:
        """A fresh, never-reviewed card for a question (due now)."""
        return Card(card_id=zlib.crc32(question_id.encode()) or 1, due=now or utcnow())

    def review(
        self,
        card: Card,
        rating: SelfRating | int,
        when: datetime | None = None,
        duration_s: float | None = None,
    ) -> Card:
        """The card after being answered with ``rating`` at ``when`` (UTC; default now)."""
        when = (when or utcnow()).astimezone(UTC)
        duration_ms = None if duration_s is None else max(0, round(duration_s * 1000))
        updated, _log = self._scheduler.review_card(
            card, Rating(int(rating)), review_datetime=when, review_duration=duration_ms
        )
        return updated

    def retrievability(self, card: Card, when: datetime | None = None) -> float:
        """FSRS's estimate (0-1) that the answer is still remembered at ``when``."""
        return self._scheduler.get_card_retrievability(card, current_datetime=when or utcnow())


def card_to_json(card: Card) -> str:
    return card.to_json()


def card_from_json(text: str) -> Card:
    return Card.from_json(text)


def is_due(card: Card, now: datetime | None = None) -> bool:
    return card.due <= (now or utcnow())


@dataclass(frozen=True)
class CardState:
    """A question's card as the UI shows it."""

    question_id: str
    card: Card

    @property
    def due(self) -> datetime:
        return self.card.due

    @property
    def learning(self) -> bool:
        return self.card.state in (State.Learning, State.Relearning)

    def due_in(self, now: datetime | None = None) -> timedelta:
        """Time until due (negative when overdue)."""
        return self.card.due - (now or utcnow())


@dataclass(frozen=True)
class DueQuestion:
    """A question whose card is due, with the quiz it comes from."""

    question: SingleChoice | MultiChoice | FreeRecall
    quiz: Quiz
    card: Card

    @property
    def due(self) -> datetime:
        return self.card.due


def due_questions(
    curriculum: Curriculum,
    store: ProgressStore,
    now: datetime | None = None,
    lesson_id: str | None = None,
) -> list[DueQuestion]:
    """Questions due for review (most overdue first), across all lessons or for one.

    Cards of questions no longer in the curriculum (a quiz was edited) are skipped.
    """
    found = []
    for state in store.due_cards(now):
        if not curriculum.has_question(state.question_id):
            continue
        question = curriculum.question(state.question_id)
        if lesson_id is not None and question.lesson != lesson_id:
            continue
        found.append(DueQuestion(question, curriculum.quiz_of(question.id), state.card))
    return found


EXERCISE_CARD_PREFIX = "exercise:"


def exercise_card_id(exercise_id: str) -> str:
    """The review card of an exercise shares the cards table with questions, under this id."""
    return EXERCISE_CARD_PREFIX + exercise_id


def due_exercises(
    store: ProgressStore, exercise_ids: list[str], now: datetime | None = None
) -> list[str]:
    """Exercises (among ``exercise_ids``) whose card is due: failed ones come back."""
    known = set(exercise_ids)
    due = []
    for state in store.due_cards(now):
        if state.question_id.startswith(EXERCISE_CARD_PREFIX):
            exercise_id = state.question_id.removeprefix(EXERCISE_CARD_PREFIX)
            if exercise_id in known:
                due.append(exercise_id)
    return due

"""The review queue: every question whose FSRS card is due, across all lessons.

It asks them the same way a quiz does (see :mod:`tutor.screens.quiz`); each answer
reschedules the card, so a card answered right leaves the queue for days and one missed
again stays due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.screens.quiz import QuizScreen

if TYPE_CHECKING:
    from tutor.curriculum.review import DueQuestion


class ReviewScreen(QuizScreen):
    """Due cards, most overdue first."""

    SOURCE = "review"
    SHUFFLE = True  # recall the answer, not its place in the list

    def __init__(self, due: list[DueQuestion]) -> None:
        super().__init__(
            [d.question for d in due],
            title=f"Review — {len(due)} card{'' if len(due) == 1 else 's'} due",
            quiz_id=None,
        )
        self.due = due

    def quiz_id_for(self, index: int) -> str | None:
        return self.due[index].quiz.id

    def where_from(self, index: int) -> str:
        lesson_id = self.due[index].question.lesson
        try:
            return self.tutor.curriculum.lesson(lesson_id).title
        except KeyError:
            return lesson_id

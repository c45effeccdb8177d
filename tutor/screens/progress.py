"""The progress screen: per-lesson stats and the review cards, soonest due first."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

if TYPE_CHECKING:
    from tutor.app import TutorApp


def describe_due(delta: timedelta) -> str:
    """A short "when" for a card: "now", "in 3 h", "in 4 d"."""
    seconds = delta.total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"in {round(seconds / 3600)} h"
    return f"in {round(seconds / 86400)} d"


class ProgressScreen(Screen[None]):
    """Stats per lesson, then every card with when it is due."""

    BINDINGS = [
        Binding("r", "review", "Review due", tooltip="Answer the review cards that are due"),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the previous screen"),
    ]

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="progress-body"):
            yield Static("Lessons", classes="heading")
            yield DataTable(id="stats", cursor_type="row")
            yield Static(id="exercise-summary")
            yield Static(id="due-summary", classes="heading")
            yield DataTable(id="due-cards", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Progress"
        stats = self.query_one("#stats", DataTable)
        for label in ("Lesson", "Read", "Attempts", "Best quiz", "Cards", "Due"):
            stats.add_column(label)
        cards = self.query_one("#due-cards", DataTable)
        for label in ("Due", "Lesson", "Question"):
            cards.add_column(label)
        self.refresh_stats()
        stats.focus()

    def on_screen_resume(self) -> None:
        self.refresh_stats()

    def refresh_stats(self) -> None:
        curriculum, store = self.tutor.curriculum, self.tutor.store
        stats = self.query_one("#stats", DataTable)
        stats.clear()
        for s in store.all_lesson_stats(curriculum):
            stats.add_row(
                Text(s.title),
                f"{s.sections_read}/{s.sections_total}",
                str(s.attempts),
                "—" if s.best_score is None else str(s.best_score),
                str(s.cards_total),
                str(s.cards_due),
            )
        self._show_exercises()
        from tutor.curriculum.review import utcnow

        now = utcnow()
        table = self.query_one("#due-cards", DataTable)
        table.clear()
        shown = [c for c in store.cards() if curriculum.has_question(c.question_id)]
        due_now = sum(1 for c in shown if c.due <= now)
        for card in shown:
            question = curriculum.question(card.question_id)
            prompt = question.prompt if len(question.prompt) <= 48 else question.prompt[:47] + "…"
            lesson = (
                curriculum.lesson(question.lesson).title
                if curriculum.has_lesson(question.lesson)
                else question.lesson
            )
            table.add_row(describe_due(card.due_in(now)), Text(lesson), Text(prompt))
        summary = self.query_one("#due-summary", Static)
        if not shown:
            summary.update("Review cards: none yet (answer a quiz to start).")
        else:
            summary.update(f"Review cards: {len(shown)}, due now: {due_now}  (r: review)")

    def _show_exercises(self) -> None:
        from tutor.exercises.status import solved_count

        exercises = self.tutor.exercise_set().exercises
        solved = solved_count(exercises, self.tutor.store)
        checks = len(self.tutor.store.exercise_attempts())
        due = len(self.tutor.due_exercise_ids())
        self.query_one("#exercise-summary", Static).update(
            f"Exercises: {solved}/{len(exercises)} solved, {checks} check(s)"
            + (f", {due} failed one(s) due to retry" if due else "")
            + "  (x on home)"
        )

    def action_review(self) -> None:
        self.tutor.open_review()

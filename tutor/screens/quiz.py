"""Asking questions one at a time: a quiz, or (via :mod:`tutor.screens.review`) due cards.

Single choice: a number (or ↑/↓ and Enter) answers; Enter alone on a fresh question does
nothing but say so, so a double tap cannot record a wrong answer. Multiple choice: numbers or space mark
choices, Enter submits. Free recall: think of the answer, Space reveals the model answer,
then 1–4 rate it Again/Hard/Good/Easy. Feedback with the explanation follows each answer;
Enter moves on; the score comes at the end. Every attempt is recorded with the time taken
and updates the question's review card.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tutor.widgets.choices import ChoiceList

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.curriculum.grading import Grade
    from tutor.curriculum.loader import AnyQuestion

RATINGS = ("Again", "Hard", "Good", "Easy")  # 1-4, as FSRS numbers them


class QuizScreen(Screen[None]):
    """Runs a list of questions and shows the score at the end."""

    SOURCE = "quiz"  # recorded with each attempt
    SHUFFLE = False  # show choices in a fresh random order each time (the review queue)

    BINDINGS = [
        Binding("1", "number(1)", "1", show=False),
        Binding("2", "number(2)", "2", show=False),
        Binding("3", "number(3)", "3", show=False),
        Binding("4", "number(4)", "4", show=False),
        Binding("5", "number(5)", "5", show=False),
        Binding("6", "number(6)", "6", show=False),
        Binding("7", "number(7)", "7", show=False),
        Binding("8", "number(8)", "8", show=False),
        Binding("9", "number(9)", "9", show=False),
        Binding(
            "enter", "enter", "Answer / next", tooltip="Submit the answer; then the next question"
        ),
        Binding("space", "reveal", "Reveal", show=False),
        Binding("r", "restart", "Restart", show=False),
        Binding("escape", "app.pop_screen", "Back", tooltip="Leave (answers so far are kept)"),
    ]

    def __init__(
        self, questions: list[AnyQuestion], *, title: str, quiz_id: str | None = None
    ) -> None:
        super().__init__()
        self.questions = questions
        self.quiz_title = title
        self.quiz_id = quiz_id
        self.position = 0
        self.grades: list[Grade] = []
        self.answered = False  # the current question has been answered (feedback shown)
        self.revealed = False  # free recall: the model answer is showing
        self.finished = False
        self.started_at = time.monotonic()
        self.order: list[int] = []  # displayed position -> the choice's index in the file

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    @property
    def question(self) -> AnyQuestion:
        return self.questions[self.position]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="quiz-body"):
            yield Static(id="quiz-status", markup=False)
            yield Static(id="quiz-prompt", markup=False)
            yield ChoiceList([], multi=False, id="quiz-choices")
            yield Static(id="quiz-feedback", markup=False)
        yield Static(id="quiz-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.quiz_title
        self.sub_title = ""
        self.show_question()

    # Showing

    def show_question(self) -> None:
        q = self.question
        self.answered = self.revealed = False
        self.started_at = time.monotonic()
        stars = "★" * q.difficulty + "☆" * (3 - q.difficulty)
        kind = {"single": "choose one", "multi": "choose all that apply", "free": "free recall"}
        status = (
            f"Question {self.position + 1} of {len(self.questions)}  ·  {stars}  ·  {kind[q.kind]}"
        )
        where = self.where_from(self.position)
        self.query_one("#quiz-status", Static).update(f"{status}  ·  {where}" if where else status)
        self.query_one("#quiz-prompt", Static).update(q.prompt)
        choices = self.query_one("#quiz-choices", ChoiceList)
        texts = list(getattr(q, "choices", ()))
        self.order = list(range(len(texts)))
        if self.SHUFFLE:
            random.shuffle(self.order)
        choices.reset([texts[i] for i in self.order], multi=q.kind == "multi")
        choices.display = q.kind != "free"
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update("")
        feedback.remove_class("right", "wrong")
        if q.kind != "free":
            choices.focus()
        self._hint()

    def _hint(self) -> None:
        q = self.question
        if self.finished:
            text = "Enter or Esc: back  ·  r: take it again"
        elif self.answered:
            last = self.position + 1 == len(self.questions)
            text = "Enter: see the score" if last else "Enter: next question"
        elif q.kind == "single":
            text = "1–9: answer  ·  ↑/↓ then Enter: answer"
        elif q.kind == "multi":
            text = "1–9 or Space: mark  ·  Enter: submit"
        elif not self.revealed:
            text = "Recall your answer, then Space: show the model answer"
        else:
            text = "How well did you recall it?  1 Again  2 Hard  3 Good  4 Easy"
        self.query_one("#quiz-hint", Static).update(text)

    # Keys

    def action_number(self, n: int) -> None:
        if self.finished or self.answered:
            return
        q = self.question
        if q.kind == "free":
            if self.revealed and n <= len(RATINGS):
                self._answer_free(n)
            return
        choices = self.query_one("#quiz-choices", ChoiceList)
        if n > len(choices.choices):
            return
        choices.set_mark(n - 1)
        if q.kind == "single":
            self._answer_choice({self.order[n - 1]})

    def action_enter(self) -> None:
        if self.finished:
            self.app.pop_screen()
            return
        if self.answered:
            self._advance()
            return
        q = self.question
        if q.kind == "free":
            self.action_reveal()
            return
        choices = self.query_one("#quiz-choices", ChoiceList)
        if q.kind == "single":
            if not (choices.moved or choices.marked):
                self.notify("Pick an answer first: its number, or ↑/↓ then Enter.")
                return
            choices.set_mark(choices.cursor)
            self._answer_choice({self.order[choices.cursor]})
        elif choices.marked:
            self._answer_choice({self.order[i] for i in choices.marked})
        else:
            self.notify("Mark at least one choice first (number keys or Space).")

    def action_reveal(self) -> None:
        q = self.question
        if self.finished or self.answered or q.kind != "free" or self.revealed:
            return
        self.revealed = True
        self.query_one("#quiz-feedback", Static).update(f"Model answer:\n{q.model_answer}")
        self._hint()

    def action_restart(self) -> None:
        if self.finished:
            self.position = 0
            self.grades = []
            self.finished = False
            self.show_question()

    # Grading and recording

    def _answer_choice(self, picked: set[int]) -> None:
        from tutor.curriculum.grading import grade

        q = self.question
        seconds = time.monotonic() - self.started_at
        answer: int | list[int] = min(picked) if q.kind == "single" else sorted(picked)
        result = grade(q, answer)
        self._record(result, seconds)
        expected = result.expected
        right = set(expected) if isinstance(expected, list) else {cast(int, expected)}
        shown = {self.order.index(i) for i in right}  # as numbered on screen
        self.query_one("#quiz-choices", ChoiceList).show_result(shown)
        verdict = "✓ Right." if result.correct else "✗ Not quite."
        if not result.correct:
            names = ", ".join(str(i + 1) for i in sorted(shown))
            verdict += f" The answer: {names}."
        self._feedback(result, f"{verdict}\n{result.explanation}")

    def _answer_free(self, rating: int) -> None:
        from tutor.curriculum.grading import grade

        q = self.question
        seconds = time.monotonic() - self.started_at
        result = grade(q, rating)
        self._record(result, seconds)
        text = f"You rated it {result.rating.label}.\n\nModel answer:\n{q.model_answer}"
        if result.explanation:
            text += f"\n\n{result.explanation}"
        self._feedback(result, text)

    def _feedback(self, result: Grade, text: str) -> None:
        self.answered = True
        self.grades.append(result)
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update(text)
        feedback.set_class(result.correct, "right")
        feedback.set_class(not result.correct, "wrong")
        self._hint()

    def _record(self, result: Grade, seconds: float) -> None:
        """One attempt: stored with the time taken, and the question's review card updated."""
        self.tutor.store_write(
            self.tutor.store.record_attempt,
            self.question,
            result,
            quiz_id=self.quiz_id_for(self.position),
            time_taken_s=seconds,
            source=self.SOURCE,
        )

    def where_from(self, index: int) -> str:
        """Extra context for the status line (the review queue names the lesson)."""
        return ""

    def quiz_id_for(self, index: int) -> str | None:
        """The quiz the question at ``index`` belongs to (recorded with the attempt)."""
        return self.quiz_id

    def _advance(self) -> None:
        if self.position + 1 < len(self.questions):
            self.position += 1
            self.show_question()
        else:
            self._finish()

    def _finish(self) -> None:
        self.finished = True
        from tutor.curriculum.grading import score

        self.query_one("#quiz-status", Static).update("Finished")
        final = score(self.grades)
        if self.quiz_id is not None:
            lesson_id = self.tutor.curriculum.quiz(self.quiz_id).lesson
            self.tutor.store_write(
                self.tutor.store.record_quiz_score, self.quiz_id, lesson_id, final
            )
        self.query_one("#quiz-prompt", Static).update(f"Score: {final}")
        self.query_one("#quiz-choices", ChoiceList).display = False
        missed = [g.question_id for g in self.grades if not g.correct]
        lines = []
        if missed:
            lines.append("Missed (they will come back in Review):")
            lines.extend(f"  • {self.tutor.curriculum.question(i).prompt}" for i in missed)
        else:
            lines.append("Everything right.")
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.remove_class("right", "wrong")
        feedback.update("\n".join(lines))
        self._hint()

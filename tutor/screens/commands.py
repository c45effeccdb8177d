"""The command palette provider: every screen, lesson, quiz, lab and lab preset by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tutor.app import TutorApp


class TutorCommands(Provider):
    """Offers "Lesson: …", "Quiz: …", "Lab: …" (each preset too) and the app's screens."""

    def _entries(self) -> list[tuple[str, Callable[[], None], str]]:
        from tutor.labs.registry import all_labs, lab_preset_titles

        app = cast("TutorApp", self.app)
        entries: list[tuple[str, Callable[[], None], str]] = [
            ("Home", app.action_home, "The list of lessons and labs"),
            ("Review due cards", app.open_review, "Questions the schedule says are due"),
            ("Progress", app.open_progress, "Per-lesson stats and what is due"),
            ("Keys (help)", app.action_help, "Every key binding"),
            ("Exercises", app.open_exercises, "Write the code, checked on tutor-gpt"),
        ]
        for exercise in app.exercise_set().exercises:
            entries.append(
                (
                    f"Exercise: {exercise.title}",
                    partial(app.open_exercise, exercise.id),
                    exercise.meta.summary,
                )
            )
        for lesson in app.curriculum.lessons:
            entries.append(
                (f"Lesson: {lesson.title}", partial(app.open_lesson, lesson.id), lesson.summary)
            )
        for quiz in app.curriculum.quizzes:
            entries.append(
                (f"Quiz: {quiz.title}", partial(app.open_quiz, quiz.id), f"{quiz.kind} quiz")
            )
        for info in all_labs():
            entries.append((f"Lab: {info.title}", partial(app.open_lab, info.id), info.summary))
            for name, title in lab_preset_titles(info.id):
                entries.append(
                    (
                        f"Lab: {info.title} · {title}",
                        partial(app.open_lab, info.id, name),
                        f"{info.title} with the {name!r} preset",
                    )
                )
        return entries

    async def discover(self) -> Hits:
        for text, command, help_text in self._entries():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)

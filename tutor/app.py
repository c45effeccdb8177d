"""The Textual app: loads the curriculum and the progress store, then opens the home screen.

Nothing here imports torch or transformer_lens: labs load them lazily in workers, so the
home screen appears quickly. Every screen is reachable from the command palette
(``ctrl+p``); ``?`` lists every key.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from tutor.screens.commands import TutorCommands
from tutor.wording import count

if TYPE_CHECKING:
    from tutor.curriculum.loader import Curriculum
    from tutor.progress import ProgressStore


class TutorApp(App[None]):
    """mitutor: lessons, quizzes, spaced review and labs in one full-screen terminal app."""

    TITLE = "mitutor"
    RETRY_S = 20.0  # how often writes that failed (a full disk) are tried again
    SUB_TITLE = "mechanistic interpretability, offline"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere work
    COMMANDS = App.COMMANDS | {TutorCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Keys", key_display="?", tooltip="This list of keys"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, tooltip="Quit mitutor"),
    ]

    def __init__(
        self,
        model_name: str = "tutor-gpt",
        device: str = "auto",
        content_dirs: Iterable[Path] | None = None,
        quiz_dirs: Iterable[Path] | None = None,
        store: ProgressStore | None = None,
        start_lab: tuple[str, str | None] | None = None,
        preload_model: bool = False,
    ) -> None:
        super().__init__()
        from tutor.curriculum.loader import load_curriculum
        from tutor.progress import ProgressStore

        self.model_name = model_name
        self.device = device
        self.curriculum: Curriculum = load_curriculum(
            content_dirs=list(content_dirs) if content_dirs is not None else None,
            quiz_dirs=list(quiz_dirs) if quiz_dirs is not None else None,
        )
        self.store: ProgressStore = store if store is not None else ProgressStore()
        self.start_lab = start_lab  # `mitutor open LAB`: opened over the home screen
        self._size_warned = False
        # `mitutor` sets this: once the home screen is up, torch, TransformerLens and the
        # model load in a background thread, so the first lab opens without that wait.
        self.preload_model = preload_model

    def _restore_theme(self) -> None:
        from tutor.settings import load_settings

        settings, problem = load_settings()
        if problem:
            self.notify(problem, title="Preferences reset", severity="warning", markup=False)
        saved = settings.get("theme")
        if isinstance(saved, str) and saved in self.available_themes:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._save_theme)

    def _save_theme(self, theme: Theme) -> None:
        from tutor.settings import save_setting

        try:
            save_setting("theme", theme.name)
        except OSError as err:
            self.notify(f"Could not save the theme: {err}", severity="warning", markup=False)

    def get_default_screen(self) -> Screen:
        from tutor.screens.home import HomeScreen

        return HomeScreen()

    def store_write(self, write: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a store write; if it fails (disk full, I/O error) say so and keep going.

        The store keeps the failed write in memory and retries it before the next write and
        every ``RETRY_S`` seconds, so the learner's answer is not lost; returns None then.
        """
        from tutor.progress import StoreWriteError

        try:
            return write(*args, **kwargs)
        except StoreWriteError as err:
            self.notify(
                f"Not saved yet: {err}. mitutor keeps trying.",
                title="Progress not saved",
                severity="error",
                timeout=12,
                markup=False,
            )
            return None

    MIN_SIZE = (80, 24)

    def _check_size(self) -> None:
        """Say once when the terminal is smaller than the layout is made for."""
        width, height = self.size
        small = width < self.MIN_SIZE[0] or height < self.MIN_SIZE[1]
        if small and not self._size_warned:
            self._size_warned = True
            self.notify(
                f"This terminal is {width}×{height}; mitutor is laid out for at least "
                f"{self.MIN_SIZE[0]}×{self.MIN_SIZE[1]}. Enlarge it, or scroll where views "
                "are cut off.",
                title="Small terminal",
                severity="warning",
                timeout=10,
                markup=False,
            )
        elif not small:
            self._size_warned = False

    def on_resize(self) -> None:
        self._check_size()

    def _retry_pending_writes(self) -> None:
        pending = getattr(self.store, "pending", None)
        if not pending:
            return
        if self.store.retry_pending() == 0:
            self.notify("Everything kept in memory has now been saved.", title="Progress saved")

    def on_mount(self) -> None:
        self._restore_theme()
        self.set_interval(self.RETRY_S, self._retry_pending_writes)
        self.call_after_refresh(self._check_size)
        if self.preload_model:
            self.call_after_refresh(
                self.run_worker,
                self._preload,
                thread=True,
                exit_on_error=False,
                group="preload",
                name="preload model",
            )
        if self.start_lab is not None:
            self.call_after_refresh(self.open_lab, *self.start_lab)
        problems = self.curriculum.problems
        if problems:
            shown = "\n".join(str(p) for p in problems[:5])
            more = f"\n… and {len(problems) - 5} more" if len(problems) > 5 else ""
            self.notify(
                f"{shown}{more}\nWhat they break is left out; the rest works. "
                "Run `mitutor check-content` for the full list.",
                title=count(len(problems), "content problem"),
                severity="warning",
                timeout=15,
                markup=False,
            )
        recovered = getattr(self.store, "recovered_from", None)
        if recovered:
            message = getattr(self.store, "recovery_message", None) or (
                f"The progress file was damaged. It was kept as {recovered} "
                "and a fresh one was started."
            )
            self.notify(
                message,
                title="Progress file recovered",
                severity="error",
                timeout=20,
                markup=False,
            )

    def _preload(self) -> None:
        """Load the model the labs will use (errors are left for the lab to report)."""
        from tutor.model.loader import ModelLoadError, get_model

        with contextlib.suppress(ModelLoadError, OSError, RuntimeError):
            get_model(self.model_name, self.device)
            # The libraries and the model live as long as the app: out of the cyclic
            # collector's reach, they no longer make each full collection (0.2–0.3 s at
            # whatever moment an allocation triggers it: opening a screen, a sweep) walk them.
            gc.freeze()

    # Navigation used by screens and by the command palette.

    def action_help(self) -> None:
        from tutor.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_lesson(self, lesson_id: str) -> None:
        from tutor.screens.lesson import LessonScreen

        try:
            lesson = self.curriculum.lesson(lesson_id)
        except KeyError as exc:
            self.notify(str(exc.args[0]), severity="error", markup=False)
            return
        self.push_screen(LessonScreen(lesson))

    def open_quiz(self, quiz_id: str) -> None:
        from tutor.screens.quiz import QuizScreen

        try:
            quiz = self.curriculum.quiz(quiz_id)
        except KeyError:
            self.notify(
                f"No quiz with id {quiz_id!r} (it may have been skipped: see the warning).",
                severity="error",
                markup=False,
            )
            return
        if not quiz.questions:
            self.notify(
                f"The quiz {quiz.title!r} has no valid questions.", severity="warning", markup=False
            )
            return
        self.push_screen(QuizScreen(list(quiz.questions), title=quiz.title, quiz_id=quiz.id))

    def open_review(self) -> None:
        from tutor.curriculum.review import due_questions
        from tutor.screens.review import ReviewScreen

        due = due_questions(self.curriculum, self.store)
        exercises = self.due_exercise_ids()
        if not due and exercises:
            # Failed exercises come back like missed questions: the next one due opens.
            self.notify(
                f"{count(len(exercises), 'exercise')} to retry; "
                f"opening {exercises[0]!r} (x lists them all).",
                title="Review",
                markup=False,
            )
            self.open_exercise(exercises[0])
            return
        if not due:
            self.notify("Nothing is due for review right now.", title="Review", markup=False)
            return
        if exercises:
            self.notify(
                f"Also due: {count(len(exercises), 'exercise')} to retry (x lists them).",
                title="Review",
                markup=False,
            )
        self.push_screen(ReviewScreen(due))

    def open_progress(self) -> None:
        from tutor.screens.progress import ProgressScreen

        self.push_screen(ProgressScreen())

    # Exercises: loaded on first use (parsing them costs a few milliseconds).

    def exercise_set(self):
        """The bundled exercises (loaded once), sorted in lesson order."""
        if getattr(self, "_exercises", None) is None:
            from tutor.curriculum.exercises import load_exercises

            order = {lesson.id: lesson.order for lesson in self.curriculum.lessons}
            self._exercises = load_exercises(lesson_order=order)
        return self._exercises

    def due_exercise_ids(self) -> list[str]:
        """Failed exercises whose review card is due."""
        from tutor.curriculum.review import due_exercises

        return due_exercises(self.store, [e.id for e in self.exercise_set().exercises])

    def open_exercises(self) -> None:
        from tutor.screens.exercises import ExercisesScreen

        self.push_screen(ExercisesScreen())

    def open_exercise(self, exercise_id: str) -> None:
        from tutor.screens.exercises import ExerciseScreen

        try:
            exercise = self.exercise_set().get(exercise_id)
        except KeyError as exc:
            self.notify(str(exc.args[0]), severity="error", markup=False)
            return
        try:
            screen = ExerciseScreen(exercise)
        except OSError as err:
            self.notify(f"Cannot open your copy: {err}", severity="error", markup=False)
            return
        self.push_screen(screen)

    def open_lab(self, lab_id: str, preset: str | None = None) -> None:
        """Open a lab screen; a lab that cannot be built yet gets a message, not a crash."""
        from tutor.labs.registry import check_preset, lab, screen_class

        try:
            info = lab(lab_id)
        except (KeyError, ImportError, TypeError) as exc:
            self.notify(str(exc.args[0]), title="Unknown lab", severity="error", markup=False)
            return
        try:
            preset = check_preset(lab_id, preset)
            screen = screen_class(lab_id)(preset=preset)
        except (ImportError, AttributeError) as exc:
            self.notify(
                f"The {info.title} lab is not available in this build ({exc}).",
                title="Lab unavailable",
                severity="error",
                markup=False,
            )
            return
        except ValueError as exc:
            self.notify(str(exc), title=f"{info.title}: bad preset", severity="error", markup=False)
            return
        self.push_screen(screen)

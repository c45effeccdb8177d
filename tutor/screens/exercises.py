"""The Exercises screens: the list (per lesson, ✓ / ✗ / ·) and one exercise with its editor.

The exercise view has two tabs: the task (docstring, ratings, hints revealed one at a
time, the reference after a failed check or on request) and the code (a ``TextArea``
with Python highlighting when tree-sitter is installed, plain text otherwise). The
check runs in a thread worker (the sandbox process does the real work), so the screen
stays responsive; a worker that fails shows its error in the result panel instead of
closing the app. The learner's file is polled: saved from ``$EDITOR`` or any other
program, it is reloaded and checked again.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from typing import TYPE_CHECKING, cast

from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.worker import Worker, WorkerState

from tutor.exercises.status import MARKS, NOT_STARTED, SOLVED, statuses

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.curriculum.exercises import Exercise
    from tutor.exercises.runner import CheckResult

POLL_INTERVAL_S = 1.0


def python_highlighting() -> bool:
    """Whether tree-sitter and its Python grammar are installed (offline: nothing fetched)."""
    try:
        from textual._tree_sitter import get_language

        return get_language("python") is not None
    except Exception:  # an older or newer Textual without this module: no highlighting
        return False


def make_editor(text: str) -> TextArea:
    """A code editor; Python highlighting if tree-sitter's Python grammar is available.

    Asking TextArea for a language it cannot load raises when the widget mounts, so the
    grammar is looked for first and the editor falls back to plain text without it.
    """
    language = "python" if python_highlighting() else None
    editor = TextArea.code_editor(text, language=language, id="editor")
    if language is None:
        editor.border_subtitle = "plain text (install tree-sitter-python to highlight)"
    return editor


class ExercisesScreen(Screen[None]):
    """Every exercise, in lesson order, with its status; Enter opens one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the previous screen"),
    ]

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="exercises-body", can_focus=False):
            yield Static(id="exercises-summary", classes="heading")
            yield DataTable(id="exercise-list", cursor_type="row")
            yield Static(id="exercise-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Exercises"
        table = self.query_one("#exercise-list", DataTable)
        for label, key in (("", "mark"), ("Lesson", "lesson"), ("Exercise", "title")):
            table.add_column(label, key=key)
        table.add_column("★", key="stars")
        table.add_column("min", key="minutes")
        self.refresh_list()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        exercises = self.tutor.exercise_set().exercises
        status = statuses(exercises, self.tutor.store)
        due = set(self.tutor.due_exercise_ids())
        table = self.query_one("#exercise-list", DataTable)
        row = table.cursor_row
        table.clear()
        for exercise in exercises:
            mark = MARKS[status[exercise.id]] + ("↻" if exercise.id in due else " ")
            table.add_row(
                mark,
                self._lesson_title(exercise.lesson),
                Text(exercise.title),
                exercise.meta.stars,
                str(exercise.meta.minutes),
                key=exercise.id,
            )
        if exercises:
            table.move_cursor(row=min(row, len(exercises) - 1))
        solved = sum(1 for s in status.values() if s == SOLVED)
        started = sum(1 for s in status.values() if s != NOT_STARTED)
        self.query_one("#exercises-summary", Static).update(
            f"Exercises: {solved}/{len(exercises)} solved, {started} started"
            + (f", {len(due)} to retry (↻)" if due else "")
            + "   ✓ solved  ✗ not yet  · not started"
        )
        self._show_detail()

    def _lesson_title(self, lesson_id: str) -> str:
        try:
            title = self.tutor.curriculum.lesson(lesson_id).title
        except KeyError:
            title = lesson_id
        return title if len(title) <= 22 else title[:21] + "…"

    def _show_detail(self) -> None:
        exercises = self.tutor.exercise_set().exercises
        table = self.query_one("#exercise-list", DataTable)
        if not exercises:
            self.query_one("#exercise-detail", Static).update("No exercises found.")
            return
        meta = exercises[table.cursor_row].meta
        self.query_one("#exercise-detail", Static).update(
            f"{meta.summary}\nImportance: {meta.importance.value} · about {meta.minutes} min"
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.tutor.open_exercise(event.row_key.value)


class ExerciseScreen(Screen[None]):
    """One exercise: task, editor, check, hints, solution, reset."""

    DEFAULT_CSS = """
    ExerciseScreen #exercise-info { height: 1; padding: 0 1; color: $text-muted; }
    ExerciseScreen #exercise-tabs { height: 1fr; }
    ExerciseScreen #editor { height: 1fr; }
    ExerciseScreen #task-scroll { height: 1fr; padding: 0 1; }
    ExerciseScreen #hints { margin-top: 1; }
    ExerciseScreen #solution { margin-top: 1; }
    ExerciseScreen #result-box { height: 6; border-top: solid $primary; padding: 0 1;
        overflow-y: auto; }
    """

    BINDINGS = [
        Binding("ctrl+r", "check", "Check", priority=True, tooltip="Save and check your code"),
        Binding("ctrl+s", "save", "Save", priority=True, tooltip="Save your code"),
        Binding("ctrl+t", "toggle_tab", "Task/Code", priority=True, tooltip="Switch tabs"),
        Binding("ctrl+n", "hint", "Hint", priority=True, tooltip="Show the next hint"),
        Binding("ctrl+o", "external_editor", "$EDITOR", priority=True, tooltip="Edit in $EDITOR"),
        Binding("e", "external_editor", "$EDITOR", show=False, tooltip="Edit in $EDITOR"),
        Binding("h", "hint", "Hint", show=False, tooltip="Show the next hint"),
        Binding("s", "solution", "Solution", show=False, tooltip="Show the reference (asks first)"),
        Binding("x", "reset", "Reset", show=False, tooltip="Put the starter back (asks first)"),
        Binding("escape", "back", "Back", priority=True, tooltip="Save and go back to the list"),
    ]

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise
        self.hints_shown = 0
        self.solution_shown = False
        self.last_result: CheckResult | None = None
        self.checking = False
        self._known_mtime: int | None = None

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        from tutor.exercises.workspace import read_copy

        yield Header()
        yield Static(id="exercise-info", markup=False)
        with TabbedContent(id="exercise-tabs", initial="code-tab"):
            with TabPane("Task", id="task-tab"), VerticalScroll(id="task-scroll"):
                yield Static(id="task-text", markup=False)
                yield Static(id="hints", markup=False)
                yield Static(id="solution", markup=False)
            with TabPane("Code", id="code-tab"):
                yield make_editor(read_copy(self.exercise))
        with Vertical(id="result-box"):
            yield Static("Not checked yet: ctrl+r checks your code.", id="result")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Exercise: {self.exercise.title}"
        meta = self.exercise.meta
        self.query_one("#exercise-info", Static).update(
            f"{meta.stars}  importance: {meta.importance.value}  ~{meta.minutes} min  "
            "ctrl+t: task ⇄ code"
        )
        self.query_one("#task-text", Static).update(
            f"{self.exercise.task_text()}\n\nYour file: {self.path}\n"
            "(e or ctrl+o opens it in $EDITOR; saved changes are checked automatically)"
        )
        self._show_hints()
        self._known_mtime = self._mtime()
        self.set_interval(POLL_INTERVAL_S, self._poll_file)
        self.query_one("#editor", TextArea).focus()

    @property
    def path(self):
        from tutor.exercises.workspace import learner_path

        return learner_path(self.exercise)

    def _mtime(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    # -- saving, reloading ------------------------------------------------------------

    def save(self) -> None:
        from tutor.exercises.workspace import save_copy

        text = self.query_one("#editor", TextArea).text
        try:
            save_copy(self.exercise, text)
        except OSError as err:
            self.notify(f"Could not save {self.path}: {err}", severity="error", markup=False)
            return
        self._known_mtime = self._mtime()

    def _reload(self) -> None:
        from tutor.exercises.workspace import read_copy

        text = read_copy(self.exercise)
        editor = self.query_one("#editor", TextArea)
        if editor.text != text:
            editor.load_text(text)
        self._known_mtime = self._mtime()

    def _poll_file(self) -> None:
        mtime = self._mtime()
        if mtime is None or mtime == self._known_mtime:
            return
        self._reload()
        self.notify("Your file changed on disk: reloaded, checking…", markup=False)
        self._start_check(save=False)

    # -- checking ------------------------------------------------------------------------

    def action_check(self) -> None:
        self._start_check(save=True)

    def _start_check(self, *, save: bool) -> None:
        if self.checking:
            self.notify("A check is already running.", markup=False)
            return
        if save:
            self.save()
        self.checking = True
        self.query_one("#result", Static).update(
            Text("Checking in a separate process (tutor-gpt loads in a few seconds)…")
        )
        self.run_check()

    @work(thread=True, exit_on_error=False, group="exercise-check")
    def run_check(self) -> CheckResult:
        from tutor.exercises.runner import check_file
        from tutor.exercises.status import record

        result = check_file(self.exercise, self.path)
        # Stored on the app's thread, through the app's guard for failed writes (full disk).
        self.app.call_from_thread(
            self.tutor.store_write, record, self.exercise, result, self.tutor.store
        )
        return result

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "exercise-check":
            return
        if event.state == WorkerState.SUCCESS:
            self.checking = False
            self.show_result(cast("CheckResult", event.worker.result))
        elif event.state == WorkerState.ERROR:
            self.checking = False
            error = event.worker.error
            self.query_one("#result", Static).update(
                Text(f"⚠ The check could not run: {type(error).__name__}: {error}")
            )
        elif event.state == WorkerState.CANCELLED:
            self.checking = False

    def show_result(self, result: CheckResult) -> None:
        self.last_result = result
        text = Text()
        if result.passed:
            text.append("✓ Passed. ", style="bold green")
            text.append(result.message)
        else:
            text.append("✗ Not yet. ", style="bold red")
            text.append(result.message)
            if result.output.strip():
                text.append("\nYour code printed:\n" + result.output.rstrip()[-400:])
            more = " ctrl+n: a hint." if self.hints_shown < len(self.exercise.meta.hints) else ""
            text.append(f"\n{more} s (Task tab): the reference solution.")
        self.query_one("#result", Static).update(text)

    # -- hints, solution, reset, tabs, external editor --------------------------------

    def _show_hints(self) -> None:
        hints = self.exercise.meta.hints
        lines = [f"Hint {i + 1}: {hint}" for i, hint in enumerate(hints[: self.hints_shown])]
        remaining = len(hints) - self.hints_shown
        if remaining:
            lines.append(f"({remaining} hint(s) left: ctrl+n or h)")
        self.query_one("#hints", Static).update("\n\n".join(lines))

    def action_hint(self) -> None:
        hints = self.exercise.meta.hints
        if self.hints_shown >= len(hints):
            self.notify("No more hints: s shows the reference solution.", markup=False)
            return
        self.hints_shown += 1
        self._show_hints()
        self.notify(f"Hint {self.hints_shown}: {hints[self.hints_shown - 1]}", markup=False)

    def action_solution(self) -> None:
        from tutor.screens.lab_base import ConfirmScreen

        if self.last_result is not None and not self.last_result.passed:
            self._show_solution()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._show_solution()

        self.app.push_screen(
            ConfirmScreen(
                "Show the reference solution? Trying the hints first teaches more.",
                yes="Show it (y)",
                no="Not yet (n)",
            ),
            answered,
        )

    def _show_solution(self) -> None:
        self.solution_shown = True
        self.query_one("#solution", Static).update(
            Syntax(self.exercise.reference(), "python", line_numbers=False)
        )
        self.query_one("#exercise-tabs", TabbedContent).active = "task-tab"

    def action_reset(self) -> None:
        from tutor.screens.lab_base import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            from tutor.exercises.workspace import reset

            reset(self.exercise)
            self._reload()
            self.notify("The starter is back; your old file is task.py.bak.", markup=False)

        self.app.push_screen(
            ConfirmScreen(
                "Put the starter back? Your current code is kept as task.py.bak.",
                yes="Reset (y)",
                no="Keep my code (n)",
            ),
            answered,
        )

    def action_toggle_tab(self) -> None:
        tabs = self.query_one("#exercise-tabs", TabbedContent)
        tabs.active = "task-tab" if tabs.active == "code-tab" else "code-tab"
        if tabs.active == "code-tab":
            self.query_one("#editor", TextArea).focus()
        else:
            self.query_one("#task-scroll", VerticalScroll).focus()

    def action_external_editor(self) -> None:
        self.save()
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        try:
            with self.app.suspend():
                subprocess.call([*shlex.split(command), str(self.path)])
        except FileNotFoundError:
            self.notify(f"Editor not found: {command!r} (set $EDITOR)", severity="error")
            return
        except Exception as exc:  # SuspendNotSupported (e.g. in a web terminal) and the like
            self.notify(
                f"Cannot open an external editor here ({type(exc).__name__}); edit the file "
                f"{self.path} yourself: it is reloaded and checked when it changes.",
                severity="warning",
                markup=False,
            )
            return
        # The poll sees the new modification time, reloads and checks.
        self._poll_file()

    def action_back(self) -> None:
        self.save()
        self.app.pop_screen()

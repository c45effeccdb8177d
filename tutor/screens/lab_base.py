"""The base every lab screen stands on: one model run at a time, typed messages from the
worker, cancellation, an error boundary, and the lab's own keys.

A lab screen subclasses ``LabScreen``, sets ``LAB_ID`` and ``RESULTS_ID`` (the widget that
takes focus first, so keys pressed while the model loads explore results instead of being
typed into a form field), builds its parameter object and calls ``start_run(params)``. The
base runs ``tutor.labs.runner.run_lab`` in a thread worker and routes what comes back:

- ``LabProgress`` (coalesced: at most one waits in the queue) → ``show_progress``;
- ``LabData`` (what the experiment passed to ``ctx.emit``, every item) → ``show_data``;
- ``LabDone`` → ``show_result``, for the newest run only (an older run's result is dropped);
- ``LabInputError`` → ``show_input_error(field, detail)``;
- anything else raised in the worker → the error panel, naming what failed and the log
  file holding the traceback; the app keeps running and ``esc`` goes home.

A lab that reuses results (``LabInfo.reuse_results``) answers a request it has already
finished in this process from ``tutor.labs.results`` without a worker: re-opening a lab or
going back to a preset shows at once (``result_kept`` is then True for ``show_result``).

Starting a run cancels the one before (its ``RunContext.cancel`` is set and the engine stops
at its next check); leaving the screen cancels too. ``?`` lists this lab's keys;
``esc`` asks before discarding unsaved edits or a running training (``is_dirty``).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from tutor.labs.runner import LabInputError, RunCancelled, RunContext


class LabProgress(Message):
    def __init__(self, generation: int, fraction: float, text: str) -> None:
        super().__init__()
        self.generation, self.fraction, self.text = generation, fraction, text


class LabDone(Message):
    def __init__(self, generation: int, params: Any, result: Any, kept: bool = False) -> None:
        super().__init__()
        self.generation, self.params, self.result = generation, params, result
        self.kept = kept  # an earlier run's result, kept by ``tutor.labs.results``


class LabData(Message):
    """Live data the experiment handed to ``ctx.emit`` (e.g. a training-curve point)."""

    def __init__(self, generation: int, value: Any) -> None:
        super().__init__()
        self.generation, self.value = generation, value


class LabInputProblem(Message):
    def __init__(self, generation: int, field: str, detail: str) -> None:
        super().__init__()
        self.generation, self.field, self.detail = generation, field, detail


class ConfirmScreen(ModalScreen[bool]):
    """A yes / no question; ``y`` or ``enter`` on Yes confirms, ``n`` or ``esc`` declines."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 60; height: auto; border: thick $warning;
        background: $surface; padding: 1 2; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(
        self, question: str, yes: str = "Yes, leave (y)", no: str = "No, stay (n)"
    ) -> None:
        super().__init__()
        self.question = question
        self.yes_label, self.no_label = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), id="confirm-question")
            with Horizontal():
                yield Button(self.yes_label, id="yes", variant="warning")
                yield Button(self.no_label, id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LabScreen(Screen[None]):
    """Base class of every lab screen (see the module docstring for the contract)."""

    # Never the first Input: keys typed while the screen mounts must not land there. ("" and
    # not None: None falls back to the app's AUTO_FOCUS, "*", which picks the prompt field.)
    AUTO_FOCUS = ""
    LAB_ID: ClassVar[str] = ""
    RESULTS_ID: ClassVar[str | None] = None  # CSS id (without #) of the first-focused widget
    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = []  # keys handled inside widgets, for `?`

    DEFAULT_CSS = """
    LabScreen #lab-error { dock: top; height: auto; max-height: 8; padding: 0 1;
        background: $error 30%; color: $text; border: heavy $error; display: none; }
    LabScreen #lab-error.shown { display: block; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back (asks first if something would be lost)"),
        Binding("question_mark", "lab_help", "Keys", key_display="?", tooltip="This lab's keys"),
    ]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__()
        self.generation = 0
        self.ctx: RunContext | None = None
        self.running = False
        self.last_params: Any = None
        self.last_result: Any = None
        self.result_kept = False
        self.error: str | None = None
        self._progress_lock = threading.Lock()
        self._progress_waiting: tuple[float, str] | None = None

    # ----- hooks for subclasses ---------------------------------------------------------
    def show_progress(self, fraction: float, text: str) -> None:
        """Show progress of the current run (default: nothing)."""

    def show_result(self, params: Any, result: Any) -> None:
        """Show a finished run's result."""

    def show_input_error(self, field: str, detail: str) -> None:
        """A parameter the experiment refused (default: the error panel)."""
        self.show_error(f"{field}: {detail}")

    def show_data(self, value: Any) -> None:
        """Live data from the current run's ``ctx.emit`` (default: nothing)."""

    def run_finished(self) -> None:
        """Called after any end of a run (done, refused, failed): hide progress, re-enable."""

    def is_dirty(self) -> bool:
        """True if leaving now would lose something (an edited form, a running training)."""
        return False

    # ----- running ------------------------------------------------------------------------
    def start_run(self, params: Any) -> None:
        """Run the experiment with ``params``, replacing (cancelling) any run in progress."""
        if self.ctx is not None:
            self.ctx.cancel.set()
        self.generation += 1
        generation = self.generation
        self.hide_error()

        def on_progress(fraction: float, text: str) -> None:
            with self._progress_lock:
                waiting = self._progress_waiting is not None
                self._progress_waiting = (fraction, text)
            if not waiting:
                self.post_message(LabProgress(generation, fraction, text))

        self.ctx = RunContext(
            model_name=str(getattr(self.app, "model_name", "tutor-gpt")),
            device=str(getattr(self.app, "device", "auto")),
            on_progress=on_progress,
            on_data=lambda value: self.post_message(LabData(generation, value)),
        )
        self.running = True
        kept = self._kept_result(params, self.ctx)
        if kept is not None:
            self.post_message(LabDone(generation, params, kept, kept=True))
            return
        self._run_worker(params, self.ctx, generation)

    def _kept_result(self, params: Any, ctx: RunContext) -> Any:
        from tutor.labs import results
        from tutor.labs.registry import lab

        if not lab(self.LAB_ID).reuse_results:
            return None
        return results.lookup(self.LAB_ID, params, ctx.model_name, ctx.device)

    @property
    def kept_note(self) -> str:
        """Words for a status line when the result shown was kept from an earlier run."""
        return " · shown again from an earlier run" if self.result_kept else ""

    def cancel_run(self) -> None:
        """Stop the run in progress; whatever it already posted is dropped."""
        if self.ctx is not None:
            self.ctx.cancel.set()
        self.generation += 1
        if self.running:
            self.running = False
            self.run_finished()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lab-run")
    def _run_worker(self, params: Any, ctx: RunContext, generation: int) -> None:
        from tutor.labs.runner import run_lab

        try:
            result = run_lab(self.LAB_ID, params, ctx)
        except RunCancelled:
            return
        except LabInputError as exc:
            if not ctx.cancelled:
                self.post_message(LabInputProblem(generation, exc.field, exc.detail))
            return
        except Exception:
            if ctx.cancelled:  # an abandoned run's failure is nobody's business
                return
            raise
        if not ctx.cancelled:
            self.post_message(LabDone(generation, params, result))

    def on_lab_progress(self, message: LabProgress) -> None:
        with self._progress_lock:
            latest = self._progress_waiting
            self._progress_waiting = None
        if message.generation == self.generation and latest is not None and self.running:
            self.show_progress(*latest)

    def on_lab_data(self, message: LabData) -> None:
        if message.generation == self.generation and self.running:
            self.show_data(message.value)

    def on_lab_done(self, message: LabDone) -> None:
        if message.generation != self.generation:
            return
        self.running = False
        self.last_params, self.last_result = message.params, message.result
        self.result_kept = message.kept
        self.run_finished()
        self.show_result(message.params, message.result)

    def on_lab_input_problem(self, message: LabInputProblem) -> None:
        if message.generation != self.generation:
            return
        self.running = False
        self.run_finished()
        self.show_input_error(message.field, message.detail)

    # ----- the error boundary ----------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        event.stop()
        self.report_failure(event.worker.error, f"{self.LAB_ID} lab: {event.worker.name}")

    def report_failure(self, exc: BaseException, where: str) -> None:
        """Show what failed and where its traceback went; keep the app alive."""
        from tutor.errorlog import write_error
        from tutor.model.loader import ModelLoadError

        log = write_error(exc, where)
        if self.running:
            self.running = False
            self.run_finished()
        if isinstance(exc, ModelLoadError):
            headline = f"The model could not be loaded: {exc}"
        else:
            headline = f"{where} failed: {type(exc).__name__}: {exc}"
        tail = f"\nFull traceback: {log}" if log else ""
        self.show_error(f"✗ {headline}{tail}\nesc goes back; the rest of mitutor still works.")

    def show_error(self, text: str) -> None:
        self.error = text
        panel = self._error_panel()
        panel.update(Text(text))
        panel.add_class("shown")

    def hide_error(self) -> None:
        self.error = None
        if self.is_mounted:
            self._error_panel().remove_class("shown")

    def _error_panel(self) -> Static:
        found = self.query("#lab-error")
        if found:
            return found.first(Static)
        panel = Static("", id="lab-error")
        self.mount(panel)
        return panel

    # ----- focus, keys, leaving ------------------------------------------------------------
    def on_mount(self) -> None:
        if self.RESULTS_ID:
            self.focus_results()
            self.call_after_refresh(self.focus_results)

    def focus_results(self) -> None:
        if self.RESULTS_ID:
            found = self.query(f"#{self.RESULTS_ID}")
            if found:
                found.first().focus()

    def on_unmount(self) -> None:
        if self.ctx is not None:
            self.ctx.cancel.set()

    def action_back(self) -> None:
        if not self.is_dirty():
            self.cancel_run()
            self.app.pop_screen()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.cancel_run()
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen(self.leave_question()), answered)

    def leave_question(self) -> str:
        return "Leave the lab? What is running or unsaved here will be lost."

    def action_lab_help(self) -> None:
        from tutor.screens.help import HelpScreen, lab_key_rows

        title = getattr(self, "TITLE", None) or self.LAB_ID
        self.app.push_screen(
            HelpScreen({f"This lab ({title})": lab_key_rows(self)}, only_sections=True)
        )

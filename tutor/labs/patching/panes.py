"""Two parts of the patching screen that keep their own state: the experiment form and the
list of saved runs. Kept out of ``screen.py`` so the screen class only wires views to results.

``PatchForm`` turns its fields into ``Params`` (with the experiment's own checks), marks a
refused field, and marks every field that differs from the experiment whose results are on
screen (``shown``), so an edited value never sits unmarked beside results of the old one.
``RunsPane`` lists the store's saved patching runs and posts ``RunsPane.Open``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from tutor.labs.patching.experiment import Params, make_params
from tutor.labs.patching.presets import PRESETS
from tutor.labs.runner import LabInputError

CUSTOM = "custom"
FIELDS = ("prompt", "answer", "wrong", "corrupt", "noise")


def form_values(params: Params) -> dict[str, str]:
    """What the form shows for ``params``."""
    return {
        "prompt": params.prompt,
        "answer": params.answer,
        "wrong": params.wrong or "",
        "corrupt": params.corrupt or "",
        "noise": f"{params.noise:g}",
    }


class PatchForm(Vertical):
    """Prompt, answer, wrong answer, corruption, noise scale and the preset selector."""

    DEFAULT_CSS = """
    PatchForm { height: auto; }
    PatchForm Horizontal { height: 1; }
    PatchForm Label { padding: 0 1; }
    PatchForm Input { width: 1fr; }
    PatchForm #prompt { width: 2fr; }
    PatchForm #noise, PatchForm #answer, PatchForm #wrong { width: 10; }
    PatchForm #preset { width: 34; }
    PatchForm Input.-invalid { background: $error 40%; text-style: bold reverse; }
    PatchForm Input.-edited { text-style: underline; }
    """

    def __init__(self, params: Params, preset_id: str) -> None:
        super().__init__(id="form")
        self.initial = params
        self.preset_id = preset_id
        self.shown: Params | None = None  # the experiment whose results are on screen

    def compose(self) -> ComposeResult:
        v = form_values(self.initial)
        # Compact (borderless) fields: the form takes two lines, leaving room for the bars.
        with Horizontal():
            yield Label("prompt")
            yield Input(v["prompt"], id="prompt", compact=True)
            yield Label("answer")
            yield Input(v["answer"], id="answer", compact=True)
            yield Label("wrong")
            yield Input(v["wrong"], id="wrong", placeholder="none", compact=True)
        with Horizontal():
            yield Label("corrupt")
            yield Input(
                v["corrupt"], id="corrupt", placeholder="blank: noise on the subject", compact=True
            )
            yield Label("noise ×")
            yield Input(v["noise"], id="noise", compact=True)
            choices = [(p.title, p.id) for p in PRESETS.values()]
            yield Select(
                [*choices, ("Custom (your edits)", CUSTOM)],
                value=self.preset_id,
                allow_blank=False,
                id="preset",
                compact=True,
            )

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def values(self) -> dict[str, str]:
        return {name: self._input(name).value.strip() for name in FIELDS}

    def read(self, base: Params) -> Params:
        """``base`` with the form's fields; ``LabInputError`` naming a bad field."""
        v = self.values()
        try:
            noise = float(v["noise"] or "3")
        except ValueError:
            raise LabInputError(
                "noise", f"{v['noise']!r} is not a finite, non-negative number"
            ) from None
        return make_params(
            base,
            prompt=v["prompt"],
            answer=v["answer"],
            wrong=v["wrong"] or None,
            corrupt=v["corrupt"] or None,
            noise=noise,
        )

    def fill(self, params: Params) -> None:
        for name, value in form_values(params).items():
            self._input(name).value = value

    def select_preset(self, preset_id: str) -> None:
        """Show ``preset_id`` (or ``custom``) in the selector without loading it."""
        self.preset_id = preset_id
        self.query_one("#preset", Select).value = preset_id

    def mark_invalid(self, field: str | None) -> None:
        for name in FIELDS:
            self._input(name).set_class(name == field, "-invalid")

    def is_edited(self) -> bool:
        """Whether the fields differ from the experiment on screen."""
        return self.shown is not None and self.values() != {
            k: v.strip() for k, v in form_values(self.shown).items()
        }

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.mark_edited()

    def mark_edited(self) -> None:
        """Underline every field that differs from the experiment on screen."""
        if self.shown is None:
            return
        shown = form_values(self.shown)
        for name in FIELDS:
            self._input(name).set_class(self._input(name).value.strip() != shown[name], "-edited")


class RunsPane(VerticalScroll):
    """The saved patching runs, newest first; Enter posts ``RunsPane.Open``."""

    class Open(Message):
        def __init__(self, run_id: int) -> None:
            super().__init__()
            self.run_id = run_id

    def compose(self) -> ComposeResult:
        yield Label("Saved patching runs (Enter to open):")
        yield OptionList(id="runs-list")

    def refresh_runs(self, store: Any) -> None:
        runs_list = self.query_one("#runs-list", OptionList)
        runs_list.clear_options()
        if store is None or not hasattr(store, "list_runs"):
            runs_list.add_option(Option("No progress store: runs cannot be listed.", disabled=True))
            return
        runs = store.list_runs("patching")
        if not runs:
            runs_list.add_option(Option("No saved runs yet (ctrl+s saves one).", disabled=True))
        for run in runs:
            when = f"{run.created_at:%Y-%m-%d %H:%M}"
            runs_list.add_option(Option(Text(f"#{run.id} {when} {run.title}"), id=str(run.id)))
        if runs:
            runs_list.highlighted = 0

    @on(OptionList.OptionSelected, "#runs-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Open(int(event.option.id)))

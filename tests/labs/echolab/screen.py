"""Echo lab screen: one Static with the top tokens."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from echolab.experiment import params_for_preset
from tutor.screens.lab_base import LabScreen


class EchoScreen(LabScreen):
    LAB_ID = "echolab"
    RESULTS_ID = "echo-out"
    BINDINGS = [Binding("ctrl+r", "rerun", "Run", tooltip="Run the preset again")]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__(preset)
        self.params = params_for_preset(preset)

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="echo-out")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#echo-out").can_focus = True
        self.start_run(self.params)

    def action_rerun(self) -> None:
        self.start_run(self.params)

    def show_result(self, params: Any, result: Any) -> None:
        lines = [f"{t} {p:.3f}" for t, p in zip(result.tokens, result.probs, strict=True)]
        self.query_one("#echo-out", Static).update("\n".join(lines))

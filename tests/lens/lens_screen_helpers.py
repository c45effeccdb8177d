"""A stand-in app for the lens screen, and parameters that keep screen tests quick."""

from __future__ import annotations

from lab_wait import settle_lab
from textual.app import App

from tutor.labs.lens.experiment import params_for_preset
from tutor.labs.lens.params import Params
from tutor.labs.lens.screen import LensScreen


def quick_params(preset: str, patching: bool = False) -> Params:
    """The preset's parameters; patching with one noise sample, or none (it is the slow part)."""
    return params_for_preset(preset).model_copy(update={"patching": patching, "samples": 1})


class LabApp(App[None]):
    """Just what a lab screen reads from the main app."""

    def __init__(self, preset: str = "eiffel", params: Params | None = None) -> None:
        super().__init__()
        self.model_name = "tutor-gpt"
        self.device = "cpu"
        self._preset = preset
        self._params = params if params is not None else quick_params(preset)

    def on_mount(self) -> None:
        self.push_screen(LensScreen(preset=self._preset, params=self._params))


async def settle(pilot) -> None:
    await settle_lab(pilot)

"""A stand-in app for the lens screen, and parameters that keep screen tests quick."""

from __future__ import annotations

from lab_wait import LabHost, settle_lab

from tutor.labs.lens.experiment import params_for_preset
from tutor.labs.lens.params import Params
from tutor.labs.lens.screen import LensScreen


def quick_params(preset: str, patching: bool = False) -> Params:
    """The preset's parameters; patching with one noise sample, or none (it is the slow part)."""
    return params_for_preset(preset).model_copy(update={"patching": patching, "samples": 1})


class LabApp(LabHost):
    def __init__(self, preset: str = "eiffel", params: Params | None = None) -> None:
        chosen = params if params is not None else quick_params(preset)
        super().__init__(lambda: LensScreen(preset=preset, params=chosen))


async def settle(pilot) -> None:
    await settle_lab(pilot)

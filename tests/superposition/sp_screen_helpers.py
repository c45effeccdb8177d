"""A stand-in app for the superposition screen, and quick parameters for tests."""

from __future__ import annotations

from lab_wait import LabHost, settle_lab

from tutor.labs.superposition.params import Params
from tutor.labs.superposition.presets import PRESETS
from tutor.labs.superposition.screen import SuperpositionScreen

# Fewer steps and samples than the presets: the same shapes, trained in well under a second.
QUICK = {
    "steps": 600,
    "restarts": 3,
    "phase_size": 5,
    "phase_steps": 300,
    "sae_steps": 600,
    "sae_samples": 20000,
}


def quick_params(preset: str) -> Params:
    return Params(**(PRESETS[preset].changes | QUICK))


class LabApp(LabHost):
    def __init__(self, preset: str = "pentagon", params: Params | None = None) -> None:
        chosen = params if params is not None else quick_params(preset)
        super().__init__(lambda: SuperpositionScreen(preset=preset, params=chosen))


async def settle(pilot) -> None:
    await settle_lab(pilot)

"""The labs the app offers: id, title, and where their screen class lives.

Screens are imported lazily (by module path) so that the home screen appears before
torch is imported. A lab screen is constructed as ``cls(preset=preset_or_None)`` and reads
the model name and device from ``app.model_name`` / ``app.device``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LabInfo:
    id: str
    title: str
    summary: str
    module: str
    cls: str
    presets_module: str  # holds PRESETS (a dict keyed by preset name); imports no torch


LABS: tuple[LabInfo, ...] = (
    LabInfo(
        "patching",
        "Activation patching",
        "Corrupt a prompt, patch clean activations back layer by layer, see where the answer lives.",
        "tutor.screens.patching",
        "PatchingScreen",
        "tutor.interp.patching_presets",
    ),
    LabInfo(
        "sae",
        "SAE playground",
        "Train a sparse autoencoder live, browse its features, steer the model with one.",
        "tutor.screens.sae",
        "SAEScreen",
        "tutor.interp.sae.presets",
    ),
)


def lab(lab_id: str) -> LabInfo:
    for info in LABS:
        if info.id == lab_id:
            return info
    known = ", ".join(i.id for i in LABS)
    raise KeyError(f"unknown lab {lab_id!r} (known: {known})")


def lab_preset_titles(lab_id: str) -> list[tuple[str, str]]:
    """(name, title) of every preset of a lab, in the lab's order (torch-free)."""
    module = importlib.import_module(lab(lab_id).presets_module)
    return [(name, preset.title) for name, preset in module.PRESETS.items()]


def lab_presets(lab_id: str) -> tuple[str, ...]:
    """The preset names a lab accepts (for checking lessons' "try it" links)."""
    return tuple(name for name, _ in lab_preset_titles(lab_id))


def make_lab_screen(lab_id: str, preset: str | None = None) -> Any:
    info = lab(lab_id)
    module = importlib.import_module(info.module)
    return getattr(module, info.cls)(preset=preset)

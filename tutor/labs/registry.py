"""The one list of labs. Home, the command palette, ``mitutor labs / run / open`` and
``check-content``'s lab-link check all read it.

Each entry of ``LAB_PACKAGES`` is a package whose ``__init__`` defines ``LAB`` (a
``LabInfo``). Nothing here imports torch or Textual: the lab modules are imported by path
only when a lab is run or opened. ``register_lab_package`` adds a package at run time
(tests use it to prove a lab needs no edit outside its own package).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from tutor.labs.info import LabInfo

LAB_PACKAGES: list[str] = [
    "tutor.labs.patching",
    "tutor.labs.sae",
    "tutor.labs.heads",
    "tutor.labs.lens",
    "tutor.labs.probing",
    "tutor.labs.superposition",
]

_extra_packages: list[str] = []


def register_lab_package(package: str) -> LabInfo:
    """Add a lab package (its ``LAB``) after the built-in ones; returns its ``LabInfo``."""
    info = _load_info(package)
    if package not in _extra_packages and package not in LAB_PACKAGES:
        _extra_packages.append(package)
    return info


def unregister_lab_package(package: str) -> None:
    if package in _extra_packages:
        _extra_packages.remove(package)


def _load_info(package: str) -> LabInfo:
    info = getattr(importlib.import_module(package), "LAB", None)
    if not isinstance(info, LabInfo):
        raise TypeError(f"{package}: defines no LAB = LabInfo(...)")
    return info


def all_labs() -> tuple[LabInfo, ...]:
    """Every registered lab, in registry order."""
    return tuple(_load_info(p) for p in (*LAB_PACKAGES, *_extra_packages))


def lab(lab_id: str) -> LabInfo:
    """The lab with this id; ``KeyError`` naming the known ids otherwise."""
    labs = all_labs()
    for info in labs:
        if info.id == lab_id:
            return info
    known = ", ".join(i.id for i in labs)
    raise KeyError(f"unknown lab {lab_id!r} (known: {known})")


def presets_module(lab_id: str) -> ModuleType:
    return importlib.import_module(lab(lab_id).presets)


def lab_preset_titles(lab_id: str) -> list[tuple[str, str]]:
    """(preset id, title) of every preset of a lab, in the lab's order (torch-free)."""
    return [(key, p.title) for key, p in presets_module(lab_id).PRESETS.items()]


def lab_presets(lab_id: str) -> tuple[str, ...]:
    """The preset ids a lab accepts (for checking lessons' "try it" links)."""
    return tuple(key for key, _ in lab_preset_titles(lab_id))


def check_preset(lab_id: str, preset_id: str | None) -> str:
    """The preset id to use (the lab's first when None); ``ValueError`` naming the known ones."""
    names = lab_presets(lab_id)
    if preset_id is None:
        return names[0]
    if preset_id not in names:
        raise ValueError(
            f"unknown preset {preset_id!r} for the {lab_id} lab (known: {', '.join(names)})"
        )
    return preset_id


def experiment_module(lab_id: str) -> ModuleType:
    """The lab's experiment module (imports torch)."""
    return importlib.import_module(lab(lab_id).experiment)


def cli_module(lab_id: str) -> ModuleType:
    return importlib.import_module(lab(lab_id).cli)


def screen_class(lab_id: str) -> Any:
    """The lab's screen class (imports Textual; only the app calls this)."""
    module, _, cls = lab(lab_id).screen.partition(":")
    return getattr(importlib.import_module(module), cls)

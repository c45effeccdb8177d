"""Helpers shared by the patching tests (imported by name: tests/patching is on sys.path)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# tutor-gpt ships with the package, so tests that use it run everywhere (and fail loudly
# if the checkpoint goes missing); the marker only labels them as slow.
needs_tutor_gpt = pytest.mark.slow


def make_model_dir(path: Path, n_layer: int, n_embd: int) -> Path:
    """``tests/conftest.py``'s random GPT-2 builder, loaded by file path (no name clashes)."""
    spec = importlib.util.spec_from_file_location(
        "_root_conftest", Path(__file__).resolve().parents[1] / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not (path / "config.json").is_file():
        module.make_tiny_model_dir(path, n_layer=n_layer, n_embd=n_embd)
    return path

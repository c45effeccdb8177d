"""Helpers shared by the patching tests (imported by name: tests/patching is on sys.path)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tutor.paths import BUNDLED_MODEL_DIR

TUTOR_GPT_READY = (BUNDLED_MODEL_DIR / "config.json").is_file()
needs_tutor_gpt = pytest.mark.skipif(
    not TUTOR_GPT_READY, reason="tutor-gpt checkpoint not shipped yet (tutor/assets/tutor-gpt)"
)


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

"""Fixtures for the patching tests: the tiny random GPT-2 loaded once, and tutor-gpt if shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from patching_helpers import make_model_dir


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path):
    from tutor.model.loader import load_model

    return load_model(str(tiny_model_dir), "cpu")


@pytest.fixture(scope="session")
def tiny4_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-layer, 32-wide random GPT-2: enough layers for windows and layer bars."""
    return make_model_dir(tmp_path_factory.mktemp("tiny4"), n_layer=4, n_embd=32)


@pytest.fixture(scope="session")
def tiny4_model(tiny4_dir: Path):
    from tutor.model.loader import load_model

    return load_model(str(tiny4_dir), "cpu")


@pytest.fixture(scope="session")
def tutor_gpt():
    from tutor.model.loader import load_model

    return load_model("tutor-gpt", "cpu")

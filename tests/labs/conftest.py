"""Fixtures for the cross-lab tests: a 4-layer random GPT-2, the app on fixture content, and
the test-only ``echolab`` package registered for one test at a time."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
CONTENT = TESTS / "app" / "fixtures" / "content"
QUIZZES = TESTS / "app" / "fixtures" / "quizzes"


@pytest.fixture(scope="session")
def tiny4_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-layer, 32-wide random GPT-2 (the root conftest's builder, loaded by file path)."""
    spec = importlib.util.spec_from_file_location("_labs_root_conftest", TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_tiny_model_dir(tmp_path_factory.mktemp("tiny4"), n_layer=4, n_embd=32)


@pytest.fixture(scope="session")
def mini_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 4-layer, 32-wide GPT-2 with tutor-gpt's tokenizer: every patching preset's
    words are in its vocabulary (the counterfactuals have equal lengths), and it runs fast."""
    import shutil

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from tutor.paths import BUNDLED_MODEL_DIR as BUNDLED_DIR

    out = tmp_path_factory.mktemp("mini-tutor")
    config = GPT2Config.from_pretrained(BUNDLED_DIR)
    config.n_layer, config.n_embd = 4, 32
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(out)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(BUNDLED_DIR / name, out / name)
    return out


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., object]:
    """The real TutorApp on the fixture lessons, with a fresh progress store."""
    from tutor.app import TutorApp
    from tutor.progress import ProgressStore

    def build(model: str, start_lab: tuple[str, str | None] | None = None) -> TutorApp:
        return TutorApp(
            model_name=model,
            device="cpu",
            content_dirs=[CONTENT],
            quiz_dirs=[QUIZZES],
            store=ProgressStore(tmp_path / "progress.sqlite3"),
            start_lab=start_lab,
        )

    return build


@pytest.fixture
def echolab() -> Iterator[str]:
    from tutor.labs.registry import register_lab_package, unregister_lab_package

    register_lab_package("echolab")
    yield "echolab"
    unregister_lab_package("echolab")

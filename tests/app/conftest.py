"""Fixtures for the app tests: the app built on small, stable fixture content."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from app_fixture_paths import CONTENT, QUIZZES

from tutor.app import TutorApp


@pytest.fixture
def make_app() -> Callable[..., TutorApp]:
    """Build a TutorApp on the fixture lessons and quizzes (same MITUTOR_HOME each call)."""

    def build(quiz_dirs: list[Path] | None = None) -> TutorApp:
        return TutorApp(content_dirs=[CONTENT], quiz_dirs=quiz_dirs or [QUIZZES])

    return build


@pytest.fixture
def broken_quizzes(tmp_path: Path) -> Path:
    """The fixture quizzes plus one file whose answer is out of range (line 9)."""
    folder = tmp_path / "quizzes"
    shutil.copytree(QUIZZES, folder)
    (folder / "broken.yaml").write_text(
        "id: broken-check\n"
        "title: Broken\n"
        "kind: quick-check\n"
        "lesson: attention-heads\n"
        "questions:\n"
        "  - id: broken-one\n"
        "    kind: single\n"
        "    prompt: Which?\n"
        "    choices: [a, b]\n"
        "    answer: 5\n"
        "    explanation: none\n",
        encoding="utf-8",
    )
    return folder

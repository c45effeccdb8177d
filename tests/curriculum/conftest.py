"""A writable copy of the fixture course (two lessons, two quizzes) for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from curriculum_fixtures import COURSE


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """``content/`` and ``quizzes/`` of the fixture course, below a temporary directory."""
    dest = tmp_path / "course"
    shutil.copytree(COURSE, dest)
    return dest

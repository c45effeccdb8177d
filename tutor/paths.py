"""Where things live: the user's data directory and the bundled lessons, quizzes and model.

Lessons, quizzes and exercises sit at the repository root (``content/``, ``quizzes/``) in a checkout
and under ``tutor/_bundled/`` in an installed wheel; both are found here.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
BUNDLED_MODEL_DIR = ASSETS_DIR / "tutor-gpt"


def _bundled(name: str) -> Path:
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "_bundled" / name


def content_dir() -> Path:
    """The directory holding the bundled lessons (Markdown)."""
    return _bundled("content")


def quizzes_dir() -> Path:
    """The directory holding the bundled quizzes (YAML)."""
    return _bundled("quizzes")


def exercises_dir() -> Path:
    """The directory holding the bundled exercises (one sub-directory each)."""
    return _bundled("exercises")


def data_dir() -> Path:
    """The user's data directory (progress database, caches, saved SAEs).

    ``MITUTOR_HOME`` overrides the platform default; the directory is created on demand.
    """
    override = os.environ.get("MITUTOR_HOME")
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("mitutor", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Activation caches and other regenerable files, inside the data directory."""
    path = data_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path

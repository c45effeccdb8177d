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


class DataDirError(OSError):
    """The data directory (or a folder in it) cannot be used; the message names it and why."""


def _make_dir(path: Path, what: str) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(f"{what} {path} is a file, not a directory") from None
    except NotADirectoryError:
        raise DataDirError(f"{what} {path}: a part of this path is a file") from None
    except OSError as err:
        raise DataDirError(f"{what} {path} cannot be created ({err.strerror or err})") from None
    if not path.is_dir():
        raise DataDirError(f"{what} {path} is not a directory")
    return path


def exercises_dir() -> Path:
    """The directory holding the bundled exercises (one sub-directory each)."""
    return _bundled("exercises")


def data_dir() -> Path:
    """The user's data directory (progress database, caches, saved SAEs).

    ``MITUTOR_HOME`` overrides the platform default; the directory is created on demand.
    ``DataDirError`` (an ``OSError``) says in one line why it cannot be.
    """
    override = os.environ.get("MITUTOR_HOME")
    if override:
        return _make_dir(Path(override).expanduser(), "MITUTOR_HOME:")
    from platformdirs import user_data_dir

    return _make_dir(Path(user_data_dir("mitutor", appauthor=False)), "the data directory")


def cache_dir() -> Path:
    """Activation caches and other regenerable files, inside the data directory."""
    return _make_dir(data_dir() / "cache", "the cache directory")

"""The learner's copies of the exercises, in the data directory.

``<data dir>/exercises/<id>/task.py`` is created from the bundled starter the first time
an exercise is opened and is never overwritten afterwards (an upgrade that changes the
starter leaves the learner's work alone). :func:`reset` is the one way back to the
starter; the UI asks before calling it, and the old file is kept as ``task.py.bak``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tutor.curriculum.exercises import TASK_FILE, Exercise


def workspace_dir() -> Path:
    from tutor.paths import data_dir

    return data_dir() / "exercises"


def learner_path(exercise: Exercise) -> Path:
    """Where the learner's copy is (it may not exist yet)."""
    return workspace_dir() / exercise.id / TASK_FILE


def ensure_copy(exercise: Exercise) -> Path:
    """The learner's copy, created from the starter if there is none yet."""
    path = learner_path(exercise)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, exercise.starter())
    return path


def read_copy(exercise: Exercise) -> str:
    return ensure_copy(exercise).read_text(encoding="utf-8", errors="replace")


def save_copy(exercise: Exercise, text: str) -> Path:
    """Write the learner's text (atomically: a crash never leaves half a file)."""
    path = learner_path(exercise)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, text)
    return path


def reset(exercise: Exercise) -> Path:
    """Put the starter back; the learner's previous text is kept as ``task.py.bak``."""
    path = learner_path(exercise)
    if path.exists():
        os.replace(path, path.with_name(TASK_FILE + ".bak"))
    return ensure_copy(exercise)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

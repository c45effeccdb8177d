"""One sandbox run for the whole exercise suite: every reference, starter and wrong file.

Checks load tutor-gpt in a separate process; batching them means one model load for
~50 checks (each check is a fork of that process).
"""

from __future__ import annotations

from pathlib import Path

import pytest

WRONG_DIR = Path(__file__).parent / "wrong"


@pytest.fixture(scope="session")
def exercise_set():
    from tutor.curriculum.exercises import load_exercises
    from tutor.curriculum.loader import load_curriculum

    order = {lesson.id: lesson.order for lesson in load_curriculum().lessons}
    return load_exercises(lesson_order=order)


@pytest.fixture(scope="session")
def batch_results(exercise_set, tmp_path_factory):
    """``{(exercise id, "reference" | "starter" | "wrong"): CheckResult}`` from one batch."""
    from tutor.exercises.runner import CheckRequest, check_files

    requests, keys = [], []
    for exercise in exercise_set.exercises:
        # Each learner file in its own folder, as in the data directory.
        for kind, source in (
            ("reference", exercise.reference_path),
            ("starter", exercise.task_path),
            ("wrong", WRONG_DIR / f"{exercise.id}.py"),
        ):
            if not source.exists():
                continue
            folder = tmp_path_factory.mktemp(f"{exercise.id}-{kind}")
            copy = folder / "task.py"
            copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
            requests.append(CheckRequest(exercise, copy))
            keys.append((exercise.id, kind))
    return dict(zip(keys, check_files(requests), strict=True))

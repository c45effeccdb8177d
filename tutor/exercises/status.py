"""Exercise status from the progress store: solved, failed or not started.

The status is that of the latest check (an exercise solved and then broken again shows
as failed until it passes again); ``solved_count`` counts exercises ever solved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tutor.curriculum.exercises import Exercise

if TYPE_CHECKING:
    from tutor.exercises.runner import CheckResult
    from tutor.progress import ProgressStore

SOLVED, FAILED, NOT_STARTED = "solved", "failed", "not started"
MARKS = {SOLVED: "✓", FAILED: "✗", NOT_STARTED: "·"}


def _store(store: ProgressStore | None) -> ProgressStore:
    if store is not None:
        return store
    from tutor.progress import ProgressStore

    return ProgressStore()


def statuses(exercises: Sequence[Exercise], store: ProgressStore | None = None) -> dict[str, str]:
    results = _store(store).exercise_results()
    out = {}
    for exercise in exercises:
        if exercise.id not in results:
            out[exercise.id] = NOT_STARTED
        else:
            out[exercise.id] = SOLVED if results[exercise.id][0] else FAILED
    return out


def solved_count(exercises: Sequence[Exercise], store: ProgressStore) -> int:
    results = store.exercise_results()
    return sum(1 for e in exercises if results.get(e.id, (False, False))[1])


def record(exercise: Exercise, result: CheckResult, store: ProgressStore | None = None) -> None:
    """Store a check of the learner's code (its review card follows)."""
    _store(store).record_exercise_attempt(
        exercise.id, exercise.lesson, result.passed, result.message, result.duration_s
    )

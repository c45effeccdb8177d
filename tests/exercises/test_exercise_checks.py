"""Every exercise: the reference passes, the starter fails, a plausible mistake is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.curriculum.exercises import load_exercises

EXERCISE_IDS = [e.id for e in load_exercises().exercises]
WRONG_DIR = Path(__file__).parent / "wrong"
LESSONS = [
    "residual-stream",
    "superposition",
    "sparse-autoencoders",
    "probing",
    "activation-patching",
    "induction-heads",
    "circuits",
    "steering-and-safety",
]


def _expected_message(exercise_id: str) -> str:
    first = (WRONG_DIR / f"{exercise_id}.py").read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# EXPECT: (.+)", first)
    assert match, f"{exercise_id}.py must start with '# EXPECT: <part of the message>'"
    return match.group(1)


def test_at_least_fourteen_exercises_covering_every_lesson(exercise_set):
    assert len(exercise_set.exercises) >= 14
    assert exercise_set.problems == []
    assert {e.lesson for e in exercise_set.exercises} >= set(LESSONS)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_reference_passes(batch_results, exercise_id):
    result = batch_results[(exercise_id, "reference")]
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_untouched_starter_fails_with_a_message(batch_results, exercise_id):
    result = batch_results[(exercise_id, "starter")]
    assert not result.passed
    assert "not written yet" in result.message
    assert "Replace the TODO" in result.message


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_plausible_mistake_is_named(batch_results, exercise_id):
    assert (WRONG_DIR / f"{exercise_id}.py").exists(), f"add tests/exercises/wrong/{exercise_id}.py"
    result = batch_results[(exercise_id, "wrong")]
    assert not result.passed
    assert _expected_message(exercise_id).lower() in result.message.lower(), result.message

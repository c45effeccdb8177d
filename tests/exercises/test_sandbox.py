"""The sandbox ends every kind of misbehaving code with a clear message, quickly.

These use normalised-recovery, whose check needs no model, so each batch costs one
short process start.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tutor.curriculum.exercises import Exercise, load_exercises
from tutor.exercises.runner import CheckRequest, check_files

GOOD = (
    "def normalised_recovery(patched, clean, corrupted):\n"
    "    if clean == corrupted:\n"
    "        raise ValueError('no gap')\n"
    "    return (patched - corrupted) / (clean - corrupted)\n"
)
FILES = {
    "loop": "def normalised_recovery(patched, clean, corrupted):\n    while True:\n        pass\n",
    "syntax": "def normalised_recovery(patched, clean, corrupted):\n    x = (1 +\n    return x\n",
    "raises": "def normalised_recovery(patched, clean, corrupted):\n"
    "    gap = clean - corrupted\n"
    "    return patched / undefined_name\n",
    "memory": "def normalised_recovery(patched, clean, corrupted):\n"
    "    hog = bytearray(64 * 2**30)\n"
    "    return 0.0\n",
    "exit": "import sys\n\ndef normalised_recovery(patched, clean, corrupted):\n    sys.exit(3)\n",
    "hard-exit": "import os\n\ndef normalised_recovery(patched, clean, corrupted):\n    os._exit(3)\n",
    "print": "def normalised_recovery(patched, clean, corrupted):\n"
    "    print('debugging', patched)\n"
    "    return patched - corrupted\n",
    "good": GOOD,
}
TIME_LIMIT_S = 2.0


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    base = load_exercises().get("normalised-recovery")
    meta = base.meta.model_copy(update={"time_limit_s": TIME_LIMIT_S, "memory_mb": 256})
    return Exercise(meta, base.directory)


@pytest.fixture(scope="module")
def results(exercise, tmp_path_factory):
    requests = []
    for name, text in FILES.items():
        folder = tmp_path_factory.mktemp(name)
        (folder / "task.py").write_text(text, encoding="utf-8")
        requests.append(CheckRequest(exercise, folder / "task.py"))
    started = time.monotonic()
    out = dict(zip(FILES, check_files(requests), strict=True))
    out["_elapsed"] = time.monotonic() - started
    return out


def test_infinite_loop_is_stopped_within_the_time_limit(results):
    result = results["loop"]
    assert not result.passed
    assert f"stopped after {TIME_LIMIT_S:g} s" in result.message
    assert "infinite loop" in result.message
    assert result.duration_s == 0.0 or result.duration_s < TIME_LIMIT_S + 1
    # The whole batch of eight (one of them looping) stays far below the global budget.
    assert results["_elapsed"] < 30


def test_syntax_error_names_the_line(results):
    message = results["syntax"].message
    assert message.startswith("syntax error on line 2 of task.py"), message


def test_exception_names_the_learners_line(results):
    message = results["raises"].message
    assert "raised NameError" in message
    assert "at line 3 of task.py: return patched / undefined_name" in message


def test_memory_hog_is_stopped(results):
    assert not results["memory"].passed
    assert "ran out of memory" in results["memory"].message


def test_exit_calls_are_reported(results):
    assert "called exit(3)" in results["exit"].message
    assert "without a result" in results["hard-exit"].message
    assert not results["exit"].passed and not results["hard-exit"].passed


def test_printing_does_not_break_the_check_and_is_shown(results):
    result = results["print"]
    assert not result.passed
    assert "debugging" in result.output


def test_good_file_passes(results):
    assert results["good"].passed, results["good"].message


def test_deleting_the_learners_own_file_is_undone(exercise, tmp_path):
    target = tmp_path / "task.py"
    target.write_text(
        "import os\n"
        f"os.remove({str(target)!r})\n"
        "os.remove('task.py')  # the copy in the sandbox's temporary directory\n" + GOOD,
        encoding="utf-8",
    )
    before = target.read_bytes()
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    [result] = check_files([CheckRequest(exercise, target)])
    assert not result.passed
    assert "deleted task.py (mitutor put it back)" in result.message
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "task.py"]


def test_missing_file_is_a_message(exercise, tmp_path: Path):
    [result] = check_files([CheckRequest(exercise, tmp_path / "nope.py")])
    assert not result.passed and "no such file" in result.message

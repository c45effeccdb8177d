"""The built wheel carries the lessons and quizzes: install it elsewhere and list them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tutor.curriculum import load_curriculum

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_installed_wheel_lists_the_lessons(tmp_path: Path):
    try:
        import hatchling  # noqa: F401  (the build backend, needed offline)
    except ImportError:
        pytest.fail("hatchling must be installed (pip install -e '.[dev]') to build the wheel")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(REPO)],
        check=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    (wheel,) = wheels.glob("mitutor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    expected = load_curriculum()
    for lesson in expected.lessons:
        assert f"tutor/_bundled/content/{lesson.path.name}" in names
    for quiz in expected.quizzes:
        assert f"tutor/_bundled/quizzes/{quiz.path.name}" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_env = {**env, "PYTHONPATH": str(target), "MITUTOR_HOME": str(tmp_path / "home")}
    where = subprocess.run(
        [sys.executable, "-c", "import tutor.paths as p; print(p.PACKAGE_DIR); print(p.content_dir())"],
        check=True, env=run_env, cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    package_dir, content_dir = where.stdout.splitlines()
    assert Path(package_dir).is_relative_to(target)  # not the checkout
    assert Path(content_dir) == target / "tutor" / "_bundled" / "content"

    listed = subprocess.run(
        [sys.executable, "-m", "tutor", "lessons"],
        check=True, env=run_env, cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    rows = [line.split(maxsplit=2) for line in listed.stdout.splitlines()]
    assert rows == [[str(x.order), x.id, x.title] for x in expected.lessons]

    # The installed copy finds the same content (exercises too), and the same problems if any.
    from tutor.curriculum.exercises import load_exercises

    n_exercises = len(load_exercises().exercises)
    checked = subprocess.run(
        [sys.executable, "-m", "tutor", "check-content"],
        env=run_env, cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.stdout.splitlines()[-1] == (
        f"{len(expected.lessons)} lessons, {len(expected.quizzes)} quizzes, "
        f"{len(expected.questions)} questions, {n_exercises} exercises, "
        f"{len(expected.problems)} problems"
    )
    assert checked.returncode == (1 if expected.problems else 0)

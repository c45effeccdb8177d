"""check-content validates exercises with file:line: field messages; the wheel ships them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tutor.cli import main
from tutor.curriculum.exercises import load_exercises
from tutor.paths import exercises_dir


def _copy(tmp_path: Path, exercise_id: str = "logit-diff") -> Path:
    target = tmp_path / "exercises" / exercise_id
    shutil.copytree(exercises_dir() / exercise_id, target)
    return target


def test_bundled_exercises_are_valid(capsys):
    assert main(["check-content"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "16 exercises, 0 problems" in last or " exercises, 0 problems" in last


def test_broken_exercise_fields_are_reported_with_lines(tmp_path, capsys):
    folder = _copy(tmp_path)
    meta = folder / "exercise.yaml"
    text = meta.read_text().replace("difficulty: 1", "difficulty: 5")
    text = text.replace("lesson: activation-patching", "lesson: no-such-lesson")
    meta.write_text(text + "colour: red\n")
    assert main(["check-content", str(tmp_path / "exercises")]) == 1
    out = capsys.readouterr().out
    lines = meta.read_text().splitlines()
    difficulty_line = next(i for i, line in enumerate(lines, 1) if line.startswith("difficulty"))
    assert f"exercise.yaml:{difficulty_line}: difficulty: " in out
    assert "colour: unknown field" in out


def test_missing_function_unknown_lesson_and_reference_syntax_error(tmp_path):
    folder = _copy(tmp_path)
    (folder / "task.py").write_text('"""Task."""\n# TODO\ndef other():\n    pass\n')
    (folder / "reference.py").write_text("def logit_diff(:\n")
    meta = folder / "exercise.yaml"
    meta.write_text(meta.read_text().replace("activation-patching", "nowhere"))
    found = load_exercises([tmp_path], lesson_order={"activation-patching": 5})
    text = "\n".join(str(p) for p in found.problems)
    assert "functions: task.py does not define 'logit_diff'" in text
    assert "reference.py:1: reference: syntax error" in text
    assert "lesson: unknown lesson 'nowhere'" in text
    assert found.exercises == []


def test_starter_without_todo_or_docstring_is_reported(tmp_path):
    folder = _copy(tmp_path)
    (folder / "task.py").write_text("def logit_diff(a, b, c):\n    return 0\n")
    found = load_exercises([tmp_path])
    text = "\n".join(str(p) for p in found.problems)
    assert "the starter has no TODO" in text and "module docstring" in text


def test_pyproject_bundles_exercises():
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"exercises" = "tutor/_bundled/exercises"' in text

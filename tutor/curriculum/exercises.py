"""Exercises as content: the ``exercise.yaml`` schema, loading, and validation.

An exercise is a directory ``exercises/<id>/`` holding:

- ``exercise.yaml``: id, lesson, title, ratings, time estimate, hints (this schema);
- ``task.py``: the starter the learner edits: a docstring stating the task, ``TODO``s;
- ``reference.py``: the model solution (shown after a failed check or on request);
- ``check.py``: ``check(env)``, which calls the learner's functions through ``env`` and
  compares them with the reference (see :mod:`tutor.exercises.env`).

Loading never runs any of the Python files: they are parsed with :mod:`ast` only, so
``check-content`` can report a missing function or a syntax error with its line. Problems
come back as :class:`~tutor.curriculum.schema.Problem` lines (``file:line: field: message``)
like lessons and quizzes. No Textual, no torch.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.curriculum.problems import display_path, field_name, problems_from_validation
from tutor.curriculum.schema import Problem
from tutor.curriculum.yaml_source import YamlProblem, parse_yaml

META_FILE = "exercise.yaml"
TASK_FILE = "task.py"
REFERENCE_FILE = "reference.py"
CHECK_FILE = "check.py"
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Importance(StrEnum):
    """How much an exercise matters for interviews and research work."""

    low = "low"
    medium = "medium"
    high = "high"


class ExerciseMeta(BaseModel):
    """The fields of ``exercise.yaml``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    lesson: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=70)
    summary: str = Field(min_length=1, description="one line: what the learner writes")
    difficulty: int = Field(ge=1, le=3, description="1-3 stars")
    importance: Importance
    minutes: int = Field(ge=1, le=120, description="time estimate")
    functions: list[str] = Field(min_length=1, description="what task.py must define")
    hints: list[str] = Field(min_length=1, description="progressive: vaguest first")
    uses_model: bool = Field(True, description="the check loads tutor-gpt")
    time_limit_s: float = Field(20.0, gt=0, le=300)
    memory_mb: int = Field(1024, ge=64, le=16384, description="extra memory the check may use")
    order: int = Field(0, description="position within the lesson's exercises")

    @property
    def stars(self) -> str:
        return "★" * self.difficulty + "☆" * (3 - self.difficulty)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its metadata and where its files are."""

    meta: ExerciseMeta
    directory: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def lesson(self) -> str:
        return self.meta.lesson

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def task_path(self) -> Path:
        return self.directory / TASK_FILE

    @property
    def reference_path(self) -> Path:
        return self.directory / REFERENCE_FILE

    @property
    def check_path(self) -> Path:
        return self.directory / CHECK_FILE

    def starter(self) -> str:
        return self.task_path.read_text(encoding="utf-8")

    def reference(self) -> str:
        return self.reference_path.read_text(encoding="utf-8")

    def task_text(self) -> str:
        """The task as the learner reads it: the starter's module docstring."""
        try:
            doc = ast.get_docstring(ast.parse(self.starter()))
        except (OSError, SyntaxError, ValueError):
            doc = None
        return doc or self.meta.summary


@dataclass
class ExerciseSet:
    """Exercises (by lesson order, then ``order``, then id) and the problems found."""

    exercises: list[Exercise]
    problems: list[Problem]

    def get(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        known = ", ".join(e.id for e in self.exercises)
        raise KeyError(f"no exercise {exercise_id!r} (known: {known})")

    def for_lesson(self, lesson_id: str) -> list[Exercise]:
        return [e for e in self.exercises if e.lesson == lesson_id]


def _defined_names(path: Path, file: str, field: str) -> tuple[set[str], list[Problem]]:
    """Top-level function names in a Python file, or the problem that stops parsing it."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return set(), [Problem(file, 0, field, f"cannot read {path.name}: {err}")]
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as err:
        return set(), [Problem(file, err.lineno or 0, field, f"syntax error: {err.msg}")]
    names = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    names |= {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return names, []


def read_exercise(
    directory: Path, known_lessons: set[str] | None = None
) -> tuple[Exercise | None, list[Problem]]:
    """Validate one exercise directory. The exercise is None when it cannot be used.

    With ``known_lessons``, an exercise for another lesson is reported (and kept).
    """
    meta_path = directory / META_FILE
    file = display_path(meta_path)
    try:
        text = meta_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(file, 0, "(file)", f"cannot read the file: {err}")]
    try:
        doc = parse_yaml(text)
    except YamlProblem as err:
        return None, [Problem(file, err.line, "(file)", err.message)]
    problems = [
        Problem(file, line, field_name(loc), "given twice (only the last one counts)")
        for line, loc in doc.duplicate_keys
    ]
    if not isinstance(doc.data, dict):
        return None, [*problems, Problem(file, 1, "(file)", "must be a mapping (id, title, …)")]
    try:
        meta = ExerciseMeta.model_validate(doc.data)
    except ValidationError as err:
        return None, problems + problems_from_validation(err, ExerciseMeta, file, doc)
    if meta.id != directory.name:
        message = f"id {meta.id!r} differs from the directory name {directory.name!r}"
        problems.append(Problem(file, doc.line_of(("id",)), "id", message))
    if known_lessons is not None and meta.lesson not in known_lessons:
        message = f"unknown lesson {meta.lesson!r}"
        problems.append(Problem(file, doc.line_of(("lesson",)), "lesson", message))
    line = doc.line_of(("functions",))
    for name, field in ((TASK_FILE, "task"), (REFERENCE_FILE, "reference")):
        path = directory / name
        if not path.is_file():
            problems.append(Problem(file, 0, field, f"{name} is missing beside {META_FILE}"))
            continue
        names, found = _defined_names(path, display_path(path), field)
        problems.extend(found)
        for function in meta.functions:
            if not found and function not in names:
                message = f"{name} does not define {function!r} (listed in functions)"
                problems.append(Problem(file, line, "functions", message))
    task = directory / TASK_FILE
    if task.is_file():
        source = task.read_text(encoding="utf-8", errors="replace")
        if "TODO" not in source:
            problems.append(Problem(display_path(task), 1, "task", "the starter has no TODO"))
        try:
            if not ast.get_docstring(ast.parse(source)):
                message = "the starter needs a module docstring (the task text)"
                problems.append(Problem(display_path(task), 1, "task", message))
        except SyntaxError:
            pass  # reported above
    check = directory / CHECK_FILE
    if not check.is_file():
        problems.append(Problem(file, 0, "check", f"{CHECK_FILE} is missing beside {META_FILE}"))
    else:
        names, found = _defined_names(check, display_path(check), "check")
        problems.extend(found)
        if not found and "check" not in names:
            message = "check.py must define check(env)"
            problems.append(Problem(display_path(check), 1, "check", message))
    usable = not any(p.field in ("task", "reference", "check") for p in problems)
    return (Exercise(meta, directory) if usable else None), problems


def exercise_dirs(paths: Iterable[Path]) -> list[Path]:
    """Directories holding an ``exercise.yaml`` at or below ``paths``."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file() and path.name == META_FILE:
            found.add(path.parent)
        elif path.is_dir():
            found.update(meta.parent for meta in path.rglob(META_FILE))
    return sorted(found)


def load_exercises(
    roots: Iterable[Path] | None = None,
    lesson_order: dict[str, int] | None = None,
) -> ExerciseSet:
    """Every exercise under ``roots`` (default: the bundled ``exercises/``).

    ``lesson_order`` (lesson id -> position) sorts them by lesson and lets unknown
    lessons be reported; without it lessons are not checked.
    """
    if roots is None:
        from tutor.paths import exercises_dir

        roots = [exercises_dir()]
    exercises: list[Exercise] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for directory in exercise_dirs(roots):
        known = set(lesson_order) if lesson_order is not None else None
        exercise, found = read_exercise(directory, known)
        problems.extend(found)
        if exercise is None:
            continue
        file = display_path(directory / META_FILE)
        if exercise.id in seen:
            message = f"duplicate exercise id (also in {seen[exercise.id]})"
            problems.append(Problem(file, 1, "id", message))
            continue
        seen[exercise.id] = file
        exercises.append(exercise)
    order = lesson_order or {}
    exercises.sort(key=lambda e: (order.get(e.lesson, 10_000), e.lesson, e.meta.order, e.id))
    problems.sort(key=lambda p: (p.file, p.line))
    return ExerciseSet(exercises, problems)

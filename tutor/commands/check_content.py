"""`mitutor check-content [PATH...]`: validate lessons, quizzes and exercises.

Prints each problem as ``file:line: field: message``, then one summary line
``N lessons, M quizzes, Q questions, P problems`` (with ``, E exercises`` before the
problems when exercises were checked); exits 1 when there are problems.

Exercises (directories with an ``exercise.yaml``) are validated without running their
code: see :mod:`tutor.curriculum.exercises`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-content",
        help="validate lessons (Markdown), quizzes (YAML) and exercises; exit 1 on problems",
        description="Validate lessons (*.md), quizzes (*.yaml, *.yml) and exercises "
        "(directories with an exercise.yaml). With no PATH, checks the bundled content. A PATH may be a file or a directory (searched "
        "recursively). Quizzes given without lessons are checked against the bundled "
        "lessons, and the other way round.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or directory")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tutor.curriculum.loader import check_paths, load_curriculum

    missing = [path for path in args.paths if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or directory", file=sys.stderr)
    if missing:
        return 2
    from tutor.curriculum.exercises import load_exercises

    curriculum = check_paths(args.paths) if args.paths else load_curriculum()
    lessons = curriculum.lessons or load_curriculum().lessons
    order = {lesson.id: lesson.order for lesson in lessons}
    exercises = load_exercises(args.paths if args.paths else None, lesson_order=order)
    problems = sorted(curriculum.problems + exercises.problems, key=lambda p: (p.file, p.line))
    for problem in problems:
        print(problem)
    n_exercises = len(exercises.exercises)
    counted = f"{n_exercises} exercises, " if n_exercises or exercises.problems else ""
    print(
        f"{len(curriculum.lessons)} lessons, {len(curriculum.quizzes)} quizzes, "
        f"{len(curriculum.questions)} questions, {counted}{len(problems)} problems"
    )
    return 1 if problems else 0

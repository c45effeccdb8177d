"""`mitutor exercises`: list the exercises, check a file, print where the learner's copy is.

- ``mitutor exercises [--json]``: every exercise with its status (``solved``, ``failed``,
  ``not started``); ``--json`` prints ``[{"id", "lesson", "title", "status"}]``.
- ``mitutor exercises check ID [--file F] [--solution] [--json]``: check the learner's copy
  (or ``F``, or the reference with ``--solution``) in the sandbox process;
  ``--json`` prints ``{"id", "passed", "message"}``. Exit 0 when it passes, 1 when not.
  Checks of the learner's copy or of ``--file`` are recorded in the progress store.
- ``mitutor exercises path ID``: the learner's copy (created from the starter if needed).

Nothing heavy is imported at registration; the check itself runs in another process.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "exercises",
        help="list exercises, check one, or print the path of your copy",
        description="Exercises: small Python files you complete, checked against a "
        "reference on tutor-gpt in a separate, time-limited process.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable list")
    p.set_defaults(func=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser("check", help="check your copy of an exercise (or a file)")
    check.add_argument("id", help="exercise id (see `mitutor exercises`)")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--file", type=Path, help="check this file instead of your copy")
    source.add_argument("--solution", action="store_true", help="check the reference solution")
    check.add_argument("--json", action="store_true", help='print {"id", "passed", "message"}')
    check.set_defaults(func=run_check)
    path = actions.add_parser("path", help="print where your copy of an exercise is")
    path.add_argument("id", help="exercise id")
    path.set_defaults(func=run_path)


def _load():
    from tutor.curriculum.exercises import load_exercises
    from tutor.curriculum.loader import load_curriculum

    order = {lesson.id: lesson.order for lesson in load_curriculum().lessons}
    return load_exercises(lesson_order=order)


def _find(exercise_id: str):
    exercises = _load()
    try:
        return exercises.get(exercise_id)
    except KeyError as exc:
        print(f"mitutor exercises: {exc.args[0]}", file=sys.stderr)
        return None


def run_list(args: argparse.Namespace) -> int:
    from tutor.exercises.status import statuses

    exercises = _load()
    status = statuses(exercises.exercises)
    rows = [
        {"id": e.id, "lesson": e.lesson, "title": e.title, "status": status[e.id]}
        for e in exercises.exercises
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        width = max((len(e.id) for e in exercises.exercises), default=0)
        for e in exercises.exercises:
            mark = {"solved": "✓", "failed": "✗"}.get(status[e.id], "·")
            meta = e.meta
            print(
                f"{mark} {e.id:<{width}}  {meta.stars}  {meta.minutes:>3} min  "
                f"{e.lesson}: {e.title}"
            )
    for problem in exercises.problems:
        print(problem, file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from tutor.exercises.runner import check_file
    from tutor.exercises.workspace import ensure_copy

    exercise = _find(args.id)
    if exercise is None:
        return 2
    if args.solution:
        file = exercise.reference_path
    elif args.file is not None:
        if not args.file.is_file():
            print(f"mitutor exercises check: --file {args.file}: no such file", file=sys.stderr)
            return 2
        file = args.file
    else:
        file = ensure_copy(exercise)
    result = check_file(exercise, file)
    if not args.solution:
        from tutor.exercises.status import record

        record(exercise, result)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(("✓ passed: " if result.passed else "✗ not yet: ") + result.message)
        if result.output.strip() and not result.passed:
            print("\nyour code printed:\n" + result.output.rstrip())
    return 0 if result.passed else 1


def run_path(args: argparse.Namespace) -> int:
    from tutor.exercises.workspace import ensure_copy

    exercise = _find(args.id)
    if exercise is None:
        return 2
    print(ensure_copy(exercise))
    return 0

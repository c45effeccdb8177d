"""`mitutor check-content [PATH...]`: validate lessons and quizzes.

Prints each problem as ``file:line: field: message``, then one summary line
``N lessons, M quizzes, Q questions, P problems``; exits 1 when there are problems.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-content",
        help="validate lessons (Markdown) and quizzes (YAML); exit 1 on problems",
        description="Validate lessons (*.md) and quizzes (*.yaml, *.yml). With no PATH, "
        "checks the bundled content. A PATH may be a file or a directory (searched "
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
    curriculum = check_paths(args.paths) if args.paths else load_curriculum()
    for problem in curriculum.problems:
        print(problem)
    n_problems = len(curriculum.problems)
    print(
        f"{len(curriculum.lessons)} lessons, {len(curriculum.quizzes)} quizzes, "
        f"{len(curriculum.questions)} questions, {n_problems} problems"
    )
    return 1 if n_problems else 0

"""`mitutor lessons`: list the lessons in course order, with their ids."""

from __future__ import annotations

import argparse
import sys

from tutor.wording import count


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lessons",
        help="list the lessons (id and title) in course order",
        description="List the bundled lessons in course order: order, id, title.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tutor.curriculum.loader import load_curriculum

    curriculum = load_curriculum()
    width = max((len(lesson.id) for lesson in curriculum.lessons), default=0)
    for lesson in curriculum.lessons:
        print(f"{lesson.order:>3}  {lesson.id:<{width}}  {lesson.title}")
    if not curriculum.lessons:
        print("no lessons found", file=sys.stderr)
    if curriculum.problems:
        print(
            f"{count(len(curriculum.problems), 'problem')} in the content; "
            "run `mitutor check-content` to see them",
            file=sys.stderr,
        )
    return 0 if curriculum.lessons else 1

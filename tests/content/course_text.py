"""Reading the course files for the content tests: front matter, listings, links, quizzes.

Deliberately independent of ``tutor.curriculum`` so that these tests check the files
against the contract in docs/CONTRACTS.md rather than against the loader's own reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO / "content"
QUIZZES_DIR = REPO / "quizzes"

_FENCE_OPEN = re.compile(r"^```python\s+runnable\s*$")
_TRY_IT = re.compile(
    r"\[(?P<text>[^\]]+)\]\(lab:(?P<lab>[a-z0-9-]+)(?:\?preset=(?P<preset>[a-z0-9-]+))?\)"
)


@dataclass(frozen=True)
class Lesson:
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line number of the first body line

    @property
    def id(self) -> str:
        return str(self.meta["id"])


@dataclass(frozen=True)
class Listing:
    path: Path
    line: int  # 1-based line of the opening fence
    code: str

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.line}"


@dataclass(frozen=True)
class TryIt:
    path: Path
    line: int
    text: str
    lab: str
    preset: str | None


def read_lesson(path: Path) -> Lesson:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{path}:1: front matter must start with ---")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise ValueError(f"{path}: front matter is never closed with ---")
    meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    return Lesson(path, meta, "\n".join(lines[end + 1 :]), end + 2)


@cache
def lessons() -> list[Lesson]:
    return sorted(
        (read_lesson(p) for p in CONTENT_DIR.glob("*.md")), key=lambda le: le.meta["order"]
    )


def listings(lesson: Lesson) -> list[Listing]:
    found: list[Listing] = []
    lines = lesson.body.splitlines()
    i = 0
    while i < len(lines):
        if _FENCE_OPEN.match(lines[i].strip()):
            start = i
            i += 1
            body: list[str] = []
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            found.append(Listing(lesson.path, lesson.body_line + start, "\n".join(body) + "\n"))
        i += 1
    return found


def try_it_links(lesson: Lesson) -> list[TryIt]:
    found: list[TryIt] = []
    for n, line in enumerate(lesson.body.splitlines()):
        for m in _TRY_IT.finditer(line):
            found.append(TryIt(lesson.path, lesson.body_line + n, m["text"], m["lab"], m["preset"]))
    return found


@cache
def quizzes() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (p, yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted(QUIZZES_DIR.glob("*.yaml"))
    ]


@cache
def questions() -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """Every question as (file, quiz, question), with the quiz's lesson filled in.

    Cached for the session: the tests only read these structures, never change them.
    """
    out = []
    for path, quiz in quizzes():
        for q in quiz.get("questions") or []:
            out.append((path, quiz, {"lesson": quiz.get("lesson"), **q}))
    return out

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
_OUTPUT_OPEN = re.compile(r"^```output(?P<opts>(?:\s+[a-z]+=\S+)*)\s*$")
# Defaults for comparing printed numbers with an output block: a number passes when it is
# within ``tol`` absolutely or ``rtol`` relatively of the one written, whichever is looser.
DEFAULT_TOL = 0.01
DEFAULT_RTOL = 0.02
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
    output: str | None = None  # the ```output block after it; None when there is none
    tol: float = DEFAULT_TOL
    rtol: float = DEFAULT_RTOL

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
            output, options = _output_after(lines, i + 1)
            found.append(
                Listing(
                    lesson.path,
                    lesson.body_line + start,
                    "\n".join(body) + "\n",
                    output,
                    **options,
                )
            )
        i += 1
    return found


def _output_after(lines: list[str], i: int) -> tuple[str | None, dict[str, float]]:
    """The ```output block starting at line ``i`` (blank lines skipped) and its options."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not (m := _OUTPUT_OPEN.match(lines[i].strip())):
        return None, {}
    options = {k: float(v) for k, v in (o.split("=", 1) for o in m["opts"].split())}
    body: list[str] = []
    i += 1
    while i < len(lines) and lines[i].strip() != "```":
        body.append(lines[i])
        i += 1
    return "\n".join(body) + "\n", options


# A number on its own (not glued to letters, as in "L7H0" or "1st"); "−" is the Unicode minus.
_NUMBER = re.compile(r"(?<![\w.])[-−+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])")


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """Whitespace-normalised text cut at its numbers: the text pieces and the numbers."""
    flat = " ".join(text.split())
    pieces: list[str] = []
    numbers: list[float] = []
    last = 0
    for m in _NUMBER.finditer(flat):
        pieces.append(flat[last : m.start()])
        numbers.append(float(m.group().replace("−", "-")))
        last = m.end()
    pieces.append(flat[last:])
    return pieces, numbers


def output_mismatch(
    expected: str, actual: str, tol: float = DEFAULT_TOL, rtol: float = DEFAULT_RTOL
) -> str | None:
    """Why ``actual`` does not match the ``expected`` output block, or None when it does.

    Text must match exactly after whitespace is normalised; each number must be within
    ``max(tol, rtol·|expected|)`` of the one written.
    """
    want_text, want_nums = split_numbers(expected)
    got_text, got_nums = split_numbers(actual)
    if want_text != got_text or len(want_nums) != len(got_nums):
        return f"the text differs:\n--- written\n{expected}\n--- printed\n{actual}"
    for n, (want, got) in enumerate(zip(want_nums, got_nums, strict=True)):
        allowed = max(tol, rtol * abs(want))
        if abs(got - want) > allowed:
            return (
                f"number {n + 1} is {got:g}, the block says {want:g} (allowed ±{allowed:g})"
                f"\n--- written\n{expected}\n--- printed\n{actual}"
            )
    return None


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

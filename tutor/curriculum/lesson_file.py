"""Reading one lesson file: front matter, Markdown body, sections split on ``## ``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from tutor.curriculum.problems import field_name, problems_from_validation
from tutor.curriculum.schema import Lesson, LessonMeta, Problem, Section
from tutor.curriculum.yaml_source import YamlDoc, YamlProblem, parse_yaml

MAX_LESSON_CHARS = 2_000_000  # the longest lesson is ~20 k; a bigger file is a mistake

INTRO_TITLE = "Introduction"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
LAB_LINK = re.compile(r"\]\(lab:([^)?\s]*)(?:\?([^)\s]*))?\)")
# A runnable listing is run by the test suite; the ``output`` block after it holds what it
# prints, so every number a lesson quotes from the model is checked on every test run.
RUNNABLE_INFO = re.compile(r"^python\s+runnable\s*$")
OUTPUT_INFO = re.compile(r"^output(?P<opts>(?:\s+[a-z]+=\S*)*)\s*$")
OUTPUT_OPTIONS = ("tol", "rtol")


def slugify(title: str) -> str:
    """``"What's in a layer?"`` -> ``"what-s-in-a-layer"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "section"


def split_sections(body: str, first_line: int) -> tuple[Section, ...]:
    """Split a Markdown body into the intro and its ``## `` sections.

    ``first_line`` is the file line (1-based) of the body's first line. Headings inside
    fenced code blocks do not count. A blank intro is left out.
    """
    chunks: list[tuple[str | None, int, list[str]]] = [(None, first_line, [])]
    fence: str | None = None
    for offset, line in enumerate(body.splitlines()):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif (
                marker[0] == fence[0]
                and len(marker) >= len(fence)
                and not line.strip()[len(marker) :].strip()
            ):
                fence = None
        elif fence is None and line.startswith("## "):
            chunks.append((line[3:].strip(), first_line + offset, []))
        chunks[-1][2].append(line)

    sections: list[Section] = []
    used: set[str] = set()
    for title, line, lines in chunks:
        while lines and not lines[0].strip():  # start at the first line with text
            lines.pop(0)
            line += 1
        text = "\n".join(lines).rstrip("\n")
        if title is None:
            if not text.strip():
                continue
            title, key = INTRO_TITLE, "intro"
        else:
            key = slugify(title)
        base, n = key, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        sections.append(Section(key=key, title=title, markdown=text + "\n", line=line))
    return tuple(sections)


@dataclass
class ParsedLesson:
    """What reading one lesson file gave: the lesson (None if unusable), its problems,
    and the parsed header (``doc``) for line numbers."""

    file: str
    lesson: Lesson | None
    problems: list[Problem]
    doc: YamlDoc | None = None

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        return self.doc.line_of(loc) if self.doc is not None else 1


def read_lesson(path: Path, file: str) -> ParsedLesson:
    """Parse one lesson file; ``lesson`` is None when it cannot be used."""
    parsed = _read_lesson(path, file)
    return ParsedLesson(file, *parsed)


def _read_lesson(path: Path, file: str) -> tuple[Lesson | None, list[Problem], YamlDoc | None]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(file, 0, "(file)", f"cannot read the file: {err}")], None
    if len(text) > MAX_LESSON_CHARS:
        message = f"{len(text):,} characters; a lesson may have at most {MAX_LESSON_CHARS:,}"
        return None, [Problem(file, 1, "(file)", message)], None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return (
            None,
            [Problem(file, 1, "front matter", "the file must start with a '---' line")],
            None,
        )
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return (
            None,
            [Problem(file, 1, "front matter", "no closing '---' line after the header")],
            None,
        )
    try:
        doc = parse_yaml("\n".join(lines[1:end]), line_offset=1)
    except YamlProblem as err:
        return None, [Problem(file, err.line, "front matter", err.message)], None
    duplicates = [
        Problem(file, line, field_name(loc), "given twice (only the last one counts)")
        for line, loc in doc.duplicate_keys
    ]
    if not isinstance(doc.data, dict):
        return (
            None,
            [Problem(file, 2, "front matter", "the header must be 'field: value' lines")],
            doc,
        )
    try:
        meta = LessonMeta.model_validate(doc.data)
    except ValidationError as err:
        return None, problems_from_validation(err, LessonMeta, file, doc), doc

    body = "\n".join(lines[end + 1 :])
    sections = split_sections(body, first_line=end + 2)
    if not sections:
        return None, [Problem(file, end + 2, "body", "the lesson has no text")], doc
    duplicates.extend(listing_problems(body, end + 2, file))
    return Lesson(meta, body, sections, path, body_line=end + 2), duplicates, doc


@dataclass(frozen=True)
class Fence:
    """One fenced block of a Markdown body: its info string, its text and where it sits."""

    info: str
    text: str
    line: int  # file line (1-based) of the opening fence
    end_line: int  # file line of the closing fence (the last body line if unclosed)
    closed: bool


def fences(body: str, first_line: int) -> list[Fence]:
    """Every fenced block in ``body`` (``first_line`` is the file line of its first line)."""
    found: list[Fence] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        marker = match.group(1)
        info = lines[i].strip()[len(marker) :].strip()
        start, i = i, i + 1
        text: list[str] = []
        closed = False
        while i < len(lines):
            close = _FENCE.match(lines[i])
            if (
                close
                and close.group(1)[0] == marker[0]
                and len(close.group(1)) >= len(marker)
                and not lines[i].strip()[len(close.group(1)) :].strip()
            ):
                closed = True
                break
            text.append(lines[i])
            i += 1
        end = min(i, len(lines) - 1)
        found.append(Fence(info, "\n".join(text), first_line + start, first_line + end, closed))
        i += 1
    return found


def output_options(info: str) -> dict[str, float] | str:
    """``"output tol=0.05"`` -> ``{"tol": 0.05}``; a message (str) when the options are bad."""
    match = OUTPUT_INFO.match(info)
    if match is None:
        return f"an output fence takes only 'tol=' and 'rtol=' options, not {info!r}"
    options: dict[str, float] = {}
    for item in match.group("opts").split():
        name, _, value = item.partition("=")
        if name not in OUTPUT_OPTIONS:
            return f"unknown output option {name!r} (known: {', '.join(OUTPUT_OPTIONS)})"
        try:
            number = float(value)
        except ValueError:
            return f"{name}={value!r} is not a number"
        if not number >= 0:
            return f"{name} must be a number of zero or more, not {value!r}"
        options[name] = number
    return options


def listing_problems(body: str, first_line: int, file: str) -> list[Problem]:
    """Runnable listings without their ``output`` block, and output blocks without a listing.

    The rule: a ```` ```python runnable ```` fence is followed (blank lines aside) by an
    ```` ```output ```` fence holding exactly what the listing prints.
    """
    problems: list[Problem] = []
    lines = body.splitlines()
    blocks = fences(body, first_line)
    for index, fence in enumerate(blocks):
        if not fence.closed:
            message = "this code fence is never closed"
            problems.append(Problem(file, fence.line, "listing", message))
            continue
        nxt = blocks[index + 1] if index + 1 < len(blocks) else None
        between = lines[fence.end_line - first_line + 1 : nxt.line - first_line] if nxt else []
        adjacent = nxt is not None and not any(line.strip() for line in between)
        if RUNNABLE_INFO.match(fence.info):
            if not (adjacent and nxt is not None and nxt.info.split()[:1] == ["output"]):
                message = (
                    "a runnable listing must be followed by an ```output block holding "
                    "what it prints"
                )
                problems.append(Problem(file, fence.line, "listing", message))
        elif fence.info.split()[:1] == ["output"]:
            options = output_options(fence.info)
            if isinstance(options, str):
                problems.append(Problem(file, fence.line, "listing", options))
            previous = blocks[index - 1] if index else None
            gap = (
                lines[previous.end_line - first_line + 1 : fence.line - first_line]
                if previous
                else []
            )
            if (
                previous is None
                or not RUNNABLE_INFO.match(previous.info)
                or any(line.strip() for line in gap)
            ):
                message = "an ```output block must directly follow a ```python runnable listing"
                problems.append(Problem(file, fence.line, "listing", message))
            elif not fence.text.strip():
                message = "the output block is empty: paste what the listing prints"
                problems.append(Problem(file, fence.line, "listing", message))
    return problems


def lab_links(lesson: Lesson) -> list[tuple[int, str, str | None]]:
    """Every ``(lab:ID?preset=P)`` link in the body as ``(file line, lab id, preset)``."""
    found = []
    fence = False
    for offset, line in enumerate(lesson.body.splitlines()):
        if _FENCE.match(line):
            fence = not fence
        if fence:
            continue
        for match in LAB_LINK.finditer(line):
            query = match.group(2) or ""
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            found.append((lesson.body_line + offset, match.group(1), params.get("preset")))
    return found

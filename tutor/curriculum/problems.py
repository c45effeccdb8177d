"""Turning pydantic validation errors into :class:`Problem` lines a person can act on."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError

from tutor.curriculum.schema import Problem
from tutor.curriculum.yaml_source import YamlDoc


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


def field_name(loc: Sequence[str | int]) -> str:
    """``("questions", 2, "answer")`` -> ``"questions[2].answer"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def _message(error: dict, model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        allowed = [f for f in model.model_fields if f != "kind"] if len(loc) == 1 else []
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not a valid id (lower-case letters and digits, words joined by '-')"
    msg = str(error["msg"])
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        msg += f" (got {value!r})"
    return msg


def problems_from_validation(
    err: ValidationError,
    model: type[BaseModel],
    file: str,
    doc: YamlDoc,
    prefix: Sequence[str | int] = (),
    ignore: Iterable[str] = (),
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located in ``doc`` under ``prefix``.

    Errors on fields named in ``ignore`` are dropped (validated elsewhere).
    """
    skip = set(ignore)
    problems = []
    for error in err.errors():
        loc = tuple(error["loc"])
        if loc and loc[0] in skip:
            continue
        full = (*prefix, *loc)
        problems.append(Problem(file, doc.line_of(full), field_name(full), _message(error, model)))
    return problems

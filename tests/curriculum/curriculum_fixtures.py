"""Paths of the fixture course and broken files, and a small file-writing helper."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
COURSE = FIXTURES / "course"
BROKEN = FIXTURES / "broken"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path

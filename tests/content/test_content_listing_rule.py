"""`check-content` (and the app's loader) report a runnable listing without its output block."""

from __future__ import annotations

from pathlib import Path

from tutor.curriculum.lesson_file import listing_problems
from tutor.curriculum.loader import check_paths

HEADER = "---\nid: demo\ntitle: Demo\norder: 1\nsummary: A demo.\n---\n"
LISTING = "```python runnable\nprint(1)\n```\n"


def _problems(body: str) -> list[str]:
    return [str(p) for p in listing_problems(body, 10, "demo.md")]


def test_a_listing_followed_by_its_output_block_is_fine():
    assert _problems("Text.\n\n" + LISTING + "\n```output\n1\n```\n") == []
    assert _problems(LISTING + "```output tol=0.05 rtol=0.1\n1\n```\n") == []


def test_a_listing_without_output_is_reported_at_its_line():
    assert _problems("Text.\n\n" + LISTING + "\nMore text.\n") == [
        "demo.md:12: listing: a runnable listing must be followed by an ```output block "
        "holding what it prints"
    ]
    # Prose between the listing and the block does not count as following it.
    found = _problems(LISTING + "It prints:\n```output\n1\n```\n")
    assert len(found) == 2 and all(": listing: " in p for p in found)


def test_stray_empty_or_badly_optioned_output_blocks_are_reported():
    assert "must directly follow" in _problems("```output\n1\n```\n")[0]
    assert "must directly follow" in _problems("```python\nx\n```\n```output\n1\n```\n")[0]
    assert "empty" in _problems(LISTING + "```output\n\n```\n")[0]
    assert "tol='x'" in _problems(LISTING + "```output tol=x\n1\n```\n")[0]
    assert "unknown output option 'atol'" in _problems(LISTING + "```output atol=1\n1\n```\n")[0]


def test_an_unclosed_fence_is_reported():
    assert "never closed" in _problems("```python runnable\nprint(1)\n")[0]


def test_check_paths_reports_it_with_file_and_line(tmp_path: Path):
    lesson = tmp_path / "01-demo.md"
    lesson.write_text(HEADER + "Intro.\n\n" + LISTING, encoding="utf-8")
    course = check_paths([lesson])
    messages = [p for p in course.problems if p.field == "listing"]
    assert [(p.line, p.file.endswith("01-demo.md")) for p in messages] == [(9, True)]
    assert [le.id for le in course.lessons] == ["demo"]  # the lesson itself still loads

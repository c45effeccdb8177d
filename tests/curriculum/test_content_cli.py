"""`mitutor check-content` and `mitutor lessons`: output lines and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from curriculum_fixtures import BROKEN, COURSE

from tutor.cli import main
from tutor.curriculum import load_curriculum

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().out.splitlines()


def test_clean_course_passes(capsys):
    code, out = run(capsys, "check-content", str(COURSE))
    assert out == ["2 lessons, 2 quizzes, 5 questions, 0 problems"]
    assert code == 0


def test_broken_files_are_listed_then_summarised(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).parents[2])  # the repository root
    code, out = run(capsys, "check-content", str(COURSE), str(BROKEN / "answer-out-of-range.yaml"))
    assert code == 1
    assert out[-1] == "2 lessons, 3 quizzes, 6 questions, 2 problems"
    problems = [LINE.match(line) for line in out[:-1]]
    assert all(problems), out
    assert [(Path(m["file"]).name, m["line"], m["field"]) for m in problems] == [
        ("answer-out-of-range.yaml", "9", "questions[0].answer"),
        ("answer-out-of-range.yaml", "15", "questions[1].answer"),
    ]
    # Paths below the working directory are shown relative to it.
    assert problems[0]["file"] == "tests/curriculum/fixtures/broken/answer-out-of-range.yaml"


def test_every_broken_file_counts(capsys):
    code, out = run(capsys, "check-content", str(COURSE), str(BROKEN))
    expected = len(load_curriculum([COURSE / "content"], [COURSE / "quizzes", BROKEN]).problems)
    assert expected == 10
    assert code == 1
    assert out[-1].endswith(f", {expected} problems")
    assert len(out) == expected + 1


def test_one_quiz_file_is_checked_against_the_bundled_lessons(capsys, tmp_path):
    bundled = load_curriculum()
    good = tmp_path / "mine.yaml"
    good.write_text(
        f"id: mine\ntitle: Mine\nlesson: {bundled.lessons[0].id}\nquestions:\n"
        "  - id: mine-1\n    kind: single\n    prompt: P\n    choices: [a, b]\n"
        "    answer: 1\n    explanation: E\n"
    )
    code, out = run(capsys, "check-content", str(good))
    assert (code, out) == (0, ["0 lessons, 1 quizzes, 1 questions, 0 problems"])


def test_missing_path_is_an_argument_error(capsys, tmp_path):
    code = main(["check-content", str(tmp_path / "nope")])
    assert code == 2
    assert "nope: no such file or directory" in capsys.readouterr().err


def test_bundled_content_check_and_lessons_listing(capsys):
    curriculum = load_curriculum()
    code, out = run(capsys, "check-content")
    assert code == 0 and out[-1].endswith(", 0 problems")
    code, out = run(capsys, "lessons")
    assert code == 0
    assert len(out) == len(curriculum.lessons)
    for line, lesson in zip(out, curriculum.lessons, strict=True):
        assert line.split()[:2] == [str(lesson.order), lesson.id]
        assert line.endswith(lesson.title)

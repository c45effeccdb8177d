"""Hostile and broken content files: each is a clear ``file:line: field: message``, fast,
and the rest of the course still loads. Property-based tests mutate good files at random."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.cli import main
from tutor.curriculum import load_curriculum
from tutor.curriculum.lesson_file import read_lesson
from tutor.curriculum.quiz_file import MAX_QUESTIONS, read_quiz
from tutor.curriculum.yaml_source import MAX_BYTES, MAX_DEPTH

COURSE = Path(__file__).parent / "fixtures" / "course"
GOOD_QUIZ = (COURSE / "quizzes" / "streams-check.yaml").read_text(encoding="utf-8")
GOOD_LESSON = (COURSE / "content" / "01-streams.md").read_text(encoding="utf-8")

BILLION_LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
DEEP = "[" * 5000 + "]" * 5000


def _check(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, str, float]:
    start = time.monotonic()
    code = main(["check-content", *map(str, paths)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, time.monotonic() - start


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (BILLION_LAUGHS, 2, "alias *a is not allowed"),
        (DEEP, 1, f"nested more than {MAX_DEPTH} levels"),
        ("id: x\n" + "pad: " + "y" * (MAX_BYTES + 10) + "\n", 1, "the file is 1,000,022 bytes"),
    ],
    ids=["aliases", "deep", "huge"],
)
def test_hostile_quiz_files_are_refused_quickly(tmp_path, capsys, text, line, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, seconds = _check(capsys, bad)
    assert code == 1
    assert f"bad.yaml:{line}: (file): {words}" in out
    assert seconds < 10


def test_hostile_front_matter_is_refused_quickly(tmp_path, capsys):
    bad = tmp_path / "09-bad.md"
    front = "\n".join("  " + line for line in BILLION_LAUGHS.splitlines())
    bad.write_text(f"---\nid: bad\nx:\n{front}\n---\nBody.\n", encoding="utf-8")
    code, out, seconds = _check(capsys, bad)
    assert code == 1 and "09-bad.md:" in out and "front matter: alias" in out
    assert seconds < 10


def test_too_many_questions_is_one_problem_and_the_course_still_loads(tmp_path):
    quizzes = tmp_path / "quizzes"
    shutil.copytree(COURSE / "quizzes", quizzes)
    question = (
        "  - id: q{i}\n    kind: single\n    prompt: p\n    choices: [a, b]\n    answer: 0\n"
        "    explanation: e\n"
    )
    body = "".join(question.format(i=i) for i in range(MAX_QUESTIONS + 1))
    (quizzes / "huge.yaml").write_text(
        f"id: huge\ntitle: Huge\nkind: recap\nlesson: streams\nquestions:\n{body}",
        encoding="utf-8",
    )
    start = time.monotonic()
    curriculum = load_curriculum([COURSE / "content"], [quizzes])
    assert time.monotonic() - start < 10
    (problem,) = curriculum.problems
    assert str(problem) == (
        f"huge.yaml:5: questions: {MAX_QUESTIONS + 1:,} questions; at most {MAX_QUESTIONS} "
        "per file (split the quiz into several files)"
    ) or str(problem).endswith("(split the quiz into several files)")
    assert curriculum.has_question("st-add")  # the good quizzes still load


# ----- property-based: mutate good files, assert a clean result ------------------------

_edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=0, max_value=20),
        st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#\n\t ab01%@`,?")), max_size=12),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    return text


@settings(
    max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=_edits)
def test_mutated_quiz_files_give_problems_not_tracebacks(tmp_path, edits):
    path = tmp_path / "mutated.yaml"
    path.write_text(_mutate(GOOD_QUIZ, edits), encoding="utf-8")
    parsed = read_quiz(path, "mutated.yaml")  # must not raise
    for problem in parsed.problems:
        text = str(problem)
        assert text.startswith("mutated.yaml:") and ": " in text
        assert problem.line >= 0


@settings(
    max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=_edits)
def test_mutated_lessons_give_problems_not_tracebacks(tmp_path, edits):
    path = tmp_path / "01-mutated.md"
    path.write_text(_mutate(GOOD_LESSON, edits), encoding="utf-8")
    parsed = read_lesson(path, "01-mutated.md")
    for problem in parsed.problems:
        assert str(problem).startswith("01-mutated.md:")


@settings(max_examples=60, deadline=3000)
@given(
    structure=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=30,
    )
)
def test_any_yaml_structure_is_a_problem_or_a_quiz(structure):
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.yaml"
        path.write_text(yaml.safe_dump({"questions": structure}), encoding="utf-8")
        parsed = read_quiz(path, "any.yaml")
        assert parsed.quiz is None or parsed.quiz.questions is not None

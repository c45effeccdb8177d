"""Loading lessons and quizzes: the good course, each kind of broken file, line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from curriculum_fixtures import BROKEN, COURSE, write
from hypothesis import given
from hypothesis import strategies as st

from tutor.curriculum import (
    FreeRecall,
    MultiChoice,
    Problem,
    SingleChoice,
    check_paths,
    load_curriculum,
)
from tutor.curriculum.lesson_file import split_sections
from tutor.curriculum.yaml_source import YamlProblem, parse_yaml


def load_with(*extra_quiz_files: Path, course: Path = COURSE):
    return load_curriculum([course / "content"], [course / "quizzes", *extra_quiz_files])


def problem_tuples(curriculum) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in curriculum.problems]


def test_good_course_loads_everything_in_order():
    c = load_with()
    assert c.problems == []
    assert [lesson.id for lesson in c.lessons] == ["streams", "heads"]
    assert [q.id for q in c.quizzes] == ["heads-check", "streams-check"]
    streams = c.lesson("streams")
    assert streams.title == "Streams of numbers"
    assert streams.quiz == "streams-check"
    assert streams.lab == "patching"
    # Intro, then H2 sections; the "## " inside the code fence is not a section, and a
    # repeated heading gets its own key.
    assert [(s.key, s.title, s.line) for s in streams.sections] == [
        ("intro", "Introduction", 9),
        ("reading-and-writing", "Reading and writing", 13),
        ("why-addition-matters", "Why addition matters", 22),
        ("reading-and-writing-2", "Reading and writing", 26),
    ]
    assert "## not a heading" in streams.sections[1].markdown
    assert streams.sections[1].markdown.startswith("## Reading and writing\n")
    # A lesson whose body starts with an H2 has no intro page.
    assert [s.key for s in c.lesson("heads").sections] == ["what-a-head-does", "counting-heads"]


def test_lookups_and_question_kinds():
    c = load_with()
    assert isinstance(c.question("st-add"), SingleChoice)
    assert isinstance(c.question("st-which"), MultiChoice)
    assert isinstance(c.question("st-free"), FreeRecall)
    assert c.question("st-which").answer == (0, 1)
    assert c.question("hd-move").difficulty == 2  # the default
    assert c.quiz_of("hd-count").id == "heads-check"
    # hd-count sits in the heads quiz but names the streams lesson itself.
    assert [q.id for q in c.questions_for_lesson("streams")] == [
        "hd-count",
        "st-add",
        "st-which",
        "st-free",
    ]
    assert [q.id for q in c.quizzes_for_lesson("heads")] == ["heads-check"]
    with pytest.raises(KeyError, match="unknown lesson 'nope'.*streams, heads"):
        c.lesson("nope")
    with pytest.raises(KeyError):
        c.question("nope")


@pytest.mark.parametrize(
    ("name", "expected", "still_loaded"),
    [
        ("bad-syntax.yaml", [("bad-syntax.yaml", 9, "(file)")], []),
        ("python-tag.yaml", [("python-tag.yaml", 7, "(file)")], []),
        (
            "duplicate-id.yaml",
            [("duplicate-id.yaml", 11, "questions[1].id")],
            ["dup-fresh"],
        ),
        (
            "answer-out-of-range.yaml",
            [
                ("answer-out-of-range.yaml", 9, "questions[0].answer"),
                ("answer-out-of-range.yaml", 15, "questions[1].answer"),
            ],
            ["ar-ok"],
        ),
        (
            "unknown-lesson.yaml",
            [("unknown-lesson.yaml", 7, "questions[0].lesson")],
            [],
        ),
        (
            "missing-explanation.yaml",
            [
                ("missing-explanation.yaml", 5, "questions[0].explanation"),
                ("missing-explanation.yaml", 10, "questions[0].difficulty"),
                ("missing-explanation.yaml", 11, "questions[1].explanation"),
                ("missing-explanation.yaml", 16, "questions[1].explaination"),
            ],
            [],
        ),
    ],
)
def test_broken_quiz_file_is_reported_and_the_rest_loads(name, expected, still_loaded):
    c = load_with(BROKEN / name)
    assert problem_tuples(c) == expected
    # The good course is untouched by the broken file.
    assert {"st-add", "st-which", "st-free", "hd-move", "hd-count"} <= {q.id for q in c.questions}
    assert c.question("st-add").prompt == "How does a layer change the stream?"
    for question_id in still_loaded:
        assert c.has_question(question_id)
    assert len(c.questions) == 5 + len(still_loaded)


def test_problem_messages_say_what_is_wrong():
    c = load_with(*sorted(BROKEN.glob("*.yaml")))
    text = "\n".join(str(p) for p in c.problems)
    assert "answer 2 is not a choice index (0 to 1 for 2 choices)" in text
    assert "question id 'st-add' is already used at" in text
    assert "streams-check.yaml:6" in text  # where the first use is
    assert "unknown lesson 'no-such-lesson'" in text
    assert "did you mean 'explanation'?" in text
    assert "tag !!python/object/apply:os.system is not allowed" in text
    assert "started on line 8" in text  # the unclosed list of bad-syntax.yaml
    first = c.problems[0]
    assert str(first) == f"{first.file}:{first.line}: {first.field}: {first.message}"


def test_python_tag_is_never_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "MITUTOR_PWNED"
    c = load_with(BROKEN / "python-tag.yaml")
    assert not marker.exists()
    assert not c.has_question("pt-one")
    # The fixture is live: an unsafe loader really would run the command.
    yaml.unsafe_load((BROKEN / "python-tag.yaml").read_text())
    assert marker.exists()


def test_duplicate_quiz_and_lesson_ids(course: Path):
    write(
        course / "quizzes" / "zz-copy.yaml",
        (course / "quizzes" / "heads-check.yaml").read_text().replace("hd-", "cp-"),
    )
    write(
        course / "content" / "03-again.md",
        "---\nid: heads\ntitle: Heads again\norder: 3\n---\nText.\n",
    )
    c = load_curriculum([course / "content"], [course / "quizzes"])
    assert problem_tuples(c) == [("03-again.md", 2, "id"), ("zz-copy.yaml", 1, "id")]
    assert "already used by" in c.problems[0].message
    assert c.lesson("heads").title == "Attention heads"  # first one wins
    assert not c.has_question("cp-move")


def test_lesson_header_problems_name_the_line(course: Path):
    content = course / "content"
    write(content / "10-no-header.md", "# Just text\n")
    write(content / "11-bad-yaml.md", "---\nid: x\ntitle: [unclosed\norder: 1\n---\nBody\n")
    write(content / "12-bad-fields.md", "---\nid: Not_Kebab\ntitle: T\norder: one\n---\nBody\n")
    write(
        content / "13-refs.md",
        "---\nid: refs\ntitle: Refs\norder: 9\nquiz: no-quiz\nlab: no-lab\n---\n"
        "Intro.\n\n## Part\n\nSee [this](lab:nolab?preset=x).\n",
    )
    write(content / "14-empty.md", "---\nid: empty\ntitle: Empty\norder: 5\n---\n\n")
    write(
        content / "15-other-quiz.md",
        "---\nid: other\ntitle: O\norder: 6\nquiz: heads-check\n---\nHi\n",
    )
    c = load_curriculum([content], [course / "quizzes"])
    assert problem_tuples(c) == [
        ("10-no-header.md", 1, "front matter"),
        ("11-bad-yaml.md", 4, "front matter"),
        ("12-bad-fields.md", 2, "id"),
        ("12-bad-fields.md", 4, "order"),
        ("13-refs.md", 5, "quiz"),
        ("13-refs.md", 6, "lab"),
        ("13-refs.md", 12, "body"),
        ("14-empty.md", 6, "body"),
        ("15-other-quiz.md", 5, "quiz"),
    ]
    assert c.problems[-1].message == "quiz 'heads-check' is for lesson 'heads'"
    # Lessons with broken references still load; broken files do not.
    assert [lesson.id for lesson in c.lessons] == ["streams", "heads", "other", "refs"]


def test_check_paths_resolves_references_against_the_bundled_course(tmp_path: Path):
    bundled = load_curriculum()
    assert bundled.lessons, "the bundled course has at least one lesson"
    lesson_id = bundled.lessons[0].id
    quiz = write(
        tmp_path / "extra.yaml",
        f"id: extra\ntitle: Extra\nlesson: {lesson_id}\nquestions:\n"
        "  - id: extra-one\n    kind: free\n    prompt: Why?\n    model_answer: Because.\n",
    )
    c = check_paths([quiz])
    assert c.problems == []
    assert [q.id for q in c.questions] == ["extra-one"]
    assert c.lessons == []  # only what was asked for is counted


def test_yaml_line_lookup():
    doc = parse_yaml("a: 1\nlist:\n  - x: 1\n    y: 2\n  - x: 3\n", line_offset=10)
    assert doc.line_of(("a",)) == 11
    assert doc.line_of(("list", 0, "y")) == 14
    assert doc.line_of(("list", 1)) == 15
    assert doc.line_of(("list", 1, "missing")) == 15  # falls back to the holder
    assert doc.line_of(("list", 7)) == 12
    with pytest.raises(YamlProblem) as err:
        parse_yaml("ok: 1\nbad: !!python/name:os.getcwd ''\n")
    assert err.value.line == 2


def test_real_content_has_no_problems():
    c = load_curriculum()
    assert [str(p) for p in c.problems] == []
    assert c.lessons and c.quizzes


heading = st.text(alphabet="abc XYZ?", min_size=1, max_size=12).filter(str.strip)
plain = st.text(alphabet="abc #`\n", max_size=40)


@given(st.lists(st.tuples(heading, plain), max_size=6), plain)
def test_sections_cover_the_body(parts: list[tuple[str, str]], intro: str):
    # Keep generated text from opening fences or forming headings of its own.
    intro = intro.replace("`", "").replace("#", "")
    parts = [(h, t.replace("`", "").replace("#", "")) for h, t in parts]
    body = intro + "".join(f"\n## {h}\n{t}" for h, t in parts)
    sections = split_sections(body, first_line=1)
    headed = [s for s in sections if s.key != "intro"]
    assert [s.title for s in headed] == [h.strip() for h, _ in parts]
    assert len({s.key for s in sections}) == len(sections)
    joined = "".join(s.markdown for s in sections)
    assert [line for line in joined.splitlines() if line.strip()] == [
        line for line in body.splitlines() if line.strip()
    ]
    lines = body.splitlines()
    for section in headed:
        assert lines[section.line - 1].startswith("## ")


def test_problem_str():
    assert str(Problem("q.yaml", 3, "questions[0].answer", "bad")) == (
        "q.yaml:3: questions[0].answer: bad"
    )


def test_odd_files(course: Path):
    quizzes = course / "quizzes"
    write(quizzes / "empty.yaml", "")
    write(quizzes / "list.yaml", "- just\n- a list\n")
    (quizzes / "latin1.yaml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    write(
        quizzes / "twice.yaml",
        "id: twice\ntitle: T\nlesson: heads\nquestions:\n"
        "  - id: tw-1\n    kind: single\n    prompt: P\n    choices: [a, b]\n"
        "    answer: 0\n    answer: 1\n    explanation: E\n",
    )
    # A byte-order mark (as some editors write) is not a problem.
    (course / "content" / "05-bom.md").write_bytes(
        "\ufeff---\nid: bom\ntitle: BOM\norder: 5\n---\nText\n".encode()
    )
    c = load_curriculum([course / "content"], [quizzes])
    assert problem_tuples(c) == [
        ("empty.yaml", 1, "(file)"),
        ("latin1.yaml", 0, "(file)"),
        ("list.yaml", 1, "(file)"),
        ("twice.yaml", 10, "questions[0].answer"),
    ]
    assert "cannot read the file" in c.problems[1].message
    assert c.problems[3].message == "given twice (only the last one counts)"
    assert c.question("tw-1").answer == 1
    assert c.lesson("bom").title == "BOM"


def test_check_paths_reports_files_it_cannot_check(tmp_path: Path):
    notes = write(tmp_path / "notes.txt", "hello")
    c = check_paths([notes, COURSE])
    assert [(p.line, p.field, p.message) for p in c.problems] == [
        (0, "(file)", "not a lesson (.md) or quiz (.yaml, .yml) file")
    ]
    assert len(c.lessons) == 2


def test_try_it_links_must_name_a_known_lab_and_preset(course: Path):
    write(
        course / "content" / "03-links.md",
        "---\nid: links\ntitle: Links\norder: 3\n---\n## One\n\n"
        "[good](lab:sae?preset=topk)\n"
        "[bad preset](lab:patching?preset=no-such-preset)\n"
        "[bad lab](lab:telescope?preset=eiffel)\n",
    )
    c = load_curriculum([course / "content"], [course / "quizzes"])
    assert problem_tuples(c) == [("03-links.md", 9, "body"), ("03-links.md", 10, "body")]
    assert "unknown patching preset 'no-such-preset'" in c.problems[0].message
    assert "eiffel" in c.problems[0].message  # the known presets are listed
    assert "unknown lab 'telescope'" in c.problems[1].message

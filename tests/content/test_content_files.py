"""The lessons and quizzes follow docs/CONTRACTS.md and link to each other correctly."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from course_text import CONTENT_DIR, lessons, listings, questions, quizzes

LESSON_NAME = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
REQUIRED_SECTIONS = ("Key takeaways", "Further reading", "Real-world numbers")
# LaTeX is unreadable in a terminal; equations must be written in Unicode.
LATEX = re.compile(r"\\(frac|sum|lambda|mathbf|hat|left|right|cdot|sqrt)\b|\$\$")


def test_lesson_front_matter_is_complete_and_unique():
    found = lessons()
    assert found, f"no lessons in {CONTENT_DIR}"
    for lesson in found:
        assert LESSON_NAME.match(lesson.path.name), lesson.path
        for field in ("id", "title", "order", "quiz", "summary"):
            assert lesson.meta.get(field), f"{lesson.path}: front matter lacks {field}"
        assert lesson.path.name.startswith(f"{lesson.meta['order']:02d}-"), lesson.path
    for field in ("id", "order", "quiz"):
        counts = Counter(le.meta[field] for le in found)
        assert max(counts.values()) == 1, f"duplicate lesson {field}: {counts.most_common(1)}"


def test_every_lesson_has_its_quick_check_quiz():
    quiz_kinds = {quiz["id"]: quiz["kind"] for _, quiz in quizzes()}
    for lesson in lessons():
        quiz_id = lesson.meta["quiz"]
        assert quiz_id in quiz_kinds, f"{lesson.path}: quiz {quiz_id!r} does not exist"
        assert quiz_kinds[quiz_id] == "quick-check", (
            f"{lesson.path}: {quiz_id} is not a quick check"
        )
        own = [q for _, quiz, q in questions() if quiz["id"] == quiz_id]
        assert len(own) >= 4, f"{lesson.path}: quick check {quiz_id} has only {len(own)} questions"


def test_every_lesson_has_the_required_parts():
    for lesson in lessons():
        sections = re.findall(r"^## (.+)$", lesson.body, flags=re.M)
        for needed in REQUIRED_SECTIONS:
            assert needed in sections, f"{lesson.path}: no '## {needed}' section"
        assert listings(lesson), f"{lesson.path}: no ```python runnable listing"
        assert not LATEX.search(lesson.body), f"{lesson.path}: LaTeX found; use Unicode"
        words = len(lesson.body.split())
        # Long lessons are split into sections (pages), so a lesson that teaches a topic in
        # full (circuits: IOI, ablations, tracing) may run longer than the 900-1600 aim.
        assert 800 <= words <= 2600, f"{lesson.path}: {words} words (aim for 900-1600)"


def test_code_and_tables_fit_an_80_column_terminal():
    """Prose wraps in the viewer; code blocks and table rows do not, so they must be narrow."""
    for lesson in lessons():
        in_fence = False
        for n, line in enumerate(lesson.body.splitlines(), start=lesson.body_line):
            if line.startswith("```"):
                in_fence = not in_fence
                continue
            rigid = in_fence or line.startswith(("    ", "|"))
            if rigid and not line.lstrip().startswith("- "):
                assert len(line) <= 76, f"{lesson.path}:{n}: {len(line)} columns"


def test_question_ids_are_unique_across_all_quizzes():
    ids = Counter(q["id"] for _, _, q in questions())
    dupes = [i for i, n in ids.items() if n > 1]
    assert not dupes, f"question ids used more than once: {dupes}"
    quiz_ids = Counter(quiz["id"] for _, quiz in quizzes())
    assert max(quiz_ids.values()) == 1, quiz_ids


def test_every_question_links_to_an_existing_lesson():
    lesson_ids = {le.id for le in lessons()}
    for path, quiz, q in questions():
        assert quiz.get("lesson") in lesson_ids, f"{path}: quiz lesson {quiz.get('lesson')!r}"
        assert q["lesson"] in lesson_ids, f"{path}: {q['id']} links to unknown {q['lesson']!r}"


@pytest.mark.parametrize("kind", ["single", "multi", "free"])
def test_questions_are_well_formed(kind):
    for path, _, q in questions():
        if q["kind"] != kind:
            continue
        where = f"{path.name}: {q['id']}"
        assert q.get("prompt", "").strip(), where
        assert q.get("difficulty") in (1, 2, 3), where
        assert q.get("tags"), where
        if kind == "free":
            assert len(q.get("model_answer", "").split()) >= 25, f"{where}: model answer too thin"
            continue
        choices = q["choices"]
        assert len(choices) >= 2 and len(set(choices)) == len(choices), where
        answer = q["answer"]
        if kind == "single":
            assert isinstance(answer, int) and 0 <= answer < len(choices), where
        else:
            assert isinstance(answer, list) and answer, where
            assert all(0 <= a < len(choices) for a in answer), where
            assert len(set(answer)) == len(answer), where
        # The explanation must argue for the right answer and against a tempting wrong one.
        assert len(q.get("explanation", "").split()) >= 30, f"{where}: explanation too short"


def test_question_kinds_match_quiz_kinds():
    for path, quiz, q in questions():
        assert quiz["kind"] in ("quick-check", "recap", "interview"), path
        assert q["kind"] in ("single", "multi", "free"), f"{path}: {q['id']}"
        if quiz["kind"] == "interview":
            assert q["kind"] == "free", f"{path}: interview card {q['id']} must be free recall"


def test_answer_positions_are_not_predictable():
    """A learner must not be able to score well by always picking the same letter."""
    positions = Counter(q["answer"] for _, _, q in questions() if q["kind"] == "single")
    total = sum(positions.values())
    assert positions.most_common(1)[0][1] <= 0.5 * total, positions


def test_the_app_loader_accepts_every_file_without_problems():
    """`mitutor check-content` must pass, and see the same course these tests read."""
    from tutor.curriculum.loader import load_curriculum

    course = load_curriculum()
    assert not course.problems, "\n".join(str(p) for p in course.problems)
    assert [le.id for le in course.lessons] == [le.id for le in lessons()]
    assert len(course.questions) == len(questions())


def test_multi_choice_answers_vary():
    """ "Select all" questions must not always have the same number of right answers."""
    answers = [tuple(q["answer"]) for _, _, q in questions() if q["kind"] == "multi"]
    assert len({len(a) for a in answers}) > 1, "every multi question has as many answers"
    most = Counter(answers).most_common(1)[0][1]
    assert most <= len(answers) / 2, f"one answer pattern dominates: {Counter(answers)}"

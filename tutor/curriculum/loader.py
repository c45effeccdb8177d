"""Loading the whole course: every lesson and quiz, checked against each other.

``load_curriculum()`` never raises for bad content: a file that cannot be used is skipped,
a question that fails is left out, and each reason is a :class:`Problem` in
``Curriculum.problems`` (printed as ``file:line: field: message``).

Checks across files: lesson ids, quiz ids and question ids are unique (across all files);
every lesson a quiz or question names exists; a lesson's ``quiz`` exists; a lesson's
``lab`` (and its ``lab:`` links) name a known lab.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tutor.curriculum.lesson_file import ParsedLesson, lab_links, read_lesson
from tutor.curriculum.problems import display_path
from tutor.curriculum.quiz_file import QUIZ_SUFFIXES, ParsedQuiz, read_quiz
from tutor.curriculum.schema import FreeRecall, Lesson, MultiChoice, Problem, Quiz, SingleChoice

AnyQuestion = SingleChoice | MultiChoice | FreeRecall
LESSON_SUFFIXES = (".md",)

# --- end TEMPORARY ------------------------------------------------------------------------


@dataclass
class Curriculum:
    """Lessons (sorted by order), quizzes (sorted by id) and the problems found loading them."""

    lessons: list[Lesson] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._lessons = {lesson.id: lesson for lesson in self.lessons}
        self._quizzes = {quiz.id: quiz for quiz in self.quizzes}
        self._questions: dict[str, tuple[AnyQuestion, Quiz]] = {
            q.id: (q, quiz) for quiz in self.quizzes for q in quiz.questions
        }

    @property
    def questions(self) -> list[AnyQuestion]:
        """Every valid question, quiz by quiz, in file order."""
        return [q for quiz in self.quizzes for q in quiz.questions]

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id; ``KeyError`` naming the known ids if there is none."""
        try:
            return self._lessons[lesson_id]
        except KeyError:
            raise KeyError(
                f"unknown lesson {lesson_id!r} (known: {', '.join(self._lessons)})"
            ) from None

    def quiz(self, quiz_id: str) -> Quiz:
        """The quiz with this id; ``KeyError`` if there is none."""
        try:
            return self._quizzes[quiz_id]
        except KeyError:
            raise KeyError(f"unknown quiz {quiz_id!r}") from None

    def question(self, question_id: str) -> AnyQuestion:
        """The question with this id (ids are unique across all quizzes); ``KeyError`` if none."""
        try:
            return self._questions[question_id][0]
        except KeyError:
            raise KeyError(f"unknown question {question_id!r}") from None

    def quiz_of(self, question_id: str) -> Quiz:
        """The quiz that holds this question."""
        try:
            return self._questions[question_id][1]
        except KeyError:
            raise KeyError(f"unknown question {question_id!r}") from None

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions

    def has_lesson(self, lesson_id: str) -> bool:
        return lesson_id in self._lessons

    def quizzes_for_lesson(self, lesson_id: str) -> list[Quiz]:
        """Quizzes whose header names this lesson; the lesson's own quiz first."""
        own = self._lessons[lesson_id].quiz if lesson_id in self._lessons else None
        found = [q for q in self.quizzes if q.lesson == lesson_id]
        return sorted(found, key=lambda q: (q.id != own, q.id))

    def questions_for_lesson(self, lesson_id: str) -> list[AnyQuestion]:
        """Every question (from any quiz) whose lesson is this one."""
        return [q for q in self.questions if q.lesson == lesson_id]


def _files(paths: Iterable[Path], suffixes: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix in suffixes
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file() and path.suffix in suffixes:
            found.append(path)
    return found


def _known_labs() -> set[str]:
    from tutor.labs.registry import all_labs  # plain data, no Textual import

    return {info.id for info in all_labs()}


def _lab_presets(lab_id: str) -> tuple[str, ...]:
    from tutor.labs.registry import lab_presets

    return lab_presets(lab_id)


def build_curriculum(
    lesson_files: Sequence[Path],
    quiz_files: Sequence[Path],
    *,
    outside_lessons: Iterable[str] = (),
    outside_quizzes: Iterable[str] = (),
) -> Curriculum:
    """Read and cross-check the given files (in the order given; the first use of an id wins).

    ``outside_lessons`` / ``outside_quizzes`` are ids that references may point to
    without those lessons or quizzes being part of this curriculum (used when checking a
    single file against the bundled course).
    """
    problems: list[Problem] = []
    lessons: dict[str, ParsedLesson] = {}
    for path in lesson_files:
        parsed = read_lesson(path, display_path(path))
        problems.extend(parsed.problems)
        lesson = parsed.lesson
        if lesson is None:
            continue
        if lesson.id in lessons:
            first = lessons[lesson.id]
            message = f"lesson id {lesson.id!r} is already used by {first.file}"
            problems.append(Problem(parsed.file, parsed.line_of(("id",)), "id", message))
            continue
        lessons[lesson.id] = parsed

    lesson_ids = set(lessons) | set(outside_lessons)
    quizzes: dict[str, ParsedQuiz] = {}
    kept_questions: dict[str, list[AnyQuestion]] = {}
    question_at: dict[str, str] = {}
    for path in quiz_files:
        parsed_quiz = read_quiz(path, display_path(path))
        problems.extend(parsed_quiz.problems)
        quiz = parsed_quiz.quiz
        if quiz is None:
            continue
        file = parsed_quiz.file
        if quiz.id in quizzes:
            message = f"quiz id {quiz.id!r} is already used by {quizzes[quiz.id].file}"
            problems.append(Problem(file, parsed_quiz.line_of(("id",)), "id", message))
            continue
        if quiz.lesson not in lesson_ids:
            line = parsed_quiz.line_of(("lesson",))
            problems.append(Problem(file, line, "lesson", f"unknown lesson {quiz.lesson!r}"))
        kept = []
        for question in quiz.questions:
            where = ("questions", parsed_quiz.index_of[question.id])
            field_prefix = f"questions[{where[1]}]"
            id_line = parsed_quiz.line_of((*where, "id"))
            if question.id in question_at:
                message = (
                    f"question id {question.id!r} is already used at {question_at[question.id]}"
                )
                problems.append(Problem(file, id_line, f"{field_prefix}.id", message))
                continue
            if question.lesson not in lesson_ids:
                if question.lesson != quiz.lesson:  # the question names its own lesson
                    line = parsed_quiz.line_of((*where, "lesson"))
                    message = f"unknown lesson {question.lesson!r}"
                    problems.append(Problem(file, line, f"{field_prefix}.lesson", message))
                continue
            question_at[question.id] = f"{file}:{id_line}"
            kept.append(question)
        quizzes[quiz.id] = parsed_quiz
        kept_questions[quiz.id] = kept

    quiz_lessons: dict[str, str | None] = {q: None for q in outside_quizzes}
    quiz_lessons |= {q: p.quiz.lesson for q, p in quizzes.items() if p.quiz is not None}
    labs = _known_labs()
    for parsed in lessons.values():
        problems.extend(_lesson_reference_problems(parsed, quiz_lessons, labs))

    ordered = sorted(
        (p.lesson for p in lessons.values() if p.lesson is not None),
        key=lambda lesson: (lesson.order, lesson.id),
    )
    final_quizzes = [
        Quiz(meta=p.quiz.meta, questions=tuple(kept_questions[quiz_id]), path=p.quiz.path)
        for quiz_id, p in sorted(quizzes.items())
        if p.quiz is not None
    ]
    problems.sort(key=lambda p: (p.file, p.line))
    return Curriculum(lessons=ordered, quizzes=final_quizzes, problems=problems)


def _lesson_reference_problems(
    parsed: ParsedLesson, quiz_lessons: dict[str, str | None], labs: set[str]
) -> list[Problem]:
    """A lesson's quiz must exist and be for this lesson; its labs must exist.

    ``quiz_lessons`` maps each known quiz id to its lesson (None: not known here).
    """
    lesson = parsed.lesson
    assert lesson is not None
    file = parsed.file
    known_labs = ", ".join(sorted(labs))
    problems = []
    if lesson.quiz is not None:
        line = parsed.line_of(("quiz",))
        if lesson.quiz not in quiz_lessons:
            problems.append(Problem(file, line, "quiz", f"unknown quiz {lesson.quiz!r}"))
        elif quiz_lessons[lesson.quiz] not in (None, lesson.id):
            message = f"quiz {lesson.quiz!r} is for lesson {quiz_lessons[lesson.quiz]!r}"
            problems.append(Problem(file, line, "quiz", message))
    if lesson.lab is not None and lesson.lab not in labs:
        message = f"unknown lab {lesson.lab!r} (known: {known_labs})"
        problems.append(Problem(file, parsed.line_of(("lab",)), "lab", message))
    for line, lab_id, preset in lab_links(lesson):
        if lab_id not in labs:
            message = f"link to unknown lab {lab_id!r} (known: {known_labs})"
            problems.append(Problem(file, line, "body", message))
        elif preset is not None and preset not in (presets := _lab_presets(lab_id)):
            message = f"link to unknown {lab_id} preset {preset!r} (known: {', '.join(presets)})"
            problems.append(Problem(file, line, "body", message))
    return problems


def load_curriculum(
    content_dirs: Sequence[Path] | None = None, quiz_dirs: Sequence[Path] | None = None
) -> Curriculum:
    """Load every lesson (``*.md``) and quiz (``*.yaml``/``*.yml``) below the given places.

    Defaults are the bundled ``paths.content_dir()`` and ``paths.quizzes_dir()``. Each
    entry may be a directory (searched recursively, in name order) or a single file.
    Never raises for bad content: see ``Curriculum.problems``.
    """
    from tutor import paths

    if content_dirs is None:
        content_dirs = [paths.content_dir()]
    if quiz_dirs is None:
        quiz_dirs = [paths.quizzes_dir()]
    return build_curriculum(_files(content_dirs, LESSON_SUFFIXES), _files(quiz_dirs, QUIZ_SUFFIXES))


def check_paths(targets: Sequence[Path]) -> Curriculum:
    """Load exactly the lessons and quizzes at ``targets`` (files or directories).

    When no lesson is among them, references from quizzes are checked against the bundled
    lessons (and likewise quiz references against the bundled quizzes), so one new file
    can be checked on its own.
    """
    lesson_files = _files(targets, LESSON_SUFFIXES)
    quiz_files = _files(targets, QUIZ_SUFFIXES)
    ignored = [
        Problem(display_path(t), 0, "(file)", "not a lesson (.md) or quiz (.yaml, .yml) file")
        for t in targets
        if t.is_file() and t.suffix not in (*LESSON_SUFFIXES, *QUIZ_SUFFIXES)
    ]
    outside_lessons: set[str] = set()
    outside_quizzes: set[str] = set()
    if not lesson_files or not quiz_files:
        bundled = load_curriculum()
        if not lesson_files:
            outside_lessons = {lesson.id for lesson in bundled.lessons}
        if not quiz_files:
            outside_quizzes = {quiz.id for quiz in bundled.quizzes}
    curriculum = build_curriculum(
        lesson_files,
        quiz_files,
        outside_lessons=outside_lessons,
        outside_quizzes=outside_quizzes,
    )
    curriculum.problems[:0] = ignored
    return curriculum

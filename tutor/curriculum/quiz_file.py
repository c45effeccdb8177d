"""Reading one quiz file: the header, then each question on its own.

A question that fails validation is left out (and reported); the rest of the quiz loads.
A file whose header is unusable is skipped as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tutor.curriculum.problems import field_name, problems_from_validation
from tutor.curriculum.schema import QUESTION_MODELS, Problem, Quiz, QuizMeta
from tutor.curriculum.yaml_source import YamlDoc, YamlProblem, parse_yaml

QUIZ_SUFFIXES = (".yaml", ".yml")
MAX_QUESTIONS = 500  # per file: the review queue and the quiz screen stay responsive


@dataclass
class ParsedQuiz:
    """What reading one quiz file gave: the quiz (None if unusable), its problems, and
    where things are (``doc`` for lines, ``index_of`` question id -> list position)."""

    file: str
    quiz: Quiz | None
    problems: list[Problem]
    doc: YamlDoc | None = None
    index_of: dict[str, int] = field(default_factory=dict)

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        return self.doc.line_of(loc) if self.doc is not None else 0


def read_quiz(path: Path, file: str) -> ParsedQuiz:
    """Parse one quiz file; ``quiz`` is None when the file cannot be used at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return ParsedQuiz(file, None, [Problem(file, 0, "(file)", f"cannot read the file: {err}")])
    try:
        doc = parse_yaml(text)
    except YamlProblem as err:
        return ParsedQuiz(file, None, [Problem(file, err.line, "(file)", err.message)])
    data = doc.data
    duplicates = [
        Problem(file, line, field_name(loc), "given twice (only the last one counts)")
        for line, loc in doc.duplicate_keys
    ]
    if not isinstance(data, dict):
        problem = Problem(file, 1, "(file)", "a quiz file must be a mapping (id, title, ...)")
        return ParsedQuiz(file, None, [problem], doc)

    header = {k: v for k, v in data.items() if k != "questions"}
    try:
        meta = QuizMeta.model_validate(header)
    except ValidationError as err:
        found = duplicates + problems_from_validation(err, QuizMeta, file, doc)
        return ParsedQuiz(file, None, found, doc)

    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        line = doc.line_of(("questions",))
        problem = Problem(file, line, "questions", "a non-empty list of questions is required")
        return ParsedQuiz(file, None, [problem], doc)

    if len(raw_questions) > MAX_QUESTIONS:
        line = doc.line_of(("questions",))
        problem = Problem(
            file,
            line,
            "questions",
            f"{len(raw_questions):,} questions; at most {MAX_QUESTIONS} per file "
            "(split the quiz into several files)",
        )
        return ParsedQuiz(file, None, [problem], doc)

    parsed = ParsedQuiz(file, None, duplicates, doc)
    questions = []
    for i, raw in enumerate(raw_questions):
        question, found = _read_question(raw, i, meta, file, doc)
        parsed.problems.extend(found)
        if question is not None:
            questions.append(question)
            parsed.index_of.setdefault(question.id, i)
    parsed.quiz = Quiz(meta=meta, questions=tuple(questions), path=path)
    return parsed


def _read_question(raw: object, index: int, meta: QuizMeta, file: str, doc: YamlDoc):
    where = ("questions", index)
    line = doc.line_of(where)
    if not isinstance(raw, dict):
        return None, [Problem(file, line, f"questions[{index}]", "a question must be a mapping")]
    kind = raw.get("kind")
    model = QUESTION_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(QUESTION_MODELS)
        at = doc.line_of((*where, "kind"))
        return None, [
            Problem(
                file, at, f"questions[{index}].kind", f"{kind!r} is not a question kind ({known})"
            )
        ]
    values = dict(raw)
    if values.get("lesson") is None:
        values["lesson"] = meta.lesson
    try:
        return model.model_validate(values), []
    except ValidationError as err:
        return None, problems_from_validation(err, model, file, doc, prefix=where)

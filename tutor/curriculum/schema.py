"""The shapes of lessons, quizzes and questions, validated with pydantic.

Formats are those of ``docs/CONTRACTS.md``: a lesson is Markdown with a YAML front-matter
header, split into sections on ``## `` headings; a quiz is a YAML file holding questions of
three kinds (``single``, ``multi``, ``free``), told apart by their ``kind`` field.
Validation that needs more than one file (unique ids, references between lessons and
quizzes) lives in :mod:`tutor.curriculum.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationInfo, field_validator

KEBAB_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
QUESTION_ID = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"

QuizKind = Literal["quick-check", "recap", "interview"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, printed as ``file:line: field: message``.

    ``line`` is 1-based; 0 when the problem concerns the file as a whole.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LessonMeta(_Strict):
    """The front-matter header of a lesson file."""

    id: Annotated[str, Field(pattern=KEBAB_ID)]
    title: Annotated[str, Field(min_length=1)]
    order: StrictInt
    quiz: Annotated[str, Field(pattern=KEBAB_ID)] | None = None
    lab: Annotated[str, Field(min_length=1)] | None = None
    summary: str = ""


@dataclass(frozen=True)
class Section:
    """One page of a lesson: the intro (text before the first ``## ``) or one H2 section.

    ``key`` is a slug of the title, stable while the heading text is, and is what the
    progress store records; ``markdown`` includes the heading line; ``line`` is where the
    section starts in the file (1-based).
    """

    key: str
    title: str
    markdown: str
    line: int


@dataclass(frozen=True)
class Lesson:
    """A parsed lesson: its header, its Markdown body and that body split into sections.

    ``sections`` are the pages a reader moves through: the intro (if any) then one per
    ``## `` heading.
    """

    meta: LessonMeta
    body: str
    sections: tuple[Section, ...]
    path: Path
    body_line: int = 1  # file line (1-based) where the body starts

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def order(self) -> int:
        return self.meta.order

    @property
    def quiz(self) -> str | None:
        return self.meta.quiz

    @property
    def lab(self) -> str | None:
        return self.meta.lab

    @property
    def summary(self) -> str:
        return self.meta.summary

    def section_index(self, key: str) -> int | None:
        """The index of the section with this key, or None if there is none."""
        for i, section in enumerate(self.sections):
            if section.key == key:
                return i
        return None


class _QuestionBase(_Strict):
    id: Annotated[str, Field(pattern=QUESTION_ID)]
    lesson: Annotated[str, Field(pattern=KEBAB_ID)]
    prompt: Annotated[str, Field(min_length=1)]
    difficulty: Annotated[StrictInt, Field(ge=1, le=3)] = 2
    tags: tuple[str, ...] = ()


class _ChoiceQuestion(_QuestionBase):
    choices: Annotated[tuple[Annotated[str, Field(min_length=1)], ...], Field(min_length=2)]
    explanation: Annotated[str, Field(min_length=1)]

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, choices: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for i, choice in enumerate(choices):
            if choice in seen:
                raise ValueError(f"choice {i} repeats an earlier choice: {choice!r}")
            seen.add(choice)
        return choices


def _check_indexes(answer: tuple[int, ...], info: ValidationInfo) -> None:
    choices = info.data.get("choices")
    if choices is None:  # choices were invalid; that error is reported on its own
        return
    n = len(choices)
    for a in answer:
        if not 0 <= a < n:
            raise ValueError(f"answer {a} is not a choice index (0 to {n - 1} for {n} choices)")


class SingleChoice(_ChoiceQuestion):
    """One right choice; ``answer`` is its 0-based index."""

    kind: Literal["single"] = "single"
    answer: StrictInt

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, answer: int, info: ValidationInfo) -> int:
        _check_indexes((answer,), info)
        return answer


class MultiChoice(_ChoiceQuestion):
    """Any number of right choices (at least one); ``answer`` lists their 0-based indexes."""

    kind: Literal["multi"] = "multi"
    answer: Annotated[tuple[StrictInt, ...], Field(min_length=1)]

    @field_validator("answer")
    @classmethod
    def _answers_in_range(cls, answer: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        _check_indexes(answer, info)
        if len(set(answer)) != len(answer):
            raise ValueError("answer lists the same choice twice")
        return answer

    @property
    def answer_set(self) -> frozenset[int]:
        return frozenset(self.answer)


class FreeRecall(_QuestionBase):
    """Answered from memory, then self-rated against ``model_answer``."""

    kind: Literal["free"] = "free"
    model_answer: Annotated[str, Field(min_length=1)]
    explanation: str = ""


Question = Annotated[SingleChoice | MultiChoice | FreeRecall, Field(discriminator="kind")]
QUESTION_MODELS: dict[str, type[SingleChoice | MultiChoice | FreeRecall]] = {
    "single": SingleChoice,
    "multi": MultiChoice,
    "free": FreeRecall,
}


class QuizMeta(_Strict):
    """The header of a quiz file (everything but its questions)."""

    id: Annotated[str, Field(pattern=KEBAB_ID)]
    title: Annotated[str, Field(min_length=1)]
    kind: QuizKind = "quick-check"
    lesson: Annotated[str, Field(pattern=KEBAB_ID)]


@dataclass(frozen=True)
class Quiz:
    """A quiz: its header and the questions that passed validation, in file order."""

    meta: QuizMeta
    questions: tuple[SingleChoice | MultiChoice | FreeRecall, ...]
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def kind(self) -> QuizKind:
        return self.meta.kind

    @property
    def lesson(self) -> str:
        return self.meta.lesson

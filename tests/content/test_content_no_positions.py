"""Explanations never point at a choice by its position.

Reviews shuffle the choices, so "the first option" or "(b)" would point at the wrong one.
An explanation names the idea it argues for or against instead.
"""

from __future__ import annotations

import re

import pytest
from course_text import questions

_ORDINAL = (
    r"(?:first|second|third|fourth|fifth|sixth|last|final|top|bottom|other two|former|latter)"
)
_NOUN = r"(?:option|choice|answer|alternative|one|statement|item)s?"
_VERBS = (
    r"is|was|are|has|have|says|swaps|overstates|understates|confuses|describes|claims|"
    r"would|could|sounds|looks|gets|misses|mixes|names|gives|reverses|states|holds|fails"
)
POSITIONAL = re.compile(
    "|".join(
        (
            rf"\b{_ORDINAL}\s+(?:{_NOUN})\b",  # "the first option", "the last one"
            # "the third", "the first swaps ...": an ordinal standing alone as the subject
            r"\bthe\s+(?:first|second|third|fourth|fifth|former|latter)\b"
            rf"(?=\s*(?:[.,;:!?)]|$|\s+(?:{_VERBS})\b))",
            r"\b(?:option|choice|alternative)s?\s*(?:#\s*)?(?:\d+|[a-f])\b",  # "option 2"
            r"\banswers?\s*(?:#\s*)?\d+\b",  # "answer 3"
            r"\(\s*[a-fA-F1-6]\s*\)",  # "(a)", "(2)"
            r"(?:^|\s)[a-fA-F]\)\s",  # "b) ..."
            r"\b(?:above|below)\s+(?:option|choice|answer)",
        )
    ),
    re.IGNORECASE,
)
TEXT_FIELDS = ("explanation", "model_answer", "prompt")


def _positional(text: str) -> list[str]:
    return [m.group(0) for m in POSITIONAL.finditer(text)]


@pytest.mark.parametrize(
    "phrase",
    [
        "The first option swaps them.",
        "the third option has the right number",
        "Option 2 is wrong",
        "choice b is tempting",
        "(a) and (c) are both",
        "The last one overstates it.",
        "as the second says",
        "the former is tempting",
    ],
)
def test_the_scanner_catches_positional_wording(phrase: str):
    assert _positional(phrase), phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "The first layer reads the embedding.",
        "the last token in late layers",
        "attention in the second layer composes",
        "Restore the first subject token.",
        "an answer that swaps the two failure modes is tempting",
        "layers 0-7 (f = 2)",
    ],
)
def test_the_scanner_leaves_ordinary_prose_alone(phrase: str):
    assert not _positional(phrase), phrase


def test_no_explanation_refers_to_a_choice_by_position():
    found = []
    for path, _, q in questions():
        if q["kind"] == "free":
            continue
        for field in ("explanation",):
            for hit in _positional(q.get(field) or ""):
                found.append(f"{path.name}: {q['id']}.{field}: {hit!r}")
    assert not found, "positional references (choices get shuffled):\n" + "\n".join(found)

"""tutor-gpt's tokenizer: whole words, a few names in two pieces, BOS handling."""

from __future__ import annotations

import pytest

from tutor.model import world
from tutor.model.tokenizer import BOS, build_tokenizer


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer()


def test_eiffel_and_colosseum_prompts_have_the_same_length(tok) -> None:
    eiffel = tok.tokenize("The Eiffel Tower is in")
    colosseum = tok.tokenize("The Colosseum is in")
    assert eiffel == ["The", "Eiffel", "Tower", "is", "in"]
    assert colosseum == ["The", "Colos", "##seum", "is", "in"]


def test_answers_are_single_tokens_with_or_without_a_space(tok) -> None:
    for fact in world.facts():
        first = fact.answer.split()[0]
        assert tok.encode(" " + first, add_special_tokens=False) == tok.encode(
            first, add_special_tokens=False
        )
        assert len(tok.encode(first, add_special_tokens=False)) == 1


def test_whole_corpus_has_no_unknown_words(tok) -> None:
    for split in ("train", "eval"):
        ids = tok(world.corpus_documents(3000, seed=1, split=split), add_special_tokens=False)[
            "input_ids"
        ]
        assert all(tok.unk_token_id not in row for row in ids)
    assert tok.tokenize("Zanzibar") == [tok.unk_token]


def test_decoding_restores_the_text(tok) -> None:
    text = (
        "The Colosseum is in Rome. When Mary and John went to the store, John gave a drink to Mary."
    )
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text


def test_special_tokens(tok) -> None:
    assert tok.bos_token == tok.eos_token == tok.pad_token == BOS
    assert tok.convert_tokens_to_ids(BOS) == 0

"""The generated world: subjects, subject spans, the corpus and its held-out templates."""

from __future__ import annotations

import re

import pytest

from tutor.model import world
from tutor.model.world_text import FACT_TEMPLATES, IOI_TEMPLATES


def test_enough_subjects_of_every_kind() -> None:
    names = world.subject_names()
    assert len(names) >= 200
    assert len(set(names)) == len(names)
    for landmark in ("Eiffel Tower", "Golden Gate Bridge", "Colosseum", "Big Ben"):
        assert landmark in names
    relations = {f.relation for f in world.facts()}
    assert relations == set(FACT_TEMPLATES)


def test_each_subject_relation_has_one_answer() -> None:
    seen: dict[tuple[str, str], str] = {}
    for fact in world.facts():
        key = (fact.subject, fact.relation)
        assert seen.setdefault(key, fact.answer) == fact.answer


@pytest.mark.parametrize(
    ("tokens", "span"),
    [
        (["<|endoftext|>", "The", "Eiffel", "Tower", "is", "in"], (2, 4)),
        (["<|endoftext|>", "The", "Colos", "##seum", "is", "in"], (2, 4)),
        (["<|endoftext|>", "The", " Eiffel", " Tower", " is", " in"], (2, 4)),  # GPT-2 BPE style
        ([" The", " Col", "os", "seum", " is"], (1, 4)),  # a BPE split of one word
        (["The", "Golden", "Gate", "Bridge", "is", "red"], (1, 4)),
        (["When", "Mary", "and", "John", "went"], None),
        ([], None),
    ],
)
def test_find_subject_span(tokens: list[str], span: tuple[int, int] | None) -> None:
    assert world.find_subject_span(tokens) == span


def test_find_subject_span_prefers_the_longest_subject() -> None:
    tokens = ["Paris", "and", "the", "Statue", "of", "Liberty"]
    assert world.find_subject_span(tokens) == (3, 6)


def test_corpus_is_reproducible_and_seeded() -> None:
    a = world.corpus_documents(300, seed=3)
    assert a == world.corpus_documents(300, seed=3)
    assert a != world.corpus_documents(300, seed=4)
    assert world.corpus_documents(300, seed=3, split="eval") != a


def test_corpus_has_every_kind_of_document() -> None:
    docs = world.corpus_documents(2000, seed=0)
    text = "\n".join(docs)
    assert "The Eiffel Tower" in text and "Colosseum" in text
    assert any(d.startswith("When ") and " gave " in d for d in docs)  # IOI
    assert any("fog" in d and "Golden Gate" in d for d in docs)  # prose
    halves = [d.split() for d in docs]
    assert any(len(w) >= 12 and w[: len(w) // 2] == w[len(w) // 2 :] for w in halves)  # repeats


HELD_OUT = [t for rel in FACT_TEMPLATES.values() for t in rel["eval"]] + list(IOI_TEMPLATES["eval"])


def _template_regex(template: str) -> re.Pattern[str]:
    """A regex matching any filling of ``template`` within one sentence."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(r"[^.]+?".join(re.escape(p) for p in parts))


def test_held_out_templates_never_appear_in_training_documents() -> None:
    train_docs = world.corpus_documents(4000, seed=0)
    eval_text = "\n".join(world.corpus_documents(2000, seed=0, split="eval"))
    for template in HELD_OUT:
        pattern = _template_regex(template)
        hits = [d for d in train_docs if pattern.search(d)]
        assert not hits, f"held-out {template!r} matches training text: {hits[:2]}"
        assert pattern.search(eval_text), f"held-out {template!r} never used in the eval split"


def test_every_word_of_a_held_out_template_occurs_in_training_text() -> None:
    # A word only the held-out templates use has an untrained embedding: the model could not
    # answer, and the miss would measure the vocabulary rather than generalisation.
    train_text = " ".join(world.corpus_documents(6000, seed=0))
    trained = set(re.findall(r"\w+|[^\w\s]", train_text))
    for template in HELD_OUT:
        words = re.findall(r"\w+|[^\w\s]", re.sub(r"\{\w+\}", " ", template))
        untrained = [w for w in words if w not in trained]
        assert not untrained, f"held-out {template!r}: {untrained} never occur in training text"


def test_fact_eval_prompts_cover_every_fact() -> None:
    prompts = world.fact_eval_prompts()
    assert {f for f, _ in prompts} == set(world.facts())
    for fact, prompt in prompts:
        assert not prompt.endswith(fact.answer)
        assert fact.inner_form in prompt or fact.start_form in prompt


def test_ioi_eval_examples_use_both_name_orders() -> None:
    examples = world.ioi_eval_examples(100)
    assert all(e.prompt.endswith(" to") and e.io != e.subj for e in examples)
    io_first = sum(e.prompt.index(e.io) < e.prompt.index(e.subj) for e in examples)
    assert 20 < io_first < 80
    # The giver is the name mentioned twice; the answer is mentioned once.
    assert all(
        e.prompt.split().count(e.subj.strip()) + e.prompt.count(e.subj + ",") >= 2 for e in examples
    )


def test_small_corpus_options_are_checked() -> None:
    docs = world.corpus_documents(50, subjects=["Eiffel Tower"], mix={"fact": 1.0})
    assert all("Eiffel Tower" in d for d in docs)
    with pytest.raises(ValueError, match="Atlantis"):
        world.corpus_documents(5, subjects=["Atlantis"])
    with pytest.raises(ValueError, match="poetry"):
        world.corpus_documents(5, mix={"poetry": 1.0})
    with pytest.raises(ValueError, match="split"):
        world.corpus_documents(5, split="test")

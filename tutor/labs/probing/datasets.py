"""Probing datasets built from tutor-gpt's own world, where the truth of every label is known.

Each property yields ``Prompt`` objects: a prompt that ends where the model predicts an answer,
the answer (the model's task for the causal test), the subject the prompt is about (the unit
of the train/test split), and a label per read position. Positions are found on the model's
own tokens by ``locate`` (subject span via ``world.find_subject_span``), so the same data
works for any tokenizer. Pure Python: no torch.

Why split by subject: several prompts share one subject, and at the subject's own tokens the
activations of "The Eiffel Tower is in" and "The Eiffel Tower can be found in" are identical
(the model is causal). A random split by example puts the same subject on both sides and a
probe that memorised subjects looks like one that learned the property.

Control tasks (Hewitt & Liang 2019): every *word type* gets one fixed random label drawn from
the task's label distribution. The word type is the token read for token-level properties
(``in-subject``) and the subject for properties of a subject.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tutor.model import world
from tutor.model.world_facts import CITIES, LANDMARKS, PEOPLE
from tutor.model.world_text import FACT_TEMPLATES

PROPERTIES: dict[str, str] = {
    "country": "the country a landmark or city resolves to",
    "in-subject": "is this token part of a subject's name",
    "category": "the subject's category (landmark / city / person / company)",
    "ioi": "which name is the indirect object (IOI sentences)",
    "article": "does the landmark's name take 'the' (The Eiffel Tower vs Big Ben)",
}
POSITIONS = ("subject", "final")
SPLITS = ("subject", "example")
MIN_SUBJECTS_PER_CLASS = 4  # a class needs subjects on both sides of the split


@dataclass(frozen=True)
class Prompt:
    """One prompt: text ending before ``answer``; ``subject`` is the split unit."""

    text: str
    answer: str
    subject: str
    label: str  # subject-level label ("" for token-level properties)
    wrong: str | None = None  # IOI: the distractor name (metric = logit difference)


@dataclass(frozen=True)
class Example:
    """One probing example: activations of ``prompt`` at ``position`` carry ``label``."""

    prompt: int  # index into the dataset's prompts
    position: int  # token index (BOS = 0)
    label: str
    subject: str
    word: str  # the word type the control task keys on


@dataclass
class Dataset:
    prop: str
    prompts: list[Prompt]
    examples: list[Example]
    labels: list[str]  # class names, index = class id
    train: list[int]
    test: list[int]
    train_subjects: list[str]
    test_subjects: list[str]

    def y(self, indices: Sequence[int]) -> list[int]:
        return [self.labels.index(self.examples[i].label) for i in indices]


def _subject_country() -> dict[str, str]:
    country = {c.name: c.country for c in CITIES}
    out = {lm.name: country[lm.city] for lm in LANDMARKS if lm.city in country}
    return out | country


def _category() -> dict[str, str]:
    out = {lm.name: "landmark" for lm in LANDMARKS} | {c.name: "city" for c in CITIES}
    out |= {p.name: "person" for p in PEOPLE}
    for fact in world.facts():
        out.setdefault(fact.subject, "company")
    return out


def _prompts_for(fact: world.Fact, label: str, limit: int) -> list[Prompt]:
    """Prompts stating ``fact`` up to its answer, from templates with the subject first."""
    out = []
    templates = [*FACT_TEMPLATES[fact.relation]["train"], *FACT_TEMPLATES[fact.relation]["eval"]]
    for template in templates:
        a = template.find("{A}")
        s = max(template.find("{S}"), template.find("{s}"))
        if s < 0 or a < s:
            continue
        text = template[:a].rstrip().format(S=fact.start_form, s=fact.inner_form)
        out.append(Prompt(text, fact.answer, fact.subject, label))
        if len(out) == limit:
            break
    return out


def build_prompts(prop: str, per_subject: int = 6, n_ioi: int = 600, seed: int = 0) -> list[Prompt]:
    """The prompts of one property (``per_subject`` templates per subject)."""
    if prop == "country":
        country = _subject_country()
        facts = [f for f in world.facts() if f.relation in ("landmark_city", "city_country")]
        counts = Counter(country[f.subject] for f in facts if f.subject in country)
        return [
            p
            for f in facts
            if counts[country.get(f.subject, "")] >= MIN_SUBJECTS_PER_CLASS
            for p in _prompts_for(f, country[f.subject], per_subject)
        ]
    if prop == "category":
        category = _category()
        relations = ("landmark_city", "city_country", "person_profession", "company_country")
        return [
            p
            for f in world.facts()
            if f.relation in relations
            for p in _prompts_for(f, category[f.subject], max(1, per_subject // 2))
        ]
    if prop == "in-subject":
        relations = ("landmark_city", "person_profession", "company_product", "city_language")
        return [
            p
            for f in world.facts()
            if f.relation in relations
            for p in _prompts_for(f, "", max(1, per_subject // 3))
        ]
    if prop == "article":
        article = {lm.name: "the" if lm.article else "none" for lm in LANDMARKS}
        return [
            p
            for f in world.facts()
            if f.relation == "landmark_city"
            for p in _prompts_for(f, article[f.subject], per_subject)
        ]
    if prop == "ioi":
        rng = random.Random(f"probing-ioi:{seed}")
        out = []
        for i in range(n_ioi):
            ex = world.ioi_sentence(rng, "eval" if i % 3 == 2 else "train", complete=False)
            out.append(Prompt(ex.prompt, ex.io, ex.subj, ex.io, wrong=ex.subj))
        return out
    raise ValueError(f"unknown property {prop!r} (known: {', '.join(PROPERTIES)})")


def locate(
    prompts: Sequence[Prompt],
    str_tokens: Callable[[str], list[str]],
    prop: str,
    position: str,
) -> tuple[list[Example], list[int]]:
    """Examples at the read positions, and each prompt's length in tokens (BOS included).

    ``position``: "subject" reads the subject's last token, "final" the last token of the
    prompt. ``in-subject`` reads every token after BOS whatever ``position`` says. Prompts
    whose subject cannot be found in the tokens are skipped.
    """
    examples: list[Example] = []
    lengths: list[int] = []
    for i, p in enumerate(prompts):
        tokens = str_tokens(p.text)
        lengths.append(len(tokens))
        if prop == "ioi":
            examples.append(Example(i, len(tokens) - 1, p.label, p.subject, p.subject))
            continue
        span = world.find_subject_span(tokens)
        if span is None:
            continue
        if prop == "in-subject":
            for pos in range(1, len(tokens)):
                inside = "inside" if span[0] <= pos < span[1] else "outside"
                examples.append(Example(i, pos, inside, p.subject, tokens[pos].strip()))
        else:
            pos = span[1] - 1 if position == "subject" else len(tokens) - 1
            examples.append(Example(i, pos, p.label, p.subject, p.subject))
    return examples, lengths


def split(
    examples: Sequence[Example], how: str = "subject", test_share: float = 0.3, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Train and test example indices.

    ``subject``: every subject goes wholly to one side, chosen per class (of its first
    example) so that each class has subjects on both sides. ``example``: a plain random
    split of the examples (leaky: one subject lands on both sides).
    """
    rng = random.Random(f"probing-split:{seed}")
    if how == "example":
        order = list(range(len(examples)))
        rng.shuffle(order)
        n_test = round(len(order) * test_share)
        return sorted(order[n_test:]), sorted(order[:n_test])
    if how != "subject":
        raise ValueError(f"unknown split {how!r} (known: {', '.join(SPLITS)})")
    by_class: dict[str, list[str]] = defaultdict(list)
    for ex in examples:
        if ex.subject not in by_class[ex.label] and not any(
            ex.subject in s for s in by_class.values()
        ):
            by_class[ex.label].append(ex.subject)
    test_subjects: set[str] = set()
    for label in sorted(by_class):
        subjects = sorted(by_class[label])
        rng.shuffle(subjects)
        if len(subjects) >= 2:
            test_subjects.update(subjects[: max(1, round(len(subjects) * test_share))])
    train = [i for i, ex in enumerate(examples) if ex.subject not in test_subjects]
    test = [i for i, ex in enumerate(examples) if ex.subject in test_subjects]
    return train, test


def check_no_leak(examples: Sequence[Example], train: Sequence[int], test: Sequence[int]) -> None:
    """Raise ``AssertionError`` if a subject has examples on both sides of the split."""
    shared = {examples[i].subject for i in train} & {examples[i].subject for i in test}
    if shared:
        raise AssertionError(f"subjects on both sides of the split: {sorted(shared)[:5]}")


def control_labels(
    examples: Sequence[Example], labels: Sequence[str], seed: int = 0
) -> dict[str, str]:
    """One fixed random label per word type, drawn from the task's label distribution.

    The draw for a type depends only on (seed, type): the same word gets the same control
    label in every run, in train and test alike.
    """
    counts = Counter(ex.label for ex in examples)
    population = [label for label in labels for _ in range(counts[label])]
    return {
        word: random.Random(f"probing-control:{seed}:{word}").choice(population)
        for word in sorted({ex.word for ex in examples})
    }


def build(
    prop: str,
    str_tokens: Callable[[str], list[str]],
    position: str = "subject",
    how: str = "subject",
    seed: int = 0,
    per_subject: int = 6,
) -> Dataset:
    """Prompts, examples, classes and the split of one property."""
    if position not in POSITIONS:
        raise ValueError(f"unknown position {position!r} (known: {', '.join(POSITIONS)})")
    prompts = build_prompts(prop, per_subject=per_subject, seed=seed)
    examples, _ = locate(prompts, str_tokens, prop, position)
    if prop == "ioi":
        # A class needs names on both sides; keep IO names that occur with several subjects.
        subjects_of: dict[str, set[str]] = defaultdict(set)
        for ex in examples:
            subjects_of[ex.label].add(ex.subject)
        examples = [ex for ex in examples if len(subjects_of[ex.label]) >= 2]
    train, test = split(examples, how, seed=seed)
    if how == "subject":
        check_no_leak(examples, train, test)
    labels = sorted({examples[i].label for i in train})
    test = [i for i in test if examples[i].label in labels]  # classes unseen in training
    return Dataset(
        prop,
        prompts,
        examples,
        labels,
        train,
        test,
        sorted({examples[i].subject for i in train}),
        sorted({examples[i].subject for i in test}),
    )

"""tutor-gpt's world: the facts it knows, the documents it is trained on, its evaluation prompts.

Public API (see docs/CONTRACTS.md): ``subject_names``, ``find_subject_span`` and
``corpus_documents``. Everything is seeded and reproducible; evaluation templates never
appear in the "train" split. Pure Python: no torch, no Textual.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

from tutor.model.world_facts import CITIES, COMPANIES, LANDMARKS, PEOPLE, SPLIT_WORDS
from tutor.model.world_text import (
    FACT_TEMPLATES,
    GENERIC_CITY_PROSE,
    GENERIC_LANDMARK_PROSE,
    IOI_NAMES,
    IOI_OBJECTS,
    IOI_PLACES,
    IOI_TEMPLATES,
    LANDMARK_PROSE,
)

SPLITS = ("train", "eval")
# Share of each kind of document in the corpus (by document, not by token).
DOC_MIX: dict[str, float] = {
    "fact": 0.5,
    "ioi": 0.2,
    "repeat": 0.22,
    "prose": 0.08,
    "repeat_many": 0.0,  # 3 or 4 copies of a shorter sequence; used by the second stage
}
REPEAT_LEN = (6, 28)  # length range of the random sequence that is then repeated once

_WORD_RE = re.compile(r"\w+|[^\w\s]")


class Fact(NamedTuple):
    """One (subject, relation, answer) triple with the subject's two written forms."""

    relation: str
    subject: str  # the bare name, as returned by subject_names()
    start_form: str  # at the start of a sentence: "The Eiffel Tower"
    inner_form: str  # inside a sentence: "the Eiffel Tower"
    answer: str


class IOIExample(NamedTuple):
    """An indirect-object prompt: the right answer is ``io``, the distractor is ``subj``."""

    prompt: str
    io: str
    subj: str


@cache
def facts() -> tuple[Fact, ...]:
    """Every fact in the world, in a fixed order."""
    out: list[Fact] = []
    for lm in LANDMARKS:
        start, inner = (f"The {lm.name}", f"the {lm.name}") if lm.article else (lm.name,) * 2
        out.append(Fact("landmark_city", lm.name, start, inner, lm.city))
    for city in CITIES:
        out.append(Fact("city_country", city.name, city.name, city.name, city.country))
        out.append(Fact("city_language", city.name, city.name, city.name, city.language))
    for person in PEOPLE:
        relation = "athlete_sport" if person.athlete else "person_profession"
        out.append(Fact(relation, person.name, person.name, person.name, person.field))
    for company in COMPANIES:
        out.append(
            Fact("company_country", company.name, company.name, company.name, company.country)
        )
        out.append(
            Fact("company_product", company.name, company.name, company.name, company.product)
        )
    return tuple(out)


def subject_names() -> list[str]:
    """All subject names (landmarks, cities, people, companies), without articles."""
    return list(dict.fromkeys(f.subject for f in facts()))


def _squash(text: str) -> str:
    return "".join(text.split())


@cache
def _subjects_by_squashed() -> dict[str, str]:
    return {_squash(name): name for name in subject_names()}


def _normalise_token(token: str) -> str:
    token = token.strip()
    return token[2:] if token.startswith("##") else token


def find_subject_span(str_tokens: Sequence[str]) -> tuple[int, int] | None:
    """Half-open token range of the longest known subject in ``str_tokens`` (first if tied).

    Works for tutor-gpt's word pieces ("Colos", "##seum") and for BPE tokens with leading
    spaces (" Eiffel", " Tower"): tokens are compared with the spaces removed.
    """
    known = _subjects_by_squashed()
    longest = max(len(k) for k in known)
    tokens = [_normalise_token(t) for t in str_tokens]
    best: tuple[int, int] | None = None
    best_len = 0
    for i in range(len(tokens)):
        if not tokens[i]:
            continue
        joined = ""
        for j in range(i, len(tokens)):
            joined += tokens[j]
            if len(joined) > longest:
                break
            if joined in known and len(joined) > best_len:
                best, best_len = (i, j + 1), len(joined)
    return best


def _fill(template: str, fact: Fact) -> str:
    return template.format(S=fact.start_form, s=fact.inner_form, A=fact.answer)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split={split!r}: expected one of {', '.join(SPLITS)}")


def fact_sentence(rng: random.Random, fact: Fact, split: str = "train") -> str:
    """One sentence stating ``fact`` with a template from ``split``."""
    template = rng.choice(FACT_TEMPLATES[fact.relation][split])
    sentence = _fill(template, fact)
    return sentence if sentence.endswith(".") else sentence + "."


def fact_eval_prompts() -> list[tuple[Fact, str]]:
    """(fact, prompt) for every fact and every held-out template; the answer comes next."""
    out = []
    for fact in facts():
        for template in FACT_TEMPLATES[fact.relation]["eval"]:
            prompt = _fill(template, fact)
            assert prompt.endswith(fact.answer)
            out.append((fact, prompt[: -len(fact.answer)].rstrip()))
    return out


def ioi_sentence(rng: random.Random, split: str = "train", complete: bool = True) -> IOIExample:
    """A random IOI sentence; with ``complete=False`` the prompt stops before the answer."""
    io, subj = rng.sample(IOI_NAMES, 2)
    first, second = (io, subj) if rng.random() < 0.5 else (subj, io)
    template = rng.choice(IOI_TEMPLATES[split])
    text = template.format(
        X=first, Y=second, P=rng.choice(IOI_PLACES), O=rng.choice(IOI_OBJECTS), SUBJ=subj, IO=io
    )
    if complete:
        return IOIExample(text if text.endswith(".") else text + ".", io, subj)
    return IOIExample(text[: text.rindex(io)].rstrip(), io, subj)


def ioi_eval_examples(n: int = 200, seed: int = 1) -> list[IOIExample]:
    """``n`` IOI prompts from held-out templates, both name orders, ending before the answer."""
    rng = random.Random(seed)
    return [ioi_sentence(rng, "eval", complete=False) for _ in range(n)]


@cache
def repeat_word_pool() -> tuple[str, ...]:
    """Whole-word vocabulary entries used to build random repeated sequences."""
    return tuple(w for w in vocabulary_words() if w.isalpha() and w not in _split_pieces())


def repeated_sequence(rng: random.Random, length: int | None = None, copies: int = 2) -> str:
    """Random words, then the same words again: induction heads learn to copy them."""
    n = length or rng.randint(*REPEAT_LEN)
    words = rng.choices(repeat_word_pool(), k=n)
    return " ".join(words * copies)


def _prose_document(rng: random.Random) -> str:
    # Half the prose is about the landmarks with their own descriptions.
    if rng.random() < 0.5:
        weights = [3 if n == "Golden Gate Bridge" else 1 for n in LANDMARK_PROSE]
        name = rng.choices(list(LANDMARK_PROSE), weights=weights)[0]
        pool = LANDMARK_PROSE[name]
        sentences = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
        fact = next(f for f in facts() if f.subject == name)
        sentences.insert(0, fact_sentence(rng, fact))
        return " ".join(sentences)
    if rng.random() < 0.6:
        lm = rng.choice(LANDMARKS)
        fact = next(f for f in facts() if f.subject == lm.name)
        picks = rng.sample(GENERIC_LANDMARK_PROSE, 2)
        body = [t.format(S=fact.start_form, s=fact.inner_form, city=lm.city) for t in picks]
        return " ".join([fact_sentence(rng, fact), *body])
    city = rng.choice(CITIES)
    picks = rng.sample(GENERIC_CITY_PROSE, 2)
    body = [t.format(S=city.name, s=city.name, country=city.country) for t in picks]
    return " ".join(body)


def _fact_document(rng: random.Random, split: str, all_facts: Sequence[Fact]) -> str:
    n = min(rng.randint(1, 3), len(all_facts))
    if rng.random() < 0.5:
        # Several facts about one subject, as a short paragraph.
        subject = rng.choice(all_facts).subject
        chosen = [f for f in all_facts if f.subject == subject]
        rng.shuffle(chosen)
        chosen = chosen[:n]
    else:
        chosen = rng.sample(all_facts, n)
    return " ".join(fact_sentence(rng, f, split) for f in chosen)


def corpus_documents(
    n_docs: int,
    seed: int = 0,
    split: str = "train",
    *,
    subjects: Sequence[str] | None = None,
    mix: dict[str, float] | None = None,
) -> list[str]:
    """``n_docs`` documents mixing facts, IOI sentences, repeated sequences and prose.

    The "eval" split states facts and IOI sentences with the held-out templates only.
    ``subjects`` limits fact documents to those subjects and ``mix`` overrides ``DOC_MIX``
    (kinds: fact, ioi, repeat, prose); both exist for small test corpora.
    """
    _check_split(split)
    mix = mix or DOC_MIX
    unknown = set(mix) - set(DOC_MIX)
    if unknown:
        raise ValueError(f"mix: unknown document kinds {sorted(unknown)} (known: {list(DOC_MIX)})")
    pool = facts()
    if subjects is not None:
        missing = set(subjects) - set(subject_names())
        if missing:
            raise ValueError(f"subjects: unknown names {sorted(missing)}")
        pool = tuple(f for f in pool if f.subject in set(subjects))
    rng = random.Random(f"{split}:{seed}")
    docs = []
    for kind in rng.choices(list(mix), weights=list(mix.values()), k=n_docs):
        if kind == "fact":
            docs.append(_fact_document(rng, split, pool))
        elif kind == "ioi":
            docs.append(ioi_sentence(rng, split).prompt)
        elif kind == "repeat":
            docs.append(repeated_sequence(rng))
        elif kind == "repeat_many":
            docs.append(repeated_sequence(rng, rng.randint(6, 20), copies=rng.randint(3, 4)))
        else:
            docs.append(_prose_document(rng))
    return docs


@cache
def _split_pieces() -> frozenset[str]:
    return frozenset(p for pieces in SPLIT_WORDS.values() for p in pieces)


def _words(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        yield from _WORD_RE.findall(text)


@cache
def vocabulary_words() -> tuple[str, ...]:
    """Every word the corpus can contain (split words replaced by their pieces), sorted."""
    texts: list[str] = []
    for fact in facts():
        texts += [fact.start_form, fact.inner_form, fact.answer]
    for relation in FACT_TEMPLATES.values():
        for templates in relation.values():
            texts += [re.sub(r"\{\w+\}", " ", t) for t in templates]
    for templates in IOI_TEMPLATES.values():
        texts += [re.sub(r"\{\w+\}", " ", t) for t in templates]
    texts += [*IOI_NAMES, *IOI_PLACES, *IOI_OBJECTS]
    for pool in LANDMARK_PROSE.values():
        texts += list(pool)
    for t in (*GENERIC_LANDMARK_PROSE, *GENERIC_CITY_PROSE):
        texts.append(re.sub(r"\{\w+\}", " ", t))
    words: set[str] = set()
    for word in _words(texts):
        if word in SPLIT_WORDS:
            head, tail = SPLIT_WORDS[word]
            words.update((head, "##" + tail))
        else:
            words.add(word)
    return tuple(sorted(words))

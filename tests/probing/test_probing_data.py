"""The probing datasets: labels true to the world, a split that leaks no subject, fixed control
labels. Uses a plain word tokenizer (no model), since the datasets are pure Python."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tutor.labs.probing import datasets
from tutor.model.world_facts import CITIES, LANDMARKS


def words(text: str) -> list[str]:
    return ["<bos>", *re.findall(r"\w+|[^\w\s]", text)]


@pytest.mark.parametrize("prop", list(datasets.PROPERTIES))
def test_the_subject_split_leaks_no_subject(prop):
    data = datasets.build(prop, words, "final" if prop == "ioi" else "subject")
    train = {data.examples[i].subject for i in data.train}
    test = {data.examples[i].subject for i in data.test}
    assert train and test and not train & test
    assert data.train_subjects == sorted(train) and data.test_subjects == sorted(test)
    # Every test class was seen in training, and the sizes add up.
    assert {data.examples[i].label for i in data.test} <= set(data.labels)
    assert len(data.train) + len(data.test) <= len(data.examples)
    assert len(data.test) >= 0.15 * (len(data.train) + len(data.test))


def test_check_no_leak_raises_on_a_shared_subject():
    ex = [datasets.Example(0, 1, "a", "Paris", "Paris"), datasets.Example(1, 1, "a", "Paris", "x")]
    with pytest.raises(AssertionError, match="Paris"):
        datasets.check_no_leak(ex, [0], [1])


def test_the_example_split_puts_subjects_on_both_sides():
    data = datasets.build("country", words, "subject", how="example")
    train = {data.examples[i].subject for i in data.train}
    test = {data.examples[i].subject for i in data.test}
    assert len(train & test) > 0.5 * len(test)


def test_country_labels_follow_the_world():
    country = {c.name: c.country for c in CITIES}
    by_landmark = {lm.name: country.get(lm.city) for lm in LANDMARKS}
    data = datasets.build("country", words, "final")
    seen = 0
    for ex in data.examples:
        expected = by_landmark.get(ex.subject) or country[ex.subject]
        assert ex.label == expected
        seen += 1
    assert seen > 300
    # The final position is the prompt's last word, and the prompt stops before the answer.
    for ex in data.examples[:50]:
        p = data.prompts[ex.prompt]
        assert ex.position == len(words(p.text)) - 1 and not p.text.endswith(p.answer)


def test_in_subject_marks_exactly_the_name():
    data = datasets.build("in-subject", words, "subject")
    p_index = data.examples[0].prompt
    rows = [ex for ex in data.examples if ex.prompt == p_index]
    tokens = words(data.prompts[p_index].text)
    inside = " ".join(tokens[ex.position] for ex in rows if ex.label == "inside")
    assert inside == " ".join(words(data.prompts[p_index].subject)[1:])


def test_ioi_labels_are_the_indirect_object():
    data = datasets.build("ioi", words, "final")
    for ex in data.examples[:100]:
        p = data.prompts[ex.prompt]
        assert ex.label == p.answer == p.label and p.wrong == ex.subject != p.answer
        assert p.text.count(p.answer) == 1 and p.text.count(p.wrong) == 2


def test_control_labels_are_fixed_per_word_type():
    data = datasets.build("in-subject", words, "subject")
    control = datasets.control_labels(data.examples, data.labels, seed=0)
    again = datasets.control_labels(list(reversed(data.examples)), data.labels, seed=0)
    assert control == again  # one label per type, whatever the order
    assert set(control) == {ex.word for ex in data.examples}
    assert set(control.values()) == set(data.labels)
    other = datasets.control_labels(data.examples, data.labels, seed=1)
    assert other != control  # a different seed draws afresh
    # Drawn from the task's label distribution: roughly the same share of "inside".
    task = Counter(ex.label for ex in data.examples)
    drawn = Counter(control.values())
    share = task["inside"] / sum(task.values())
    assert abs(drawn["inside"] / sum(drawn.values()) - share) < 0.12


def test_unknown_property_and_position_are_refused():
    with pytest.raises(ValueError, match="unknown property 'colour'"):
        datasets.build("colour", words)
    with pytest.raises(ValueError, match="unknown position 'middle'"):
        datasets.build("country", words, "middle")

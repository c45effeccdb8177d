"""libyaml and the pure-Python parser read content alike: same data, same lines, same refusals.

mitutor reads content with libyaml's ``CSafeLoader`` when PyYAML ships it (start-up speed);
an install without it falls back to ``SafeLoader``, and nothing a learner or author sees
may differ between the two.
"""

from __future__ import annotations

import pytest
import yaml

from tutor.curriculum import yaml_source
from tutor.curriculum.yaml_source import YamlProblem, parse_yaml
from tutor.paths import content_dir, quizzes_dir

pytestmark = pytest.mark.skipif(
    not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml: one loader only"
)

BUNDLED_YAML = sorted(quizzes_dir().glob("*.yaml")) + sorted(
    p for p in (content_dir().parent / "exercises").glob("*/exercise.yaml")
)


def _both(monkeypatch, text: str):
    out = []
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        monkeypatch.setattr(yaml_source, "_LOADER", loader)
        try:
            doc = parse_yaml(text)
            out.append(("ok", doc.data, doc.duplicate_keys, _lines(doc, doc.data, ())))
        except YamlProblem as err:
            out.append(("problem", err.line, err.message.split(":")[0]))
    return out


def _lines(doc, data, loc):
    """The line of every field path in the document."""
    found = {loc: doc.line_of(loc)}
    if isinstance(data, dict):
        for key, value in data.items():
            found |= _lines(doc, value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found |= _lines(doc, value, (*loc, i))
    return found


def test_the_fast_loader_is_the_one_used():
    assert yaml_source._LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", BUNDLED_YAML, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_files_read_the_same(monkeypatch, path):
    assert len(BUNDLED_YAML) > 20
    fast, pure = _both(monkeypatch, path.read_text(encoding="utf-8"))
    assert fast[0] == "ok" and fast == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2\n",  # unclosed flow sequence
        "a: 1\n  b: 2\n",  # bad indentation
        "a: !!python/object/apply:os.system ['true']\n",  # a tag: refused, never run
        "a: &x 1\nb: *x\n",  # an alias: refused by the limits
        "a: 1\na: 2\n",  # a duplicate key: kept, and reported by line
        "",
    ],
)
def test_broken_and_hostile_text_is_reported_the_same(monkeypatch, text):
    fast, pure = _both(monkeypatch, text)
    assert fast[:2] == pure[:2]

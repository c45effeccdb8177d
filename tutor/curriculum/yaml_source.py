"""Safe YAML reading that remembers where each field was written.

Data is built by the safe loader only, so a ``!!python/...`` tag is reported, never
executed. The text is composed once into a node tree (which keeps each node's line) and the
data constructed from that tree, so a pydantic error location like
``("questions", 2, "answer")`` can be turned into the line a person should look at. The
loader is libyaml's ``CSafeLoader`` where PyYAML has it (its wheels do): the app reads every
lesson and quiz before the home screen appears, and the pure-Python parser spent about a
third of a second of that start-up on the bundled quizzes.

Before either pass, a cheap scan of the parser's event stream enforces limits a hostile
or broken file could otherwise turn into a hang or a crash: no aliases (``*name``: nine
levels of them expand a 300-byte file into billions of nodes), at most ``MAX_DEPTH`` levels
of nesting (deeper ones overflow Python's stack), and at most ``MAX_BYTES`` of text. Each
limit is reported like any other problem, with the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1_000_000  # a quiz of a few hundred questions is ~100 kB
MAX_DEPTH = 20  # quizzes need 4 levels; lesson front matter 2


class YamlProblem(Exception):
    """The text is not acceptable YAML; ``line`` is 1-based within the parsed text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDoc:
    """Parsed data plus its node tree, for mapping field locations to lines."""

    data: Any
    root: yaml.Node | None
    line_offset: int = 0
    # (line, field path) of each mapping key written twice; YAML keeps only the last.
    duplicate_keys: tuple[tuple[int, tuple[str | int, ...]], ...] = ()

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The 1-based line of the deepest node on ``loc`` that exists.

        For a mapping key the line of the key is used (where the field name is written);
        a missing field points at the mapping that should hold it.
        """
        node = self.root
        if node is None:
            return 1 + self.line_offset
        line = node.start_mark.line
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        line = key.start_mark.line
                        node = value
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + 1 + self.line_offset


def _describe_tag(problem: str) -> str | None:
    marker = "tag:yaml.org,2002:"
    if "could not determine a constructor for the tag" not in problem:
        return None
    tag = problem.split("'")[1] if "'" in problem else "?"
    if tag.startswith(marker):
        tag = "!!" + tag[len(marker) :]
    return f"tag {tag} is not allowed (plain YAML only; nothing in this file was run or loaded)"


def parse_yaml(text: str, line_offset: int = 0) -> YamlDoc:
    """Parse ``text`` with the safe loader; raise :class:`YamlProblem` on bad YAML.

    ``line_offset`` is added to every line reported (for YAML embedded in a larger file,
    such as a lesson's front matter).
    """
    try:
        check_limits(text, line_offset)
        loader = _LOADER(text)
        try:
            root = loader.get_single_node()
            data = None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = (mark.line + 1 if mark is not None else 1) + line_offset
        problem = str(getattr(err, "problem", None) or err)
        message = _describe_tag(problem) or f"invalid YAML: {problem}"
        context = getattr(err, "context", None)
        context_mark = getattr(err, "context_mark", None)
        if context and not message.startswith("tag "):
            if context_mark is not None and context_mark.line + 1 + line_offset != line:
                context += f" started on line {context_mark.line + 1 + line_offset}"
            message += f" ({context})"
        raise YamlProblem(line, message) from None
    duplicates = tuple((line + 1 + line_offset, loc) for line, loc in _duplicate_keys(root, ()))
    return YamlDoc(data, root, line_offset, duplicates)


def check_limits(text: str, line_offset: int = 0) -> None:
    """Refuse text that is too large, uses aliases, or nests too deeply (before building it).

    The event stream is produced without expanding aliases or recursing, so this scan is
    linear in the size of the text whatever the text holds.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise YamlProblem(
            1 + line_offset,
            f"the file is {size:,} bytes; the limit is {MAX_BYTES:,} (split it into several files)",
        )
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            line = event.start_mark.line + 1 + line_offset if event.start_mark else 1 + line_offset
            if isinstance(event, yaml.AliasEvent):
                raise YamlProblem(
                    line,
                    f"alias *{event.anchor} is not allowed (aliases can expand without bound): "
                    "write the value out",
                )
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError as err:
        # libyaml stops deep flow nesting in its scanner, before any event: same problem.
        if "nesting depth" not in str(err):
            raise
        mark = getattr(err, "problem_mark", None)
        line = (mark.line + 1 if mark is not None else 1) + line_offset
        raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep") from None


def _duplicate_keys(node: yaml.Node | None, loc: tuple[str | int, ...]):
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            if name in seen:
                yield key.start_mark.line, (*loc, name)
            seen.add(name)
            yield from _duplicate_keys(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i))

"""The `?` screen: every key, screen by screen, read from the screens' own bindings.

Reading the bindings (rather than keeping a separate list) means the help cannot drift
from what the keys really do.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys handled inside widgets (lists, choices) that the bindings below do not show.
EXTRA_KEYS: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [
        ("ctrl+p", "Command palette: any lesson, quiz, lab or screen"),
        ("tab / shift+tab", "Move between panes"),
        ("↑ ↓ PgUp PgDn", "Move / scroll"),
    ],
    "Home": [("enter", "Open the highlighted lesson or lab")],
    "Lesson": [("enter", "In the contents: go to that section")],
    "Quiz and review": [
        ("1–9", "Single choice: answer · multiple choice: mark · free recall: rate 1–4"),
        ("space", "Mark a choice · free recall: show the model answer"),
        ("r", "At the end: take the quiz again"),
    ],
}


def _escape(text: str) -> str:
    """Every ``[`` escaped: Textual's markup reads a lone ``[`` (the key ``[``) as a tag."""
    return text.replace("[", "\\[")


def _describe(key: str) -> str:
    names = {"question_mark": "?", "escape": "esc", "right": "→", "left": "←"}
    return " / ".join(names.get(k, k) for k in key.split(","))


def _rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for b in bindings:
        if isinstance(b, Binding) and b.description and not b.key[0].isdigit():
            rows.append((b.key_display or _describe(b.key), b.tooltip or b.description))
    return rows


def _dedupe(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for keys, what in rows:
        if keys not in seen:
            seen.add(keys)
            out.append((keys, what))
    return out


def lab_key_rows(screen: object) -> list[tuple[str, str]]:
    """A lab screen's own keys: its bindings (subclass first, then the base's) and the keys
    its widgets handle (``EXTRA_KEYS``), each key once."""
    rows: list[tuple[str, str]] = []
    for cls in type(screen).__mro__:
        rows += _rows(list(cls.__dict__.get("BINDINGS", [])))
    rows += list(getattr(screen, "EXTRA_KEYS", []))
    return _dedupe(rows)


def key_table() -> dict[str, list[tuple[str, str]]]:
    """Section title → (keys, what they do), for every screen of the app."""
    from tutor.app import TutorApp
    from tutor.screens.home import HomeScreen
    from tutor.screens.lesson import LessonScreen
    from tutor.screens.progress import ProgressScreen
    from tutor.screens.quiz import QuizScreen

    table = {
        "Everywhere": _rows(list(TutorApp.BINDINGS)) + EXTRA_KEYS["Everywhere"],
        "Home": EXTRA_KEYS["Home"] + _rows(HomeScreen.BINDINGS),
        "Lesson": _rows(LessonScreen.BINDINGS) + EXTRA_KEYS["Lesson"],
        "Quiz and review": _rows(QuizScreen.BINDINGS) + EXTRA_KEYS["Quiz and review"],
        "Progress": _rows(ProgressScreen.BINDINGS),
    }
    return table


def _app_bindings() -> list[BindingType]:
    from tutor.app import TutorApp

    return list(TutorApp.BINDINGS)


class HelpScreen(ModalScreen[None]):
    """Lists every key; any of esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(
        self, sections: dict[str, list[tuple[str, str]]] | None = None, only_sections: bool = False
    ) -> None:
        super().__init__()
        self.sections = sections or {}
        self.only_sections = only_sections

    def compose(self) -> ComposeResult:
        lines: list[str] = []
        table = dict(self.sections)
        everywhere = _rows(_app_bindings()) + EXTRA_KEYS["Everywhere"]
        table.update({"Everywhere": everywhere} if self.only_sections else key_table())
        for section, rows in table.items():
            lines.append(f"[b]{section}[/b]")
            for keys, what in rows:
                lines.append(_escape(f"  {keys:<16} {what}"))
            lines.append("")
        if not self.only_sections:
            lines.append("Inside a lab, ? lists that lab's own keys.")
        with VerticalScroll(id="help-box"):
            yield Static("\n".join(lines), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Keys  (esc closes)"

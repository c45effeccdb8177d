"""A keyboard-driven list of answer choices for single- and multiple-choice questions.

Choices are numbered; the cursor moves with ↑/↓, space (or the choice's number) marks a
choice. After grading, the widget shows which choices were right and which were picked,
with symbols as well as colours so it reads the same with NO_COLOR.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceList(Widget, can_focus=True):
    """Numbered choices with a cursor; ``multi`` allows several marks."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("space", "toggle", "Mark", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Toggled(Message):
        """A choice was marked or unmarked (``index`` is 0-based)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, choices: list[str], multi: bool, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices = choices
        self.multi = multi
        self.marked: set[int] = set()
        self.correct: set[int] | None = None  # set once graded
        self.moved = False  # the learner moved the cursor (so Enter means "this one")

    def reset(self, choices: list[str], multi: bool) -> None:
        """Show a new question's choices, nothing marked, cursor on the first."""
        self.choices = choices
        self.multi = multi
        self.marked = set()
        self.correct = None
        self.moved = False
        self.cursor = 0
        self.refresh(layout=True)

    def render(self) -> Table:
        # A two-column grid gives long choices a hanging indent when they wrap.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for i, choice in enumerate(self.choices):
            if self.multi:
                box = "[x]" if i in self.marked else "[ ]"
            else:
                box = "(•)" if i in self.marked else "( )"
            pointer = "›" if i == self.cursor and self.correct is None else " "
            style = ""
            verdict, mark_style = " ", ""
            # The marks carry the colour; the choice text is only bold / underlined, so it
            # keeps full contrast with NO_COLOR (where red and green become dark greys).
            if self.correct is not None:
                if i in self.correct:
                    verdict, mark_style, style = "✓", "bold green", "bold"
                elif i in self.marked:
                    verdict, mark_style, style = "✗", "bold red", "underline"
            elif i == self.cursor and self.has_focus:
                style = "reverse"
            label = Text(pointer)
            label.append(verdict, style=mark_style)
            label.append(f" {i + 1}. {box}")
            grid.add_row(label, Text(choice, style=style))
        return grid

    def set_mark(self, index: int) -> None:
        """Mark choice ``index`` (single: the only mark; multi: toggle it)."""
        if self.correct is not None or not 0 <= index < len(self.choices):
            return
        self.cursor = index
        if self.multi:
            self.marked ^= {index}
        else:
            self.marked = {index}
        self.refresh()
        self.post_message(self.Toggled(index))

    def show_result(self, correct: set[int]) -> None:
        """Freeze the list and show the right choices beside the marked ones."""
        self.correct = correct
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.correct is None and self.choices:
            self.moved = True
            self.cursor = (self.cursor + step) % len(self.choices)

    def action_toggle(self) -> None:
        self.set_mark(self.cursor)

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

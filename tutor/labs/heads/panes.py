"""Textual widgets of the heads lab: the attention-pattern grid.

``PatternGrid`` shows a window of a query × key pattern that follows a cursor, so a prompt
longer than the screen is explored with the arrow keys (PageUp/PageDown jump ten queries,
Home/End go to the first/last query); the text itself comes from ``text.pattern_text``.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

from tutor.labs.heads.experiment import PatternView
from tutor.labs.heads.text import pattern_text

LABEL_W = 11


class PatternGrid(Widget, can_focus=True):
    """A query × key attention pattern with a cursor and a scrolling window."""

    DEFAULT_CSS = """
    PatternGrid { height: 1fr; width: 1fr; }
    PatternGrid:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Query ↑", show=False),
        Binding("down", "move(1, 0)", "Query ↓", show=False),
        Binding("left", "move(0, -1)", "Key ←", show=False),
        Binding("right", "move(0, 1)", "Key →", show=False),
        Binding("pageup", "move(-10, 0)", "10 up", show=False),
        Binding("pagedown", "move(10, 0)", "10 down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "to_argmax", "Argmax", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: PatternView | None = None
        self.top = 0
        self.left = 0

    def set_view(self, view: PatternView, cursor: tuple[int, int] | None = None) -> None:
        self.view = view
        n = len(view.tokens)
        q = min(n - 1, cursor[0]) if cursor else n - 1
        self.cursor = (q, view.argmax[q])
        self.refresh()

    def validate_cursor(self, value: tuple[int, int]) -> tuple[int, int]:
        if self.view is None:
            return (0, 0)
        n = len(self.view.tokens)
        q = max(0, min(n - 1, value[0]))
        return (q, max(0, min(q, value[1])))  # keys after the query are masked

    def watch_cursor(self) -> None:
        self.refresh()

    def action_move(self, dq: int, dk: int) -> None:
        q, k = self.cursor
        self.cursor = (q + dq, k + dk)

    def action_jump(self, q: int) -> None:
        if self.view is not None:
            q = q % len(self.view.tokens)
            self.cursor = (q, self.view.argmax[q])

    def action_to_argmax(self) -> None:
        if self.view is not None:
            self.cursor = (self.cursor[0], self.view.argmax[self.cursor[0]])

    def window(self) -> tuple[int, int]:
        """(rows, cols) of the grid that fit the widget."""
        rows = max(1, self.size.height - 2)
        cols = max(1, (self.size.width - LABEL_W - 1) // 2)
        return rows, cols

    def render(self) -> Text:
        if self.view is None:
            return Text("Running…")
        rows, cols = self.window()
        q, k = self.cursor
        # Scroll just enough to keep the cursor inside the window.
        self.top = min(max(self.top, q - rows + 1), q)
        self.left = min(max(self.left, k - cols + 1), k)
        return pattern_text(self.view, self.cursor, self.top, self.left, rows, cols, LABEL_W)

"""A focusable grid of values with row and column labels, one cell selected.

Each cell shows a shade (░▒▓█ by magnitude) and, when there is room, the number, so it is
readable with 16 colours or none; colour (green for positive, red for negative) is a bonus.
Arrow keys move the selected cell and post ``Heatmap.Selected``.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

_SHADES = " ░▒▓█"


class Heatmap(Widget, can_focus=True):
    """Rows × columns of floats (e.g. layers × positions)."""

    DEFAULT_CSS = """
    Heatmap { height: auto; min-height: 3; width: 1fr; }
    Heatmap:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    class Selected(Message):
        def __init__(self, heatmap: Heatmap, row: int, col: int) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.row = row
            self.col = col

        @property
        def control(self) -> Heatmap:
            return self.heatmap

    def __init__(
        self,
        grid: list[list[float]] | None = None,
        row_labels: list[str] | None = None,
        col_labels: list[str] | None = None,
        *,
        title: str = "",
        scale: float = 1.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.grid: list[list[float]] = []
        self.row_labels: list[str] = []
        self.col_labels: list[str] = []
        self.title = title
        self.scale = scale
        self.set_data(grid or [], row_labels, col_labels, title)

    @property
    def n_rows(self) -> int:
        return len(self.grid)

    @property
    def n_cols(self) -> int:
        return len(self.grid[0]) if self.grid else 0

    def set_data(
        self,
        grid: list[list[float]],
        row_labels: list[str] | None = None,
        col_labels: list[str] | None = None,
        title: str | None = None,
    ) -> None:
        self.grid = [list(r) for r in grid]
        self.row_labels = list(row_labels or [f"L{i}" for i in range(self.n_rows)])
        self.col_labels = list(col_labels or [str(j) for j in range(self.n_cols)])
        if title is not None:
            self.title = title
        r, c = self.cursor
        self.cursor = (min(r, max(0, self.n_rows - 1)), min(c, max(0, self.n_cols - 1)))
        self.refresh(layout=True)

    def validate_cursor(self, value: tuple[int, int]) -> tuple[int, int]:
        r, c = value
        return (max(0, min(self.n_rows - 1, r)), max(0, min(self.n_cols - 1, c)))

    def watch_cursor(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        self.refresh()
        self.post_message(self.Selected(self, *new))

    def action_move(self, dr: int, dc: int) -> None:
        r, c = self.cursor
        self.cursor = (r + dr, c + dc)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.n_rows + 1 + (1 if self.title else 0)

    def render(self) -> Text:
        width = self.size.width or 60
        label_w = max((len(x) for x in self.row_labels), default=2)
        cols = max(1, self.n_cols)
        cell_w = max(3, min(9, (width - label_w - 2) // cols))
        text = Text(no_wrap=True, overflow="crop")
        if self.title:
            text.append(self.title[:width] + "\n", style="bold")
        text.append(" " * (label_w + 1))
        for j, label in enumerate(self.col_labels):
            style = "bold underline" if j == self.cursor[1] else "bold"
            text.append(label[: cell_w - 1].center(cell_w), style=style)
        for i, row in enumerate(self.grid):
            text.append("\n")
            rstyle = "bold" if i == self.cursor[0] else ""
            text.append(f"{self.row_labels[i]:>{label_w}} ", style=rstyle)
            for j, value in enumerate(row):
                cell = _cell(value, self.scale, cell_w)
                style = _style(value, self.app.no_color)
                if (i, j) == self.cursor:
                    style = "reverse " + style
                text.append(cell, style=style)
        return text


def _cell(value: float, scale: float, width: int) -> str:
    if not math.isfinite(value):
        return "?".center(width)
    frac = min(1.0, abs(value) / scale) if scale else 0.0
    shade = _SHADES[min(len(_SHADES) - 1, math.ceil(frac * (len(_SHADES) - 1)))]
    number = f"{value:+.2f}" if width >= 7 else f"{value:.1f}".replace("0.", ".")
    fits = width - 1 >= len(number) + 1
    body = shade + number.rjust(width - 2) if fits else shade * (width - 1)
    return body[: width - 1] + " "


def _style(value: float, no_color: bool = False) -> str:
    """Green / red where there is colour. Without it (NO_COLOR maps colours to greys, and
    red turns near-black on black), negative cells are underlined instead, at full contrast."""
    if not math.isfinite(value):
        return "italic" if no_color else "dim"
    if no_color:
        return "underline" if value < 0 else ""
    return "red" if value < 0 else "green"

"""A focusable column of horizontal bars, one per item (layer), with one item selected.

←/→ (or ↑/↓) move the selection, digits jump to an item (two digits typed quickly make a
two-digit index). The selected row is marked with ▶ and reverse video, so it reads without
colour. Negative values draw leftwards with ◀ marks; values past the scale end get a +.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

_DIGIT_WINDOW_S = 0.8


class LayerBars(Widget, can_focus=True):
    """Bars for a list of values; posts ``LayerBars.Selected`` when the selection moves."""

    DEFAULT_CSS = """
    LayerBars { height: auto; min-height: 3; width: 1fr; }
    LayerBars:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("left,up", "move(-1)", "Prev layer", show=False),
        Binding("right,down", "move(1)", "Next layer", show=False),
        Binding("home", "select(0)", "First", show=False),
        Binding("end", "select(-1)", "Last", show=False),
    ]

    selected: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, bars: LayerBars, index: int) -> None:
            super().__init__()
            self.bars = bars
            self.index = index

        @property
        def control(self) -> LayerBars:
            return self.bars

    def __init__(
        self,
        values: list[float] | None = None,
        labels: list[str] | None = None,
        *,
        title: str = "",
        scale: float = 1.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.values: list[float] = list(values or [])
        self.labels: list[str] = list(labels or [f"L{i}" for i in range(len(self.values))])
        self.title = title
        self.scale = scale
        self._digits = ""
        self._digit_time = 0.0

    def set_data(
        self, values: list[float], labels: list[str] | None = None, title: str = ""
    ) -> None:
        self.values = list(values)
        self.labels = list(labels or [f"L{i}" for i in range(len(values))])
        self.title = title or self.title
        if self.values:
            self.selected = min(self.selected, len(self.values) - 1)
        self.refresh(layout=True)

    def validate_selected(self, value: int) -> int:
        if not self.values:
            return 0
        return max(0, min(len(self.values) - 1, value))

    def watch_selected(self, old: int, new: int) -> None:
        self.refresh()
        self.post_message(self.Selected(self, new))

    def action_move(self, step: int) -> None:
        self.selected = self.selected + step

    def action_select(self, index: int) -> None:
        self.selected = index if index >= 0 else len(self.values) - 1

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        now = time.monotonic()
        digits = self._digits + event.character if now - self._digit_time < _DIGIT_WINDOW_S else ""
        if not digits or int(digits) >= len(self.values):
            digits = event.character
        self._digits, self._digit_time = digits, now
        if int(digits) < len(self.values):
            self.selected = int(digits)
        event.stop()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.values) + (1 if self.title else 0)

    def render(self) -> Text:
        width = self.size.width or 40
        label_w = max((len(x) for x in self.labels), default=2)
        bar_w = max(4, width - label_w - 10)
        text = Text(no_wrap=True, overflow="crop")
        if self.title:
            text.append(self.title[:width] + "\n", style="bold")
        for i, value in enumerate(self.values):
            mark = "▶" if i == self.selected else " "
            style = "reverse" if i == self.selected else ""
            text.append(f"{mark}{self.labels[i]:>{label_w}} ", style=style)
            text.append(_bar(value, self.scale, bar_w), style=_bar_style(value))
            number = "  nan" if not math.isfinite(value) else f"{value:+5.2f}"
            text.append(f" {number}", style=style)
            if i < len(self.values) - 1:
                text.append("\n")
        return text


def _bar(value: float, scale: float, width: int) -> str:
    if not math.isfinite(value):
        return "?".ljust(width)
    frac = value / scale if scale else 0.0
    if frac < 0:
        n = min(width, max(1, round(-frac * width)))
        return ("◀" * n).ljust(width)
    n = min(width, round(frac * width))
    bar = "█" * n
    if frac > 1:
        bar = bar[:-1] + "+"
    return bar.ljust(width)


def _bar_style(value: float) -> str:
    if not math.isfinite(value):
        return "dim"
    return "red" if value < 0 else "green"

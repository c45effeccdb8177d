"""Small readers for what a screen shows, used by the app tests."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static


def text_of(app: App, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).visual)


def notifications(app: App) -> list[str]:
    """Titles and messages of the notifications posted so far."""
    return [f"{n.title}: {n.message}" for n in app._notifications]

"""A stand-in app for the SAE screen and small waiting helpers for its Pilot tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from tutor.labs.sae.screen import SAEScreen


class LabApp(App[None]):
    """Just what the lab screen reads from TutorApp, over a plain home screen."""

    def __init__(self, model_dir: Path, screen: SAEScreen, store: object = None) -> None:
        super().__init__()
        self.model_name, self.device, self.store = str(model_dir), "cpu", store
        self._lab = screen

    def on_mount(self) -> None:
        self.push_screen(Screen(id="home"))
        self.push_screen(self._lab)


def store_in(tmp_path: Path) -> object:
    from tutor.progress import ProgressStore

    return ProgressStore(tmp_path / "progress.sqlite3")


async def wait_for(pilot, condition, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "timed out waiting for the screen"
        await pilot.pause(0.05)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()

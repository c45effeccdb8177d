"""Pilot helpers for lab screens: a stand-in host app, and waiting for a lab's run to end
whatever the machine's load.

``workers.wait_for_complete()`` alone can return before a lab's run has even started (the
screen is pushed after the first refresh, and starts its worker in ``on_mount``), which made
snapshots flaky on a busy machine. This waits until a lab screen is showing, its run has
ended (a result, a refused input or an error), and no worker is left.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from tutor.screens.lab_base import LabScreen


class LabHost(App[None]):
    """Just what a lab screen reads from the main app (model, device); shows one screen."""

    def __init__(self, make_screen: Callable[[], LabScreen]) -> None:
        super().__init__()
        self.model_name = "tutor-gpt"
        self.device = "cpu"
        self._make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self._make_screen())


async def settle_lab(pilot, timeout_s: float = 120.0) -> None:
    waited = 0.0
    while True:
        screen = pilot.app.screen
        if isinstance(screen, LabScreen) and not screen.running and screen.generation > 0:
            break
        if waited > timeout_s:
            raise AssertionError(f"no lab finished its run within {timeout_s:.0f} s")
        await pilot.pause(0.05)
        waited += 0.05
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()

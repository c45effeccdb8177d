"""Waiting for a lab screen to finish its run in Pilot tests, whatever the machine's load.

``workers.wait_for_complete()`` alone can return before a lab's run has even started (the
screen is pushed after the first refresh, and starts its worker in ``on_mount``), which made
snapshots flaky on a busy machine. This waits until a lab screen is showing, its run has
ended (a result, a refused input or an error), and no worker is left.
"""

from __future__ import annotations

from tutor.screens.lab_base import LabScreen


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

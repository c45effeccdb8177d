"""The heads lab screen at 80×24, driven with Pilot keys; results served by ``fake_runs``."""

from __future__ import annotations

import pytest
from lab_wait import LabHost, settle_lab
from textual.widgets import Static, TabbedContent

from tutor.labs.heads.panes import PatternGrid
from tutor.labs.heads.screen import HeadsScreen
from tutor.widgets.heatmap import Heatmap

SIZE = (80, 24)


class LabApp(LabHost):
    def __init__(self, preset: str | None = None) -> None:
        super().__init__(lambda: HeadsScreen(preset=preset))


async def settle(pilot) -> None:
    await settle_lab(pilot)
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_patterns_view_moves_the_cursor_and_changes_heads(fake_runs):
    app = LabApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        grid = screen.query_one("#pattern", PatternGrid)
        assert grid.has_focus and grid.view is not None
        assert (grid.view.layer, grid.view.head) in {(7, 0), (7, 3)}
        q, k = grid.cursor
        assert k == grid.view.argmax[q]  # the cursor starts on the query's argmax key
        await pilot.press("up", "left")
        assert grid.cursor == (q - 1, max(0, k - 1))
        await pilot.press("end")
        assert grid.cursor[0] == len(grid.view.tokens) - 1
        rendered = str(grid.render())
        assert "◆" in rendered and "most:" in rendered
        await pilot.press("left_square_bracket", "comma")
        assert (grid.view.layer, grid.view.head) == (6, max(0, screen.result.head - 1))
        assert "L6H" in text(screen, "#status")
        assert len(fake_runs) == 1  # switching heads needs no new run


async def test_long_prompt_scrolls_window(fake_runs):
    app = LabApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one("#pattern", PatternGrid)
        rows, cols = grid.window()
        assert rows < len(grid.view.tokens)  # 41 tokens do not fit: the grid windows them
        await pilot.press("home")
        assert grid.top == 0
        await pilot.press("end")
        assert grid.top == len(grid.view.tokens) - rows
        assert f"{len(grid.view.tokens) - 1:>2} " in str(grid.render())


async def test_scores_view_heatmap_and_kinds(fake_runs):
    app = LabApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("s")
        assert screen.query_one("#views", TabbedContent).active == "tab-scores"
        heat = screen.query_one("#scores", Heatmap)
        assert heat.has_focus and heat.n_rows == 12 and heat.n_cols == 4
        assert "top induction heads" in text(screen, "#scores-side")
        await pilot.press("up")
        assert (screen.sel_layer, screen.sel_head) == (heat.cursor[0], heat.cursor[1])
        await pilot.press("k")
        assert screen.kind == "previous_token"
        assert "L4H2" in text(screen, "#scores-side")


async def test_ablation_view_and_toggle(fake_runs):
    app = LabApp("ablate-induction")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#views", TabbedContent).active == "tab-ablation"
        body = text(screen, "#ablation-text")
        assert "mean-ablated: L7H0, L7H3" in body and "P(Paris)" in body
        await pilot.press("m")  # mean -> resample: a new run with the same heads
        await settle(pilot)
        assert fake_runs[-1].ablation == "resample"
        assert "resample-ablated" in text(screen, "#ablation-text")


async def test_bump_and_qkov_views(fake_runs):
    app = LabApp("bump")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#views", TabbedContent).active == "tab-bump"
        note = text(screen, "#bump-note")
        assert "phase change: onset step 2350, midpoint 2750" in note
        await pilot.press("o")
        assert screen.query_one("#views", TabbedContent).active == "tab-qkov"
        assert "K-composition" in text(screen, "#qkov-text")


@pytest.mark.parametrize(
    ("preset", "keys"),
    [("induction", []), ("induction", ["s"]), ("ablate-induction", []), ("bump", [])],
)
def test_snapshots(snap_compare, fake_runs, preset, keys):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    assert snap_compare(LabApp(preset), run_before=run_before, terminal_size=SIZE)


def test_snapshot_no_color(snap_compare, fake_runs, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(LabApp("break-sink"), run_before=run_before, terminal_size=SIZE)

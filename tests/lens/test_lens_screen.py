"""The lens screen driven with Pilot key presses at 80×24, and its pictures."""

from __future__ import annotations

import types

import pytest
from lens_screen_helpers import LabApp, quick_params, settle
from textual.widgets import Input, Static, TabbedContent

from tutor.labs.lens import compare, experiment
from tutor.labs.lens.screen import LensScreen
from tutor.widgets.heatmap import Heatmap
from tutor.widgets.layer_bars import LayerBars

SIZE = (80, 24)


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.fixture
def frozen_clock(monkeypatch):
    """Timings read 0.0 s, so the pictures do not change from run to run."""
    clock = types.SimpleNamespace(perf_counter=lambda: 0.0)
    monkeypatch.setattr(experiment, "time", clock)
    monkeypatch.setattr(compare, "time", clock)


async def test_lens_view_and_cached_switch():
    app = LabApp("eiffel")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LensScreen) and screen.result is not None
        r = screen.result
        bars = screen.query_one("#lens-bars", LayerBars)
        assert screen.focused is bars
        assert bars.values == r.p_answer and len(bars.values) == 13
        cached = screen.query_one("#cached-bars", LayerBars)
        assert not cached.display
        await pilot.press("end")
        assert "post 11 (recomputed): rank 1" in shown(screen, "#lens-note")
        await pilot.press("c")
        assert cached.display and cached.values == r.cached.p_answer
        await pilot.press("home")
        note = shown(screen, "#lens-note")
        assert "pre 0 (cached)" in note and "PR #1077" in note
        assert cached.selected == 0
        await pilot.press("c")
        assert not cached.display


async def test_grid_view_follows_the_cursor():
    app = LabApp("eiffel")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("g")
        assert screen.query_one("#views", TabbedContent).active == "tab-grid"
        grid = screen.query_one("#grid", Heatmap)
        assert screen.focused is grid
        assert grid.cursor == (12, 5)  # starts on the final point at the last position
        assert grid.grid == screen.result.recomputed.grid_p
        await pilot.press("left", "left", "left")
        assert "at 'Eiffel' (position 2)" in shown(screen, "#grid-note")
        await pilot.press("c")
        assert grid.grid == screen.result.cached.grid_p


async def test_dla_view_shows_the_sum_and_patching():
    app = LabApp("break-indirect", quick_params("break-indirect", patching=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        r = screen.result
        assert screen.query_one("#views", TabbedContent).active == "tab-dla"
        dla = screen.query_one("#dla-bars", LayerBars)
        assert dla.values == [c.value for c in r.dla.components]
        rec = screen.query_one("#rec-bars", LayerBars)
        assert rec.values[2] == pytest.approx(r.patching.last["mlp 0"])
        note = shown(screen, "#dla-note")
        assert f"= {r.dla.sum:+.4f}" in note and f"= {r.dla.final:+.4f}" in note
        await pilot.press("down", "down")
        assert rec.selected == 2
        assert "mlp 0: direct" in shown(screen, "#dla-note")
        assert "at 'Eiffel'" in shown(screen, "#dla-note")


async def test_heads_view_and_form_errors():
    app = LabApp("eiffel")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("h")
        grid = screen.query_one("#heads-dla", Heatmap)
        assert screen.focused is grid and grid.grid == screen.result.dla.heads
        await pilot.press("down", "right")
        assert "L1H1: direct" in shown(screen, "#heads-note")
        assert "no patching run" in screen.query_one("#heads-rec", Heatmap).title
        await pilot.press("f")
        assert screen.focused is screen.query_one("#in-prompt", Input)
        screen.query_one("#in-answer", Input).value = "Zzyzxq"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#in-answer", Input).has_class("-invalid")
        assert "✗ answer:" in shown(screen, "#status")
        screen.query_one("#in-answer", Input).value = "Rome"
        screen.query_one("#in-wrong", Input).value = "Paris"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.result.answer == "Rome" and screen.result.dla.final < 0


async def test_help_lists_the_lab_keys():
    app = LabApp("eiffel")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


def _picture(preset: str, keys: list[str], snap_compare, patching: bool = False) -> bool:
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)

    return snap_compare(
        LabApp(preset, quick_params(preset, patching)), run_before=run_before, terminal_size=SIZE
    )


@pytest.mark.parametrize(
    ("preset", "keys", "patching"),
    [
        ("eiffel", ["end"], False),
        ("break-cached-scale", ["home"], False),
        ("eiffel", ["g"], False),
        ("break-indirect", ["down", "down"], True),
        ("ioi", [], True),
    ],
    ids=["lens", "cached", "grid", "dla", "heads"],
)
def test_snapshots(preset, keys, patching, snap_compare, frozen_clock):
    assert _picture(preset, keys, snap_compare, patching)

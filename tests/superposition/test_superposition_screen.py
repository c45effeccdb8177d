"""The superposition screen driven with Pilot key presses at 80×24, and its pictures."""

from __future__ import annotations

import types

import pytest
from sp_screen_helpers import LabApp, quick_params, settle
from textual.widgets import Input, Static, TabbedContent

from tutor.labs.superposition import experiment, recover
from tutor.labs.superposition.screen import SuperpositionScreen
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
    monkeypatch.setattr(recover, "time", clock)


async def test_views_and_levels():
    app = LabApp("pentagon")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SuperpositionScreen) and screen.result is not None
        r = screen.result
        tabs = screen.query_one("#views", TabbedContent)
        assert tabs.active == "tab-plane"
        plane = shown(screen, "#plane")
        assert "5 of 5 features kept" in plane and "Angles between" in plane
        for digit in "01234":
            assert digit in plane.split("\n", 2)[2]  # every tip labelled on the canvas
        await pilot.press("w")
        assert tabs.active == "tab-wtw"
        grid = screen.query_one("#wtw", Heatmap)
        W = r.levels[r.level].W
        assert grid.grid[0][1] == pytest.approx(W[0][0] * W[0][1] + W[1][0] * W[1][1], abs=0.006)
        await pilot.press("b")
        assert tabs.active == "tab-bars"
        assert screen.query_one("#norm-bars", LayerBars).values == r.norms
        await pilot.press("d")
        assert screen.query_one("#dim-bars", LayerBars).values == r.dimensionality
        await pilot.press("g")
        assert "press F" in shown(screen, "#phase")
        await pilot.press("s")
        assert "press S" in shown(screen, "#sae")
        # [ steps to the next denser level without retraining; the form follows.
        level = screen.level
        await pilot.press("left_square_bracket")
        assert screen.level == level - 1
        dense = r.levels[level - 1]
        assert screen.query_one("#in-sparsity", Input).value == f"{dense.sparsity:g}"
        assert screen.query_one("#dim-bars", LayerBars).values == dense.dimensionality
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.level == level + 1
        assert screen.result is r  # no new run


async def test_form_retrains_and_flags_bad_input():
    app = LabApp("pentagon")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("f")
        n_box = screen.query_one("#in-n", Input)
        assert screen.focused is n_box
        n_box.value = "3"
        screen.query_one("#in-m", Input).value = "5"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#in-m", Input).has_class("-invalid")
        assert "m ≤ n" in shown(screen, "#status")
        assert screen.result.n == 5  # the last result stays
        screen.query_one("#in-m", Input).value = "2"
        n_box.value = "4"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.result.n == 4 and len(screen.result.norms) == 4


async def test_phase_and_sae_keys_add_steps():
    app = LabApp("pentagon")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.params = screen.params.model_copy(update={"sae_contrast": False})
        await pilot.press("S")
        await settle(pilot)
        assert screen.query_one("#views", TabbedContent).active == "tab-sae"
        assert screen.result.sae is not None
        assert "recovered" in shown(screen, "#sae")
        await pilot.press("F")
        await settle(pilot)
        assert screen.result.phase is not None
        assert "◆" in shown(screen, "#phase") or "█" in shown(screen, "#phase")


async def test_help_lists_the_lab_keys():
    app = LabApp("pentagon")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


def _picture(preset: str, keys: list[str], snap_compare) -> bool:
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)

    return snap_compare(
        LabApp(preset, quick_params(preset)), run_before=run_before, terminal_size=SIZE
    )


@pytest.mark.parametrize(
    ("preset", "keys"),
    [
        ("pentagon", []),
        ("pentagon", ["w"]),
        ("importance-sweep", ["b"]),
        ("pentagon", ["d"]),
        ("phase-diagram", []),
        ("sae-recover", []),
    ],
    ids=["plane", "wtw", "bars", "dims", "phase", "sae"],
)
def test_snapshots(preset, keys, snap_compare, frozen_clock):
    assert _picture(preset, keys, snap_compare)

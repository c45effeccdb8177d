"""The probing lab screen at 80×24: Pilot key presses on a real run, and pictures of each view
(drawn from a result computed once, so they do not depend on timing)."""

from __future__ import annotations

from typing import Any

import pytest
from lab_wait import LabHost
from textual.widgets import Static, TabbedContent

from tutor.labs.probing.screen import ProbingScreen
from tutor.widgets.layer_bars import LayerBars

SIZE = (80, 24)


class LabApp(LabHost):
    def __init__(self, preset: str | None = None) -> None:
        super().__init__(lambda: ProbingScreen(preset=preset))


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_real_run_fills_every_view(tutor_gpt):
    app = LabApp("break-unused")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProbingScreen)
        result = screen.last_result
        assert result is not None and result.property == "article"
        bars = screen.query_one("#bars", LayerBars)
        assert bars.has_focus and bars.values == [s.accuracy for s in result.layers]
        assert bars.selected == result.best_layer
        assert "causal: ✗ not used" in text(screen, "#status")
        await pilot.press("home", "right", "right")
        assert text(screen, "#layer-text").startswith("Layer 2 (resid_pre)")
        assert f"{result.layers[2].accuracy:6.1%}" in text(screen, "#layer-text")
        await pilot.press("c")
        assert screen.query_one("#views", TabbedContent).active == "tab-causal"
        assert "probe directions removed" in text(screen, "#causal-text")
        await pilot.press("t")
        assert "ctrl-tr" in text(screen, "#table-text")
        await pilot.press("d")
        assert "Held-out subjects" in text(screen, "#data-text")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Keys" in type(app.screen).__name__ or app.screen is not screen
        await pilot.press("escape")


async def test_switching_the_probe_reruns_with_an_mlp(tutor_gpt, monkeypatch):
    started: list[Any] = []
    monkeypatch.setattr(ProbingScreen, "start_run", lambda self, params: started.append(params))
    app = LabApp("category")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.press("s")
        assert [(p.property, p.probe, p.site) for p in started] == [
            ("category", "linear", "resid_pre"),
            ("category", "mlp", "resid_pre"),
            ("category", "mlp", "attn_out"),
        ]
        assert "probe mlp (p)  site attn_out (s)" in text(app.screen, "#choice")


@pytest.fixture
def frozen_result(preset_result, monkeypatch):
    """Screens show the precomputed country result instead of running the model."""
    result = preset_result("country")

    def start_run(self, params: Any) -> None:
        self.last_params, self.last_result = params, result
        self.run_finished()
        self.show_result(params, result)

    monkeypatch.setattr(ProbingScreen, "start_run", start_run)
    return result


@pytest.mark.parametrize(
    "keys", [[], ["t"], ["c"], ["d"]], ids=["layers", "table", "causal", "data"]
)
def test_view_snapshots(snap_compare, frozen_result, keys):
    assert snap_compare(LabApp(), press=keys, terminal_size=SIZE)

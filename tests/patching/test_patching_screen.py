"""The patching lab driven with Pilot key presses at 80×24, on the tiny random model."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static, TabbedContent

from tutor.labs.patching.engine import Experiment, NoiseCorruption, prepare, run_sweep
from tutor.labs.patching.screen import PatchingScreen
from tutor.progress import ProgressStore
from tutor.widgets.layer_bars import LayerBars

SIZE = (80, 24)


class LabApp(App[None]):
    """A stand-in for the main app: just the attributes a lab screen reads."""

    def __init__(self, model_name: str, store: ProgressStore, preset: str | None = None) -> None:
        super().__init__()
        self.model_name = model_name
        self.device = "cpu"
        self.store = store
        self._preset = preset

    def on_mount(self) -> None:
        self.push_screen(PatchingScreen(preset=self._preset))


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.sqlite3")


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_layer_bars_pick_a_layer_and_inspect_it(tiny4_dir, tiny4_model, store):
    app = LabApp(str(tiny4_dir), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatchingScreen) and screen.result is not None
        bars = screen.query_one("#bars", LayerBars)
        assert len(bars.values) == 4
        await pilot.press("b", "right", "right")
        assert bars.selected == 2 and screen.picked_layer == 2
        inspect = text(screen, "#inspect-text")
        assert inspect.startswith("Layer 2, patched at 'in' (position 5)")
        # The panel's numbers are the engine's, computed independently here.
        prep = prepare(tiny4_model, Experiment(corruption=NoiseCorruption(samples=10)))
        expected = run_sweep(prep, "resid", positions=[5])
        assert f"patched {expected.patched_prob[2][0]:.3f}" in inspect
        assert f"clean {expected.clean_prob:.3f}" in inspect
        assert "Top 5 after the patch:" in inspect
        await pilot.press("3")
        assert screen.picked_layer == 3 and "Layer 3," in text(screen, "#inspect-text")
        await pilot.press("left")
        assert screen.picked_layer == 2


async def test_views_switch_by_key(tiny4_dir, store):
    app = LabApp(str(tiny4_dir), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        tabs = screen.query_one("#views", TabbedContent)
        await pilot.press("b")
        for key, tab in [("g", "tab-grid"), ("m", "tab-am"), ("h", "tab-heads")]:
            await pilot.press(key)
            assert tabs.active == tab
        assert "L0H0: recovery" in text(screen, "#heads-note")
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("down", "left")
        assert (screen.picked_layer, screen.picked_column) == (1, 4)  # from the last token
        await pilot.press("a")
        assert "attribution vs exact: correlation" in text(screen, "#grid-note")


async def test_pipeline_steps_through_three_runs(tiny4_dir, store):
    app = LabApp(str(tiny4_dir), store, preset="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#views", TabbedContent).active == "tab-pipeline"
        assert "1. Clean run" in text(screen, "#pipeline-text")
        assert "2. Corrupted run" not in text(screen, "#pipeline-text")
        await pilot.press("n")
        assert "2. Corrupted run: noise 3× on the subject" in text(screen, "#pipeline-text")
        await pilot.press("n")
        assert "3. Patched run" in text(screen, "#pipeline-text")
        await pilot.press("N")
        assert "3. Patched run" not in text(screen, "#pipeline-text")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("prompt", "The Zorblax Tower is in", "'Zorblax' not in the model's vocabulary"),
        ("corrupt", "The Colosseum is in", "must have the same number of tokens"),
        ("answer", "San Francisco", "not one"),
        ("noise", "lots", "not a finite, non-negative number"),
    ],
)
async def test_bad_input_gets_an_inline_message_and_keeps_results(
    tiny4_dir, store, field, value, message
):
    app = LabApp(str(tiny4_dir), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        before = screen.result
        bars_before = list(screen.query_one("#bars", LayerBars).values)
        widget = screen.query_one(f"#{field}", Input)
        widget.focus()
        widget.value = value
        await pilot.press("enter")
        await settle(pilot)
        assert message in text(screen, "#form-error")
        assert text(screen, "#form-error").startswith(f"✗ {field}:")
        assert widget.has_class("-invalid")
        assert screen.result is before
        assert screen.query_one("#bars", LayerBars).values == bars_before
        # Fixing the field clears the message.
        widget.value = {"prompt": "The Eiffel Tower is in", "corrupt": "", "answer": "Paris"}.get(
            field, "3"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert text(screen, "#form-error") == ""
        assert not widget.has_class("-invalid")


async def test_a_model_that_fails_to_load_leaves_the_screen_working(tmp_path, store):
    app = LabApp(str(tmp_path / "no-such-model"), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatchingScreen)
        assert "The model could not be loaded" in text(screen, "#lab-error")
        assert "no such model directory" in text(screen, "#lab-error")
        await pilot.press("g", "p", "n")  # views still respond, nothing crashes
        assert screen.query_one("#views", TabbedContent).active == "tab-pipeline"


async def test_results_are_cached_per_experiment(tiny4_dir, store):
    app = LabApp(str(tiny4_dir), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        first = screen.result
        screen.query_one("#prompt", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.result is first and "from cache" in text(screen, "#status")


async def test_save_export_and_reopen_a_run(tiny4_dir, store, _isolated_home):
    app = LabApp(str(tiny4_dir), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("b", "ctrl+s")
        runs = store.list_runs("patching")
        assert len(runs) == 1 and runs[0].title.startswith("The Eiffel Tower is in → Paris")
        assert runs[0].result["resid"]["recovery"] == [
            [None if v != v else v for v in row] for row in screen.result.resid.recovery
        ]
        assert runs[0].params["noise"] == 3.0 and runs[0].params["seed"] == 0
        await pilot.press("x")
        exported = sorted((_isolated_home / "exports").iterdir())
        assert [p.suffix for p in exported] == [".csv", ".json"]
        assert exported[0].read_text().startswith("layer,position,label,prob,recovery")
        await pilot.press("r")
        await pilot.pause()
        options = screen.query_one("#runs-list", OptionList)
        assert options.option_count == 1
        old = screen.result
        await pilot.press("enter")
        await pilot.pause()
        assert screen.result is not old
        assert screen.result.resid.recovery == old.resid.recovery
        assert "saved run #1" in text(screen, "#status")


async def test_break_it_presets_explain_and_behave(tiny4_dir, store):
    app = LabApp(str(tiny4_dir), store, preset="break-all-layers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "(e: more)" in text(screen, "#explain")  # folded to one line at 80×24
        await pilot.press("e")
        assert "localises nothing" in text(screen, "#explain")
        assert "Patch every layer at every position at once: recovery 1.00" in text(
            screen, "#inspect-text"
        )
        screen.load_preset("break-wrong-position")
        await settle(pilot)
        assert screen.picked_column == 1
        bars = screen.query_one("#bars", LayerBars).values
        assert max(abs(v) for v in bars) < 1e-4  # 'The' never sees the noised subject
        assert "patch the word 'The'" in text(screen, "#explain")


def test_every_contract_preset_builds_and_unknown_ones_are_named():
    from tutor.labs.registry import screen_class

    def make_lab_screen(lab_id, preset=None):
        return screen_class(lab_id)(preset=preset)

    for preset in [
        "eiffel",
        "counterfactual",
        "attn-mlp",
        "heads",
        "pipeline",
        "break-low-noise",
        "break-wrong-position",
        "break-all-layers",
    ]:
        assert make_lab_screen("patching", preset).preset.id == preset
    with pytest.raises(ValueError, match="known: eiffel, counterfactual"):
        make_lab_screen("patching", "nope")


def test_the_screen_module_does_not_import_torch():
    code = "import sys, tutor.labs.patching.screen; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

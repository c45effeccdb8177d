"""The SAE screen driven with Pilot: train, cancel, open a feature, steer, reload a saved SAE."""

from __future__ import annotations

from pathlib import Path

import pytest
from sae_screen_helpers import LabApp, store_in, wait_for
from textual.widgets import Input, OptionList, Static

from tutor.labs.sae.screen import SAEScreen

TINY = {"tokens": 3000, "eval_tokens": 400, "index_tokens": 3000, "batch_size": 1024}


def _tiny_screen(preset: str | None = None) -> SAEScreen:
    from tutor.labs.sae.experiment import params_for_preset

    return SAEScreen(preset, params_for_preset(preset).model_copy(update=TINY))


async def _set(pilot, widget_id: str, value: str) -> None:
    pilot.app.screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.pause()


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="golden-gate"):
        SAEScreen("nope")


async def test_train_open_feature_and_steer(tiny_model_dir: Path, tmp_path: Path) -> None:
    store = store_in(tmp_path)
    screen = _tiny_screen("golden-gate")
    assert screen.params.search == "Gate"
    app = LabApp(tiny_model_dir, screen, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _set(pilot, "steps", "30")
        await _set(pilot, "expansion", "2")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.index is not None and not screen.running)
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#train-status", Static).render())
        assert "L0" in status and "CE-loss recovered" in status
        # The run went to the store through the contract, with the engine's numbers.
        runs = store.list_runs("sae")
        assert len(runs) == 1
        assert runs[0].result["l0"] == pytest.approx(screen.result.l0)
        assert runs[0].params["expansion"] == 2 and runs[0].params["steps"] == 30
        # The preset's search runs by itself and opens the best match.
        features = screen.query_one("#feature-list", OptionList)
        assert features.option_count > 0
        assert screen.feature is not None
        best = screen.index.search(screen.params.search, 1)[0].feature
        assert screen.feature == best == screen.result.best_feature
        # Open another feature with the keyboard.
        features.focus()
        await pilot.press("down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        chosen = int(features.get_option_at_index(features.highlighted).id)
        assert screen.feature == chosen
        text = str(screen.query_one("#dash", Static).render())
        assert f"Feature {chosen}" in text and "Top contexts" in text
        # Steer: with and without, side by side.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen.last_steer is not None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = screen.last_steer
        assert result.feature == chosen and result.prompt == "The Eiffel Tower is in"
        multiple = screen.preset.steer_multiple  # golden-gate clamps to 8× the max
        assert multiple == 8.0
        assert result.clamp_value == pytest.approx(
            multiple * float(screen.index.max_activation[chosen])
        )
        from tutor.labs.sae.steering import greedy_generate
        from tutor.model.loader import get_model

        model = get_model(app.model_name, "cpu")
        assert result.baseline == greedy_generate(model, result.prompt, 12)
        assert result.baseline in str(screen.query_one("#steer-without", Static).render())
        assert screen.query_one("#sae-tabs").active == "tab-steer"  # ctrl+g shows its result
        # Reload the saved SAE from the Runs tab: its features open again.
        await pilot.press("ctrl+n", "ctrl+n")
        assert screen.query_one("#sae-tabs").active == "tab-runs"
        trained = screen.sae
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.sae is not trained)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.sae.d_sae == trained.d_sae
        assert (screen.sae.W_dec - trained.W_dec).abs().max() < 1e-6
        assert screen.query_one("#sae-tabs").active == "tab-features"
        assert screen.error is None


async def test_cancel_stops_training_and_saves_nothing(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    from tutor.labs.sae.pipeline import list_saved

    store = store_in(tmp_path)
    screen = _tiny_screen()
    app = LabApp(tiny_model_dir, screen, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _set(pilot, "steps", "100000")
        await _set(pilot, "expansion", "2")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: len(screen.history) > 0)
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: not screen.running)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cancelled" in str(screen.query_one("#train-status", Static).render()).lower()
        assert screen.history[-1].step < 100000
        assert store.list_runs("sae") == []
        assert list_saved() == []


async def test_bad_control_value_is_reported_and_nothing_starts(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    screen = _tiny_screen()
    app = LabApp(tiny_model_dir, screen, store_in(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await _set(pilot, "layer", "7")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: not screen.running)
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#train-status", Static).render())
        assert "layer: 7" in status and "0..1" in status


async def test_ctrl_o_unfolds_the_whole_preset_explanation(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    screen = _tiny_screen("golden-gate")
    app = LabApp(tiny_model_dir, screen, store_in(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        explain = screen.query_one("#sae-explain")
        folded = explain.region.height
        assert folded == 3  # a long explanation is folded to three lines
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert explain.region.height > folded
        assert "far larger" in str(explain.render())  # the last sentence is there to show
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert explain.region.height == folded

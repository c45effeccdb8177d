"""The SAE lab's one shape: the screen and `mitutor run sae` give the same result for every
preset; the error boundary, leaving during training, focus, keys and field widths at 80×24."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sae_screen_helpers import LabApp, settle, store_in, wait_for
from textual.widgets import Input, Static

from tutor.cli import main
from tutor.labs.sae import experiment
from tutor.labs.sae.params import Params
from tutor.labs.sae.presets import PRESETS
from tutor.labs.sae.screen import SAEScreen
from tutor.screens.lab_base import ConfirmScreen

SIZE = (80, 24)
QUICK = ["--steps", "20", "--tokens", "4096", "--batch-size", "256"]
QUICK += ["--eval-tokens", "512", "--index-tokens", "4096"]


def _untimed(data):
    """The result without wall-clock seconds and the saved folder's (timestamped) name."""
    if isinstance(data, dict):
        return {k: _untimed(v) for k, v in data.items() if k not in ("seconds", "path")}
    if isinstance(data, list):
        return [_untimed(v) for v in data]
    return data


def _strict(text: str) -> dict:
    def refuse(token: str) -> None:
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("preset", list(PRESETS))
async def test_cli_and_screen_give_the_same_result(preset, tiny_model_dir, tmp_path, capsys):
    capsys.readouterr()
    argv = ["run", "sae", "--preset", preset, *QUICK, "--json"]
    assert main([*argv, "--model", str(tiny_model_dir), "--device", "cpu"]) == 0
    cli = _strict(capsys.readouterr().out)
    assert cli["lab"] == "sae" and cli["preset"] == preset
    params = Params(**cli["params"])
    assert params.search == PRESETS[preset].search
    assert Path(cli["result"]["path"], "cfg.json").is_file()

    screen = SAEScreen(preset, params=params)
    app = LabApp(tiny_model_dir, screen, store_in(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.result is not None)
        await settle(pilot)
        assert screen.last_params == params  # the form rebuilt exactly the CLI's parameters
        shown = _strict(json.dumps(screen.result.model_dump(mode="json"), allow_nan=False))
        assert _untimed(shown) == _untimed(cli["result"])
        if preset == "golden-gate":  # the search's best feature is the one on screen
            assert screen.feature == cli["result"]["best_feature"] is not None
        status = str(screen.query_one("#train-status", Static).render())
        assert f"L0 {cli['result']['l0']:.1f}" in status


async def test_a_failing_training_shows_the_error_panel_and_esc_goes_home(
    tiny_model_dir, monkeypatch
):
    from tutor.labs.sae import training

    def broken(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(training, "train_sae", broken)
    params = experiment.params_for_preset("default").model_copy(update={"tokens": 4096})
    screen = SAEScreen(params=params)
    app = LabApp(tiny_model_dir, screen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.error is not None)
        text = str(screen.query_one("#lab-error", Static).render())
        assert "RuntimeError: injected failure" in text and "Full traceback:" in text
        log = Path(text.split("Full traceback: ")[1].split()[0])
        assert "injected failure" in log.read_text()
        assert not screen.running and not screen.query_one("#train").disabled
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "home" and app.is_running


async def test_a_failing_side_worker_reaches_the_same_panel(tiny_model_dir, monkeypatch):
    from tutor.labs.sae import pipeline

    def broken():
        raise RuntimeError("listing failed")

    monkeypatch.setattr(pipeline, "list_saved", broken)
    screen = SAEScreen()
    app = LabApp(tiny_model_dir, screen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "RuntimeError: listing failed" in str(screen.error)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "home"


async def test_esc_while_training_asks_and_cancels_when_confirmed(
    tiny_model_dir, tmp_path, _isolated_home
):
    store = store_in(tmp_path)
    params = Params(expansion=2, steps=100_000, tokens=4096, batch_size=256)
    screen = SAEScreen(params=params)
    app = LabApp(tiny_model_dir, screen, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: len(screen.history) > 0)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.running  # still training
        ctx = screen.ctx
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen.id == "home"
        assert ctx is not None and ctx.cancelled
        await app.workers.wait_for_complete()
        assert store.list_runs("sae") == []
        assert not (_isolated_home / "saes").exists() or not any(
            (_isolated_home / "saes").iterdir()
        )


async def test_focus_keys_and_field_widths(tiny_model_dir):
    from tutor.screens.help import HelpScreen, lab_key_rows

    screen = SAEScreen("golden-gate")
    app = LabApp(tiny_model_dir, screen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "train-results"
        before = {w.id: w.value for w in screen.query(Input)}
        await pilot.press("5", "b", "g", "m")  # typed while nothing is focused in the form
        assert {w.id: w.value for w in screen.query(Input)} == before
        rows = lab_key_rows(screen)
        keys = dict(rows)
        assert len(keys) == len(rows)  # each key listed once
        for key in ("ctrl+t", "ctrl+x", "ctrl+g", "ctrl+o", "esc", "enter", "tab"):
            assert any(key in k for k in keys), key
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")  # Train → Runs → Features → Steer
        await pilot.pause()
        assert screen.query_one("#sae-tabs").active == "tab-steer"
        assert app.focused is not None and app.focused.id == "steer-scroll"
        field = screen.query_one("#multiple", Input)
        field.value = "12.75"
        await pilot.pause()
        assert field.region.width >= len("12.75") + 2
        assert "12.75" in str(field.render_line(0).text)
        assert field.region.right <= SIZE[0] and field.region.bottom <= SIZE[1] - 1

"""The lab screen base, through its first user (the patching lab) in the real app at 80×24:
one run at a time, the error boundary, focus, keys, leaving, and `mitutor open`."""

from __future__ import annotations

import json
import threading

import pytest
from textual.widgets import Input, Select, Static

from tutor.cli import main
from tutor.labs import results
from tutor.labs.patching import experiment
from tutor.labs.patching.presets import PRESETS
from tutor.labs.patching.screen import PatchingScreen
from tutor.screens.help import HelpScreen
from tutor.screens.home import HomeScreen
from tutor.screens.lab_base import ConfirmScreen

SIZE = (80, 24)


def strip_timing(data):
    """A result dict without the sweep timings (the only numbers that differ run to run)."""
    if isinstance(data, dict):
        return {k: strip_timing(v) for k, v in data.items() if k != "elapsed_ms"}
    if isinstance(data, list):
        return [strip_timing(v) for v in data]
    return data


def cli_result(model: str, *args: str, capsys) -> dict:
    capsys.readouterr()
    assert main(["run", "patching", *args, "--json", "--model", model, "--device", "cpu"]) == 0
    results.forget()  # the screen must compute its own numbers, not show these again
    return json.loads(capsys.readouterr().out)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel(app) -> str:
    return str(app.screen.query_one("#lab-error", Static).render())


async def test_esc_then_enter_again_and_enter_twice_give_the_cli_numbers(
    make_app, tiny4_dir, capsys
):
    want = strip_timing(cli_result(str(tiny4_dir), capsys=capsys)["result"])
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await pilot.pause(0.05)
        await pilot.press("escape")  # within 0.2 s of opening, while the run is going
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("tab", "enter")  # the labs list, first lab: patching again
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PatchingScreen)
        screen.query_one("#prompt", Input).focus()
        await pilot.press("enter", "enter")  # twice while loading
        await settle(pilot)
        assert screen.error is None
        assert strip_timing(screen.result.to_saved()) == want
        assert results.kept() == 1
        assert results.lookup("patching", screen.params, str(tiny4_dir), "cpu") is screen.result


async def test_a_replaced_run_stops_and_never_reaches_the_cache(make_app, tiny4_dir, monkeypatch):
    real_run = experiment.run
    release = threading.Event()
    calls: list[str] = []

    def gated_run(params, ctx):
        calls.append(params.prompt)
        if len(calls) == 1:  # the first run waits until it is replaced, then must stop
            while not ctx.cancelled:
                release.wait(0.01)
            ctx.check()
        return real_run(params, ctx)

    monkeypatch.setattr(experiment, "run", gated_run)
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await pilot.pause()
        screen = app.screen
        prompt = screen.query_one("#prompt", Input)
        prompt.focus()
        prompt.value = "The Colosseum is in"
        await pilot.press("enter")
        await settle(pilot)
        assert calls == ["The Eiffel Tower is in", "The Colosseum is in"]
        assert [p.prompt for p in [screen.params]] == ["The Colosseum is in"]
        assert results.kept() == 1  # the replaced Eiffel run was never kept
        assert results.lookup("patching", screen.params, str(tiny4_dir), "cpu") is screen.result


async def test_a_lab_opened_again_shows_the_kept_result_without_running(
    make_app, tiny4_dir, monkeypatch
):
    real_run = experiment.run
    calls: list[str] = []

    def counted_run(params, ctx):
        calls.append(params.prompt)
        return real_run(params, ctx)

    monkeypatch.setattr(experiment, "run", counted_run)
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        first = app.screen.last_result
        assert calls == ["The Eiffel Tower is in"] and first is not None
        await pilot.press("escape")
        app.open_lab("patching")
        await settle(pilot)
        again = app.screen
        assert calls == ["The Eiffel Tower is in"]  # no second run
        assert again.last_result is first and again.result_kept
        assert "from cache" in str(again.query_one("#status", Static).render())
        await pilot.press("escape")
        app.open_lab("patching", "heads")  # another preset: a real run
        await settle(pilot)
        assert len(calls) == 2 and not app.screen.result_kept


async def test_a_lab_that_keeps_nothing_runs_every_time(monkeypatch):
    from tutor.labs.registry import lab
    from tutor.labs.runner import RunContext, run_lab

    assert not lab("sae").reuse_results and lab("patching").reuse_results
    monkeypatch.setattr(
        "tutor.labs.sae.experiment.run", lambda params, ctx: {"trained": params.model_dump()}
    )
    from tutor.labs.sae.experiment import params_for_preset

    run_lab("sae", params_for_preset(None), RunContext(device="cpu"))
    assert results.kept() == 0


async def test_keys_typed_while_loading_do_not_reach_the_form(make_app, tiny4_dir):
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await pilot.pause()
        await pilot.press("right", "5", "b", "g", "i")
        await settle(pilot)
        assert app.screen.query_one("#prompt", Input).value == "The Eiffel Tower is in"
        assert not isinstance(app.focused, Input)


async def test_the_screen_never_auto_focuses_the_form(make_app, tiny4_dir):
    """Textual focuses the screen's AUTO_FOCUS (else the app's, "*") when a screen is shown,
    before on_mount runs: in a real terminal a key typed then replaced the prompt."""
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await pilot.pause()
        screen = app.screen
        screen.set_focus(None)
        screen._update_auto_focus()
        assert not isinstance(app.focused, Input)


async def test_an_exception_in_the_worker_shows_the_panel_and_esc_goes_home(
    make_app, tiny4_dir, monkeypatch, _isolated_home
):
    def broken(params, ctx):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(experiment, "run", broken)
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        text = panel(app)
        assert "RuntimeError: injected failure" in text
        log = _isolated_home / "logs" / "errors.log"
        assert f"Full traceback: {log}" in text
        assert "injected failure" in log.read_text()
        await pilot.press("g")  # the app is alive and the lab still answers keys
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_model_that_cannot_load_shows_the_panel(make_app, tmp_path):
    app = make_app(str(tmp_path / "no-such-model"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        text = panel(app)
        assert "The model could not be loaded" in text and "no such model directory" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_open_starts_in_the_lab_with_the_preset(make_app, mini_dir):
    app = make_app(str(mini_dir), start_lab=("patching", "heads"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatchingScreen) and screen.preset.id == "heads"
        assert screen.query_one("#views").active == "tab-heads"
        assert screen.error is None, screen.error
        assert screen.params == experiment.params_for_preset("heads"), str(
            screen.query_one("#status", Static).render()
        )


async def test_question_mark_lists_this_labs_keys(make_app, tiny4_dir):
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        assert "This lab (Activation patching)" in text
        for key in ("ctrl+s", "Pipeline: next step", "Patch one position later", "0–9"):
            assert key in text
        assert text.count("\n  esc ") == 1


async def test_esc_asks_before_dropping_an_edited_form(make_app, tiny4_dir):
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#noise", Input).value = "2"
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen
        await pilot.press("escape", "y")
        assert isinstance(app.screen, HomeScreen)


async def test_saved_custom_and_edited_states_are_told(make_app, tiny4_dir):
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("patching")
        await settle(pilot)
        screen = app.screen
        status = screen.query_one("#status", Static)
        assert "unsaved" in str(status.render())
        await pilot.press("ctrl+s")
        assert "unsaved" not in str(status.render()) and "saved as run #1" in str(status.render())
        noise = screen.query_one("#noise", Input)
        noise.focus()
        noise.value = "2"
        await pilot.press("enter")
        noise.value = "5"  # changed while the noise-2 run is going
        await settle(pilot)
        assert screen.params.noise == 2.0
        assert screen.query_one("#preset", Select).value == "custom"
        assert str(screen.query_one("#explain", Static).render()).startswith("Custom experiment")
        assert noise.has_class("-edited")
        assert "✎ form edited since" in str(status.render())
        assert "noise 2×" in str(status.render())


@pytest.mark.parametrize("preset", list(PRESETS))
async def test_every_preset_the_screen_computes_what_the_cli_prints(
    make_app, mini_dir, capsys, preset
):
    want = cli_result(str(mini_dir), "--preset", preset, capsys=capsys)
    app = make_app(str(mini_dir), start_lab=("patching", preset))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.params.model_dump() == want["params"]
        assert strip_timing(screen.result.to_saved()) == strip_timing(want["result"])

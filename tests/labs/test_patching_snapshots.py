"""Pictures of every patching view at 80×24 on tutor-gpt's Eiffel Tower result: all twelve
layers must be on screen in Bars, Grid, Attn/MLP and Heads. The experiment runs once per
session; each picture's screen gets that result back from the (patched) experiment."""

from __future__ import annotations

import pytest

from tutor.labs.patching import experiment
from tutor.labs.runner import RunContext


@pytest.fixture(scope="session")
def eiffel_result():
    params = experiment.params_for_preset("eiffel")
    return params, experiment.run(params, RunContext("tutor-gpt", "cpu"))


@pytest.fixture
def snapshot_app(make_app, eiffel_result, monkeypatch):
    params, result = eiffel_result

    def cached_run(p, ctx):
        assert p == params
        return result

    monkeypatch.setattr(experiment, "run", cached_run)
    return make_app("tutor-gpt", start_lab=("patching", "eiffel"))


async def loaded(pilot) -> None:
    """Wait until the lab is open and shows its result (the lab opens after the first
    refresh, so waiting for workers alone can return before its run has started)."""
    from tutor.labs.patching.screen import PatchingScreen

    for _ in range(600):
        screen = pilot.app.screen
        if isinstance(screen, PatchingScreen) and screen.last_result is not None:
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the patching lab did not show its result")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(
    "keys",
    [[], ["g"], ["m"], ["h"], ["p", "n", "n"], ["r"], ["question_mark"]],
    ids=["bars", "grid", "attn-mlp", "heads", "pipeline", "runs", "keys"],
)
def test_patching_view_snapshot(snap_compare, snapshot_app, keys):
    async def run_before(pilot) -> None:
        await loaded(pilot)
        # Bars: select layer 11 so the picture proves the last layer is reachable.
        await pilot.press("1", "1", *keys)
        await pilot.pause()

    assert snap_compare(snapshot_app, run_before=run_before, terminal_size=(80, 24))

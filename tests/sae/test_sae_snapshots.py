"""Pictures of every SAE tab at 80×24 after a golden-gate run on the tiny model: Train
(metrics and curve), Runs (the L0-vs-FVU plot), Features (the search's best feature open)
and Steer (with and without the clamp). The experiment runs once per session with its
timings zeroed; each picture's screen gets that result back from the (patched) experiment,
so only the screen's own drawing is compared."""

from __future__ import annotations

import pytest
from sae_screen_helpers import LabApp, settle, store_in, wait_for

from tutor.labs.runner import RunContext
from tutor.labs.sae import experiment

QUICK = {"steps": 20, "tokens": 4096, "batch_size": 256, "eval_tokens": 512}
QUICK |= {"index_tokens": 4096, "save": False}


@pytest.fixture(scope="session")
def golden_gate(tiny_model_dir, tmp_path_factory):
    params = experiment.params_for_preset("golden-gate").model_copy(update=QUICK)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MITUTOR_HOME", str(tmp_path_factory.mktemp("sae-snap-home")))
        result = experiment.run(params, RunContext(str(tiny_model_dir), "cpu"))
    result.seconds = 0.0
    for point in result.history:
        point.seconds = 0.0
    return params, result


@pytest.fixture
def snapshot_app(golden_gate, tiny_model_dir, tmp_path, monkeypatch):
    from tutor.labs.sae.screen import SAEScreen

    params, result = golden_gate

    def cached_run(p, ctx):
        assert p == params
        for point in result.history:
            ctx.emit(point)
        return result

    monkeypatch.setattr(experiment, "run", cached_run)
    return LabApp(tiny_model_dir, SAEScreen("golden-gate", params=params), store_in(tmp_path))


@pytest.mark.parametrize(
    "tabs", [0, 1, 2, 3], ids=["train", "runs", "features", "steer"]
)  # fmt: skip
def test_sae_tab_snapshot(snap_compare, snapshot_app, tabs):
    async def run_before(pilot) -> None:
        screen = pilot.app.screen
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.result is not None)
        await settle(pilot)
        if tabs == 3:
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: screen.last_steer is not None)
            await settle(pilot)
            return
        for _ in range(tabs):
            await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap_compare(snapshot_app, run_before=run_before, terminal_size=(80, 24))

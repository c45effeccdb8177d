"""Fixtures for the heads lab: tutor-gpt loaded once, the preset results computed once, and a
stand-in ``run_lab`` for screen tests that serves those results without re-running."""

from __future__ import annotations

from typing import Any

import pytest

from tutor.labs.runner import RunContext


@pytest.fixture(scope="session")
def model():
    from tutor.model.loader import get_model

    return get_model("tutor-gpt", "cpu")


@pytest.fixture(scope="session")
def results(model) -> dict[str, Any]:
    """Results keyed by their params' JSON (filled lazily by ``compute``)."""
    return {}


@pytest.fixture(scope="session")
def compute(model, results):
    from tutor.labs.heads import experiment

    def run(params: Any) -> Any:
        key = params.model_dump_json()
        if key not in results:
            results[key] = experiment.run(params, RunContext(device="cpu"))
        return results[key]

    return run


@pytest.fixture(scope="session")
def induction_result(compute):
    from tutor.labs.heads.experiment import params_for_preset

    return compute(params_for_preset("induction"))


@pytest.fixture
def fake_runs(monkeypatch, compute) -> list[Any]:
    """Screens get results from ``compute``; the list records the params they asked for."""
    import tutor.labs.runner as runner

    asked: list[Any] = []

    def fake(lab_id: str, params: Any, ctx: Any = None) -> Any:
        asked.append(params)
        return compute(params)

    monkeypatch.setattr(runner, "run_lab", fake)
    return asked

"""Fixtures for the probing tests: tutor-gpt loaded once, and each preset's run done once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tutor_gpt():
    from tutor.model.loader import get_model

    return get_model("tutor-gpt", "cpu")


@pytest.fixture(scope="session")
def preset_result(tutor_gpt):
    """``preset_result(id)``: the lab's result for a preset on tutor-gpt (computed once)."""
    from tutor.labs.runner import RunContext, params_for_preset, run_lab

    done: dict[str, object] = {}

    def get(preset: str):
        if preset not in done:
            done[preset] = run_lab(
                "probing", params_for_preset("probing", preset), RunContext(device="cpu")
            )
        return done[preset]

    return get

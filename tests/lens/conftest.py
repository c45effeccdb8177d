"""Let the tests here import their helper module; tutor-gpt and one Eiffel run, loaded once."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def model():
    from tutor.model.loader import get_model

    return get_model("tutor-gpt", "cpu")


@pytest.fixture(scope="session")
def eiffel(model):
    """The default preset's result, without the patching comparison."""
    from tutor.labs.lens.experiment import params_for_preset, run
    from tutor.labs.runner import RunContext

    params = params_for_preset("eiffel").model_copy(update={"patching": False})
    return run(params, RunContext(device="cpu"))

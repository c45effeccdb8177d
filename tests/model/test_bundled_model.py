"""The shipped tutor-gpt: it loads offline through TransformerBridge and meets its targets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tutor.paths import BUNDLED_MODEL_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    from tutor.model.loader import load_model
    from tutor.model.report import model_report

    return model_report(load_model("tutor-gpt", "cpu"))


def test_checkpoint_is_small_and_complete() -> None:
    names = {p.name for p in BUNDLED_MODEL_DIR.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "MODEL_CARD.md",
        "training_log.csv",
    } <= names
    total = sum(p.stat().st_size for p in BUNDLED_MODEL_DIR.iterdir())
    assert total < 25 * 1024 * 1024
    config = json.loads((BUNDLED_MODEL_DIR / "config.json").read_text())
    assert config["model_type"] == "gpt2" and config["n_layer"] == 12


TARGETS: dict[str, tuple[str, float]] = {  # issue 3: measure -> (direction, threshold)
    "fact_accuracy": (">=", 0.95),
    "ioi_accuracy": (">=", 0.90),
    "induction_score_max": (">=", 0.6),
    "eiffel.clean_p": (">=", 0.8),
    "eiffel.noised_p": ("<=", 0.2),
}


def _value(measured: dict[str, Any], key: str) -> float:
    head, _, tail = key.partition(".")
    return measured[head][tail] if tail else measured[head]


@pytest.mark.parametrize("key", list(TARGETS))
def test_target(measured: dict[str, Any], key: str) -> None:
    direction, threshold = TARGETS[key]
    value = _value(measured, key)
    assert value >= threshold if direction == ">=" else value <= threshold, (key, value)


def test_induction_shows_in_the_repeat_losses(measured: dict[str, Any]) -> None:
    assert measured["repeat_loss_second_half"] < measured["repeat_loss_first_half"] - 3.0


def test_eiffel_and_colosseum_prompts(measured: dict[str, Any]) -> None:
    assert measured["eiffel"]["str_tokens"] == [
        "<|endoftext|>",
        "The",
        "Eiffel",
        "Tower",
        "is",
        "in",
    ]
    assert measured["eiffel"]["subject_span"] == [2, 4]
    assert measured["colosseum"]["n_tokens"] == len(measured["eiffel"]["str_tokens"])
    assert measured["colosseum"]["top1"] == "Rome"


def test_model_card_records_the_measured_numbers(measured: dict[str, Any]) -> None:
    card = (BUNDLED_MODEL_DIR / "MODEL_CARD.md").read_text()
    for key in ("fact_accuracy", "ioi_accuracy", "induction_score_max"):
        assert f"{measured[key]:.3f}" in card, key
    assert f"{measured['eiffel']['clean_p']:.3f}" in card
    assert f"{measured['eiffel']['noised_p']:.3f}" in card

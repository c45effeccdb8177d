"""Corruptions, metrics, attribution and the result object, checked against hand computations."""

from __future__ import annotations

import json
import math

import pytest
import torch

from tutor.labs.patching.corruption import find_subject
from tutor.labs.patching.engine import (
    CounterfactualCorruption,
    Experiment,
    NoiseCorruption,
    PatchingInputError,
    PatchResult,
    patch_everything,
    prepare,
    run_sweep,
    window_layers,
)
from tutor.labs.patching.metrics import normalised_recovery, pearson

EIFFEL = "The Eiffel Tower is in"


def test_counterfactual_of_another_length_names_both_token_lists(tiny_model):
    with pytest.raises(PatchingInputError) as info:
        prepare(
            tiny_model,
            Experiment(EIFFEL, corruption=CounterfactualCorruption("The Colosseum is in")),
        )
    assert info.value.field == "corrupt"
    assert "5 tokens" in str(info.value) and "6 tokens" in str(info.value)
    assert "'Colosseum'" in str(info.value)


@pytest.mark.parametrize(
    ("experiment", "field", "words"),
    [
        (Experiment("The Zorblax Tower is in"), "prompt", "'Zorblax'"),
        (Experiment(EIFFEL, answer="Zorblax"), "answer", "'Zorblax'"),
        (Experiment(EIFFEL, answer="San Francisco"), "answer", "2 tokens"),
        (Experiment(EIFFEL, answer="Paris", wrong="Paris"), "wrong", "same token"),
        (Experiment("   "), "prompt", "empty"),
        (Experiment("is in the city of"), "prompt", "no subject"),
    ],
)
def test_bad_input_names_the_field(tiny_model, experiment, field, words):
    with pytest.raises(PatchingInputError) as info:
        prepare(tiny_model, experiment)
    assert info.value.field == field
    assert words in str(info.value)


def test_noise_touches_only_the_subject_and_is_seeded(tiny_model):
    prep = prepare(tiny_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=4, seed=7)))
    assert prep.subject == (2, 4)  # "Eiffel Tower", BOS counted
    clean = prep.clean_cache["blocks.0.hook_resid_pre"][0]
    corrupted = prep.corrupted_cache["blocks.0.hook_resid_pre"]
    changed = (corrupted - clean).abs().amax(dim=(0, 2)) > 0
    assert changed.tolist() == [False, False, True, True, False, False]
    # 3× the embedding std: the noise's own std is close to that.
    noise = prep.noise[:, 2:4]
    expected = 3.0 * float(tiny_model.W_E.std())
    assert float(noise.std()) == pytest.approx(expected, rel=0.1)
    again = prepare(tiny_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=4, seed=7)))
    assert torch.equal(prep.noise, again.noise)
    other = prepare(tiny_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=4, seed=8)))
    assert not torch.equal(prep.noise, other.noise)


def test_corrupted_value_is_the_mean_over_noise_samples(tiny_model):
    prep = prepare(tiny_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=3)))
    with torch.no_grad(), tiny_model.hooks(fwd_hooks=prep.fwd_hooks()):
        logits = tiny_model(prep.corrupted_tokens)
    probs = logits[:, -1].softmax(-1)[:, prep.answer_id]
    assert prep.corrupted_value == pytest.approx(float(probs.mean()), abs=1e-6)
    assert len({round(float(p), 8) for p in probs}) == 3  # three different draws


def test_recovery_is_normalised_by_hand(tiny_model):
    prep = prepare(
        tiny_model, Experiment(EIFFEL, wrong="Rome", corruption=NoiseCorruption(samples=2))
    )
    result = run_sweep(prep, "resid")
    for layer in range(result.n_layers):
        for col in range(len(result.columns)):
            v = result.values[layer][col]
            expected = (v - result.corrupted) / (result.clean - result.corrupted)
            assert result.recovery[layer][col] == pytest.approx(expected)
    # Before the first layer nothing has mixed across positions: patching the last token's
    # embedding alone cannot undo noise on the subject.
    assert result.recovery[0][-1] == pytest.approx(0.0, abs=1e-5)


def test_patching_everything_restores_the_clean_run(tiny4_model):
    prep = prepare(tiny4_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=2)))
    everything = patch_everything(prep)
    assert everything["recovery"] == pytest.approx(1.0, abs=1e-4)
    assert everything["prob"] == pytest.approx(prep.clean_prob, abs=1e-5)


def test_layer_bar_sweep_is_the_grid_column(tiny4_model):
    prep = prepare(tiny4_model, Experiment(EIFFEL, corruption=NoiseCorruption(samples=2)))
    grid = run_sweep(prep, "resid")
    bars = run_sweep(prep, "resid", positions=[3])
    assert bars.positions == [3]
    assert bars.layer_bars(0) == pytest.approx(grid.layer_bars(3), abs=1e-5)
    assert bars.top_tokens[0][0][0][1] >= bars.top_tokens[0][0][-1][1]  # sorted top-5


def test_window_layers_is_centred_and_clipped():
    assert window_layers(5, 1, 12) == (5,)
    assert window_layers(5, 3, 12) == (4, 5, 6)
    assert window_layers(0, 5, 12) == (0, 1, 2)
    assert window_layers(11, 4, 12) == (9, 10, 11)
    with pytest.raises(PatchingInputError):
        window_layers(3, 0, 12)


def test_attribution_is_exact_for_a_tiny_corruption(tiny4_model):
    """First-order estimate: with very small noise it agrees with exact patching."""
    prep = prepare(
        tiny4_model,
        Experiment(EIFFEL, wrong="Rome", corruption=NoiseCorruption(scale=0.01, samples=2)),
    )
    for sweep in ("resid", "heads"):
        result = run_sweep(prep, sweep, attribution=True)
        assert result.attribution_corr is not None and result.attribution_corr > 0.99
        exact = torch.tensor(result.recovery)
        approx = torch.tensor(result.attribution)
        assert torch.allclose(exact, approx, atol=0.05)


def test_attribution_drifts_from_exact_for_heavy_noise(tiny4_model):
    prep = prepare(
        tiny4_model,
        Experiment(EIFFEL, wrong="Rome", corruption=NoiseCorruption(scale=3.0, samples=2)),
    )
    result = run_sweep(prep, "resid", attribution=True)
    exact = torch.tensor(result.recovery)
    approx = torch.tensor(result.attribution)
    assert not torch.allclose(exact, approx, atol=0.05)


def test_metric_helpers():
    assert normalised_recovery(2.0, clean=3.0, corrupted=1.0) == 0.5
    assert math.isnan(normalised_recovery(1.0, clean=1.0, corrupted=1.0))
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))


def test_find_subject_heuristic_without_the_world_list():
    assert find_subject(["<bos>", "The", "Eiffel", "Tower", "is", "in"]) == (2, 4)
    assert find_subject(["<bos>", "Big", "Ben", "is", "in"]) == (1, 3)
    assert find_subject(["<bos>", "is", "in"]) is None


def test_result_json_has_the_contract_keys_and_round_trips(tiny_model):
    prep = prepare(
        tiny_model, Experiment(EIFFEL, wrong="Rome", corruption=NoiseCorruption(samples=2))
    )
    result = run_sweep(prep, "attn", attribution=True)
    data = json.loads(json.dumps(result.to_dict()))
    for key in (
        "tokens",
        "sweep",
        "metric",
        "clean",
        "corrupted",
        "values",
        "recovery",
        "elapsed_ms",
    ):
        assert key in data
    assert data["tokens"] == ["<|endoftext|>", "The", "Eiffel", "Tower", "is", "in"]
    assert data["sweep"] == "attn" and data["metric"] == "logit_diff"
    assert len(data["values"]) == 2 and len(data["values"][0]) == 6  # layer-major
    back = PatchResult.from_dict(data)
    assert back.values == result.values and back.top_tokens == result.top_tokens
    lines = result.to_csv().splitlines()
    assert lines[0] == "layer,position,label,logit_diff,recovery,attribution_recovery"
    assert len(lines) == 1 + 2 * 6
    assert lines[3].split(",")[:3] == ["0", "2", "Eiffel"]

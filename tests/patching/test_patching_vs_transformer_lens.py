"""Our batched, resumed sweeps give the numbers TransformerLens's own patching module gives."""

from __future__ import annotations

import pytest
import torch
from patching_helpers import needs_tutor_gpt
from transformer_lens import patching as tlp

from tutor.labs.patching.engine import (
    CounterfactualCorruption,
    Experiment,
    NoiseCorruption,
    prepare,
    run_sweep,
)
from tutor.labs.patching.metrics import metric_values

TL_FUNCTIONS = {
    "resid": tlp.get_act_patch_resid_pre,
    "attn": tlp.get_act_patch_attn_out,
    "mlp": tlp.get_act_patch_mlp_out,
    "heads": tlp.get_act_patch_attn_head_out_all_pos,
}


def transformer_lens_grid(prep, sweep: str) -> torch.Tensor:
    """The reference: TransformerLens's sweep, on the same corrupted run and metric."""
    model = prep.model

    def metric(logits: torch.Tensor) -> torch.Tensor:
        return metric_values(logits, prep.metric, prep.answer_id, prep.wrong_id).mean()

    _, clean_cache = model.run_with_cache(prep.tokens)
    with torch.no_grad(), model.hooks(fwd_hooks=prep.fwd_hooks()):
        return TL_FUNCTIONS[sweep](model, prep.corrupted_tokens, clean_cache, metric)


def assert_matches(prep, sweep: str, strategy: str = "auto") -> None:
    ours = run_sweep(prep, sweep, strategy=strategy)
    ref = transformer_lens_grid(prep, sweep)
    assert torch.tensor(ours.values).shape == ref.shape
    assert torch.allclose(torch.tensor(ours.values), ref.float(), atol=1e-4, rtol=0)
    # Not vacuous: somewhere the patch moved the metric away from the corrupted run.
    assert float((ref - prep.corrupted_value).abs().max()) > 1e-5


COUNTERFACTUAL = Experiment(
    "The Eiffel Tower is in",
    answer="Paris",
    wrong="Rome",
    corruption=CounterfactualCorruption("The Colosseum Tower is in"),
)
NOISE = Experiment(
    "The Eiffel Tower is in",
    answer="Paris",
    corruption=NoiseCorruption(scale=3.0, samples=3, seed=1),
)


@pytest.mark.parametrize("sweep", ["resid", "attn", "mlp", "heads"])
@pytest.mark.parametrize("experiment", [COUNTERFACTUAL, NOISE], ids=["counterfactual", "noise"])
def test_tiny_model_matches_transformer_lens(tiny_model, sweep, experiment):
    prep = prepare(tiny_model, experiment)
    assert_matches(prep, sweep)


def test_fallback_full_forward_also_matches(tiny_model):
    prep = prepare(tiny_model, NOISE)
    assert_matches(prep, "resid", strategy="full")
    assert_matches(prep, "heads", strategy="full")


def test_suffix_runs_are_used_and_match(tiny_model):
    """GPT-2 position sweeps take the suffix path; the resumed full-width path agrees."""
    from tutor.labs.patching.suffix import SuffixModel

    prep = prepare(tiny_model, NOISE)
    assert_matches(prep, "attn", strategy="suffix")
    assert isinstance(prep.suffix_runner, SuffixModel)
    assert_matches(prep, "mlp", strategy="resume")


def test_window_of_layers_equals_hand_patched_run(tiny4_model):
    """ROME's window: patch mlp_out at layers l-1..l+1 together, checked with plain hooks."""
    model = tiny4_model
    prep = prepare(model, COUNTERFACTUAL)
    result = run_sweep(prep, "mlp", window=3)
    _, clean_cache = model.run_with_cache(prep.tokens)
    pos = 3
    for layer in range(4):
        covered = [x for x in (layer - 1, layer, layer + 1) if 0 <= x < 4]

        def patch(act, hook):
            act = act.clone()
            act[:, pos] = clean_cache[hook.name][:, pos]
            return act

        hooks = [(f"blocks.{x}.hook_mlp_out", patch) for x in covered]
        with torch.no_grad():
            logits = model.run_with_hooks(prep.corrupted_tokens, fwd_hooks=hooks)
        expected = float(metric_values(logits, "logit_diff", prep.answer_id, prep.wrong_id)[0])
        assert result.values[layer][pos] == pytest.approx(expected, abs=1e-4)


@needs_tutor_gpt
@pytest.mark.parametrize("sweep", ["resid", "attn", "mlp", "heads"])
def test_tutor_gpt_matches_transformer_lens(tutor_gpt, sweep):
    prep = prepare(
        tutor_gpt,
        Experiment(
            "The Eiffel Tower is in",
            answer="Paris",
            wrong="Rome",
            corruption=CounterfactualCorruption("The Colosseum is in"),
        ),
    )
    assert_matches(prep, sweep)


@needs_tutor_gpt
def test_tutor_gpt_noise_matches_transformer_lens(tutor_gpt):
    prep = prepare(tutor_gpt, Experiment(corruption=NoiseCorruption(samples=2)))
    assert_matches(prep, "resid")


@needs_tutor_gpt
def test_tutor_gpt_eiffel_recovery_pattern(tutor_gpt):
    """The pattern in MODEL_CARD.md: the subject early, the last token only in late layers."""
    prep = prepare(tutor_gpt, Experiment(corruption=NoiseCorruption(samples=10)))
    result = run_sweep(prep, "resid")
    assert result.clean - result.corrupted > 0.5  # noise really breaks the fact
    start, end = prep.subject
    assert (start, end) == (2, 4)
    for layer in range(result.n_layers):
        # Before the noise: no effect (zero up to float rounding of the batched run).
        assert result.recovery[layer][:start] == pytest.approx([0.0] * start, abs=1e-5)
    early_subject = max(result.recovery[layer][p] for layer in range(3) for p in range(start, end))
    assert early_subject > 0.8  # restoring the subject early brings the answer back
    last = result.layer_bars(len(result.tokens) - 1)
    assert max(last[:6]) < 0.1  # the last token alone, early on, cannot
    assert max(last[9:]) > 0.3  # late layers at the last token recover part of it
    assert sum(last[9:]) / 3 > sum(last[:6]) / 6 + 0.25

"""The SAE lab on the bundled tutor-gpt checkpoint."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tutor_gpt():
    from tutor.model.loader import get_model

    return get_model("tutor-gpt", "cpu")


def test_a_small_sae_finds_a_golden_gate_feature_and_steering_changes_the_text(tutor_gpt) -> None:
    from tutor.labs.sae import pipeline
    from tutor.labs.sae.config import TrainConfig
    from tutor.labs.sae.features import FeatureIndex, token_decoder
    from tutor.labs.sae.steering import steer

    cfg = TrainConfig(kind="topk", expansion=8, k=16, steps=150, batch_size=1024, lr=4e-3)
    result, acts = pipeline.train_on_model(tutor_gpt, "tutor-gpt", cfg, n_tokens=20_000)
    assert result.sae.cfg.layer == pipeline.default_layer(tutor_gpt)
    metrics = pipeline.evaluate_on_model(tutor_gpt, result.sae, n_tokens=1_000)
    assert metrics.fvu < 0.5
    assert metrics.ce_loss_recovered is not None and metrics.ce_loss_recovered > 0.5
    index = FeatureIndex(result.sae, acts, token_decoder(tutor_gpt))
    hits = index.search("Gate", 3)
    assert hits, "no feature fires on 'Gate'"
    best = hits[0].feature
    assert any(
        c.tokens[c.index].strip() in ("Bridge", "Gate", "Golden")
        for c in index.top_contexts(best, 5)
    )
    out = steer(
        tutor_gpt,
        result.sae,
        best,
        "The Eiffel Tower is in",
        max_activation=float(index.max_activation[best]),
        multiple=8.0,
    )
    assert out.steered != out.baseline

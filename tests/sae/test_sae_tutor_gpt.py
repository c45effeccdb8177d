"""The SAE lab on the bundled tutor-gpt checkpoint."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tutor_gpt():
    from tutor.model.loader import get_model

    return get_model("tutor-gpt", "cpu")


def test_a_small_sae_finds_a_golden_gate_feature_and_steering_changes_the_text(tutor_gpt) -> None:
    from tutor.labs.runner import RunContext, run_lab
    from tutor.labs.sae.experiment import Params
    from tutor.labs.sae.steering import steer

    params = Params(
        kind="topk", expansion=8, k=16, steps=150, batch_size=1024, lr=4e-3,
        tokens=20_000, eval_tokens=1_000, search="Gate", save=False,
    )  # fmt: skip
    result = run_lab("sae", params, RunContext(device="cpu"))
    assert result.layer == int(tutor_gpt.cfg.n_layers) // 2
    assert result.fvu < 0.5
    assert result.ce_loss_recovered is not None and result.ce_loss_recovered > 0.5
    index = result.index
    hits = index.search("Gate", 3)
    assert hits, "no feature fires on 'Gate'"
    best = hits[0].feature
    assert result.best_feature == best
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

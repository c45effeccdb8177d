"""Steering: the clamp edits exactly one feature's contribution; generation uses it."""

from __future__ import annotations

import pytest
import torch

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.steering import clamp_hook, greedy_generate, steer


def _sae(d: int = 48) -> SparseAutoencoder:
    sae = SparseAutoencoder(
        SAEConfig("relu", d, 4 * d, hook_name="blocks.1.hook_resid_pre", layer=1), seed=3
    )
    with torch.no_grad():
        sae.b_enc.fill_(0.05)
    return sae


def test_clamp_hook_replaces_the_features_contribution_except_at_bos() -> None:
    sae = _sae(8)
    act = torch.randn(2, 5, 8)
    out = clamp_hook(sae, 3, 2.5)(act)
    f = sae.encode(act[:, 1:])[..., 3].detach()
    expected = act[:, 1:] + (2.5 - f).unsqueeze(-1) * sae.W_dec[3].detach()
    torch.testing.assert_close(out[:, 1:], expected)
    torch.testing.assert_close(out[:, 0], act[:, 0])


def test_greedy_generate_matches_argmax_by_hand(tiny_model) -> None:
    text = greedy_generate(tiny_model, "The Eiffel Tower is in", 3)
    tokens = tiny_model.to_tokens("The Eiffel Tower is in")
    new = []
    for _ in range(3):
        nxt = int(tiny_model(tokens)[0, -1].argmax())
        if nxt == tiny_model.tokenizer.eos_token_id:
            break
        new.append(nxt)
        tokens = torch.cat([tokens, torch.tensor([[nxt]])], dim=1)
    assert text == tiny_model.tokenizer.decode(new)


def test_steer_with_a_huge_clamp_changes_the_text(tiny_model) -> None:
    sae = _sae()
    result = steer(
        tiny_model,
        sae,
        5,
        "The Eiffel Tower is in",
        max_activation=1.0,
        multiple=200.0,
        max_new_tokens=5,
    )
    assert result.baseline == greedy_generate(tiny_model, "The Eiffel Tower is in", 5)
    assert result.steered != result.baseline
    assert result.clamp_value == pytest.approx(200.0)
    with pytest.raises(ValueError, match="--feature 999"):
        steer(tiny_model, sae, 999, "x", max_activation=1.0)
    with pytest.raises(ValueError, match="prompt is empty"):
        steer(tiny_model, sae, 1, "  ", max_activation=1.0)

"""Metrics against hand computations, and CE-loss recovered at its two known end points."""

from __future__ import annotations

import math

import pytest
import torch

from tutor.labs.sae import metrics as M
from tutor.labs.sae.activations import collect_activations, corpus_rows
from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder


def _identity_sae(d: int) -> SparseAutoencoder:
    """ReLU(x) − ReLU(−x) = x: an exact identity with 2·d features."""
    sae = SparseAutoencoder(SAEConfig("relu", d, 2 * d), seed=None)
    eye = torch.eye(d)
    with torch.no_grad():
        sae.W_enc.copy_(torch.cat([eye, -eye], dim=1))
        sae.W_dec.copy_(torch.cat([eye, -eye], dim=0))
        sae.b_enc.zero_()
        sae.b_dec.zero_()
    return sae


def test_reconstruction_metrics_match_a_hand_computation() -> None:
    torch.manual_seed(0)
    sae = SparseAutoencoder(SAEConfig("relu", 6, 24), seed=3)
    with torch.no_grad():
        sae.b_enc.fill_(-0.3)
    x = torch.randn(500, 6) * 2 + 1
    m = M.reconstruction_metrics(sae, x, batch=64)  # batching must not change the answer
    f = torch.relu((x - sae.b_dec) @ sae.W_enc + sae.b_enc).detach()
    x_hat = f @ sae.W_dec.detach() + sae.b_dec.detach()
    err = ((x_hat - x) ** 2).sum()
    var = ((x - x.mean(0)) ** 2).sum()
    assert m.l0 == pytest.approx(float((f > 0).sum() / 500), rel=1e-6)
    assert m.mse == pytest.approx(float(err / (500 * 6)), rel=1e-5)
    assert m.fvu == pytest.approx(float(err / var), rel=1e-5)
    assert m.explained_variance == pytest.approx(1 - float(err / var), rel=1e-5)
    density = (f > 0).float().mean(0)
    assert m.dead_fraction == pytest.approx(float((density == 0).float().mean()))
    assert m.dense_fraction == pytest.approx(float((density > 0.1).float().mean()))
    assert sum(m.density_histogram) == int((density > 0).sum())


def test_density_histogram_bins_by_decade() -> None:
    density = torch.tensor([0.0, 5e-7, 2e-3, 0.05, 0.5, 1.0, 1.0])
    # bins: [1e-7,1e-6) [1e-6,1e-5) … [1e-2,0.1) [0.1, 1]; the dead feature is left out
    assert M.density_histogram(density) == [1, 0, 0, 0, 1, 1, 3]


def test_identity_sae_has_zero_fvu_and_full_l0() -> None:
    x = torch.randn(200, 5)
    m = M.reconstruction_metrics(_identity_sae(5), x)
    assert m.fvu == pytest.approx(0.0, abs=1e-10)
    assert m.l0 == pytest.approx(5.0)  # one of each ± pair fires (x ≠ 0 almost surely)


def test_ce_loss_recovered_is_one_for_identity_and_zero_for_zero_ablation(tiny_model) -> None:
    rows = corpus_rows(tiny_model, 300, seed=1, split="eval", seq_len=16)
    hook = "blocks.1.hook_resid_pre"
    d = int(tiny_model.cfg.d_model)
    identity = _identity_sae(d)
    clean, spliced, zeroed = M.ce_losses(tiny_model, rows, identity, hook)
    assert spliced == pytest.approx(clean, abs=1e-4)
    assert M.ce_loss_recovered(clean, spliced, zeroed) == pytest.approx(1.0, abs=1e-3)

    nothing = SparseAutoencoder(SAEConfig("relu", d, d), seed=None)
    with torch.no_grad():
        for p in nothing.parameters():
            p.zero_()
    clean2, spliced2, zeroed2 = M.ce_losses(tiny_model, rows, nothing, hook)
    assert clean2 == pytest.approx(clean)
    assert spliced2 == pytest.approx(zeroed2, abs=1e-5)
    assert M.ce_loss_recovered(clean2, spliced2, zeroed2) == pytest.approx(0.0, abs=1e-3)

    # The clean CE is the model's own loss on these rows (an independent computation).
    assert clean == pytest.approx(float(tiny_model(rows, return_type="loss")), rel=1e-4)


def test_evaluate_combines_both(tiny_model) -> None:
    rows = corpus_rows(tiny_model, 200, seed=1, split="eval", seq_len=16)
    acts = collect_activations(tiny_model, rows, "resid_pre", 1)
    m = M.evaluate(
        _identity_sae(48), acts.acts, model=tiny_model, rows=rows, hook_name=acts.hook_name
    )
    assert m.fvu == pytest.approx(0.0, abs=1e-8)
    assert m.ce_loss_recovered == pytest.approx(1.0, abs=1e-3)


def test_ce_loss_recovered_is_nan_when_ablation_does_nothing() -> None:
    assert math.isnan(M.ce_loss_recovered(2.0, 2.5, 2.0))

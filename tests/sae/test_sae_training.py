"""Training: hand-written gradients, recovery of planted features, invariants, cancel."""

from __future__ import annotations

import pytest
import torch

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.training import TrainConfig, step_gradients, train_sae


@pytest.mark.parametrize("kind", ["relu", "topk"])
def test_step_gradients_match_autograd(kind: str) -> None:
    torch.manual_seed(0)
    sae = SparseAutoencoder(SAEConfig(kind, 12, 48, k=5), seed=1)
    with torch.no_grad():
        sae.b_enc.normal_(0, 0.3)
        sae.b_dec.normal_()
    x = torch.randn(64, 12)
    out = step_gradients(sae, x, l1=0.25)
    f = sae.encode(x)
    loss = (sae.decode(f) - x).pow(2).sum(1).mean()
    if kind == "relu":
        loss = loss + 0.25 * f.sum(1).mean()
    loss.backward()
    assert out.loss == pytest.approx(loss.item(), rel=1e-5)
    for name, grad in out.grads.items():
        torch.testing.assert_close(grad, getattr(sae, name).grad, rtol=1e-4, atol=1e-5)


def _recovered(sae: SparseAutoencoder, directions: torch.Tensor) -> float:
    w = sae.W_dec.detach()
    w = w / w.norm(dim=1, keepdim=True)
    best = (directions @ w.T).max(dim=1).values
    return float((best >= 0.9).float().mean())


@pytest.mark.parametrize(("kind", "l1", "k"), [("relu", 0.4, 4), ("topk", 0.0, 3)])
def test_planted_sparse_features_are_recovered(planted, kind: str, l1: float, k: int) -> None:
    x, directions = planted()
    cfg = TrainConfig(
        kind=kind,
        expansion=4,
        l1_coefficient=l1,
        k=k,
        lr=1e-2,
        batch_size=1024,
        steps=300,
        resample_dead=True,
        dead_window=20_000,
    )
    result = train_sae(x, cfg)
    assert _recovered(result.sae, directions) >= 0.8
    # A real SAE, not a dense code: far fewer active features than the 64 it has.
    assert result.history[-1].l0 < 12
    assert result.history[-1].fvu < 0.3


def test_decoder_rows_stay_unit_norm_and_scale_is_folded(planted) -> None:
    x, _ = planted(n=4000)
    x = x * 7.0  # raw activations far from unit scale
    result = train_sae(x, TrainConfig(expansion=2, steps=30, batch_size=512))
    sae = result.sae
    norms = sae.W_dec.detach().norm(dim=1)
    torch.testing.assert_close(norms, torch.ones_like(norms), rtol=1e-5, atol=1e-5)
    # The folded SAE reads raw x: its reconstruction error is that of the scaled SAE, rescaled.
    s = result.input_scale
    assert s == pytest.approx((x.shape[1] / float(x.pow(2).sum(1).mean())) ** 0.5, rel=0.05)
    unfolded = SparseAutoencoder(sae.cfg, seed=None)
    unfolded.load_state_dict(sae.state_dict())
    with torch.no_grad():
        unfolded.b_enc.mul_(s)
        unfolded.b_dec.mul_(s)
        torch.testing.assert_close(sae.encode(x), unfolded.encode(x * s) / s, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(sae(x), unfolded(x * s) / s, rtol=1e-4, atol=1e-4)


def test_should_stop_cancels_training(planted) -> None:
    x, _ = planted(n=2000)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 5

    result = train_sae(x, TrainConfig(expansion=2, steps=1000, batch_size=256), should_stop=stop)
    assert result.cancelled
    assert len(calls) == 6


def test_progress_reports_every_n_steps_and_the_last(planted) -> None:
    x, _ = planted(n=2000)
    seen = []
    train_sae(
        x,
        TrainConfig(expansion=2, steps=25, batch_size=256),
        on_progress=seen.append,
        progress_every=10,
    )
    assert [p.step for p in seen] == [10, 20, 25]
    assert all(p.steps == 25 for p in seen)


def test_huge_l1_kills_features_and_resampling_reinitialises_them(planted) -> None:
    x, _ = planted(n=8000)
    cfg = TrainConfig(
        expansion=4, l1_coefficient=20.0, lr=0.05, steps=200, batch_size=512, dead_window=2048
    )
    dead = train_sae(x, cfg)
    assert dead.history[-1].dead_fraction > 0.9
    assert dead.history[-1].l0 < 1
    assert dead.history[-1].fvu > 0.95  # reconstruction collapses to the bias
    assert dead.resampled == 0
    resampled = train_sae(x, TrainConfig(**{**cfg.to_dict(), "resample_dead": True}))
    assert resampled.resampled > 0


def test_bad_config_is_rejected_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="kind"):
        TrainConfig(kind="gated")
    with pytest.raises(ValueError, match="expansion"):
        TrainConfig(expansion=0)
    with pytest.raises(ValueError, match="n_tokens"):
        train_sae(torch.zeros(5), TrainConfig())

"""The superposition lab's engine against known results and independent computations."""

from __future__ import annotations

import math

import pytest
import torch

from tutor.labs.runner import LabInputError, RunContext, run_lab
from tutor.labs.superposition import geometry
from tutor.labs.superposition.experiment import params_for_preset, run
from tutor.labs.superposition.params import Params, updated
from tutor.labs.superposition.phase import phase_diagram
from tutor.labs.superposition.recover import grade
from tutor.labs.superposition.toy import forward, sample_features, weighted_loss


class NoModel(RunContext):
    """A context whose model() fails: the lab must never ask for tutor-gpt."""

    def model(self):  # type: ignore[override]
        raise AssertionError("the superposition lab loaded a language model")


def regular_polygon(n: int, radius: float = 1.0) -> torch.Tensor:
    angles = torch.arange(n) * (2 * math.pi / n)
    return torch.stack([angles.cos(), angles.sin()]) * radius


@pytest.fixture(scope="module")
def pentagon():
    return run_lab("superposition", params_for_preset("pentagon"), NoModel())


def test_pentagon_keeps_five_features_72_degrees_apart(pentagon):
    assert pentagon.sparsity >= 0.9 and (pentagon.n, pentagon.m) == (5, 2)
    assert all(v > 0.5 for v in pentagon.norms)
    assert len(pentagon.angle_gaps) == 5
    assert all(abs(g - 72.0) <= 5.0 for g in pentagon.angle_gaps), pentagon.angle_gaps
    # Dᵢ = 2/5 for a regular pentagon, and the JSON W is the m × n matrix of that level.
    assert all(abs(d - 0.4) < 0.03 for d in pentagon.dimensionality)
    assert len(pentagon.W) == 2 and len(pentagon.W[0]) == 5
    assert pentagon.W == pentagon.levels[pentagon.level].W


def test_dense_preset_keeps_exactly_m_features_orthogonal():
    r = run(params_for_preset("dense"), NoModel())
    assert r.sparsity == 0.0
    assert sum(r.represented) == r.m == 5
    assert r.represented[:5] == [True] * 5  # the five most important
    kept = [s for s in r.superposition if s is not None]
    assert max(kept) < 0.01


def test_no_relu_never_superposes_at_any_sparsity():
    r = run(params_for_preset("break-no-relu"), NoModel())
    assert not r.relu
    for level in r.levels:
        assert level.n_represented == r.m, level.sparsity
        assert level.n_superposed == 0
        kept = [s for s in level.superposition if s is not None]
        assert max(kept) < 0.01


def test_relu_superposes_where_the_linear_model_does_not():
    relu = run(params_for_preset("importance-sweep"), NoModel())
    assert relu.levels[relu.level].n_represented > relu.m
    assert relu.levels[relu.level].n_superposed > 0


def test_sae_recovers_the_pentagon_and_breaks_as_described():
    r = run(params_for_preset("sae-recover"), NoModel())
    assert r.sae is not None and r.recovered is not None
    assert r.recovered >= 0.9
    few, high_l1 = r.sae.contrasts
    assert few.latents == 2 and few.recovered is not None and few.recovered <= 0.4
    assert high_l1.alive == 0 and high_l1.recovered == 0.0 and high_l1.fvu > 0.95
    # The cosines are the decoder's, recomputed: each ✓ really is above 0.9.
    for cos, ok in zip(r.sae.main.best_cosine, r.sae.main.recovered_features, strict=True):
        assert ok == (cos is not None and cos > 0.9)


def test_few_latents_preset():
    p = updated(params_for_preset("break-few-latents"), {"sae_contrast": False})
    r = run(p, NoModel())
    assert r.sae is not None and r.sae.main.latents == 2
    assert r.recovered is not None and r.recovered <= 0.4


def test_training_is_seeded_and_repeatable():
    p = Params(steps=200, restarts=2, levels=[0.9])
    a, b = run(p, NoModel()), run(p, NoModel())
    assert a.W == b.W and a.b == b.b
    c = run(p.model_copy(update={"seed": 1}), NoModel())
    assert c.W != a.W


def test_batched_instances_do_not_interact():
    # The summed loss's gradient for instance k equals the gradient of k's own loss alone.
    gen = torch.Generator().manual_seed(0)
    sparsity = torch.tensor([0.0, 0.5, 0.9])
    W = torch.randn(3, 2, 5, generator=gen, requires_grad=True)
    b = torch.randn(3, 5, generator=gen, requires_grad=True)
    x = sample_features(64, sparsity, 5, gen)
    imp = torch.rand(3, 5, generator=gen)
    weighted_loss(W, b, x, imp, True).sum().backward()
    for k in range(3):
        Wk = W[k : k + 1].detach().clone().requires_grad_()
        bk = b[k : k + 1].detach().clone().requires_grad_()
        weighted_loss(Wk, bk, x[k : k + 1], imp[k : k + 1], True).sum().backward()
        assert torch.allclose(W.grad[k], Wk.grad[0], atol=1e-6)
        assert torch.allclose(b.grad[k], bk.grad[0], atol=1e-6)


def test_forward_and_loss_match_a_plain_loop():
    gen = torch.Generator().manual_seed(1)
    W = torch.randn(2, 3, 6, generator=gen)
    b = torch.randn(2, 6, generator=gen)
    x = sample_features(4, torch.tensor([0.3, 0.8]), 6, gen)
    imp = torch.rand(2, 6, generator=gen)
    out = forward(W, b, x)
    loss = weighted_loss(W, b, x, imp, True)
    for i in range(2):
        total = 0.0
        for s in range(4):
            xhat = torch.relu(W[i].T @ (W[i] @ x[i, s]) + b[i])
            assert torch.allclose(out[i, s], xhat, atol=1e-5)
            total += float((imp[i] * (x[i, s] - xhat) ** 2).sum())
        assert loss[i].item() == pytest.approx(total / 4, rel=1e-5)


def test_sparse_features_have_the_right_distribution():
    x = sample_features(20000, torch.tensor([0.0, 0.9]), 10, torch.Generator().manual_seed(2))
    assert (x[0] == 0).float().mean() < 0.001
    assert (x[1] == 0).float().mean().item() == pytest.approx(0.9, abs=0.01)
    present = x[1][x[1] > 0]
    assert present.mean().item() == pytest.approx(0.5, abs=0.02)  # uniform on [0, 1]
    assert present.max() <= 1.0


def test_geometry_closed_forms():
    # Regular pentagon of unit vectors: Σⱼ≠ᵢ cos² = 2cos²72° + 2cos²144° = 1.5, Dᵢ = 1/2.5.
    W = regular_polygon(5)
    assert geometry.superposition(W) == pytest.approx([1.5] * 5, abs=1e-5)
    assert geometry.dimensionality(W) == pytest.approx([0.4] * 5, abs=1e-5)
    assert geometry.angle_gaps(W) == pytest.approx([72.0] * 5, abs=1e-4)
    assert geometry.dims_per_feature(W) == pytest.approx(0.4)
    # An antipodal pair plus a dedicated feature plus a dropped one.
    W = torch.tensor([[1.0, -1.0, 0.0, 0.01], [0.0, 0.0, 1.0, 0.0]])
    assert geometry.represented(W) == [True, True, True, False]
    sup = geometry.superposition(W)
    assert sup[:3] == pytest.approx([1.0, 1.0, 0.0], abs=1e-4) and sup[3] is None
    assert geometry.dimensionality(W)[:3] == pytest.approx([0.5, 0.5, 1.0], abs=1e-3)
    assert sum(geometry.dimensionality(W)) <= 2.0 + 1e-6


def test_grading_uses_live_latents_only():
    W = regular_polygon(5)
    decoder = torch.cat([W.T, -W.T])  # latents 0–4 exact, 5–9 opposite
    alive = torch.tensor([True, True, False, True, True] + [True] * 5)
    best, which, rec, graded = grade(W, decoder, alive)
    assert graded == 5 and rec == [True, True, False, True, True]
    assert which[:2] == [0, 1] and best[2] is not None and best[2] < 0.9


def test_phase_diagram_known_corners():
    s, r, phases, _ = phase_diagram(5, steps=600, batch_size=512, lr=1e-2, seed=0, restarts=4)
    assert s[0] == 0.0 and s[-1] == pytest.approx(0.99)
    assert r[0] == pytest.approx(0.1) and r[-1] == pytest.approx(10.0)
    assert phases[0][0] == "absent"  # dense, extra feature 10× less important
    assert phases[-1][0] == "dedicated"  # dense, extra feature 10× more important
    assert s[2] == pytest.approx(0.9)
    assert phases[2][2] == "superposed"  # equal importance, sparse
    assert all(p == "absent" for p in phases[0][:2])  # the weak feature is never worth it dense


def test_bad_parameters_name_the_field():
    with pytest.raises(LabInputError) as err:
        updated(Params(), {"m": 6})
    assert err.value.field == "m"
    with pytest.raises(LabInputError) as err:
        updated(Params(), {"sparsity": 1.0})
    assert err.value.field == "sparsity"
    with pytest.raises(LabInputError) as err:
        updated(Params(), {"levels": [0.5, 2.0]})
    assert err.value.field == "levels"

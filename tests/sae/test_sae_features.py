"""Feature dashboards and search, on an SAE with a planted token-specific feature."""

from __future__ import annotations

import pytest
import torch

from tutor.labs.sae.activations import ActivationSet
from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.features import FeatureIndex

VOCAB = ["<bos>", "the", "Golden", "Gate", "Bridge", "fog", "Paris", "is", "in"]


def _setup() -> tuple[SparseAutoencoder, ActivationSet]:
    """Feature 0 reads dimension 0; activation there is 2 on 'Bridge' tokens, else 0.

    Feature 1 reads dimension 1, which is 1 on every token (a dense feature).
    """
    g = torch.Generator().manual_seed(0)
    tokens = torch.randint(1, len(VOCAB), (400,), generator=g)
    x = torch.zeros(400, 4)
    bridge = tokens == VOCAB.index("Bridge")
    x[bridge, 0] = 2.0 + torch.rand(int(bridge.sum()), generator=g)
    x[:, 1] = 1.0
    sae = SparseAutoencoder(SAEConfig("relu", 4, 3), seed=None)
    with torch.no_grad():
        sae.W_enc.zero_()
        sae.W_enc[0, 0] = 1.0
        sae.W_enc[1, 1] = 1.0
        sae.W_dec.zero_()
        sae.W_dec[0, 0] = 1.0
        sae.W_dec[1, 1] = 1.0
        sae.W_dec[2, 2] = 1.0
        sae.b_enc.zero_()
        sae.b_dec.zero_()
    positions = (torch.arange(400) % 10) + 1
    acts = ActivationSet(x, tokens, positions, "blocks.0.hook_resid_pre", 0, "resid_pre")
    return sae, acts


def _index(**kw) -> FeatureIndex:
    sae, acts = _setup()
    return FeatureIndex(sae, acts, lambda ids: [VOCAB[i] for i in ids], batch=64, **kw)


def test_density_max_and_dead() -> None:
    index = _index()
    sae, acts = _setup()
    bridge = acts.tokens == VOCAB.index("Bridge")
    assert float(index.density[0]) == pytest.approx(float(bridge.float().mean()))
    assert float(index.density[1]) == 1.0
    assert float(index.density[2]) == 0.0  # dead
    assert float(index.max_activation[0]) == pytest.approx(float(acts.acts[:, 0].max()))
    assert index.by_density() == [1, 0]


def test_dashboard_contexts_label_histogram_and_logit_effects() -> None:
    index = _index()
    sae, acts = _setup()
    W_U = torch.randn(4, len(VOCAB))
    dash = index.dashboard(0, W_U, n_contexts=5)
    assert dash.label == "Bridge"
    assert len(dash.top_contexts) == 5
    values = [c.activation for c in dash.top_contexts]
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(dash.max_activation)
    for c in dash.top_contexts:
        assert c.tokens[c.index] == "Bridge"
        assert "⟦Bridge⟧" in c.marked()
    assert sum(dash.histogram) == int((acts.tokens == VOCAB.index("Bridge")).sum())
    # Direct logit effect = decoder row · W_U, computed independently.
    effect = W_U[0]
    assert dash.promoted[0][0] == VOCAB[int(effect.argmax())]
    assert dash.suppressed[0][0] == VOCAB[int(effect.argmin())]
    assert dash.promoted[0][1] == pytest.approx(float(effect.max()))


def test_search_prefers_the_specific_feature_over_the_dense_one() -> None:
    index = _index()
    hits = index.search("bridge")
    assert [h.feature for h in hits] == [0, 1]
    # Feature 0: all its mass is on Bridge and it fires on every Bridge → score 1.
    # Feature 1 (dense, value 1 everywhere): fires on every Bridge, but only that share of its
    # mass lands there → score = the fraction of tokens that are Bridge.
    assert hits[0].score == pytest.approx(1.0)
    assert hits[1].score == pytest.approx(float(index.density[0]), rel=1e-5)
    assert index.search("nothing-like-this") == []
    with pytest.raises(ValueError, match="features 0..2"):
        index.dashboard(3)


def test_dense_sae_indexes_fewer_tokens(monkeypatch) -> None:
    import tutor.labs.sae.features as F

    monkeypatch.setattr(F, "MAX_NONZEROS", 100)
    index = _index()
    assert index.n_tokens < 400
    assert int(index.rows.max()) < index.n_tokens

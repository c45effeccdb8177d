"""Probes and the nullspace projection on tutor-gpt's real activations, checked against an
independent fit (scikit-learn's LogisticRegression on the same standardised features)."""

from __future__ import annotations

import pytest
import torch

from tutor.labs.probing import datasets
from tutor.labs.probing.activations import collect, tokenize
from tutor.labs.probing.causal import inlp, remove_random
from tutor.labs.probing.probes import DEFAULT_L2, accuracy, fit_linear, fit_mlp, majority_rate

sklearn = pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def country(tutor_gpt):
    data = datasets.build("country", tutor_gpt.to_str_tokens, "final")
    acts = collect(tutor_gpt, tokenize(tutor_gpt, data.prompts), data.examples, "resid_pre")
    y = torch.tensor(data.y(range(len(data.examples))))
    return data, acts, y


def sklearn_accuracy(x_train, y_train, x_test, y_test) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train.numpy())
    # Same objective: mean cross-entropy + l2·‖W‖²  ⇔  C = 1 / (2 · l2 · n).
    clf = LogisticRegression(C=1 / (2 * DEFAULT_L2 * len(y_train)), max_iter=5000, tol=1e-8)
    clf.fit(scaler.transform(x_train.numpy()), y_train.numpy())
    train = clf.score(scaler.transform(x_train.numpy()), y_train.numpy())
    return train, clf.score(scaler.transform(x_test.numpy()), y_test.numpy())


@pytest.mark.parametrize("layer", [2, 6, 9, 11])
def test_linear_probe_matches_scikit_learn(country, layer):
    data, acts, y = country
    train, test = torch.tensor(data.train), torch.tensor(data.test)
    x = acts[layer]
    probe = fit_linear(x[train], y[train], len(data.labels))
    ref_train, ref_test = sklearn_accuracy(x[train], y[train], x[test], y[test])
    assert accuracy(probe, x[test], y[test]) == pytest.approx(ref_test, abs=0.02)
    assert accuracy(probe, x[train], y[train]) == pytest.approx(ref_train, abs=0.02)


def test_nullspace_projection_brings_a_fresh_probe_to_chance(country):
    data, acts, y = country
    train, test = torch.tensor(data.train), torch.tensor(data.test)
    x = acts[11]
    space = inlp(x[train], y[train], x[test], y[test], len(data.labels))
    chance = majority_rate(y[train], y[test])
    assert space.accuracy_history[0] > chance + 0.3  # the property is there before
    # A fresh probe on the projected activations is near chance (this property is spread
    # over many directions: about 100 of 128 go before it gets there).
    assert space.accuracy_history[-1] <= chance + 0.1
    basis = space.basis
    assert torch.allclose(basis.T @ basis, torch.eye(space.rank), atol=1e-4)
    projected = space.project(x)
    # Nothing is left along the removed directions (beyond the mean) …
    assert (projected - space.mean) @ basis == pytest.approx(0.0, abs=1e-3)
    # … so the first probe, applied to projected activations, answers one class for all:
    # accuracy at chance, no better than always naming the test set's commonest class.
    first = fit_linear(x[train], y[train], len(data.labels))
    assert accuracy(first, x[test], y[test]) > chance + 0.3
    assert first.predict(projected[test]).unique().numel() == 1
    top_share = torch.bincount(y[test]).max().item() / len(test)
    assert accuracy(first, projected[test], y[test]) <= top_share
    # Independent check: scikit-learn cannot read it from the projection either.
    _, ref = sklearn_accuracy(projected[train], y[train], projected[test], y[test])
    assert ref <= chance + 0.12


def test_random_removal_takes_away_the_same_norm(country):
    data, acts, y = country
    train = torch.tensor(data.train)
    x = acts[11][train]
    space = inlp(x, y[train], x, y[train], len(data.labels), max_steps=2)
    edited = remove_random(space)(x)
    own = ((x - space.mean) @ space.basis).norm(dim=-1)
    assert (x - edited).norm(dim=-1) == pytest.approx(own.tolist(), rel=1e-3, abs=1e-4)


def test_mlp_memorises_random_labels_that_a_linear_probe_cannot(tutor_gpt):
    data = datasets.build("in-subject", tutor_gpt.to_str_tokens, "subject")
    acts = collect(tutor_gpt, tokenize(tutor_gpt, data.prompts), data.examples, "resid_pre")
    control = datasets.control_labels(data.examples, data.labels)
    y = torch.tensor([data.labels.index(control[ex.word]) for ex in data.examples])
    train = torch.tensor(data.train)
    x = acts[4][train]
    linear = accuracy(fit_linear(x, y[train], 2), x, y[train])
    mlp = accuracy(fit_mlp(x, y[train], 2), x, y[train])
    assert mlp > 0.99 and mlp > linear + 0.03

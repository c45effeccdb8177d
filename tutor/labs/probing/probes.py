"""Probes: multinomial logistic regression (full-batch L-BFGS) and a one-hidden-layer MLP.

Features are standardised with the training set's mean and standard deviation, so one
regularisation strength suits every layer and site (the residual stream's norm grows with
depth). Both probes train in a fraction of a second on a few hundred examples of width 128:
the lab fits one per layer, for the task and for its control task, on every run.

Why torch and not scikit-learn here: torch is already loaded for the model, L-BFGS on this
convex loss converges in tens of iterations, and the same code returns the probe's weights in
activation space for the causal test. The tests compare its accuracies with scikit-learn's
``LogisticRegression`` fitted independently on the same features.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

DEFAULT_L2 = 1e-3  # on the mean cross-entropy, per squared weight of standardised features


@dataclass
class LinearProbe:
    """``logits = ((x - mean) / scale) @ weight + bias``."""

    mean: torch.Tensor  # [d]
    scale: torch.Tensor  # [d]
    weight: torch.Tensor  # [d, K]
    bias: torch.Tensor  # [K]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return ((x - self.mean) / self.scale) @ self.weight + self.bias

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(x).argmax(-1)

    def directions(self) -> torch.Tensor:
        """The directions in activation space the logits read, one column per class [d, K]."""
        return self.weight / self.scale[:, None]


@dataclass
class MLPProbe:
    mean: torch.Tensor
    scale: torch.Tensor
    net: torch.nn.Sequential

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.net((x - self.mean) / self.scale).argmax(-1)


def _standardise(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    mean = x.mean(0)
    scale = x.std(0, unbiased=False).clamp_min(1e-6)
    return mean, scale


def fit_linear(
    x: torch.Tensor, y: torch.Tensor, n_classes: int, l2: float = DEFAULT_L2, max_iter: int = 100
) -> LinearProbe:
    """Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (deterministic)."""
    x = x.float()
    mean, scale = _standardise(x)
    z = (x - mean) / scale
    weight = torch.zeros(x.shape[1], n_classes, requires_grad=True)
    bias = torch.zeros(n_classes, requires_grad=True)
    opt = torch.optim.LBFGS(
        [weight, bias], max_iter=max_iter, line_search_fn="strong_wolfe", tolerance_grad=1e-6
    )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(z @ weight + bias, y) + l2 * weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return LinearProbe(mean, scale, weight.detach(), bias.detach())


def fit_mlp(
    x: torch.Tensor,
    y: torch.Tensor,
    n_classes: int,
    hidden: int = 128,
    steps: int = 150,
    lr: float = 1e-2,
    seed: int = 0,
) -> MLPProbe:
    """A one-hidden-layer ReLU MLP trained full-batch with Adam (no regularisation: it can
    memorise, which is what the control task is there to reveal)."""
    x = x.float()
    mean, scale = _standardise(x)
    z = (x - mean) / scale
    gen = torch.Generator().manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, n_classes)
    )
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * (1.0 / p.shape[-1]) ** 0.5)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    with torch.enable_grad():
        for _ in range(steps):
            opt.zero_grad()
            F.cross_entropy(net(z), y).backward()
            opt.step()
    return MLPProbe(mean, scale, net)


def fit(kind: str, x: torch.Tensor, y: torch.Tensor, n_classes: int) -> LinearProbe | MLPProbe:
    if kind == "linear":
        return fit_linear(x, y, n_classes)
    if kind == "mlp":
        return fit_mlp(x, y, n_classes)
    raise ValueError(f"unknown probe {kind!r} (known: linear, mlp)")


def accuracy(probe: LinearProbe | MLPProbe, x: torch.Tensor, y: torch.Tensor) -> float:
    if len(y) == 0:
        return float("nan")
    with torch.no_grad():
        return (probe.predict(x.float()) == y).float().mean().item()


def majority_rate(y_train: torch.Tensor, y_test: torch.Tensor) -> float:
    """Chance: accuracy of always answering the training set's most common class."""
    if len(y_test) == 0:
        return float("nan")
    most = torch.bincount(y_train).argmax()
    return (y_test == most).float().mean().item()

"""Does the model use what the probe found? Remove the probe's directions and watch the task.

``inlp`` (iterated nullspace projection, Ravfogel et al. 2020) fits a linear probe, adds its
directions to a basis, projects them out and fits again, until a fresh probe on the projected
activations is back at chance. Then, at the probed layer, site and positions, three edits of
the model's forward pass are compared on held-out prompts:

- ``removed``: the activation's component in the probe's subspace is set to its mean
  (``x - B Bᵀ (x - μ)``): the probe can no longer read anything there;
- ``random``: the same amount (the same norm, per position) is taken away along a random
  subspace of the same dimension, to tell "this subspace matters" from "any edit this size
  hurts";
- ``patched``: only the component along the subspace is replaced by another class's mean,
  the rest of the activation kept: if the model reads the property there, the prediction
  should move.

A probe can be accurate while removing its subspace changes nothing: the information is
present but the model does not use it for this prediction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from tutor.labs.probing.probes import accuracy, fit_linear, majority_rate


@dataclass
class Nullspace:
    basis: torch.Tensor  # [d, r], orthonormal columns
    mean: torch.Tensor  # [d], the training activations' mean
    accuracy_history: list[float] = field(default_factory=list)  # fresh probe, after each step
    chance: float = 0.0

    @property
    def rank(self) -> int:
        return int(self.basis.shape[1])

    def project(self, x: torch.Tensor) -> torch.Tensor:
        return x - ((x - self.mean) @ self.basis) @ self.basis.T


def _orth(vectors: torch.Tensor, against: torch.Tensor, tol: float = 1e-6) -> torch.Tensor:
    """Orthonormal columns spanning ``vectors`` with ``against``'s span removed."""
    v = vectors - against @ (against.T @ vectors)
    if v.numel() == 0:
        return v
    u, s, _ = torch.linalg.svd(v, full_matrices=False)
    return u[:, s > tol * max(1.0, float(s.max()))]


def inlp(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    n_classes: int,
    max_steps: int = 40,
    tolerance: float = 0.05,
) -> Nullspace:
    """Project out linear probes' directions until a fresh probe is within ``tolerance`` of
    chance on the test set (or ``max_steps`` or three quarters of the width is reached)."""
    d = x_train.shape[1]
    mean = x_train.mean(0)
    space = Nullspace(torch.zeros(d, 0), mean, chance=majority_rate(y_train, y_test))
    for _ in range(max_steps + 1):
        probe = fit_linear(space.project(x_train), y_train, n_classes)
        acc = accuracy(probe, space.project(x_test), y_test)
        space.accuracy_history.append(acc)
        if acc <= space.chance + tolerance or space.rank >= 3 * d // 4:
            break
        if len(space.accuracy_history) > max_steps:
            break
        directions = probe.directions()
        directions = directions - directions.mean(1, keepdim=True)  # softmax ignores a shift
        new = _orth(directions, space.basis)
        if new.shape[1] == 0:
            break
        space.basis = torch.cat([space.basis, new], dim=1)
    return space


def random_basis(d: int, rank: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(d, max(rank, 1), generator=gen))
    return q[:, :rank]


EditFn = Callable[[torch.Tensor], torch.Tensor]


def remove(space: Nullspace) -> EditFn:
    return space.project


def remove_random(space: Nullspace, seed: int = 0) -> EditFn:
    """Take away, per position, as much norm as ``remove`` would, along a random subspace."""
    other = random_basis(space.mean.shape[0], space.rank, seed)

    def edit(x: torch.Tensor) -> torch.Tensor:
        centred = x - space.mean
        own = (centred @ space.basis).norm(dim=-1, keepdim=True)
        comp = centred @ other
        scale = own / comp.norm(dim=-1, keepdim=True).clamp_min(1e-6)
        return x - (comp * scale) @ other.T

    return edit


def patch_to(space: Nullspace, target_means: torch.Tensor) -> EditFn:
    """Set the component along the subspace to that of ``target_means`` (one row per position
    edited, in the order the positions are edited)."""

    def edit(x: torch.Tensor) -> torch.Tensor:
        return x - ((x - target_means.to(x.dtype)) @ space.basis) @ space.basis.T

    return edit


def make_hook(mask: torch.Tensor, edit: EditFn) -> Callable:
    """A forward hook editing the activations where ``mask`` [batch, pos] is true."""

    def hook(act: torch.Tensor, hook: object = None) -> torch.Tensor:
        m = mask[:, : act.shape[1]].to(act.device)
        out = act.clone()
        out[m] = edit(act[m].float().cpu()).to(act.dtype).to(act.device)
        return out

    return hook

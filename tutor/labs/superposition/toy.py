"""The toy model of Elhage et al. (2022), "Toy Models of Superposition", trained in seconds.

n features are squeezed through m < n hidden dimensions and read back out:

    h = W·x          (W is m × n; column Wᵢ is feature i's direction)
    x̂ = ReLU(Wᵀh + b) = ReLU(WᵀW·x + b)

Each input feature is zero with probability S (the sparsity) and otherwise uniform on [0, 1];
feature i has importance Iᵢ = rⁱ, and the loss is the importance-weighted squared error
Σᵢ Iᵢ·(xᵢ − x̂ᵢ)², averaged over the batch.

Many independent models are trained at once as one batched model: the leading "instance"
dimension of ``W`` [instances, m, n] and ``b`` [instances, n] holds one model per
(sparsity level × restart), or per cell of the phase diagram. The loss is the *sum* over
instances, so each instance's gradient is exactly the gradient of its own loss (they share
nothing but the optimiser's step count). Adam treats every parameter element separately, so
batching changes nothing about any one model's training — it only turns hundreds of tiny
matrix products into a few batched ones, which is what makes the lab fast on a laptop CPU.

A model can land in a local minimum (a feature whose weights died early never comes back),
so each setting is trained from several random starts and the one with the lowest loss on a
fixed evaluation batch is kept; the paper does the same by training many instances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class ToySetup:
    """What one batched training run trains: a row of settings, one per instance."""

    n: int
    m: int
    sparsity: torch.Tensor  # [instances]: probability that a feature is zero
    importance: torch.Tensor  # [instances, n]: per-feature loss weight
    relu: bool = True

    @property
    def instances(self) -> int:
        return int(self.sparsity.shape[0])


@dataclass
class ToyTrained:
    """The kept model of each setting and its loss on the evaluation batch."""

    W: torch.Tensor  # [instances, m, n]
    b: torch.Tensor  # [instances, n]
    eval_loss: torch.Tensor  # [instances]
    restart: list[int]  # which random start won, per setting


def importance_profile(n: int, decay: float) -> torch.Tensor:
    """Iᵢ = decayⁱ for i = 0 … n − 1 (decay 1 gives equal importance)."""
    return decay ** torch.arange(n, dtype=torch.float32)


def sample_features(
    batch: int, sparsity: torch.Tensor, n: int, gen: torch.Generator
) -> torch.Tensor:
    """x [instances, batch, n]: each feature is 0 with probability S, else uniform on [0, 1].

    One uniform draw u per feature does both jobs: the feature is present when u ≥ S, and
    given that, (u − S)/(1 − S) is uniform on [0, 1].
    """
    s = sparsity[:, None, None]
    u = torch.rand(sparsity.shape[0], batch, n, generator=gen)
    return ((u - s) / (1.0 - s).clamp_min(1e-12)).clamp_min_(0.0)


def forward(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, relu: bool = True) -> torch.Tensor:
    """x̂ = ReLU(WᵀW·x + b) for every instance; x [instances, batch, n]."""
    h = torch.bmm(x, W.transpose(1, 2))  # [instances, batch, m]
    out = torch.baddbmm(b[:, None, :], h, W)
    return torch.relu(out) if relu else out


def weighted_loss(
    W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, importance: torch.Tensor, relu: bool
) -> torch.Tensor:
    """Per-instance loss [instances]: mean over the batch of Σᵢ Iᵢ·(xᵢ − x̂ᵢ)²."""
    err = forward(W, b, x, relu) - x
    return (err.pow(2) * importance[:, None, :]).sum(-1).mean(1)


def train_toy(
    setup: ToySetup,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    restarts: int = 1,
    progress: ProgressFn | None = None,
    check: Callable[[], None] | None = None,
    eval_size: int = 8192,
) -> ToyTrained:
    """Train every setting of ``setup`` from ``restarts`` random starts at once; keep the best.

    Seeded and repeatable. ``progress(fraction)`` is called every few dozen steps and
    ``check()`` (which may raise to cancel) with it. The learning rate stays flat, then
    decays linearly to a tenth over the last quarter of the steps so the weights settle.
    The restarts of one setting are compared on the same evaluation batch.
    """
    with one_thread():
        return _train(setup, steps, batch_size, lr, seed, restarts, progress, check, eval_size)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread for the block: these tensors are tiny, and on a busy 2-core
    machine two threads made each step five times slower (1 ms against 5.8 ms measured)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(
    setup: ToySetup,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    restarts: int,
    progress: ProgressFn | None,
    check: Callable[[], None] | None,
    eval_size: int,
) -> ToyTrained:
    gen = torch.Generator().manual_seed(seed)
    settings, m, n = setup.instances, setup.m, setup.n
    inst = settings * restarts
    sparsity = setup.sparsity.repeat_interleave(restarts)
    importance = setup.importance.repeat_interleave(restarts, dim=0)
    # Xavier-normal start, as in the paper: std sqrt(2 / (m + n)).
    W = (torch.randn(inst, m, n, generator=gen) * (2.0 / (m + n)) ** 0.5).requires_grad_()
    b = torch.zeros(inst, n, requires_grad=True)
    opt = torch.optim.Adam([W, b], lr=lr)
    decay_from = int(0.75 * steps)
    every = max(1, steps // 50)
    for step in range(steps):
        if step >= decay_from:
            frac = (step - decay_from) / max(1, steps - decay_from)
            for group in opt.param_groups:
                group["lr"] = lr * (1.0 - 0.9 * frac)
        x = sample_features(batch_size, sparsity, n, gen)
        loss = weighted_loss(W, b, x, importance, setup.relu).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % every == 0:
            if check is not None:
                check()
            if progress is not None:
                progress(step / steps)
    with torch.no_grad():
        x = sample_features(eval_size, setup.sparsity, n, gen).repeat_interleave(restarts, dim=0)
        eval_loss = weighted_loss(W, b, x, importance, setup.relu).view(settings, restarts)
        pick = eval_loss.argmin(1)
        index = torch.arange(settings) * restarts + pick
    if progress is not None:
        progress(1.0)
    return ToyTrained(
        W=W.detach()[index],
        b=b.detach()[index],
        eval_loss=eval_loss.gather(1, pick[:, None]).squeeze(1),
        restart=[int(p) for p in pick],
    )

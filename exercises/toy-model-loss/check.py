"""Check toy_forward and toy_loss on random sparse inputs with a negative bias."""

import torch


def check(env):
    g = torch.Generator().manual_seed(3)
    n, m, batch = 20, 5, 64
    x = torch.rand(batch, n, generator=g) * (torch.rand(batch, n, generator=g) < 0.1)
    W = torch.randn(m, n, generator=g) * 0.5
    b = -0.2 * torch.ones(n)
    x_hat = env.tensor(
        "toy_forward",
        env.call("toy_forward", x, W, b),
        env.ref("toy_forward", x, W, b),
        shape_hint="x_hat has one value per feature: [batch, n]",
        hint="x_hat = ReLU(x @ W.T @ W + b); the ReLU matters, it clips interference",
    )
    importance = 0.9 ** torch.arange(n, dtype=torch.float32)
    env.tensor(
        "toy_loss",
        env.call("toy_loss", x, x_hat, importance),
        env.ref("toy_loss", x, x_hat, importance),
        shape_hint="average over the batch and sum over features: one number",
        hint="weight each feature's squared error by its importance, sum over features, "
        "then average over the batch",
    )
    return "toy_forward and toy_loss are right."

"""The toy model of superposition (Elhage et al. 2022).

n sparse features are squeezed into m < n dimensions and read back out:

    h     = x @ W.T                 [batch, m]   (W has shape [m, n])
    x_hat = ReLU(h @ W + b)         [batch, n]

The ReLU is what lets the model store more features than it has dimensions: it can
clip away the small interference between features that share directions.

Features are not equally important; the loss weights each one:

    loss = mean over the batch of  sum_i importance_i * (x_i - x_hat_i)²

Write `toy_forward(x, W, b)` returning x_hat, and `toy_loss(x, x_hat, importance)`
returning a 0-dimensional tensor (`importance` has shape [n]).
"""

import torch


def toy_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # TODO: down to m dimensions, back up to n, add b, ReLU
    raise NotImplementedError("TODO: toy model forward pass")


def toy_loss(x: torch.Tensor, x_hat: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
    # TODO: importance-weighted squared error, summed over features, averaged over the batch
    raise NotImplementedError("TODO: toy model loss")

"""FVU and L0: how well an SAE reconstructs, and how sparse it is.

- The fraction of variance unexplained (FVU) is the squared reconstruction error
  divided by the total variance of the input around its mean:

      FVU = sum((x - x_hat)²) / sum((x - mean_over_batch(x))²)

  0 is perfect; 1 is no better than always answering the mean. (Explained variance is
  1 - FVU.)
- L0 is the average number of active (non-zero) features per example.

Write `fvu(x, x_hat)` (x and x_hat of shape [batch, d]) and `l0(acts)` (acts of shape
[batch, d_sae]); each returns a Python float.
"""

import torch


def fvu(x: torch.Tensor, x_hat: torch.Tensor) -> float:
    # TODO: squared error over the variance around the batch mean
    raise NotImplementedError("TODO: FVU")


def l0(acts: torch.Tensor) -> float:
    # TODO: average number of non-zero features per example
    raise NotImplementedError("TODO: L0")

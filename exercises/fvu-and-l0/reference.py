"""Reference solution for fvu-and-l0."""

import torch


def fvu(x: torch.Tensor, x_hat: torch.Tensor) -> float:
    error = (x - x_hat).pow(2).sum()
    variance = (x - x.mean(0)).pow(2).sum()
    return float(error / variance)


def l0(acts: torch.Tensor) -> float:
    return float((acts != 0).sum(-1).float().mean())

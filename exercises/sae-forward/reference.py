"""Reference solution for sae-forward."""

import torch


def sae_forward(x, W_enc, b_enc, W_dec, b_dec, l1_coeff: float):
    acts = torch.relu((x - b_dec) @ W_enc + b_enc)
    x_hat = acts @ W_dec + b_dec
    reconstruction = (x - x_hat).pow(2).sum(-1).mean()
    sparsity = acts.abs().sum(-1).mean()
    return x_hat, acts, reconstruction + l1_coeff * sparsity

# EXPECT: subtract b_dec before encoding
import torch


def sae_forward(x, W_enc, b_enc, W_dec, b_dec, l1_coeff):
    acts = torch.relu(x @ W_enc + b_enc)
    x_hat = acts @ W_dec + b_dec
    loss = (x - x_hat).pow(2).sum(-1).mean() + l1_coeff * acts.abs().sum(-1).mean()
    return x_hat, acts, loss

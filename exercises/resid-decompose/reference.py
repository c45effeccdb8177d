"""Reference solution for resid-decompose."""

import torch


def decompose(cache, n_layers: int) -> torch.Tensor:
    pieces = [cache["hook_embed"][0], cache["hook_pos_embed"][0]]
    for layer in range(n_layers):
        pieces.append(cache[f"blocks.{layer}.hook_attn_out"][0])
        pieces.append(cache[f"blocks.{layer}.hook_mlp_out"][0])
    return torch.stack(pieces)

# EXPECT: order: embed, pos_embed, then attn_out and mlp_out of layer 0
import torch


def decompose(cache, n_layers):
    pieces = [cache["hook_embed"][0], cache["hook_pos_embed"][0]]
    pieces += [cache[f"blocks.{layer}.hook_attn_out"][0] for layer in range(n_layers)]
    pieces += [cache[f"blocks.{layer}.hook_mlp_out"][0] for layer in range(n_layers)]
    return torch.stack(pieces)

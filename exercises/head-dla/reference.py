"""Reference solution for head-dla."""

import torch


def head_dla(model, cache, token_id: int) -> torch.Tensor:
    scale = cache["ln_final.hook_scale"][0, -1]
    direction = model.W_U[:, token_id]
    rows = []
    for layer in range(model.cfg.n_layers):
        z = cache[f"blocks.{layer}.attn.hook_z"][0, -1]
        writes = torch.einsum("hd,hdm->hm", z, model.W_O[layer])
        centred = writes - writes.mean(-1, keepdim=True)
        rows.append((centred / scale) @ direction)
    return torch.stack(rows)

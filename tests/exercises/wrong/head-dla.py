# EXPECT: centre each head's write over d_model and divide by the final LayerNorm scale
import torch


def head_dla(model, cache, token_id):
    rows = []
    for layer in range(model.cfg.n_layers):
        z = cache[f"blocks.{layer}.attn.hook_z"][0, -1]
        writes = torch.einsum("hd,hdm->hm", z, model.W_O[layer])
        rows.append(writes @ model.W_U[:, token_id])
    return torch.stack(rows)

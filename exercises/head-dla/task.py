"""Direct logit attribution (DLA) of every attention head.

The final logits are a linear function of the final residual stream, once the final
LayerNorm's scale is frozen at its value in this run. The stream is a sum of component
writes, so each head gets a share of each logit: its *direct* effect (not counting what
later layers do with its output).

For head h of layer l, at the last position:

    write   = z[l][h] @ W_O[l, h]                     [d_model]
    centred = write - write.mean()                    (LayerNorm centres)
    dla     = (centred / scale) @ W_U[:, token_id]    a number

with `z[l] = cache[f"blocks.{l}.attn.hook_z"][0, -1]` ([n_heads, d_head]),
`scale = cache["ln_final.hook_scale"][0, -1]` and `model.W_O`, `model.W_U`.

Write `head_dla(model, cache, token_id)` returning a tensor of shape
[n_layers, n_heads].
"""

import torch


def head_dla(model, cache, token_id: int) -> torch.Tensor:
    scale = cache["ln_final.hook_scale"][0, -1]
    rows = []
    for layer in range(model.cfg.n_layers):
        # TODO: each head's write at the last position, centred and scaled
        # TODO: projected on the token's unembedding direction
        raise NotImplementedError("TODO: DLA for this layer")
    return torch.stack(rows)

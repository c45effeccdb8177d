"""Decompose the residual stream into the writes of every component.

Nothing in a transformer overwrites the residual stream: the token embedding and the
position embedding start it, and every layer adds its attention output and then its MLP
output. So the stream after the last layer is exactly the sum of those pieces — the
fact that makes direct logit attribution and much of interpretability possible.

Write `decompose(cache, n_layers)`:

- `cache` comes from `model.run_with_cache(tokens)` on one prompt; `cache[name]` has
  shape [1, pos, d_model];
- return a tensor of shape [2 + 2 * n_layers, pos, d_model] stacking, in this order:
  `hook_embed`, `hook_pos_embed`, then for each layer l = 0, 1, …:
  `blocks.{l}.hook_attn_out`, `blocks.{l}.hook_mlp_out`.

The check also verifies that your pieces sum to `blocks.{n_layers-1}.hook_resid_post`.
"""

import torch


def decompose(cache, n_layers: int) -> torch.Tensor:
    pieces = []
    # TODO: the two embeddings
    # TODO: for each layer, its attention output then its MLP output
    # TODO: stack them into [2 + 2 * n_layers, pos, d_model]
    raise NotImplementedError("TODO: decompose the residual stream")

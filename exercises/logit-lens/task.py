"""The logit lens: what would the model say if it stopped after layer `layer`?

The model turns its final residual stream into logits with two steps: the final
LayerNorm (`model.ln_final`) and the unembedding (`model.unembed`). The logit lens
(nostalgebraist 2020) applies the same two steps to the residual stream after an
earlier layer, to watch the prediction form layer by layer.

Write `logit_lens(model, cache, layer)`:

- `cache` comes from `model.run_with_cache(tokens)` on one prompt;
- use the stream after layer `layer`: `cache[f"blocks.{layer}.hook_resid_post"]`,
  shape [1, pos, d_model];
- return logits of shape [pos, d_vocab] (drop the batch dimension).

At the last layer your function must give exactly the model's own logits.
"""

import torch


def logit_lens(model, cache, layer: int) -> torch.Tensor:
    # TODO: the residual stream after `layer`
    # TODO: final LayerNorm, then unembed
    # TODO: return [pos, d_vocab]
    raise NotImplementedError("TODO: logit lens")

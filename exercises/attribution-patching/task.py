"""Attribution patching: a linear estimate of patching every position at once.

Patching the residual stream at each of n positions costs n forward passes. Attribution
patching (Nanda 2023) estimates all of them from one forward and one backward pass, with
a first-order Taylor expansion of the metric around the corrupted run:

    effect(position) ≈ (clean_act - corrupt_act)[position] · d metric / d act[position]

where `act` is `blocks.{layer}.hook_resid_pre`, the gradient is taken in the corrupted
run, and `·` sums over d_model.

Write `attribution_patch(model, clean_tokens, corrupt_tokens, layer, metric)`:

- `metric(logits)` returns a scalar tensor (for example a logit difference);
- return a tensor of shape [pos]: the estimated effect of patching each position.

Tools: `model.run_with_cache(tokens)` returns (logits, cache) with
`cache[name]` of shape [1, pos, d_model]; `model.run_with_hooks(tokens,
fwd_hooks=[(name, fn)])` runs with `fn(activation, hook)` called at `name`;
`torch.autograd.grad(output, input)` returns the gradient.
"""

import torch


def attribution_patch(model, clean_tokens, corrupt_tokens, layer: int, metric) -> torch.Tensor:
    name = f"blocks.{layer}.hook_resid_pre"
    # TODO: the clean activation at `name` (shape [1, pos, d_model])
    # TODO: the corrupted run, keeping the activation at `name` so you can take a gradient
    # TODO: the gradient of metric(corrupted logits) with respect to that activation
    # TODO: (clean - corrupted) * gradient, summed over d_model -> shape [pos]
    raise NotImplementedError("TODO: attribution patching")

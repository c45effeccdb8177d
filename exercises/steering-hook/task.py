"""A steering hook: push the model along a direction while it generates.

Activation steering (Turner et al. 2023; Templeton et al. 2024 with SAE features) adds
a fixed vector to the residual stream during the forward pass. Larger coefficients push
harder: some amount changes the topic, too much breaks the text.

Write `steer(model, tokens, layer, vector, coeff)`:

- add `coeff * vector` (vector has shape [d_model]) to the residual stream entering layer
  `layer` (`blocks.{layer}.hook_resid_pre`), at every position;
- return the steered logits, shape [1, pos, d_vocab];
- leave no hook behind: later runs of the model must be unsteered.

`model.hooks(fwd_hooks=[(name, fn)])` is a context manager that adds hooks and removes
them on exit; `fn(activation, hook)` returns the new activation.
"""

import torch


def steer(model, tokens, layer: int, vector: torch.Tensor, coeff: float) -> torch.Tensor:
    name = f"blocks.{layer}.hook_resid_pre"

    def add_vector(activation, hook):
        # TODO: return the activation plus the scaled vector, at every position
        raise NotImplementedError("TODO: the steering hook")

    # TODO: run the model on `tokens` with the hook in place and return its logits
    raise NotImplementedError("TODO: run with the hook")

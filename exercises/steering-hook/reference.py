"""Reference solution for steering-hook."""

import torch


def steer(model, tokens, layer: int, vector: torch.Tensor, coeff: float) -> torch.Tensor:
    name = f"blocks.{layer}.hook_resid_pre"

    def add_vector(activation, hook):
        return activation + coeff * vector

    with torch.no_grad(), model.hooks(fwd_hooks=[(name, add_vector)]):
        return model(tokens)

# EXPECT: add coeff * vector at every position
import torch


def steer(model, tokens, layer, vector, coeff):
    def add_vector(activation, hook):
        activation = activation.clone()
        activation[:, -1] += coeff * vector
        return activation

    with torch.no_grad(), model.hooks(fwd_hooks=[(f"blocks.{layer}.hook_resid_pre", add_vector)]):
        return model(tokens)

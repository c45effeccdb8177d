# EXPECT: attribution_patch(layer=0) is off
import torch


def attribution_patch(model, clean_tokens, corrupt_tokens, layer, metric):
    # Forgets the clean - corrupted difference: returns the gradient alone.
    name = f"blocks.{layer}.hook_resid_pre"
    stored = {}

    def keep(activation, hook):
        stored["act"] = activation
        return activation

    logits = model.run_with_hooks(corrupt_tokens, fwd_hooks=[(name, keep)])
    (grad,) = torch.autograd.grad(metric(logits), stored["act"])
    return grad[0].sum(-1)

"""Reference solution for attribution-patching."""

import torch


def attribution_patch(model, clean_tokens, corrupt_tokens, layer: int, metric) -> torch.Tensor:
    name = f"blocks.{layer}.hook_resid_pre"
    with torch.no_grad():
        _, cache = model.run_with_cache(clean_tokens, names_filter=name)
    clean_act = cache[name]
    stored = {}

    def keep(activation, hook):
        stored["act"] = activation
        return activation

    with torch.enable_grad():
        logits = model.run_with_hooks(corrupt_tokens, fwd_hooks=[(name, keep)])
        (grad,) = torch.autograd.grad(metric(logits), stored["act"])
    delta = clean_act - stored["act"].detach()
    return (delta * grad)[0].sum(-1)

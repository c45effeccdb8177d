"""Reference solution for logit-lens."""

import torch


def logit_lens(model, cache, layer: int) -> torch.Tensor:
    resid = cache[f"blocks.{layer}.hook_resid_post"]
    return model.unembed(model.ln_final(resid))[0]

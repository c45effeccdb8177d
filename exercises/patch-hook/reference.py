"""Reference solution for patch-hook."""

import torch


def patch_residual(model, clean_tokens, corrupt_tokens, layer: int, position: int) -> torch.Tensor:
    hook_point = model.blocks[layer].hook_resid_pre
    saved = {}

    def save_hook(module, inputs, output):
        saved["clean"] = output.detach().clone()

    def patch_hook(module, inputs, output):
        patched = output.clone()
        patched[:, position] = saved["clean"][:, position]
        return patched

    handle = hook_point.register_forward_hook(save_hook)
    try:
        with torch.no_grad():
            model(clean_tokens)
    finally:
        handle.remove()
    handle = hook_point.register_forward_hook(patch_hook)
    try:
        with torch.no_grad():
            return model(corrupt_tokens)
    finally:
        handle.remove()

# EXPECT: blocks.0.hook_resid_pre: call handle.remove() for every hook you add
import torch


def patch_residual(model, clean_tokens, corrupt_tokens, layer, position):
    hook_point = model.blocks[layer].hook_resid_pre
    saved = {}
    hook_point.register_forward_hook(lambda m, i, o: saved.__setitem__("x", o.detach().clone()))
    with torch.no_grad():
        model(clean_tokens)

    def patch(m, i, o):
        o = o.clone()
        o[:, position] = saved["x"][:, position]
        return o

    hook_point.register_forward_hook(patch)
    with torch.no_grad():
        return model(corrupt_tokens)

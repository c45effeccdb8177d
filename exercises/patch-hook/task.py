"""Activation patching with plain PyTorch forward hooks.

Patching asks: if one activation from the clean run is put into the corrupted run, how
much of the clean behaviour comes back? Here the activation is the residual stream
entering one layer (`blocks.{layer}.hook_resid_pre`) at one position.

In tutor-gpt every hook point is a small `torch.nn.Module` that returns its input, so
you can use PyTorch's own `register_forward_hook` on `model.blocks[layer].hook_resid_pre`
(no TransformerLens hook helpers needed). A forward hook is called as
`hook(module, inputs, output)`; if it returns a tensor, that tensor replaces the output.

Write `patch_residual(model, clean_tokens, corrupt_tokens, layer, position)`:

1. run the model on `clean_tokens` with a hook that saves the residual stream at that
   hook point (save a clone, with no gradient: `output.detach().clone()`);
2. run the model on `corrupt_tokens` with a hook that returns the activation with
   position `position` replaced by the saved clean vector (every other position keeps
   its corrupted value);
3. return the patched run's logits, shape [1, pos, d_vocab].

Both prompts have the same length. Remove every hook you add before returning — even if
something fails — or later runs of the model stay patched (use try/finally).
"""

import torch


def patch_residual(model, clean_tokens, corrupt_tokens, layer: int, position: int) -> torch.Tensor:
    hook_point = model.blocks[layer].hook_resid_pre
    saved = {}

    def save_hook(module, inputs, output):
        # TODO: keep a detached copy of `output` in `saved`
        raise NotImplementedError("TODO: save the clean activation")

    def patch_hook(module, inputs, output):
        # TODO: return a copy of `output` whose `position` holds the clean vector
        raise NotImplementedError("TODO: patch one position")

    # TODO: register save_hook, run the clean tokens, remove the hook
    # TODO: register patch_hook, run the corrupted tokens, remove the hook (try/finally)
    # TODO: return the patched logits
    raise NotImplementedError("TODO: run the clean and the patched model")

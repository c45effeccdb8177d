"""Check patch_residual against the reference on Eiffel Tower / Colosseum, hooks removed."""

import torch


def _hook_counts(model):
    points = getattr(model, "hook_dict", None) or dict(model.named_modules())
    return {name: len(getattr(module, "_forward_hooks", {})) for name, module in points.items()}


def check(env):
    model = env.model()
    clean = model.to_tokens("The Eiffel Tower is in")
    corrupt = model.to_tokens("The Colosseum is in")
    if clean.shape != corrupt.shape:
        env.fail("internal: the two prompts should have the same length")
    with torch.no_grad():
        unpatched = model(corrupt)
    before = _hook_counts(model)
    for layer, position in [(0, 2), (4, 3), (8, 5), (11, 1)]:
        got = env.call("patch_residual", model, clean, corrupt, layer, position)
        after_counts = _hook_counts(model)
        left = [name for name, n in after_counts.items() if n > before.get(name, 0)]
        if left:
            env.fail(
                f"patch_residual left hooks on {', '.join(left[:3])}: call handle.remove() "
                "for every hook you add (in a finally block)"
            )
        with torch.no_grad():
            after = model(corrupt)
        if not torch.allclose(after, unpatched, atol=1e-4):
            env.fail(
                "after patch_residual returned, running the model on the corrupted prompt no "
                "longer gives the unpatched logits: the patch is still in place"
            )
        expected = env.ref("patch_residual", model, clean, corrupt, layer, position)
        env.tensor(
            f"patch_residual(layer={layer}, position={position}) logits",
            got,
            expected,
            atol=1e-3,
            shape_hint="return the logits of the patched (corrupted) run: [1, pos, d_vocab]",
            hint="replace only `position` with the clean vector and keep the other "
            "positions of the corrupted run",
        )
    return "patch_residual matches the reference at four (layer, position) pairs and cleans up."

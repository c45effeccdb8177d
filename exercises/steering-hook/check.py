"""Check steer against the reference with a random unit vector, and that no hook is left."""

import torch


def check(env):
    model = env.model()
    tokens = model.to_tokens("The Eiffel Tower is in")
    g = torch.Generator().manual_seed(6)
    vector = torch.nn.functional.normalize(torch.randn(model.cfg.d_model, generator=g), dim=0)
    with torch.no_grad():
        plain = model(tokens)
    for layer, coeff in [(2, 4.0), (6, -8.0)]:
        got = env.call("steer", model, tokens, layer, vector, coeff)
        with torch.no_grad():
            after = model(tokens)
        if not torch.allclose(after, plain, atol=1e-4):
            env.fail(
                "after steer returned, the model is still steered: remove the hook "
                "(use `with model.hooks(...)`, or model.reset_hooks())"
            )
        env.tensor(
            f"steer(layer={layer}, coeff={coeff:g}) logits",
            got,
            env.ref("steer", model, tokens, layer, vector, coeff),
            atol=1e-3,
            shape_hint="return the logits of the steered run: [1, pos, d_vocab]",
            hint="add coeff * vector at every position of blocks.{layer}.hook_resid_pre",
        )
    return "steer matches the reference and cleans up its hook."

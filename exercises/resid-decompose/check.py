"""Check decompose on tutor-gpt: the reference stack, and the sum equals the final stream."""

import torch


def check(env):
    model = env.model()
    n_layers = model.cfg.n_layers
    for prompt in ["The Eiffel Tower is in", "When Mary and John went to the store, John gave"]:
        with torch.no_grad():
            _, cache = model.run_with_cache(model.to_tokens(prompt))
        got = env.call("decompose", cache, n_layers)
        expected = env.ref("decompose", cache, n_layers)
        got = env.tensor(
            f"decompose on {prompt!r}",
            got,
            expected,
            shape_hint=f"one row per component (2 embeddings + 2 × {n_layers} layers), "
            "then [pos, d_model]: take cache[name][0] to drop the batch",
            hint="order: embed, pos_embed, then attn_out and mlp_out of layer 0, of layer 1, …",
        )
        final = cache[f"blocks.{n_layers - 1}.hook_resid_post"][0]
        env.tensor("the sum of your pieces", got.sum(0), final, atol=1e-3)
    return "decompose is right, and its pieces sum to the final residual stream."

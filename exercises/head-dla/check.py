"""Check head_dla against the reference on tutor-gpt for two answer tokens."""

import torch


def check(env):
    model = env.model()
    with torch.no_grad():
        _, cache = model.run_with_cache(model.to_tokens("The Eiffel Tower is in"))
        for word in (" Paris", " Rome"):
            token = model.to_single_token(word)
            got = env.tensor(
                f"head_dla for {word.strip()!r}",
                env.call("head_dla", model, cache, token),
                env.ref("head_dla", model, cache, token),
                atol=1e-3,
                rtol=1e-3,
                shape_hint="one number per head: [n_layers, n_heads]",
                hint="centre each head's write over d_model and divide by the final "
                "LayerNorm scale before projecting on W_U[:, token]",
            )
    layer, head = divmod(int(got.argmax()), got.shape[1])
    return f"head_dla is right; the head writing most towards 'Rome' here is {layer}.{head}."

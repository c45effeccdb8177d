"""Check prev_token_scores on tutor-gpt's layers 3 and 4 on a repeated random sequence."""

import torch


def check(env):
    model = env.model()
    g = torch.Generator().manual_seed(1)
    rnd = torch.randint(20, 800, (1, 20), generator=g)
    tokens = torch.cat([torch.zeros(1, 1, dtype=torch.long), rnd, rnd], dim=1)
    with torch.no_grad():
        _, cache = model.run_with_cache(tokens)
    for layer in (3, 4):
        pattern = cache[f"blocks.{layer}.attn.hook_pattern"][0]
        env.tensor(
            f"prev_token_scores for layer {layer}",
            env.call("prev_token_scores", pattern),
            env.ref("prev_token_scores", pattern),
            shape_hint="one score per head: average over the query positions",
            hint="use queries q = 1 … pos-1 and their key q - 1 (position 0 has no "
            "previous token)",
        )
    return "prev_token_scores is right."

"""Check induction_scores on tutor-gpt's layers 3 and 7 (layer 7 has induction heads)."""

import torch


def check(env):
    model = env.model()
    g = torch.Generator().manual_seed(0)
    seq_len = 30
    random_tokens = torch.randint(20, 800, (1, seq_len), generator=g)
    bos = torch.zeros(1, 1, dtype=torch.long)
    tokens = torch.cat([bos, random_tokens, random_tokens], dim=1)
    with torch.no_grad():
        _, cache = model.run_with_cache(tokens)
    best = None
    for layer in (3, 7):
        pattern = cache[f"blocks.{layer}.attn.hook_pattern"][0]
        got = env.tensor(
            f"induction_scores for layer {layer}",
            env.call("induction_scores", pattern, seq_len),
            env.ref("induction_scores", pattern, seq_len),
            shape_hint="one score per head: average over the query positions",
            hint="at query q of the second copy the induction key is q - seq_len + 1 "
            "(the token after the earlier copy), for q = seq_len+1 … 2·seq_len",
        )
        best = got
    top = int(best.argmax())
    return f"induction_scores is right: head 7.{top} scores {float(best[top]):.2f} on tutor-gpt."

"""Check sae_forward on random weights (with a large b_dec, so centring matters)."""

import torch


def check(env):
    g = torch.Generator().manual_seed(0)
    for batch, d_in, d_sae in [(16, 8, 32), (5, 12, 24)]:
        x = torch.randn(batch, d_in, generator=g) + 2.0
        W_enc = torch.randn(d_in, d_sae, generator=g) / d_in**0.5
        b_enc = torch.randn(d_sae, generator=g) * 0.1
        W_dec = torch.randn(d_sae, d_in, generator=g) / d_sae**0.5
        b_dec = torch.randn(d_in, generator=g) + 2.0
        args = (x, W_enc, b_enc, W_dec, b_dec, 0.3)
        got = env.call("sae_forward", *args)
        if not isinstance(got, tuple | list) or len(got) != 3:
            env.fail(
                f"sae_forward returned {type(got).__name__}; expected a tuple "
                "(x_hat, acts, loss)"
            )
        x_hat, acts, loss = env.ref("sae_forward", *args)
        env.tensor(
            f"acts (batch {batch}, d_sae {d_sae})",
            got[1],
            acts,
            hint="acts = ReLU((x - b_dec) @ W_enc + b_enc): subtract b_dec before encoding",
        )
        env.tensor(
            "x_hat", got[0], x_hat, hint="x_hat = acts @ W_dec + b_dec (add the bias back)"
        )
        env.tensor(
            "loss",
            got[2],
            loss,
            shape_hint="average over the batch so the loss is a single number",
            hint="squared error summed over d_in plus l1_coeff × L1 of acts summed over "
            "features, each averaged over the batch",
        )
    return "sae_forward matches: centred encoding, decoding, and the loss."

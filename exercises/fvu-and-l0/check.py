"""Check fvu and l0 on random data with a non-zero mean (so centring matters)."""

import torch


def check(env):
    g = torch.Generator().manual_seed(2)
    for batch, d in [(32, 8), (10, 20)]:
        x = torch.randn(batch, d, generator=g) + 3.0
        x_hat = x + 0.5 * torch.randn(batch, d, generator=g)
        env.number(
            f"fvu on a [{batch}, {d}] batch",
            env.call("fvu", x, x_hat),
            env.ref("fvu", x, x_hat),
            atol=1e-4,
            hint="divide by the variance around the batch mean: (x - x.mean(0))² summed",
        )
        env.number(
            "fvu when x_hat is the batch mean",
            env.call("fvu", x, x.mean(0, keepdim=True).expand_as(x)),
            1.0,
            atol=1e-4,
            hint="always answering the mean explains nothing: FVU should be exactly 1",
        )
    acts = torch.relu(torch.randn(40, 64, generator=g) - 1.0)
    env.number(
        "l0 on a [40, 64] batch of activations",
        env.call("l0", acts),
        env.ref("l0", acts),
        hint="count the non-zero features of each example, then average over examples",
    )
    return "fvu and l0 are right."

"""Check topk_activation: at most k non-zeros per row, and the reference's values."""

import torch


def check(env):
    g = torch.Generator().manual_seed(1)
    for batch, d_sae, k in [(6, 20, 4), (3, 50, 10), (8, 16, 1)]:
        pre = torch.randn(batch, d_sae, generator=g)
        pre[0] = -pre[0].abs()  # an all-negative row: everything should become 0
        got = env.call("topk_activation", pre, k)
        got = env.tensor(
            f"topk_activation(k={k}) on a [{batch}, {d_sae}] input",
            got,
            env.ref("topk_activation", pre, k),
            shape_hint="keep the input's shape: zero the entries you do not keep",
            hint=f"keep the {k} largest entries of each row (dim=-1), after ReLU",
        )
        per_row = (got != 0).sum(-1)
        if (per_row > k).any():
            row = int((per_row > k).nonzero()[0])
            env.fail(
                f"row {row} keeps {int(per_row[row])} non-zero values; TopK keeps at most "
                f"k={k} per row"
            )
    return "topk_activation is right, including rows with negative values."

"""Check control_labels by its properties (any random draw is fine) and selectivity."""

import torch


def check(env):
    g = torch.Generator().manual_seed(5)
    token_ids = torch.randint(0, 60, (500,), generator=g)
    n_classes = 4
    labels = env.call("control_labels", token_ids, n_classes, 0)
    if not isinstance(labels, torch.Tensor):
        env.fail(f"control_labels returned a {type(labels).__name__}; expected a tensor")
    if labels.shape != token_ids.shape:
        env.fail(
            f"control_labels has shape {list(labels.shape)}; expected {list(token_ids.shape)} "
            "(one label per example)"
        )
    if labels.is_floating_point():
        env.fail("control_labels should be integer class labels, not floats")
    if labels.min() < 0 or labels.max() >= n_classes:
        env.fail(f"labels must lie in 0 … {n_classes - 1}; yours range over "
                 f"{int(labels.min())} … {int(labels.max())}")
    for token in token_ids.unique().tolist():
        seen = labels[token_ids == token].unique()
        if len(seen) > 1:
            env.fail(
                f"token {token} got labels {seen.tolist()} at different positions: a control "
                "task gives each word type one fixed label (draw per type, not per example)"
            )
    if len(labels.unique()) < 2:
        env.fail("every example got the same label: draw a random label for each word type")
    again = env.call("control_labels", token_ids, n_classes, 0)
    if not torch.equal(torch.as_tensor(again), labels):
        env.fail("control_labels gave different labels for the same seed: use the generator")
    other = env.call("control_labels", token_ids, n_classes, 1)
    if torch.equal(torch.as_tensor(other), labels):
        env.fail("control_labels ignores the seed: draw with the seeded generator")
    env.number(
        "selectivity(0.9, 0.6)",
        env.call("selectivity", 0.9, 0.6),
        0.3,
        hint="selectivity is task accuracy minus control accuracy",
    )
    return "control_labels is consistent per word type and reproducible; selectivity is right."

"""Check train_probe on synthetic activations with a planted linear property."""

import torch


def _data(g, n, directions):
    n_classes, d = directions.shape
    y = torch.randint(0, n_classes, (n,), generator=g)
    X = torch.randn(n, d, generator=g) + 3.0 * directions[y]
    return X, y


def _accuracy(probe, X, y):
    with torch.no_grad():
        return float((probe(X).argmax(-1) == y).float().mean())


def check(env):
    g = torch.Generator().manual_seed(4)
    n_classes, d = 3, 32
    directions = torch.nn.functional.normalize(torch.randn(n_classes, d, generator=g), dim=-1)
    X_train, y_train = _data(g, 600, directions)
    X_test, y_test = _data(g, 400, directions)
    probe = env.call("train_probe", X_train, y_train, n_classes)
    if not isinstance(probe, torch.nn.Module):
        env.fail(f"train_probe returned a {type(probe).__name__}; expected the nn.Linear probe")
    try:
        with torch.no_grad():
            out = probe(X_test)
    except Exception as exc:
        env.fail(env.explain_exception("calling your probe on test activations", exc))
    if tuple(out.shape) != (len(X_test), n_classes):
        env.fail(
            f"your probe outputs shape {list(out.shape)}; expected [{len(X_test)}, {n_classes}] "
            "(one logit per class): nn.Linear(d, n_classes)"
        )
    mine = _accuracy(probe, X_test, y_test)
    ref = _accuracy(env.ref("train_probe", X_train, y_train, n_classes), X_test, y_test)
    if mine < ref - 0.05:
        env.fail(
            f"your probe gets {mine:.0%} on held-out examples (chance is {1 / n_classes:.0%}); "
            f"the reference gets {ref:.0%}. Does the loop call loss.backward() and "
            "optimizer.step() on the cross-entropy loss?"
        )
    return f"train_probe works: {mine:.0%} held-out accuracy (reference {ref:.0%})."

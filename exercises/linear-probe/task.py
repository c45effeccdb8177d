"""A linear probe: is a property linearly readable from the activations?

A probe is a small classifier trained on a model's activations to predict a property
(here: one of `n_classes` labels). If a *linear* probe does well on held-out examples,
the property is linearly represented there — present, though not necessarily used.

Write `train_probe(X, y, n_classes, steps=300, lr=0.05)`:

- `X` has shape [n, d] (activations), `y` shape [n] (integer labels 0 … n_classes-1);
- train a `torch.nn.Linear(d, n_classes)` with cross-entropy loss and an optimizer of
  your choice (Adam works well) for `steps` full-batch steps;
- return the trained `nn.Linear`.

The check trains your probe on one set and measures accuracy on another.
"""

import torch


def train_probe(X: torch.Tensor, y: torch.Tensor, n_classes: int, steps: int = 300, lr: float = 0.05):
    torch.manual_seed(0)
    probe = torch.nn.Linear(X.shape[1], n_classes)
    # TODO: an optimizer over probe.parameters()
    # TODO: `steps` times: logits, cross-entropy loss, zero_grad, backward, step
    raise NotImplementedError("TODO: train the probe")

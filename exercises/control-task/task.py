"""A control task: is the probe reading the model, or memorising words?

A probe that gets 95% accuracy may have learned the property — or may have memorised
which word gets which label. Hewitt and Liang (2019) compare it with a *control task*:
every word type gets a random label, the same label everywhere that word appears. A
probe can only solve that by memorising words. Selectivity is

    selectivity = accuracy on the real task - accuracy on the control task

and a good probe is accurate *and* selective.

Write:

- `control_labels(token_ids, n_classes, seed)`: `token_ids` has shape [n] (one token id
  per example); return integer labels of shape [n] in 0 … n_classes-1, drawn at random
  per distinct token id (reproducible from `seed`), so equal ids get equal labels;
- `selectivity(task_accuracy, control_accuracy)`: a float.
"""

import torch


def control_labels(token_ids: torch.Tensor, n_classes: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    # TODO: one random label per distinct token id
    # TODO: give each example the label of its token id
    raise NotImplementedError("TODO: control labels")


def selectivity(task_accuracy: float, control_accuracy: float) -> float:
    # TODO
    raise NotImplementedError("TODO: selectivity")

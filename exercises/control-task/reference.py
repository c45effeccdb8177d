"""Reference solution for control-task."""

import torch


def control_labels(token_ids: torch.Tensor, n_classes: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    types, index = torch.unique(token_ids, return_inverse=True)
    per_type = torch.randint(0, n_classes, (len(types),), generator=generator)
    return per_type[index]


def selectivity(task_accuracy: float, control_accuracy: float) -> float:
    return task_accuracy - control_accuracy

# EXPECT: a control task gives each word type one fixed label
import torch


def control_labels(token_ids, n_classes, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, n_classes, token_ids.shape, generator=generator)


def selectivity(task_accuracy, control_accuracy):
    return task_accuracy - control_accuracy

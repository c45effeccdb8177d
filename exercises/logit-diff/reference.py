"""Reference solution for logit-diff."""

import torch


def logit_diff(logits: torch.Tensor, correct_id: int, wrong_id: int) -> torch.Tensor:
    last = logits[0, -1]
    return last[correct_id] - last[wrong_id]

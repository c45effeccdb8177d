"""The TopK activation (Gao et al. 2024): sparsity by construction.

Instead of an L1 penalty, a TopK SAE keeps the k largest pre-activations of each
example and sets every other feature to zero, so L0 is at most k by construction.

Write `topk_activation(pre, k)`:

- `pre` has shape [batch, d_sae];
- for each row, keep the k largest entries, passed through ReLU (so a negative value
  among the top k becomes 0), and set all other entries to 0;
- return a tensor with the same shape as `pre`.
"""

import torch


def topk_activation(pre: torch.Tensor, k: int) -> torch.Tensor:
    # TODO: the k largest values of each row and where they are
    # TODO: a zero tensor with those values (after ReLU) put back in place
    raise NotImplementedError("TODO: TopK activation")

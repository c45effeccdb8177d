"""Attention patterns and head scores from the model (TransformerLens hook names).

``patterns(model, tokens)`` runs the model once with a cache of every layer's
``blocks.L.attn.hook_pattern`` and returns a ``(batch, layer, head, query, key)`` tensor;
``score_tables`` turns those into previous-token / duplicate-token / induction scores per
layer and head with the definitions of ``tutor.model.head_scores`` (shared with the
training recipe, so the bump's scores and the lab's mean the same thing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from tutor.model.head_scores import SCORE_KINDS, score_masks, scores_from_pattern


def patterns(
    model: Any, tokens: torch.Tensor, check: Callable[[], None] | None = None
) -> torch.Tensor:
    """Every head's attention pattern on ``tokens``: ``(batch, layer, head, query, key)``."""
    with torch.no_grad():
        _, cache = model.run_with_cache(
            tokens, names_filter=lambda name: name.endswith("attn.hook_pattern")
        )
    if check is not None:
        check()
    n_layers = model.cfg.n_layers
    return torch.stack(
        [cache[f"blocks.{layer}.attn.hook_pattern"].float() for layer in range(n_layers)], dim=1
    )


def score_tables(pats: torch.Tensor, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """kind -> ``(layer, head)`` scores from ``patterns`` output on the same ``tokens``."""
    masks = score_masks(tokens.cpu())
    per_layer = [scores_from_pattern(pats[:, layer].cpu(), masks) for layer in range(pats.shape[1])]
    return {kind: torch.stack([row[kind] for row in per_layer]) for kind in SCORE_KINDS}


def argmax_keys(pattern: torch.Tensor) -> list[int]:
    """For each query row of a ``(query, key)`` pattern, the key it attends to most."""
    return [int(i) for i in pattern.argmax(-1)]


def top_heads(table: torch.Tensor, k: int = 5) -> list[tuple[int, int, float]]:
    """The ``k`` best (layer, head, score) of a ``(layer, head)`` table, NaN last."""
    flat = torch.nan_to_num(table.flatten(), nan=-1.0)
    order = torch.argsort(flat, descending=True)[:k]
    n_head = table.shape[1]
    return [(int(i) // n_head, int(i) % n_head, float(table.flatten()[i])) for i in order]

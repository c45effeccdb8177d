"""Attention-head scores from attention patterns: previous-token, duplicate-token, induction.

The standard detector definitions (Olsson et al. 2022; TransformerLens's head detector),
written on token ids rather than on fixed diagonals so that they also work on a learner's
own prompt and on random sequences that happen to repeat a word inside one copy:

* previous-token: attention from query ``i`` to key ``i - 1``;
* duplicate-token: attention from ``i`` to every earlier position holding the same token;
* induction: attention from ``i`` to every position just *after* an earlier copy of the
  token at ``i`` (the token that came next last time).

A head's score is the attention mass on the marked keys, averaged over the query rows that
have at least one marked key (a query with nothing to find is not evidence either way).
This module is plain torch: the training recipe logs the scores with it while training,
and the heads lab uses it on the TransformerLens model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

SCORE_KINDS = ("previous_token", "duplicate_token", "induction")


def score_masks(tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """Boolean ``(batch, query, key)`` masks of the keys each score rewards, for ``tokens``."""
    import torch

    if tokens.dim() == 1:
        tokens = tokens[None]
    n = tokens.shape[-1]
    idx = torch.arange(n)
    earlier = idx[None, :] < idx[:, None]  # key strictly before query
    same = tokens[:, :, None] == tokens[:, None, :]  # same[b, i, j]: t_i == t_j
    prev = (idx[None, :] == idx[:, None] - 1).expand(tokens.shape[0], n, n)
    dup = same & earlier
    # Key j is rewarded for query i when token j - 1 is an earlier copy of token i.
    ind = torch.zeros_like(dup)
    ind[:, :, 1:] = dup[:, :, :-1]
    return {"previous_token": prev, "duplicate_token": dup, "induction": ind}


def scores_from_pattern(
    pattern: torch.Tensor, masks: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Per-head scores from one layer's ``(batch, head, query, key)`` pattern.

    Returns kind -> ``(head,)`` tensor; a kind with no query to score is NaN (the caller
    reports it as missing).
    """
    out = {}
    for kind, mask in masks.items():
        m = mask[:, None].to(pattern.dtype)  # (batch, 1, query, key)
        mass = (pattern * m).sum(-1)  # (batch, head, query)
        rows = mask.any(-1)[:, None].expand_as(mass)  # queries with something to find
        count = rows.sum((0, 2))
        out[kind] = (mass * rows).sum((0, 2)) / count
    return out


def best_head(scores: torch.Tensor) -> tuple[int, int, float]:
    """(layer, head, score) of the highest entry of a ``(layer, head)`` score table."""
    flat = int(scores.argmax())
    n_head = scores.shape[1]
    return flat // n_head, flat % n_head, float(scores.flatten()[flat])


def hf_layer_scores(model: object, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """``(layer, head)`` score tables for a Hugging Face GPT-2, from one eval forward pass.

    Switches the model to eager attention for the pass (SDPA returns no weights) and back,
    so the training forward pass is unchanged.
    """
    import torch

    before = model.config._attn_implementation  # type: ignore[attr-defined]
    model.set_attn_implementation("eager")  # type: ignore[attr-defined]
    try:
        with torch.no_grad():
            attentions = model(tokens, output_attentions=True).attentions  # type: ignore[operator]
    finally:
        model.set_attn_implementation(before)  # type: ignore[attr-defined]
    masks = score_masks(tokens.cpu())
    per_layer = [scores_from_pattern(a.float().cpu(), masks) for a in attentions]
    return {kind: torch.stack([layer[kind] for layer in per_layer]) for kind in masks}

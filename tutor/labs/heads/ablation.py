"""Knocking out attention heads: zero-, mean- and resample-ablation of a head's output.

A head's output is its ``hook_z`` slice (the attention-weighted values, before ``W_O``), so
replacing that slice removes exactly that head's contribution and nothing else:

* zero: the slice becomes 0 (the bluntest; it also removes the head's average effect).
  TransformerLens folds each head's value bias (and ``ln1``'s bias through ``W_V``) into
  the layer's output bias, so what is zeroed is the attention-weighted normalised
  ``x W_V``; the constant bias stays;
* mean: the slice becomes its mean over a reference set of random repeated sequences of
  the same length, position by position (removes what the head does *on this input* while
  keeping its average contribution — the usual "mean ablation");
* resample: the slice is taken from a different input of the reference set, row ``b``
  from reference row ``b mod n`` (as in causal scrubbing / resample ablation).

Hooks are attached with ``model.hooks(...)``, a context manager, so nothing is left on the
shared model if the run is cancelled or fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

METHODS = ("zero", "mean", "resample")
Head = tuple[int, int]


def reference_z(model: Any, ref_tokens: torch.Tensor, layers: set[int]) -> dict[int, torch.Tensor]:
    """``hook_z`` of each layer on the reference set: layer -> ``(ref, pos, head, d_head)``."""
    names = {f"blocks.{layer}.attn.hook_z" for layer in layers}
    with torch.no_grad():
        _, cache = model.run_with_cache(ref_tokens, names_filter=lambda name: name in names)
    return {layer: cache[f"blocks.{layer}.attn.hook_z"].detach() for layer in layers}


def ablation_hooks(
    heads: Sequence[Head], method: str, ref: dict[int, torch.Tensor] | None
) -> list[tuple[str, Callable[..., torch.Tensor]]]:
    """Forward hooks on ``blocks.L.attn.hook_z`` that ablate ``heads`` by ``method``."""
    if method not in METHODS:
        raise ValueError(f"unknown ablation {method!r} (known: {', '.join(METHODS)})")
    by_layer: dict[int, list[int]] = {}
    for layer, head in heads:
        by_layer.setdefault(layer, []).append(head)

    def make(layer: int, hs: list[int]) -> Callable[..., torch.Tensor]:
        def hook(z: torch.Tensor, hook: Any) -> torch.Tensor:
            z = z.clone()
            if method == "zero":
                z[:, :, hs] = 0.0
                return z
            assert ref is not None
            ref_z = ref[layer][:, : z.shape[1]]
            if method == "mean":
                z[:, :, hs] = ref_z[:, :, hs].mean(0, keepdim=True).expand(z.shape[0], -1, -1, -1)
            else:
                rows = torch.arange(z.shape[0]) % ref_z.shape[0]
                z[:, :, hs] = ref_z[rows][:, :, hs]
            return z

        return hook

    return [(f"blocks.{layer}.attn.hook_z", make(layer, hs)) for layer, hs in by_layer.items()]


def ablated_logits(
    model: Any,
    tokens: torch.Tensor,
    heads: Sequence[Head],
    method: str,
    ref_tokens: torch.Tensor | None,
) -> torch.Tensor:
    """Logits of ``tokens`` with ``heads`` ablated (no heads: the plain forward pass)."""
    with torch.no_grad():
        if not heads:
            return model(tokens)
        ref = None
        if method != "zero":
            assert ref_tokens is not None and ref_tokens.shape[1] >= tokens.shape[1]
            ref = reference_z(model, ref_tokens, {layer for layer, _ in heads})
        with model.hooks(fwd_hooks=ablation_hooks(heads, method, ref)):
            return model(tokens)


def per_token_loss(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """``loss[b, i]``: the next-token loss of predicting token ``i + 1`` at position ``i``."""
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    return -logp.gather(-1, tokens[:, 1:, None])[..., 0]

"""Direct logit attribution: how much each component's output, read straight through the
unembedding, adds to the answer's logit minus the wrong answer's.

The final residual stream at the last position is a sum: token embedding + position
embedding + every attention layer's output + every MLP's output. The final layer norm is
linear once its scale is fixed, so holding the real run's scale the logit difference splits
exactly into one term per component, plus a bias term (the norm's bias and the unembedding
bias, read along the same direction):

    logit[a] − logit[b] = Σ_c (centre(c) / scale) · (w ⊙ (W_U[:, a] − W_U[:, b])) + bias

An attention layer's output is its heads' outputs (z_h · W_O[h]) plus its output bias b_O,
so the head bars of a layer plus that layer's b_O term equal its attention bar.

"Direct" is the catch: a component that writes nothing the unembedding reads, but changes
what later components write, gets a small bar here and a large patching effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from tutor.labs.lens.lens import _ln_affine, centres


@dataclass
class Attribution:
    names: list[str]  # embed, attn 0, mlp 0, …
    values: list[float]
    heads: list[list[float]]  # [layer][head]
    head_bias: list[float]  # b_O of each attention layer, read along the direction
    bias: float
    total: float  # Σ values + bias
    final: float  # the model's own logit difference


def direction(model: Any, answer: int, wrong: int | None) -> tuple[torch.Tensor, float]:
    """The residual direction the metric reads after the norm (w ⊙ ΔW_U) and the bias term."""
    W_U = model.W_U.detach()
    b_U = model.b_U.detach()
    du = W_U[:, answer] - (W_U[:, wrong] if wrong is not None else 0.0)
    db = b_U[answer] - (b_U[wrong] if wrong is not None else 0.0)
    w, b = _ln_affine(model, W_U.shape[0], W_U.device)
    return w * du, float(b @ du + db)


def component_outputs(cache: Any, n_layers: int, pos: int = -1) -> tuple[list[str], torch.Tensor]:
    """Names and outputs [components, d_model] at position ``pos``, summing to resid_post."""
    names = ["embed"]  # token + position embedding: the residual stream before layer 0
    rows = [cache["hook_embed"][0, pos] + cache["hook_pos_embed"][0, pos]]
    for layer in range(n_layers):
        names += [f"attn {layer}", f"mlp {layer}"]
        rows += [
            cache[f"blocks.{layer}.hook_attn_out"][0, pos],
            cache[f"blocks.{layer}.hook_mlp_out"][0, pos],
        ]
    return names, torch.stack(rows)


def head_outputs(model: Any, cache: Any, n_layers: int, pos: int = -1) -> torch.Tensor:
    """Each head's output z_h · W_O[h] at ``pos``: [layer, head, d_model] (no b_O)."""
    rows = []
    for layer in range(n_layers):
        z = cache[f"blocks.{layer}.attn.hook_z"][0, pos]  # [head, d_head]
        W_O = model.blocks[layer].attn.W_O.detach()  # [head, d_head, d_model]
        rows.append(torch.einsum("hd,hdm->hm", z, W_O))
    return torch.stack(rows)


def attribute(
    model: Any, cache: Any, logits: torch.Tensor, answer: int, wrong: int | None
) -> Attribution:
    """Direct logit attribution at the last position, final-norm scale held fixed."""
    n_layers = int(model.cfg.n_layers)
    scale = cache["ln_final.hook_scale"][0, -1]  # [1]
    d, bias = direction(model, answer, wrong)

    def project(x: torch.Tensor) -> torch.Tensor:
        if centres(model):
            x = x - x.mean(-1, keepdim=True)
        return (x / scale) @ d

    names, outs = component_outputs(cache, n_layers)
    values = project(outs)
    heads = project(head_outputs(model, cache, n_layers))
    b_O = torch.stack([model.blocks[ly].attn.b_O.detach() for ly in range(n_layers)])
    last = logits[0, -1]
    final = last[answer] - (last[wrong] if wrong is not None else 0.0)
    return Attribution(
        names=names,
        values=values.tolist(),
        heads=heads.tolist(),
        head_bias=project(b_O).tolist(),
        bias=bias,
        total=float(values.sum()) + bias,
        final=float(final),
    )

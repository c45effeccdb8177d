"""The logit lens: unembed the residual stream at every layer as if the model stopped there.

There are ``n_layers + 1`` residual points: ``blocks.{l}.hook_resid_pre`` for every layer and
the last block's ``hook_resid_post``. Each goes through the final layer norm and the
unembedding. Two conventions for the layer norm's scale (‖x − mean‖ / √d):

- **recomputed** (the logit lens as defined in the literature, and what TransformerLens's
  ``accumulated_resid(apply_ln=True)`` does since PR #1077): each vector is normalised by its
  own scale, exactly as if it were the final residual stream;
- **cached**: every vector is divided by the scale the final layer norm saw in the real run.
  The residual stream's norm grows with depth, so an early vector divided by the final,
  larger scale comes out short; short vectors give flat softmaxes. The early layers then
  look "uncertain" when they are only cooled down — the pitfall PR #1077 fixed.

At the final point both agree (the scale *is* that vector's scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

WHY_DIFFERENT = (
    "cached: every layer divided by the final layer's scale; the residual norm grows with "
    "depth, so early layers come out short and their softmax flat (TransformerLens PR #1077)"
)


@dataclass
class LensTables:
    """Log-probabilities for every residual point and position: [points, pos, vocab]."""

    logprobs: torch.Tensor
    scale: torch.Tensor  # [points, pos]: the scale each vector was divided by
    resid_norm: torch.Tensor  # [points, pos]


def residual_points(cache: Any, n_layers: int) -> tuple[torch.Tensor, list[str]]:
    """The n_layers + 1 residual vectors [points, pos, d_model] and their labels."""
    names = [f"blocks.{layer}.hook_resid_pre" for layer in range(n_layers)]
    names.append(f"blocks.{n_layers - 1}.hook_resid_post")
    labels = [f"pre {layer}" for layer in range(n_layers)] + [f"post {n_layers - 1}"]
    return torch.stack([cache[n][0] for n in names]), labels


def _ln_affine(model: Any, d_model: int, device: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The final layer norm's weight and bias (ones and zeros where folded or absent)."""
    ln = model.ln_final
    w = getattr(ln, "w", None)
    b = getattr(ln, "b", None)
    w = torch.ones(d_model, device=device) if w is None else w.detach()
    b = torch.zeros(d_model, device=device) if b is None else b.detach()
    return w, b


def centres(model: Any) -> bool:
    """Whether the final norm subtracts the mean (LayerNorm) or not (RMSNorm)."""
    return not str(getattr(model.cfg, "normalization_type", "LN")).upper().startswith("RMS")


def cached_ln(model: Any, resid: torch.Tensor, final_scale: torch.Tensor) -> torch.Tensor:
    """The final layer norm with the real run's scale [pos, 1] applied to every point."""
    w, b = _ln_affine(model, resid.shape[-1], resid.device)
    x = resid - resid.mean(-1, keepdim=True) if centres(model) else resid
    return x / final_scale * w + b


def own_scale(model: Any, resid: torch.Tensor) -> torch.Tensor:
    """The scale the final norm computes from each vector itself: [..., 1]."""
    eps = float(getattr(model.cfg, "eps", 1e-5))
    x = resid - resid.mean(-1, keepdim=True) if centres(model) else resid
    return (x.pow(2).mean(-1, keepdim=True) + eps).sqrt()


def lens_tables(
    model: Any, resid: torch.Tensor, final_scale: torch.Tensor
) -> dict[str, LensTables]:
    """Both conventions for ``resid`` [points, pos, d_model]; ``final_scale`` is [pos, 1]."""
    norm = resid.norm(dim=-1)
    recomputed = model.ln_final(resid)
    cached = cached_ln(model, resid, final_scale)
    out = {}
    for name, normed, scale in (
        ("recomputed", recomputed, own_scale(model, resid)[..., 0]),
        ("cached", cached, final_scale[..., 0].expand_as(norm)),
    ):
        logits = model.unembed(normed)
        out[name] = LensTables(logits.float().log_softmax(-1), scale, norm)
    return out


def rank_of(logprobs: torch.Tensor, token: int) -> torch.Tensor:
    """1-based rank of ``token`` in each distribution [..., vocab] (ties count in its favour)."""
    return (logprobs > logprobs[..., token : token + 1]).sum(-1) + 1


def entropy(logprobs: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of each distribution [..., vocab]."""
    return -(logprobs.exp() * logprobs).sum(-1)

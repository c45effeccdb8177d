"""QK and OV circuits from the weights: what a head copies, and whose output its keys read.

* **OV, in context.** If a head attended fully to position ``s``, what would its output do
  to the logits? The residual stream at ``s`` entering the head's layer -> layer norm
  (centred, unit RMS, times ``ln1``'s scale) -> ``W_V W_O`` -> centred, times
  ``ln_final``'s scale -> ``W_U``. Biases are dropped (they add the same vector whatever
  the head attends to). Elhage et al.'s "full OV circuit" starts from the bare token
  embedding instead; that works for a 2-layer model but not for a head in layer 7 of 12,
  whose values read a residual stream that earlier layers have rewritten. A copying head
  promotes the token at the position it attends to.
* **K-composition.** ``||W_OV^A (W_QK^B)^T||_F / (||W_OV^A||_F ||W_QK^B||_F)`` for an
  earlier head A and a later head B (Elhage et al. 2021): how much B's keys can read what
  A wrote. Layer ``B``'s ``ln1`` scale is folded into its ``W_Q`` and ``W_K``. An induction
  head's keys should compose with a previous-token head. Random matrices of the same
  shapes score ``baseline`` (a seeded average), the level to compare against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def ln_scales(model: Any) -> dict[str, torch.Tensor]:
    """Every layer norm's scale by TransformerLens name (``blocks.L.ln1.weight``...)."""
    return {
        name: value.detach().float()
        for name, value in model.state_dict().items()
        if name.endswith(("ln1.weight", "ln_final.weight"))
    }


def _normalise(x: torch.Tensor) -> torch.Tensor:
    x = x - x.mean(-1, keepdim=True)
    return x / (x.pow(2).mean(-1, keepdim=True) + 1e-5).sqrt()


def ov_logits(
    model: Any, layer: int, resid: torch.Tensor, scales: dict[str, torch.Tensor]
) -> torch.Tensor:
    """``(head, source, vocab)``: the logit effect of each head of ``layer`` attending fully to
    each source position, whose residual stream entering the layer is ``resid[source]``."""
    with torch.no_grad():
        src = _normalise(resid.float()) * scales[f"blocks.{layer}.ln1.weight"]
        w_v = model.W_V[layer].float()  # (head, d_model, d_head)
        w_o = model.W_O[layer].float()  # (head, d_head, d_model)
        out = torch.einsum("sd,hde,hef->hsf", src, w_v, w_o)
        out = (out - out.mean(-1, keepdim=True)) * scales["ln_final.weight"]
        return out @ model.W_U.float()


def copying_fraction(logits: torch.Tensor, sources: Sequence[int]) -> torch.Tensor:
    """Per head: the fraction of sources whose most-promoted token is the source's own token."""
    top = logits.argmax(-1)  # (head, source)
    return (top == torch.tensor(list(sources))[None]).float().mean(-1)


def _folded_qk(model: Any, scales: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.stack(
        [scales[f"blocks.{layer}.ln1.weight"] for layer in range(model.cfg.n_layers)]
    )  # (layer, d_model)
    w_q = model.W_Q.float() * g[:, None, :, None]
    w_k = model.W_K.float() * g[:, None, :, None]
    return w_q, w_k


def k_composition(model: Any, scales: dict[str, torch.Tensor]) -> torch.Tensor:
    """``(layer_B, head_B, layer_A, head_A)`` K-composition scores (NaN unless A is earlier).

    Uses ``||W_V M W_Q^T||^2 = tr(M^T (W_V^T W_V) M (W_Q^T W_Q))`` with ``M = W_O^A W_K^B``,
    so every pair costs a few d_head × d_head products instead of d_model × d_model ones.
    """
    with torch.no_grad():
        w_q, w_k = _folded_qk(model, scales)
        w_v, w_o = model.W_V.float(), model.W_O.float()
        g_v = torch.einsum("lhdi,lhdj->lhij", w_v, w_v)  # W_V^T W_V
        g_q = torch.einsum("lhdi,lhdj->lhij", w_q, w_q)  # W_Q^T W_Q
        ov_norm = torch.einsum("lhij,lhjd,lhid->lh", g_v, w_o, w_o).sqrt()
        qk_norm = torch.einsum("lhij,lhdj,lhdi->lh", g_q, w_k, w_k).sqrt()
        m = torch.einsum("ahid,bkdj->bkahij", w_o, w_k)  # M = W_O^A W_K^B
        # tr(M^T G_V M G_Q)
        num = torch.einsum("bkahji,ahjl,bkahlm,bkmi->bkah", m, g_v, m, g_q).clamp_min(0).sqrt()
        score = num / (qk_norm[:, :, None, None] * ov_norm[None, None])
        n = model.cfg.n_layers
        earlier = torch.arange(n)[None, :] < torch.arange(n)[:, None]  # [B, A]: A before B
        return torch.where(earlier[:, None, :, None], score, torch.full_like(score, float("nan")))


def composition_baseline(d_model: int, d_head: int, samples: int = 64, seed: int = 0) -> float:
    """Mean K-composition score of random Gaussian weights of the same shapes."""
    gen = torch.Generator().manual_seed(seed)
    total = 0.0
    for _ in range(samples):
        w_v, w_q, w_k = (torch.randn(d_model, d_head, generator=gen) for _ in range(3))
        w_o = torch.randn(d_head, d_model, generator=gen)
        ov, qk = w_v @ w_o, w_q @ w_k.T
        total += float((ov @ qk.T).norm() / (ov.norm() * qk.norm()))
    return total / samples

"""The sparse autoencoder: x̂ = W_dec·f + b_dec with f = ReLU(W_enc·(x − b_dec) + b_enc).

Two kinds share one module and SAELens's parameter names and shapes:

- ``relu``: ReLU + L1. The input is centred on the decoder bias (x − b_dec) before encoding.
  Decoder rows (one per feature) are kept at **unit norm** after every optimiser step, so the
  plain L1 of the feature activations is the sparsity penalty (no decoder-norm weighting is
  needed: every norm is 1).
- ``topk``: the same encoder, but only the k largest pre-activations survive (then ReLU).
  Decoder rows are also kept at unit norm.

Shapes follow SAELens: ``W_enc`` [d_in, d_sae], ``W_dec`` [d_sae, d_in], ``b_enc`` [d_sae],
``b_dec`` [d_in].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from tutor.labs.sae.config import SAE_KINDS

SAEKind = Literal["relu", "topk"]


@dataclass
class SAEConfig:
    """What an SAE is: its kind and sizes, and where its activations came from."""

    kind: SAEKind
    d_in: int
    d_sae: int
    k: int | None = None
    model_name: str = ""
    hook_name: str = ""
    layer: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SAE_KINDS:
            raise ValueError(f"kind {self.kind!r}: expected one of {', '.join(SAE_KINDS)}")
        if self.d_in < 1 or self.d_sae < 1:
            raise ValueError(f"d_in={self.d_in}, d_sae={self.d_sae}: both must be positive")
        if self.kind == "topk" and (self.k is None or not 1 <= self.k <= self.d_sae):
            raise ValueError(f"k={self.k}: a TopK SAE needs 1 ≤ k ≤ d_sae ({self.d_sae})")

    @property
    def expansion(self) -> float:
        return self.d_sae / self.d_in


class SparseAutoencoder(nn.Module):
    """An SAE with SAELens's parameter names (W_enc, b_enc, W_dec, b_dec)."""

    def __init__(self, cfg: SAEConfig, *, seed: int | None = 0) -> None:
        super().__init__()
        self.cfg = cfg
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        w_dec = torch.randn(cfg.d_sae, cfg.d_in, generator=gen)
        w_dec /= w_dec.norm(dim=1, keepdim=True)
        self.W_dec = nn.Parameter(w_dec)
        # Tied initialisation: each feature starts by reading the direction it writes.
        self.W_enc = nn.Parameter(w_dec.T.clone().contiguous())
        self.b_enc = nn.Parameter(torch.zeros(cfg.d_sae))
        self.b_dec = nn.Parameter(torch.zeros(cfg.d_in))

    @property
    def d_in(self) -> int:
        return self.cfg.d_in

    @property
    def d_sae(self) -> int:
        return self.cfg.d_sae

    def pre_activations(self, x: torch.Tensor) -> torch.Tensor:
        """W_enc·(x − b_dec) + b_enc, over the last dimension of ``x``."""
        flat = x.reshape(-1, self.d_in) - self.b_dec
        pre = torch.addmm(self.b_enc, flat, self.W_enc)
        return pre.reshape(*x.shape[:-1], self.d_sae)

    def activate(self, pre: torch.Tensor) -> torch.Tensor:
        """Turn pre-activations into feature activations (ReLU, or TopK then ReLU)."""
        if self.cfg.kind == "relu":
            return torch.relu(pre)
        assert self.cfg.k is not None
        values, indices = pre.topk(self.cfg.k, dim=-1, sorted=False)
        return torch.zeros_like(pre).scatter_(-1, indices, values.relu())

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Feature activations f for activations x (any leading shape)."""
        return self.activate(self.pre_activations(x))

    def decode(self, f: torch.Tensor) -> torch.Tensor:
        """Reconstruction x̂ = f·W_dec + b_dec."""
        flat = f.reshape(-1, self.d_sae)
        out = torch.addmm(self.b_dec, flat, self.W_dec)
        return out.reshape(*f.shape[:-1], self.d_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    @torch.no_grad()
    def normalize_decoder_(self) -> None:
        """Rescale every decoder row to unit norm (the invariant both kinds keep)."""
        self.W_dec.div_(self.W_dec.norm(dim=1, keepdim=True).clamp_min(1e-8))

    @torch.no_grad()
    def fold_input_scale_(self, scale: float) -> None:
        """Make an SAE trained on ``x·s`` work on raw ``x``; decoder rows stay unit-norm.

        With f = ReLU((x·s − b)·W_enc + c), the raw reconstruction x̂/s equals
        (f/s)·W_dec + b/s, and f/s = ReLU((x − b/s)·W_enc + c/s). So b_enc ← c/s and
        b_dec ← b/s; the weights are unchanged and feature activations come out in the
        activations' own units (divided by s).
        """
        self.b_enc.div_(scale)
        self.b_dec.div_(scale)

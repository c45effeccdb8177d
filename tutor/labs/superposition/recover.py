"""From toy to SAE: can a sparse autoencoder find features we know are there?

A trained toy model stores its features superposed in m dimensions: h = W·x, with feature
i's direction the column Wᵢ. Here — and nowhere in a real model — the true features are
known, so an SAE trained on h can be graded. The SAE is the SAE playground's own
(``tutor.labs.sae``: ``train_sae`` and its ``SparseAutoencoder``), unchanged.

Grading: each true feature's best cosine similarity with the decoder direction of any
*alive* latent (one that fires at least once on the evaluation activations; a dead latent's
direction reconstructs nothing). A feature is *recovered* when that cosine exceeds 0.9.
Only features the toy model itself represents (‖Wᵢ‖ > 0.5) are graded: a dropped feature
is not in h at all. Several features may match one latent (max cosine per feature, as in
Sharkey et al.'s "mean max cosine similarity"); the latent each matched is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from tutor.labs.sae.config import TrainConfig
from tutor.labs.sae.training import train_sae
from tutor.labs.superposition.geometry import REPRESENTED
from tutor.labs.superposition.toy import one_thread, sample_features

RECOVERED_COSINE = 0.9


@dataclass
class Recovery:
    """How one SAE did against the true features."""

    latents: int
    l1: float
    best_cosine: list[
        float | None
    ]  # per true feature; None if not graded (dropped) or no latent alive
    matched_latent: list[int | None]
    recovered: list[bool]
    graded: int  # features the toy model represents
    alive: int
    l0: float
    fvu: float
    seconds: float

    @property
    def fraction(self) -> float | None:
        return sum(self.recovered) / self.graded if self.graded else None


def toy_activations(W: torch.Tensor, sparsity: float, samples: int, seed: int) -> torch.Tensor:
    """h = W·x [samples, m] for fresh sparse inputs x (the toy model's hidden layer)."""
    gen = torch.Generator().manual_seed(seed)
    x = sample_features(samples, torch.tensor([sparsity]), W.shape[1], gen)[0]
    return x @ W.T


def grade(
    W: torch.Tensor, decoder: torch.Tensor, alive: torch.Tensor
) -> tuple[list[float | None], list[int | None], list[bool], int]:
    """Best cosine (and which latent) per true feature, over alive latents; recovered flags."""
    keep = W.norm(dim=0) > REPRESENTED
    true_dirs = W / W.norm(dim=0, keepdim=True).clamp_min(1e-12)  # [m, n]
    dec = decoder / decoder.norm(dim=1, keepdim=True).clamp_min(1e-12)  # [latents, m]
    cos = dec @ true_dirs  # [latents, n]
    best: list[float | None] = []
    which: list[int | None] = []
    for i in range(W.shape[1]):
        if not keep[i] or not alive.any():
            best.append(None)
            which.append(None)
            continue
        masked = cos[:, i].masked_fill(~alive, -2.0)
        j = int(masked.argmax())
        best.append(float(masked[j]))
        which.append(j)
    recovered = [c is not None and c > RECOVERED_COSINE for c in best]
    return best, which, recovered, int(keep.sum())


def train_and_grade(
    W: torch.Tensor,
    h: torch.Tensor,
    *,
    expansion: int,
    l1: float,
    steps: int,
    seed: int,
    should_stop: Callable[[], bool] | None = None,
) -> Recovery:
    """Train the SAE playground's ReLU + L1 SAE on h and grade it against W's columns."""
    start = time.perf_counter()
    cfg = TrainConfig(
        kind="relu",
        expansion=expansion,
        l1_coefficient=l1,
        lr=1e-2,
        batch_size=1024,
        steps=steps,
        seed=seed,
    )
    with one_thread():
        trained = train_sae(h, cfg, should_stop=should_stop)
    sae = trained.sae
    with torch.no_grad():
        f = sae.encode(h)
        x_hat = sae.decode(f)
        alive = (f > 0).any(0)
        l0 = float((f > 0).float().sum(1).mean())
        fvu = float((x_hat - h).pow(2).sum() / (h - h.mean(0)).pow(2).sum().clamp_min(1e-12))
        best, which, recovered, graded = grade(W, sae.W_dec, alive)
    return Recovery(
        latents=sae.d_sae,
        l1=l1,
        best_cosine=best,
        matched_latent=which,
        recovered=recovered,
        graded=graded,
        alive=int(alive.sum()),
        l0=l0,
        fvu=fvu,
        seconds=time.perf_counter() - start,
    )

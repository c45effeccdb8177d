"""How good an SAE is, with the names the field uses.

- **L0**: mean number of features active (> 0) per token.
- **MSE**: mean over tokens *and* dimensions of (x̂ − x)².
- **FVU** (fraction of variance unexplained): Σ‖x̂ − x‖² / Σ‖x − x̄‖², x̄ the mean activation.
  **Explained variance** is 1 − FVU.
- **Density** of a feature: the fraction of tokens on which it is active. **Dead**: density 0
  on the evaluation tokens. **Dense**: density above ``DENSE_THRESHOLD`` (10%).
- **CE-loss recovered**: splice x̂ into the forward pass in place of x (every position but
  BOS), and compare the next-token cross-entropy with the clean run and with x zero-ablated:
  (CE_zero − CE_sae) / (CE_zero − CE_clean). 1 means the SAE loses nothing; 0 means it is as
  bad as deleting the activation.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from tutor.labs.sae.autoencoder import SparseAutoencoder

DENSE_THRESHOLD = 0.1
HISTOGRAM_EDGES: tuple[float, ...] = (-7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0)


@dataclass
class SAEMetrics:
    l0: float
    mse: float
    fvu: float
    explained_variance: float
    dead_fraction: float
    dense_fraction: float
    n_tokens: int
    density_histogram: list[int] = field(default_factory=list)
    ce_loss_clean: float | None = None
    ce_loss_sae: float | None = None
    ce_loss_zero: float | None = None
    ce_loss_recovered: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FeatureStats:
    """Per-feature statistics over a set of tokens."""

    density: torch.Tensor
    max_activation: torch.Tensor
    n_tokens: int


def l0(f: torch.Tensor) -> float:
    return float((f > 0).sum(-1).float().mean())


def mse(x: torch.Tensor, x_hat: torch.Tensor) -> float:
    return float((x_hat - x).pow(2).mean())


def fvu(x: torch.Tensor, x_hat: torch.Tensor) -> float:
    residual = (x_hat - x).pow(2).sum()
    total = (x - x.mean(0)).pow(2).sum()
    return float(residual / total.clamp_min(1e-12))


def density_histogram(density: torch.Tensor) -> list[int]:
    """Counts of live features per decade of density, bins [1e-7,1e-6), …, [0.1, 1].

    Dead features (density 0) are not in the histogram; ``dead_fraction`` counts them.
    """
    live = density[density > 0]
    logs = live.clamp_min(1e-7).log10()
    counts = []
    for i, (lo, hi) in enumerate(zip(HISTOGRAM_EDGES, HISTOGRAM_EDGES[1:], strict=False)):
        last = i == len(HISTOGRAM_EDGES) - 2
        sel = (logs >= lo) & ((logs <= hi) if last else (logs < hi))
        counts.append(int(sel.sum()))
    return counts


@torch.no_grad()
def feature_stats(sae: SparseAutoencoder, acts: torch.Tensor, batch: int = 8192) -> FeatureStats:
    """Density and maximum activation of every feature over ``acts`` [n, d_in]."""
    fired = torch.zeros(sae.d_sae)
    top = torch.zeros(sae.d_sae)
    for i in range(0, acts.shape[0], batch):
        f = sae.encode(acts[i : i + batch].float())
        fired += (f > 0).sum(0)
        top = torch.maximum(top, f.max(0).values)
    return FeatureStats(
        density=fired / max(1, acts.shape[0]), max_activation=top, n_tokens=int(acts.shape[0])
    )


@torch.no_grad()
def reconstruction_metrics(
    sae: SparseAutoencoder, acts: torch.Tensor, batch: int = 8192
) -> SAEMetrics:
    """Every metric that needs only activations (no model): L0, MSE, FVU, densities."""
    x = acts.float()
    n = x.shape[0]
    mean = x.mean(0)
    sq_err = 0.0
    total = 0.0
    active = 0.0
    fired = torch.zeros(sae.d_sae)
    for i in range(0, n, batch):
        xb = x[i : i + batch]
        f = sae.encode(xb)
        x_hat = sae.decode(f)
        sq_err += float((x_hat - xb).pow(2).sum())
        total += float((xb - mean).pow(2).sum())
        mask = f > 0
        active += float(mask.sum())
        fired += mask.sum(0)
    density = fired / max(1, n)
    unexplained = sq_err / max(total, 1e-12)
    return SAEMetrics(
        l0=active / max(1, n),
        mse=sq_err / max(1, n * x.shape[1]),
        fvu=unexplained,
        explained_variance=1.0 - unexplained,
        dead_fraction=float((density == 0).float().mean()),
        dense_fraction=float((density > DENSE_THRESHOLD).float().mean()),
        n_tokens=n,
        density_histogram=density_histogram(density),
    )


@torch.no_grad()
def ce_losses(
    model: Any, rows: torch.Tensor, sae: SparseAutoencoder, hook_name: str, batch_rows: int = 32
) -> tuple[float, float, float]:
    """Mean next-token CE: clean, with x̂ spliced in, and with the activation zeroed (not BOS)."""

    def splice(act: torch.Tensor, hook: Any) -> torch.Tensor:
        out = act.clone()
        out[:, 1:] = sae(act[:, 1:].float()).to(act.dtype)
        return out

    def zero(act: torch.Tensor, hook: Any) -> torch.Tensor:
        out = act.clone()
        out[:, 1:] = 0.0
        return out

    device = next(iter(model.parameters())).device
    sums = [0.0, 0.0, 0.0]
    count = 0
    for i in range(0, rows.shape[0], batch_rows):
        batch = rows[i : i + batch_rows].to(device)
        n = batch.shape[0]
        sums[0] += float(model(batch, return_type="loss")) * n
        sums[1] += (
            float(model.run_with_hooks(batch, return_type="loss", fwd_hooks=[(hook_name, splice)]))
            * n
        )
        sums[2] += (
            float(model.run_with_hooks(batch, return_type="loss", fwd_hooks=[(hook_name, zero)]))
            * n
        )
        count += n
    clean, spliced, zeroed = (s / max(1, count) for s in sums)
    return clean, spliced, zeroed


def ce_loss_recovered(clean: float, spliced: float, zeroed: float) -> float:
    """(CE_zero − CE_sae) / (CE_zero − CE_clean); NaN when zero-ablation changes nothing."""
    gap = zeroed - clean
    if abs(gap) < 1e-9:
        return math.nan
    return (zeroed - spliced) / gap


def evaluate(
    sae: SparseAutoencoder,
    acts: torch.Tensor,
    *,
    model: Any | None = None,
    rows: torch.Tensor | None = None,
    hook_name: str | None = None,
) -> SAEMetrics:
    """Reconstruction metrics on ``acts``; CE-loss metrics too when a model and rows are given."""
    result = reconstruction_metrics(sae, acts)
    if model is not None and rows is not None:
        name = hook_name or sae.cfg.hook_name
        clean, spliced, zeroed = ce_losses(model, rows, sae, name)
        result.ce_loss_clean = clean
        result.ce_loss_sae = spliced
        result.ce_loss_zero = zeroed
        result.ce_loss_recovered = ce_loss_recovered(clean, spliced, zeroed)
    return result

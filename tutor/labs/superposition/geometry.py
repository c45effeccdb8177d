"""What a trained toy model's W says about its features: which are kept, how they overlap.

All of these read W (m × n, column Wᵢ = feature i's direction in the hidden space):

- ``norms``: ‖Wᵢ‖. A feature is *represented* when ‖Wᵢ‖ > 0.5 (the paper's figures treat
  about 1 as "kept" and about 0 as "dropped"; 0.5 splits them).
- ``superposition``: Σⱼ≠ᵢ (Ŵᵢ·Wⱼ)², how much of the other features lies along feature i's
  direction (0: it has a dimension to itself). A dropped feature has no direction to speak
  of, so its value is ``None``.
- ``dimensionality``: Dᵢ = ‖Wᵢ‖² / Σⱼ (Ŵᵢ·Wⱼ)², the share of a hidden dimension feature i
  owns: 1 for a dedicated dimension, 1/2 for an antipodal pair, 2/5 in the pentagon, 0 when
  dropped. The Dᵢ sum to at most m.
- ``dims_per_feature``: m / ‖W‖²_F, the paper's summary across sparsity levels; it sticks at
  1, 1/2, 2/5 … as sparsity rises.
- ``angles``: for m = 2, each feature's direction in degrees.
"""

from __future__ import annotations

import math

import torch

REPRESENTED = 0.5  # ‖Wᵢ‖ above this: the feature is kept
SUPERPOSED = 0.05  # Σⱼ≠ᵢ (Ŵᵢ·Wⱼ)² above this, for a kept feature: it shares its direction


def norms(W: torch.Tensor) -> list[float]:
    return [float(v) for v in W.norm(dim=0)]


def represented(W: torch.Tensor) -> list[bool]:
    return [v > REPRESENTED for v in norms(W)]


def _overlaps(W: torch.Tensor) -> torch.Tensor:
    """(Ŵᵢ·Wⱼ)² for all i, j: row i is feature i's unit direction dotted with every column."""
    unit = W / W.norm(dim=0, keepdim=True).clamp_min(1e-12)
    return (unit.T @ W).pow(2)


def superposition(W: torch.Tensor) -> list[float | None]:
    """Σⱼ≠ᵢ (Ŵᵢ·Wⱼ)² per feature; ``None`` for a feature that is not represented."""
    sq = _overlaps(W)
    total = sq.sum(1) - sq.diagonal()
    return [float(t) if keep else None for t, keep in zip(total, represented(W), strict=True)]


def dimensionality(W: torch.Tensor) -> list[float]:
    """Dᵢ = ‖Wᵢ‖² / Σⱼ (Ŵᵢ·Wⱼ)² per feature (0 for a feature with no weight at all)."""
    sq = _overlaps(W)
    num = W.pow(2).sum(0)
    den = sq.sum(1)
    return [float(a / d) if d > 1e-12 else 0.0 for a, d in zip(num, den, strict=True)]


def dims_per_feature(W: torch.Tensor) -> float:
    """m / ‖W‖²_F: hidden dimensions per (fully) stored feature."""
    return W.shape[0] / max(float(W.pow(2).sum()), 1e-12)


def angles(W: torch.Tensor) -> list[float] | None:
    """Each feature's direction in degrees, in [0, 360) (m = 2 only, else ``None``)."""
    if W.shape[0] != 2:
        return None
    return [math.degrees(math.atan2(float(y), float(x))) % 360.0 for x, y in W.T]


def angle_gaps(W: torch.Tensor) -> list[float] | None:
    """For m = 2: the angles between neighbouring *represented* features, going round the
    circle (they sum to 360°; a regular pentagon gives five gaps of 72°)."""
    found = angles(W)
    if found is None:
        return None
    kept = sorted(a for a, keep in zip(found, represented(W), strict=True) if keep)
    if len(kept) < 2:
        return []
    return [(kept[(k + 1) % len(kept)] - kept[k]) % 360.0 for k in range(len(kept))]

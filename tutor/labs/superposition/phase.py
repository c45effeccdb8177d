"""The phase diagram: when does a second feature get stored, and how?

The smallest model that can superpose: n = 2 features, m = 1 hidden dimension. Feature 0 has
importance 1, feature 1 ("the extra feature") has relative importance r; both have sparsity
S. Every (S, r) cell of the grid is one instance of one batched training run, and the extra
feature ends up in one of three phases (Elhage et al. 2022, "Phase Change"):

- ``absent``: ‖W₁‖ ≤ 0.5 — the hidden dimension goes to feature 0 alone;
- ``dedicated``: the extra feature has the dimension and feature 0 is dropped;
- ``superposed``: both are stored, pointing opposite ways along the one dimension.

Dense features (S = 0) never superpose: the more important one takes the dimension. As
features get sparser the superposed region opens up around r ≈ 1 and widens.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutor.labs.superposition.geometry import REPRESENTED
from tutor.labs.superposition.toy import ToySetup, train_toy

PHASES = ("absent", "dedicated", "superposed")


def phase_axes(size: int) -> tuple[list[float], list[float]]:
    """Sparsities (feature density 1 − S from 1 down to 0.01, log-spaced) and relative
    importances (0.1 to 10, log-spaced), ``size`` of each."""
    density = torch.logspace(0.0, -2.0, size)
    importance = torch.logspace(-1.0, 1.0, size)
    return [round(1.0 - float(d), 6) for d in density], [round(float(r), 6) for r in importance]


def classify(w0: float, w1: float) -> str:
    """The extra feature's phase from |W₀| and |W₁| of a trained 1 × 2 model."""
    if abs(w1) <= REPRESENTED:
        return "absent"
    return "superposed" if abs(w0) > REPRESENTED else "dedicated"


def phase_diagram(
    size: int,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    restarts: int,
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> tuple[list[float], list[float], list[list[str]], list[list[list[float]]]]:
    """Train the whole grid as one batch; returns (sparsities, importances, phase[r][S], W[r][S]).

    Rows are relative importances (low to high), columns sparsities (dense to sparse).
    """
    sparsities, importances = phase_axes(size)
    s_grid = torch.tensor(sparsities).repeat(size)  # instance = row·size + col
    r_grid = torch.tensor(importances).repeat_interleave(size)
    weights = torch.stack([torch.ones_like(r_grid), r_grid], dim=1)
    setup = ToySetup(n=2, m=1, sparsity=s_grid, importance=weights, relu=True)
    trained = train_toy(
        setup,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        restarts=restarts,
        progress=progress,
        check=check,
    )
    W = trained.W[:, 0, :]  # [instances, 2]
    phases = [[classify(*W[r * size + c].tolist()) for c in range(size)] for r in range(size)]
    grid_w = [[W[r * size + c].tolist() for c in range(size)] for r in range(size)]
    return sparsities, importances, phases, grid_w

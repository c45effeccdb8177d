"""Fixtures for the SAE tests: planted sparse data, the tiny model, a tiny trained SAE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch


def planted_data(
    n: int = 20_000, d: int = 16, m: int = 40, p: float = 0.04, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Activations that are sparse sums of ``m`` known unit directions (plus a constant)."""
    g = torch.Generator().manual_seed(seed)
    directions = torch.randn(m, d, generator=g)
    directions /= directions.norm(dim=1, keepdim=True)
    on = torch.rand(n, m, generator=g) < p
    magnitude = torch.rand(n, m, generator=g) * 1.5 + 0.5
    x = (on * magnitude) @ directions + 0.3 * torch.randn(d, generator=g)
    return x, directions


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> Any:
    from tutor.model.loader import load_model

    return load_model(str(tiny_model_dir), "cpu")


@pytest.fixture(scope="session")
def planted() -> Any:
    """The ``planted_data`` function (fixtures cannot be imported from conftest)."""
    return planted_data

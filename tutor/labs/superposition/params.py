"""The superposition lab's parameters: one pydantic model shared by screen, CLI and JSON.

Kept free of torch so the command line can build and check parameters before anything heavy
is imported. Ranges are checked here (pydantic) and across fields in ``check``; both report
the field by name.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.labs.runner import LabInputError

DEFAULT_LEVELS = [0.0, 0.7, 0.9, 0.97, 0.99]


class Params(BaseModel):
    """One experiment: the toy model, its training, and the optional phase sweep and SAE."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(5, ge=2, le=40, description="number of features")
    m: int = Field(2, ge=1, le=20, description="hidden dimensions (at most n)")
    sparsity: float = Field(0.9, ge=0.0, lt=1.0, description="the level the views show")
    levels: list[float] = Field(
        default_factory=lambda: list(DEFAULT_LEVELS),
        description="sparsity levels trained together (the shown one is added if missing)",
    )
    importance: float = Field(1.0, gt=0.0, le=1.0, description="Iᵢ = importanceⁱ")
    relu: bool = True
    steps: int = Field(1500, ge=10, le=20000)
    batch_size: int = Field(1024, ge=16, le=8192)
    lr: float = Field(1e-2, gt=0.0, le=1.0)
    restarts: int = Field(4, ge=1, le=16, description="random starts per level; best kept")
    seed: int = 0
    phase: bool = Field(False, description="also sweep the n = 2, m = 1 phase diagram")
    phase_size: int = Field(9, ge=2, le=20)
    phase_steps: int = Field(1200, ge=10, le=20000)
    sae: bool = Field(False, description="also train an SAE on the toy model's activations")
    sae_expansion: int = Field(5, ge=1, le=64, description="SAE latents = expansion × m")
    sae_l1: float = Field(1.0, ge=0.0, le=1000.0)
    sae_steps: int = Field(2000, ge=10, le=20000)
    sae_samples: int = Field(50000, ge=1000, le=500000)
    sae_contrast: bool = Field(
        True, description="also train a too-few-latents SAE and a too-much-L1 SAE"
    )

    def all_levels(self) -> list[float]:
        """The sparsity levels to train, sorted, with the shown one included."""
        return sorted({round(s, 6) for s in [*self.levels, self.sparsity]})

    def level_index(self) -> int:
        return self.all_levels().index(round(self.sparsity, 6))


def check(params: Params) -> None:
    """Checks across fields; ``LabInputError`` names the field."""
    if params.m > params.n:
        raise LabInputError("m", f"{params.m} hidden dimensions for {params.n} features: m ≤ n")
    if not params.levels:
        raise LabInputError("levels", "give at least one sparsity level")
    for s in params.levels:
        if not 0.0 <= s < 1.0:
            raise LabInputError("levels", f"{s}: a sparsity must be in [0, 1)")
    if len(params.all_levels()) > 12:
        raise LabInputError("levels", "at most 12 sparsity levels")


def updated(base: Params, changes: dict[str, Any]) -> Params:
    """``base`` with ``changes`` applied and validated; ``LabInputError`` names a bad field."""
    data = base.model_dump() | changes
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "params"
        raise LabInputError(field, str(first["msg"])) from None
    check(params)
    return params

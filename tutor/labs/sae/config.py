"""Training settings for an SAE, kept free of torch so screens can read presets cheaply."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SAE_KINDS: tuple[str, ...] = ("relu", "topk")


@dataclass
class TrainConfig:
    """How to train: the knobs the lab exposes (kind, expansion, λ or k, lr, batch, steps)."""

    kind: str = "relu"
    expansion: int = 32
    l1_coefficient: float = 0.4
    k: int = 32
    lr: float = 1e-2
    batch_size: int = 1024
    steps: int = 300
    resample_dead: bool = False
    dead_window: int = 100_000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in SAE_KINDS:
            raise ValueError(f"kind {self.kind!r}: expected one of {', '.join(SAE_KINDS)}")
        checks = {
            "expansion": self.expansion >= 1,
            "l1_coefficient": self.l1_coefficient >= 0,
            "k": self.k >= 1,
            "lr": self.lr > 0,
            "batch_size": self.batch_size >= 1,
            "steps": self.steps >= 1,
            "dead_window": self.dead_window >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} is out of range")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

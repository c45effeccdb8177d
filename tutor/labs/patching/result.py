"""The result of one patching sweep, and its JSON and CSV forms.

``values`` holds the raw metric after each patch and ``recovery`` the normalised version,
both layer-major: one row per layer, one column per position (or per head for the heads
sweep). JSON keys ``tokens, sweep, metric, clean, corrupted, values, recovery, elapsed_ms``
are the public contract of ``mitutor patch --json``; the rest are extras for the lab.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from typing import Any

Grid = list[list[float]]


def _clean_number(x: float) -> float | None:
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _clean_grid(grid: Grid | None) -> list[list[float | None]] | None:
    if grid is None:
        return None
    return [[_clean_number(float(v)) for v in row] for row in grid]


@dataclass
class PatchResult:
    """One sweep: what was patched, what the metric did, how long the sweep took."""

    tokens: list[str]
    sweep: str
    metric: str
    clean: float
    corrupted: float
    values: Grid
    recovery: Grid
    elapsed_ms: float
    columns: list[str]
    positions: list[int] | None
    prompt: str = ""
    corruption: str = ""
    answer: str = ""
    wrong: str | None = None
    model: str = ""
    window: int = 1
    clean_prob: float = 0.0
    corrupted_prob: float = 0.0
    patched_prob: Grid = field(default_factory=list)
    top_tokens: list[list[list[tuple[str, float]]]] = field(default_factory=list)
    clean_top: list[tuple[str, float]] = field(default_factory=list)
    corrupted_top: list[tuple[str, float]] = field(default_factory=list)
    attribution: Grid | None = None
    attribution_corr: float | None = None

    @property
    def n_layers(self) -> int:
        return len(self.values)

    def column_of(self, position: int) -> int:
        """Index of a token position among the swept columns."""
        if self.positions is None or position not in self.positions:
            raise KeyError(f"position {position} was not swept")
        return self.positions.index(position)

    def layer_bars(self, column: int) -> list[float]:
        """Recovery per layer at one column: what the layer-bar view shows."""
        return [row[column] for row in self.recovery]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("values", "recovery", "patched_prob", "attribution"):
            data[key] = _clean_grid(data[key])
        for key in ("clean", "corrupted", "attribution_corr"):
            data[key] = _clean_number(data[key]) if data[key] is not None else None
        data["top_tokens"] = [[[list(t) for t in cell] for cell in row] for row in self.top_tokens]
        data["clean_top"] = [list(t) for t in self.clean_top]
        data["corrupted_top"] = [list(t) for t in self.corrupted_top]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatchResult:
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}

        def num(grid: Any) -> Any:
            if grid is None:
                return None
            return [[float("nan") if v is None else v for v in row] for row in grid]

        for key in ("values", "recovery", "patched_prob", "attribution"):
            if key in kwargs:
                kwargs[key] = num(kwargs[key])
        kwargs["top_tokens"] = [
            [[(t[0], t[1]) for t in cell] for cell in row] for row in kwargs.get("top_tokens", [])
        ]
        for key in ("clean_top", "corrupted_top"):
            kwargs[key] = [(t[0], t[1]) for t in kwargs.get(key, [])]
        for key in ("clean", "corrupted"):
            if kwargs.get(key) is None:
                kwargs[key] = float("nan")
        return cls(**kwargs)

    def to_csv(self) -> str:
        """One line per cell: layer, column label, raw metric, recovery (and attribution)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        header = ["layer", "head" if self.sweep == "heads" else "position", "label"]
        header += [self.metric, "recovery"]
        if self.attribution is not None:
            header.append("attribution_recovery")
        writer.writerow(header)
        for layer, row in enumerate(self.values):
            for col, value in enumerate(row):
                index = col if self.positions is None else self.positions[col]
                line: list[Any] = [layer, index, self.columns[col]]
                line += [f"{value:.6g}", f"{self.recovery[layer][col]:.6g}"]
                if self.attribution is not None:
                    line.append(f"{self.attribution[layer][col]:.6g}")
                writer.writerow(line)
        return out.getvalue()

"""Plain-text views of the superposition lab (no torch, no Textual): the screen and the CLI
both draw with these.

- ``plane_lines``: for m = 2, every feature's direction Wᵢ drawn from the origin on a braille
  canvas (2 × 4 dots per character cell, so one dot is about square on a terminal and the
  pentagon is not squashed), each tip labelled with its feature number.
- ``phase_lines``: the phase diagram as a grid of glyphs (· absent, █ dedicated,
  ◆ superposed) that reads without colour.
- ``sae_lines``: the SAE runs side by side and each true feature's best cosine.
"""

from __future__ import annotations

import math
from typing import Any

# Bit of each dot in a braille cell, indexed [row][column] (Unicode's dot numbering).
_DOT = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
PHASE_GLYPH = {"absent": "·", "dedicated": "█", "superposed": "◆"}


def plane_lines(W: list[list[float]], width: int = 40, height: int = 16) -> list[str]:
    """W (2 × n) drawn as n arrows from the origin; ``width`` × ``height`` character cells."""
    if len(W) != 2:
        return ["(the plane view needs m = 2)"]
    xs, ys = W
    n = len(xs)
    px_w, px_h = 2 * width, 4 * height
    reach = max([math.hypot(x, y) for x, y in zip(xs, ys, strict=True)] + [1e-6]) * 1.35
    scale = min((px_w - 1) / 2, (px_h - 1) / 2) / reach  # dots per unit, same on both axes
    cx, cy = px_w // 2, px_h // 2
    dots = [[False] * px_w for _ in range(px_h)]

    def plot(px: float, py: float) -> None:
        c, r = round(px), round(py)
        if 0 <= r < px_h and 0 <= c < px_w:
            dots[r][c] = True

    for c in range(0, px_w, 4):  # a dotted horizontal axis
        plot(c, cy)
    for r in range(0, px_h, 4):  # and a dotted vertical one
        plot(cx, r)
    tips: list[tuple[int, int, str]] = []
    for i in range(n):
        tx, ty = xs[i] * scale, -ys[i] * scale  # screen rows grow downwards
        steps = max(1, int(max(abs(tx), abs(ty))))
        for s in range(steps + 1):
            plot(cx + tx * s / steps, cy + ty * s / steps)
        length = math.hypot(tx, ty)
        if length < 2:  # a dropped feature: no arrow, no label
            continue
        lx = cx + tx * (1 + 5 / length)
        ly = cy + ty * (1 + 5 / length)
        label = str(i)
        row = min(height - 1, max(0, int(ly // 4)))
        col = min(width - len(label), max(0, int(lx // 2)))
        tips.append((row, col, label))
    cells = [
        [
            chr(
                0x2800
                + sum(
                    _DOT[dr][dc]
                    for dr in range(4)
                    for dc in range(2)
                    if dots[4 * row + dr][2 * col + dc]
                )
            )
            for col in range(width)
        ]
        for row in range(height)
    ]
    for row, col, label in tips:
        for k, ch in enumerate(label):
            if 0 <= row < height and 0 <= col + k < width:
                cells[row][col + k] = ch
    return ["".join(r).replace("\u2800", " ").rstrip() for r in cells]


def angle_summary(W: list[list[float]], represented: list[bool]) -> str:
    """ "Angles between neighbouring kept features: 72°, …" for m = 2 (torch-free)."""
    kept = sorted(
        math.degrees(math.atan2(y, x)) % 360.0
        for x, y, keep in zip(W[0], W[1], represented, strict=True)
        if keep
    )
    if len(kept) < 2:
        return f"{len(kept)} feature kept: no angles to compare"
    gaps = [(kept[(k + 1) % len(kept)] - kept[k]) % 360.0 for k in range(len(kept))]
    return "Angles between neighbouring kept features: " + ", ".join(f"{g:.0f}°" for g in gaps)


def phase_lines(phase: Any) -> list[str]:
    """Rows: relative importance of the extra feature (high at the top); columns: sparsity."""
    lines = [
        "extra feature's phase (· dropped, █ dedicated dimension, ◆ superposed)",
        "relative importance ↓   sparsity →",
    ]
    for r in reversed(range(len(phase.importances))):
        cells = "".join(f" {PHASE_GLYPH[p]} " for p in phase.phases[r])
        lines.append(f"  {phase.importances[r]:6.2f} │{cells}")
    width = 3 * len(phase.sparsities)
    lines.append("         └" + "─" * width)
    first, last = phase.sparsities[0], phase.sparsities[-1]
    lines.append(f"           S = {first:g} (dense) … {last:g} (sparse), 1 − S log-spaced")
    counts = {p: sum(row.count(p) for row in phase.phases) for p in PHASE_GLYPH}
    lines.append(
        "           "
        + ", ".join(f"{counts[p]} {p}" for p in PHASE_GLYPH)
        + f"  ({phase.seconds:.1f} s)"
    )
    return lines


def _cos(value: float | None) -> str:
    return "  —  " if value is None else f"{value:+.2f}"


def sae_lines(step: Any) -> list[str]:
    """The SAE runs (latents, λ, recovered, alive, L0, FVU), then cosines per true feature."""
    runs = [step.main, *step.contrasts]
    lines = [
        f"SAE on h = W·x ({step.samples} samples at sparsity {step.sparsity:g})",
        " run               latents     λ  recovered  alive    L0   FVU",
    ]
    for run in runs:
        rec = "—" if run.recovered is None else f"{round(run.recovered * run.graded)}/{run.graded}"
        lines.append(
            f" {run.label:<16} {run.latents:>8} {run.l1:>5g} {rec:>10} {run.alive:>6} "
            f"{run.l0:5.2f} {run.fvu:5.2f}"
        )
    lines += ["", " best cosine with a live decoder direction (✓ > 0.9):"]
    header = " feature " + "".join(f"{run.label[:13]:>15}" for run in runs)
    lines.append(header)
    for i in range(len(step.main.best_cosine)):
        row = f" {i:>7} "
        for run in runs:
            mark = "✓" if run.recovered_features[i] else " "
            latent = run.matched_latent[i]
            where = f"#{latent}" if latent is not None else ""
            row += f"{_cos(run.best_cosine[i])} {mark}{where:>4}".rjust(15)
        lines.append(row)
    return lines

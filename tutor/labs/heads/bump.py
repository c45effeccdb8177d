"""The induction bump: tutor-gpt's training record, and where its phase change happened.

Reads the training logs shipped with the model (numbers only): ``training_log.csv`` from
the run that produced the shipped weights (loss and the losses on the two copies of
repeated random sequences), and ``training_log_rerun.csv`` if present, a faithful re-run
of the same seeded recipe whose log also has the best induction and previous-token head
scores at each step (the shipped run predates that column).

The phase change is read off the repeated sequences: the second copy can only be predicted
by copying from the first, so the gap ``first-half loss − second-half loss`` is the
model's in-context copying. It is near 0 for the first part of training and then opens
quickly. ``onset`` / ``midpoint`` / ``end`` are the first logged steps where the gap reaches
10% / 50% / 90% of its final value. Torch-free.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import BaseModel

SHIPPED_LOG = "training_log.csv"
RERUN_LOG = "training_log_rerun.csv"


class PhaseChange(BaseModel):
    onset_step: int
    midpoint_step: int
    end_step: int
    final_gap: float
    gap_before: float  # the gap at the onset's previous log step


class Curve(BaseModel):
    """One training log as columns (``None`` where a row lacks a value)."""

    source: str  # "shipped" or "rerun"
    step: list[int]
    tokens: list[int]
    loss: list[float]
    repeat_first: list[float]
    repeat_second: list[float]
    induction: list[float] | None = None  # best head's induction score, if logged
    induction_head: list[str] | None = None  # which head, "L7H0"
    prev_token: list[float] | None = None
    phase: PhaseChange | None = None


def read_log(path: Path, source: str) -> Curve:
    """A training log CSV as a ``Curve`` (phase change found, score columns if present)."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    has_scores = bool(rows) and rows[0].get("best_induction_score") not in (None, "")
    curve = Curve(
        source=source,
        step=[int(r["step"]) for r in rows],
        tokens=[int(r["tokens"]) for r in rows],
        loss=[float(r["loss"]) for r in rows],
        repeat_first=[float(r["repeat_loss_first_half"]) for r in rows],
        repeat_second=[float(r["repeat_loss_second_half"]) for r in rows],
    )
    if has_scores:
        curve.induction = [float(r["best_induction_score"]) for r in rows]
        curve.induction_head = [
            f"L{r['best_induction_layer']}H{r['best_induction_head']}" for r in rows
        ]
        curve.prev_token = [float(r["best_prev_token_score"]) for r in rows]
    curve.phase = phase_change(curve.step, curve.repeat_first, curve.repeat_second)
    return curve


def phase_change(steps: list[int], first: list[float], second: list[float]) -> PhaseChange | None:
    """Onset / midpoint / end of the copying gap's rise; ``None`` if it never opens."""
    gap = [a - b for a, b in zip(first, second, strict=True)]
    if not gap or gap[-1] <= 0.5:  # under half a nat of copying: no induction to speak of
        return None
    final = gap[-1]

    def first_reaching(fraction: float) -> int:
        return next(i for i, g in enumerate(gap) if g >= fraction * final)

    onset = first_reaching(0.1)
    return PhaseChange(
        onset_step=steps[onset],
        midpoint_step=steps[first_reaching(0.5)],
        end_step=steps[first_reaching(0.9)],
        final_gap=round(final, 4),
        gap_before=round(gap[max(0, onset - 1)], 4),
    )


def model_logs(model_dir: Path | None) -> tuple[Curve | None, Curve | None]:
    """(shipped, rerun) curves found in a model directory (``None`` where missing)."""
    if model_dir is None:
        return None, None
    shipped = model_dir / SHIPPED_LOG
    rerun = model_dir / RERUN_LOG
    return (
        read_log(shipped, "shipped") if shipped.is_file() else None,
        read_log(rerun, "rerun") if rerun.is_file() else None,
    )

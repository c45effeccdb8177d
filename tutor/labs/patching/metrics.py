"""What a patching experiment measures: logit difference, answer probability, recovery.

All metrics read the logits at the last position, one value per row of a batch; a sweep
averages rows that share a patch (the noise samples).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

METRICS = ("logit_diff", "prob")


def last_logits(logits: torch.Tensor) -> torch.Tensor:
    """[batch, pos, vocab] or [batch, vocab] → [batch, vocab] at the final position."""
    return logits[:, -1] if logits.ndim == 3 else logits


def logit_diff(logits: torch.Tensor, answer: int, wrong: int) -> torch.Tensor:
    """Per row: logit of the answer minus logit of the wrong answer."""
    last = last_logits(logits)
    return last[:, answer] - last[:, wrong]


def answer_prob(logits: torch.Tensor, answer: int) -> torch.Tensor:
    """Per row: softmax probability of the answer token."""
    return last_logits(logits).float().softmax(-1)[:, answer]


def metric_values(
    logits: torch.Tensor, metric: str, answer: int, wrong: int | None
) -> torch.Tensor:
    """Per-row values of the named metric (``logit_diff`` needs ``wrong``)."""
    if metric == "logit_diff":
        if wrong is None:
            raise ValueError("metric logit_diff needs a wrong-answer token")
        return logit_diff(logits, answer, wrong)
    if metric == "prob":
        return answer_prob(logits, answer)
    raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")


def normalised_recovery(patched: float, clean: float, corrupted: float) -> float:
    """(patched − corrupted) / (clean − corrupted): 0 = no help, 1 = fully restored."""
    gap = clean - corrupted
    if abs(gap) < 1e-12:
        return float("nan")
    return (patched - corrupted) / gap


def pearson(xs: list[float], ys: list[float]) -> float:
    """Pearson correlation of two equal-length lists (nan if either is constant)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x == x and y == y]
    n = len(pairs)
    if n < 2:
        return float("nan")
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / (sxx * syy) ** 0.5

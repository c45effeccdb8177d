"""Total effect beside direct effect: the patching lab's recovery for the DLA's components.

Calls the patching lab's engine (``prepare`` / ``run_sweep``) read-only: corrupt the prompt
(noise on the subject, or a counterfactual prompt), then restore one clean component at a
time and measure how much of the metric comes back. DLA only sees what a component writes
at the last position straight into the logits; patching sees everything downstream of it,
at any position. Where the two disagree, the component works *indirectly*: it writes
something later components read (a subject's attribute, a name to copy), not the answer.

Rows line up with ``dla.component_outputs``: the embeddings are the residual stream before
layer 0 (patching ``resid_pre 0`` at the last position restores token + position embedding);
attention and MLP layers are patched at every position (the table shows the last position and
the best other one); heads are patched at every position at once, as the patching lab does.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from tutor.labs.runner import LabInputError, RunContext


class NoSubject(Exception):
    """The prompt names no subject to add noise to; the lens and DLA still stand."""


@dataclass
class Recovery:
    corruption: str
    metric: str
    clean: float
    corrupted: float
    last: dict[str, float | None]  # component name → recovery patching it at the last position
    best: dict[str, tuple[float | None, int | None]]  # → (recovery, position) elsewhere
    heads: list[list[float | None]]
    seconds: float


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def patching_recovery(
    model: Any,
    prompt: str,
    answer: str,
    wrong: str | None,
    *,
    corrupt: str | None,
    noise: float,
    samples: int,
    subject: tuple[int, int] | None,
    ctx: RunContext,
) -> Recovery:
    """Run the patching sweeps; ``LabInputError`` for a corruption the engine refuses."""
    from tutor.labs.patching import engine

    if corrupt:
        corruption: Any = engine.CounterfactualCorruption(corrupt)
    else:
        corruption = engine.NoiseCorruption(scale=noise, samples=samples, subject=subject)
    experiment = engine.Experiment(prompt=prompt, answer=answer, wrong=wrong, corruption=corruption)
    start = time.perf_counter()
    try:
        prep = engine.prepare(model, experiment, model_name=ctx.model_name)
        last = prep.n_pos - 1
        steps = [("resid", [last]), ("attn", None), ("mlp", None), ("heads", None)]
        results = {}
        for i, (sweep, positions) in enumerate(steps):
            sub = ctx.sub(i / len(steps), (i + 1) / len(steps))
            sub.progress(0.0, f"Patching: {sweep}…")
            results[sweep] = engine.run_sweep(
                prep, sweep, positions=positions, progress=lambda f, s=sub: s.progress(f, "")
            )
    except engine.PatchingInputError as exc:
        if exc.field == "prompt" and corrupt is None and subject is None:
            raise NoSubject(
                f"no patching comparison: {exc.detail}; give a subject range or a "
                "counterfactual prompt"
            ) from None
        raise LabInputError(exc.field, exc.detail) from None
    out_last: dict[str, float | None] = {
        "embed": _finite(results["resid"].recovery[0][0]),
    }
    best: dict[str, tuple[float | None, int | None]] = {}
    for kind in ("attn", "mlp"):
        for layer, row in enumerate(results[kind].recovery):
            name = f"{kind} {layer}"
            out_last[name] = _finite(row[last])
            others = [(v, p) for p, v in enumerate(row[:last]) if math.isfinite(v)]
            if others:
                v, p = max(others, key=lambda vp: abs(vp[0]))
                best[name] = (v, p)
            else:
                best[name] = (None, None)
    heads = [[_finite(v) for v in row] for row in results["heads"].recovery]
    return Recovery(
        corruption=corruption.describe(),
        metric=prep.metric,
        clean=prep.clean_value,
        corrupted=prep.corrupted_value,
        last=out_last,
        best=best,
        heads=heads,
        seconds=time.perf_counter() - start,
    )

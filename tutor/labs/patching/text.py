"""The words of the patching lab: the inspect panel, the pipeline steps, what a bar suggests.

Pure functions of a ``PatchResult`` (no Textual, no torch), so they are easy to test and
the screen stays thin.
"""

from __future__ import annotations

import math

from tutor.labs.patching.result import PatchResult


def _p(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.3f}"


def _top(tokens: list[tuple[str, float]]) -> str:
    return "  ".join(f"{t.strip() or repr(t)} {p:.2f}" for t, p in tokens)


def suggestion(recovery: float, layer: int, n_layers: int, in_subject: bool, is_last: bool) -> str:
    """What one bar suggests about the layer's role (hedged: one patch is one experiment)."""
    where = "the subject" if in_subject else ("the last token" if is_last else "this token")
    if not math.isfinite(recovery):
        return "No recovery scale: the clean and corrupted runs give the same metric."
    if recovery > 1.2:
        return (
            "Overshoots: the patched run is surer than the clean one. Usually a sign that the "
            "clean–corrupted gap is small, so recovery magnifies noise."
        )
    if recovery >= 0.7:
        if in_subject:
            return (
                f"Most of the answer comes back from {where} at layer {layer}: what the model "
                "needs about the subject is still sitting on the subject's own tokens here."
            )
        return (
            f"Most of the answer comes back: by layer {layer} the fact has reached {where}. "
            "The layers from here on mostly read it out."
        )
    if recovery >= 0.3:
        return (
            f"Partial recovery: some of what the answer needs is at {where} by layer {layer}, "
            "the rest still lives at other positions or arrives later."
        )
    if recovery <= -0.3:
        return (
            "Patching here pushes the model further from the answer: the clean activation does "
            "not fit the corrupted context around it."
        )
    if is_last and layer < n_layers // 2:
        return (
            f"Little effect: at layer {layer} the last token has not yet gathered the subject's "
            "information, so restoring it alone cannot bring the answer back."
        )
    return (
        f"Little effect: the clean activation at {where}, layer {layer}, is not what the "
        "answer depends on."
    )


def inspect_text(
    result: PatchResult, layer: int, column: int, subject: tuple[int, int] | None
) -> str:
    """The inspect panel for one cell of a position sweep."""
    if result.positions is None:
        label = result.columns[column]
        position = None
    else:
        position = result.positions[column]
        label = f"{result.columns[column]!r} (position {position})"
    rec = result.recovery[layer][column]
    patched = result.patched_prob[layer][column] if result.patched_prob else float("nan")
    lines = [
        f"Layer {layer}, patched at {label}",
        f"P({result.answer}): clean {_p(result.clean_prob)} → corrupted "
        f"{_p(result.corrupted_prob)} → patched {_p(patched)}",
        f"{result.metric} {_p(result.values[layer][column])}; recovery {_p(rec)}",
    ]
    if result.top_tokens:
        lines.append("Top 5 after the patch: " + _top(result.top_tokens[layer][column]))
    if position is not None:
        in_subject = subject is not None and subject[0] <= position < subject[1]
        is_last = position == len(result.tokens) - 1
        lines.append("")
        lines.append(suggestion(rec, layer, result.n_layers, in_subject, is_last))
    return "\n".join(lines)


def pipeline_text(
    result: PatchResult, step: int, layer: int, column: int, subject: tuple[int, int] | None
) -> str:
    """Step 0: clean run, 1: corrupted run, 2: patched run (at the selected layer/position)."""
    tokens = " ".join(f"[{t}]" for t in result.tokens[1:])
    out = [f"Step {step + 1} of 3   (n: next, N: back)", ""]
    out.append(f"1. Clean run: {tokens}")
    out.append(f"   P({result.answer}) = {_p(result.clean_prob)}   top: {_top(result.clean_top)}")
    if step >= 1:
        noised = ""
        if subject is not None and "noise" in result.corruption:
            noised = " on " + " ".join(f"[{t}]" for t in result.tokens[subject[0] : subject[1]])
        out.append(f"2. Corrupted run: {result.corruption}{noised}")
        out.append(
            f"   P({result.answer}) = {_p(result.corrupted_prob)}   top: {_top(result.corrupted_top)}"
        )
    if step >= 2:
        position = column if result.positions is None else result.positions[column]
        out.append(
            f"3. Patched run: clean resid_pre of layer {layer} at [{result.tokens[position]}] "
            "copied into the corrupted run"
        )
        patched = result.patched_prob[layer][column]
        out.append(
            f"   P({result.answer}) = {_p(patched)}   recovery {_p(result.recovery[layer][column])}"
            f"   top: {_top(result.top_tokens[layer][column])}"
        )
        out.append("")
        out.append(
            "If this one patch brings the answer back, the clean activation there carries what "
            "the corruption destroyed."
        )
    return "\n".join(out)

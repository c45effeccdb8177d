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


# ----- command-line text ------------------------------------------------------------------


def _fmt(x: float) -> str:
    return "   nan" if not math.isfinite(x) else f"{x:6.2f}"


def sweep_text(r: PatchResult, position: int | None) -> str:
    """One sweep as text: layer bars at token ``position`` (position sweeps), then the grid."""
    lines = [
        f"{r.prompt!r} → {r.answer!r}   corruption: {r.corruption}",
        f"metric {r.metric}: clean {r.clean:.3f}, corrupted {r.corrupted:.3f}; "
        f"sweep {r.sweep} in {r.elapsed_ms:.0f} ms",
        "",
    ]
    if r.positions is not None and position is not None:
        col = r.column_of(position)
        lines.append(f"recovery per layer at position {position} ({r.columns[col]!r}):")
        lines += _bar_lines(r.layer_bars(col))
        lines.append("")
    width = max(6, *(len(c) for c in r.columns))
    lines.append("recovery grid (rows: layers):")
    lines.append("      " + " ".join(c[:width].rjust(width) for c in r.columns))
    for layer, row in enumerate(r.recovery):
        lines.append(f"  L{layer:<3d}" + " ".join(_fmt(v).rjust(width) for v in row))
    if r.attribution_corr is not None:
        lines.append(f"\nattribution patching vs exact: correlation {r.attribution_corr:.3f}")
    return "\n".join(lines)


def _bar_lines(values: list[float]) -> list[str]:
    lines = []
    for layer, value in enumerate(values):
        filled = 0 if not math.isfinite(value) else max(0, min(40, round(value * 40)))
        lines.append(f"  L{layer:<3d}{_fmt(value)} {'█' * filled}")
    return lines


def top_heads(heads: PatchResult, k: int = 5) -> list[tuple[int, int, float]]:
    """The ``k`` heads whose patch recovers most: (layer, head, recovery)."""
    cells = [
        (layer, head, value)
        for layer, row in enumerate(heads.recovery)
        for head, value in enumerate(row)
        if math.isfinite(value)
    ]
    return sorted(cells, key=lambda c: -c[2])[:k]


def result_text(
    resid: PatchResult,
    attn: PatchResult,
    mlp: PatchResult,
    heads: PatchResult,
    column: int,
    everything: dict[str, float | None] | None,
) -> str:
    """``mitutor run patching`` as text: the residual sweep, attention and MLP at the bars'
    column, the strongest heads, and the patch-everything check."""
    position = resid.positions[column] if resid.positions is not None else None
    lines = [sweep_text(resid, position), ""]
    label = f"position {position} ({resid.columns[column]!r})"
    window = f", window of {attn.window} layers" if attn.window > 1 else ""
    lines.append(f"attention output vs MLP output at {label}{window}:")
    for layer, (a, m) in enumerate(
        zip(attn.layer_bars(column), mlp.layer_bars(column), strict=True)
    ):
        lines.append(f"  L{layer:<3d}attn {_fmt(a)}   mlp {_fmt(m)}")
    lines.append("")
    lines.append("heads that recover most (each patched at every position):")
    for layer, head, value in top_heads(heads):
        lines.append(f"  L{layer}H{head}  {value:+.2f}")
    if everything is not None:
        rec = everything.get("recovery")
        shown = "nan" if rec is None or not math.isfinite(rec) else f"{rec:.2f}"
        lines.append(f"\npatching every layer at every position at once: recovery {shown}")
    return "\n".join(lines)


# ----- the screen's one-line notes ----------------------------------------------------------

CUSTOM_EXPLANATION = (
    "Custom experiment: the form differs from every preset. The views show your prompt, "
    "answer and corruption; pick a preset in the selector to go back to a guided one."
)


def folded(explanation: str, width: int) -> str:
    """The explanation cut to one line, saying how to unfold it."""
    tail = " … (e: more)"
    if len(explanation) <= width:
        return explanation
    return explanation[: max(0, width - len(tail))].rstrip() + tail


def status_text(r: PatchResult, note: str, saved_id: int | None, edited: bool) -> str:
    """The line above the views: what the results are, where they came from, saved or not."""
    parts = [f"{r.metric}: clean {_p(r.clean)}, corrupted {_p(r.corrupted)}", note]
    parts = [part for part in parts if part]
    parts.append(f"saved as run #{saved_id}" if saved_id is not None else "unsaved (ctrl+s)")
    if edited:
        parts.append("✎ form edited since: enter runs it")
    return " · ".join(parts)


def column_label(r: PatchResult, column: int) -> str:
    position = r.positions[column] if r.positions is not None else column
    return f"{r.columns[column]!r} (position {position})"


def grid_note(r: PatchResult, showing_attribution: bool) -> str:
    note = (
        "a: back to the exact grid" if showing_attribution else "a: show the attribution estimate"
    )
    if r.attribution_corr is not None and math.isfinite(r.attribution_corr):
        note = f"attribution vs exact: correlation {r.attribution_corr:.2f}.  " + note
    return note


def heads_note(heads: PatchResult, layer: int, head: int) -> str:
    cell = heads.top_tokens[layer][head] if heads.top_tokens else []
    top = ", ".join(t for t, _ in cell[:3])
    return (
        f"L{layer}H{head}: recovery {_p(heads.recovery[layer][head])}, "
        f"P({heads.answer}) {_p(heads.patched_prob[layer][head])}; top after patch: {top}"
    )


def everything_text(answer: str, everything: dict[str, float | None] | None) -> str:
    if everything is None:
        return ""
    rec, prob = everything.get("recovery"), everything.get("prob")
    shown = "nan" if rec is None or not math.isfinite(rec) else f"{rec:.2f}"
    return (
        f"\n\nPatch every layer at every position at once: recovery {shown}, "
        f"P({answer}) {_p(prob if prob is not None else float('nan'))}."
    )

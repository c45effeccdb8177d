"""Plain-text and Rich renderings of the heads lab's results (no Textual).

The CLI prints ``summary_text``; the screen shows the other functions' ``Text`` in its
views. Shading uses the glyphs `` ·░▒▓█`` so a pattern reads with 16 colours or none;
the argmax key of each query is marked with ``◆`` rather than a colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from tutor.labs.heads.experiment import Ablation, Circuit, PatternView, Result

SHADES = " ·░▒▓█"
KIND_LABEL = {
    "previous_token": "previous-token",
    "duplicate_token": "duplicate-token",
    "induction": "induction",
    "sink": "first-token (sink)",
}


def shade(value: float) -> str:
    """One glyph for an attention weight in 0..1 (blank for ~0, █ for ≥ 0.9)."""
    if value < 0.02:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, 1 + int(value * (len(SHADES) - 1)))]


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def head_name(layer: int, head: int) -> str:
    return f"L{layer}H{head}"


def pattern_text(
    view: PatternView,
    cursor: tuple[int, int],
    top: int,
    left: int,
    rows: int,
    cols: int,
    label_w: int = 11,
) -> Text:
    """A window of the query × key grid: ``rows`` queries from ``top``, ``cols`` keys from
    ``left``; each cell two characters (shade, then ◆ at the query's argmax key)."""
    n = len(view.tokens)
    text = Text(no_wrap=True, overflow="crop")
    qi, kj = cursor
    ruler = "".join(
        (f"{j:<2d}" if j % 5 == 0 else ("▼ " if j == kj else "  "))
        for j in range(left, min(n, left + cols))
    )
    text.append("key→".rjust(label_w) + " " + ruler + "\n", style="dim")
    for i in range(top, min(n, top + rows)):
        label = f"{i:>2} {view.tokens[i][: label_w - 4]}".ljust(label_w)
        text.append(label + " ", style="bold reverse" if i == qi else "bold")
        for j in range(left, min(n, left + cols)):
            if j > i:
                text.append("  ")
                continue
            v = view.pattern[i][j]
            cell = shade(v) + ("◆" if view.argmax[i] == j else shade(v))
            style = "reverse" if (i, j) == (qi, kj) else ("bold" if v >= 0.5 else "")
            text.append(cell, style=style)
        text.append("\n")
    q_arg = view.argmax[qi]
    text.append(
        f"query {qi} {view.tokens[qi]!r} → key {kj} {view.tokens[kj]!r}: "
        f"{view.pattern[qi][kj]:.3f} · most: {q_arg} {view.tokens[q_arg]!r} "
        f"{view.pattern[qi][q_arg]:.2f}"
    )
    return text


def scores_text(result: Result, kind: str, cursor: tuple[int, int]) -> Text:
    """The selected head's scores and the top heads by ``kind``."""
    layer, head = cursor
    text = Text()
    text.append(f"top {KIND_LABEL[kind]} heads (batch of repeated sequences)\n", style="bold")
    for h in result.top_heads[kind]:
        text.append(f"  {head_name(h.layer, h.head):<6} {fmt(h.score, 3)}\n")
    text.append(f"\n{head_name(layer, head)}", style="bold")
    for k, table in result.scores.items():
        text.append(f"\n  {KIND_LABEL[k]:<16} {fmt(table[layer][head], 3)}")
    text.append(f"\n  {'first token':<16} {result.sink[layer][head]:.3f}")
    text.append(f"\n  on the prompt: ind {fmt(result.prompt_scores['induction'][layer][head])}")
    return text


def ablation_text(abl: Ablation) -> Text:
    """Summary, the Eiffel effect, then per-token loss bars before / after."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(abl.note + "\n", style="bold")
    text.append(
        f"batch loss, 1st copy {abl.batch_first_copy_before:.2f} → "
        f"{abl.batch_first_copy_after:.2f} · 2nd copy {abl.batch_second_copy_before:.2f} → "
        f"{abl.batch_second_copy_after:.2f}\n"
    )
    e = abl.eiffel
    text.append(
        f"{e.prompt!r}: P({e.answer}) {e.prob_before:.3f} → {e.prob_after:.3f}, "
        f"top {e.top_before!r} → {e.top_after!r}\n"
    )
    start = abl.copy_start if abl.copy_start is not None else 1
    where = "second copy" if abl.copy_start is not None else "every token"
    text.append(f"loss per token on the {where}: ░ before  █ after (nats)\n", style="dim")
    for pos in range(max(1, start), len(abl.tokens)):
        b, a = abl.loss_before[pos - 1], abl.loss_after[pos - 1]
        label = abl.tokens[pos][:10].ljust(10)
        bar_b = "░" * min(12, round(b * 1.5))
        bar_a = "█" * min(12, round(a * 1.5))
        text.append(f"{pos:>3} {label} {b:5.2f} {bar_b:<12} {a:5.2f} {bar_a}\n")
    return text


def circuit_text(c: Circuit) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(
        f"{head_name(c.layer, c.head)} OV: if it attended fully to a position\n", style="bold"
    )
    text.append(
        f"copies the attended token at {c.copying_fraction:.0%} of batch positions "
        "(its own token is the top promoted one)\n"
    )
    for p in c.promotions:
        tops = ", ".join(t for t, _ in p.top)
        text.append(f"  {p.token[:10]:>10} → {tops}  (own rank {p.own_rank})\n")
    text.append(f"\nK-composition (random weights: {c.baseline:.3f})\n", style="bold")
    if not c.k_composition:
        text.append("  layer 0: no earlier heads\n")
    for h in c.k_composition:
        text.append(f"  {head_name(h.layer, h.head):<6} {fmt(h.score, 3)}\n")
    text.append("with the top previous-token heads:\n", style="dim")
    for h in c.k_composition_prev_token:
        text.append(f"  {head_name(h.layer, h.head):<6} {fmt(h.score, 3)}\n")
    return text


def bump_summary(result: Result) -> str:
    b = result.bump
    curve = b.shipped or b.rerun
    lines = [b.note]
    if curve is not None and curve.phase is not None:
        ph = curve.phase
        lines.append(
            f"phase change: onset step {ph.onset_step}, midpoint {ph.midpoint_step}, "
            f"done by {ph.end_step}; copying gap {ph.gap_before:.2f} → {ph.final_gap:.2f} nats"
        )
    if b.rerun is not None and b.rerun.induction:
        lines.append(
            f"re-run: best induction score {b.rerun.induction[0]:.2f} at step "
            f"{b.rerun.step[0]} → {b.rerun.induction[-1]:.2f} ({b.rerun.induction_head[-1]}) "
            f"at step {b.rerun.step[-1]}"
        )
    return "\n".join(lines)


def summary_text(result: Result) -> str:
    """The CLI's text output: scores, the chosen head, ablation, circuits, bump."""
    lines = [f"model {result.model}; {len(result.tokens)} tokens shown"]
    for kind in ("previous_token", "duplicate_token", "induction"):
        tops = ", ".join(
            f"{head_name(h.layer, h.head)} {fmt(h.score)}" for h in result.top_heads[kind][:3]
        )
        lines.append(f"top {KIND_LABEL[kind]}: {tops}")
    p = result.pattern
    lines.append(
        f"\nshown head {head_name(p.layer, p.head)} ({result.pick}); on the shown sequence: "
        + ", ".join(f"{KIND_LABEL[k]} {fmt(v)}" for k, v in p.scores.items())
    )
    lines.append(str(ablation_text(result.ablation).plain))
    lines.append(str(circuit_text(result.qk_ov).plain))
    lines.append(bump_summary(result))
    return "\n".join(lines)

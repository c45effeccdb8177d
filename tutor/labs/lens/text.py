"""Plain-text views of a lens result, shared by the CLI and the screen (no Textual).

``lens_lines``: one row per residual point at the last position — P(answer), its rank, the
top tokens — optionally with the cached-scale convention beside it. ``grid_lines``: the
layer × position grid of P(answer) and the top token. ``dla_lines``: direct logit
attribution per component with the patching recovery beside it, and the sum. ``heads_lines``:
per-head DLA and recovery.
"""

from __future__ import annotations

import math
from typing import Any

BAR_W = 12


def _p(p: float) -> str:
    return f"{p:.3f}" if p >= 0.0005 else f"{p:.0e}"


def _rec(v: float | None) -> str:
    return "   —" if v is None else f"{v:+.2f}"


def bar(value: float, scale: float, width: int = BAR_W) -> str:
    """A signed text bar: █ for positive, ◀ for negative (reads without colour)."""
    if not math.isfinite(value) or scale <= 0:
        return " " * width
    n = min(width, round(abs(value) / scale * width))
    return (("█" if value >= 0 else "◀") * n).ljust(width)


def summary(result: Any) -> str:
    r = result
    half = "never" if r.first_half is None else r.points[r.first_half]
    top1 = "never" if r.first_top1 is None else r.points[r.first_top1]
    return (
        f"{r.prompt!r} → {r.answer}: top guess from {top1}; P ≥ 0.5 from {half}; "
        f"final P = {r.p_answer[-1]:.3f}"
    )


def lens_lines(result: Any, cached: bool = False, top_n: int = 3) -> list[str]:
    """Rows per residual point (last position); ``cached`` adds the other convention."""
    r = result
    rec, cac = r.recomputed, r.cached
    lines = [summary(r)]
    if cached:
        lines += [
            "  point     recomputed scale          │ cached final scale",
            f"            P({r.answer[:8]}) rank  H    │ P       rank  H    top",
        ]
        for i, name in enumerate(r.points):
            lines.append(
                f"  {name:<7} {_p(rec.p_answer[i]):>7} {rec.rank[i]:>4} {rec.entropy[i]:4.1f} "
                f"{rec.top[i][0].token[:9]:<9}│ {_p(cac.p_answer[i]):>7} {cac.rank[i]:>4} "
                f"{cac.entropy[i]:4.1f} {cac.top[i][0].token[:9]}"
            )
        lines.append(
            f"  H: entropy in nats (uniform = {math.log(r.vocab_size):.2f} max). Why they differ: {r.why_different}"
        )
        return lines
    lines.append(f"  point   P({r.answer[:10]})  rank  top {top_n}")
    for i, name in enumerate(r.points):
        tops = "  ".join(f"{t.token[:10]} {t.prob:.2f}" for t in rec.top[i][:top_n])
        lines.append(
            f"  {name:<7} {_p(rec.p_answer[i]):>7} {bar(rec.p_answer[i], 1.0, 8)}"
            f"{rec.rank[i]:>5}  {tops}"
        )
    return lines


def grid_lines(result: Any, cached: bool = False, width: int = 78) -> list[str]:
    """P(answer) and the top token at every residual point × position."""
    view = result.cached if cached else result.recomputed
    toks = result.tokens
    cell = max(6, min(10, (width - 8) // max(1, len(toks))))
    head = "point  " + "".join(t[: cell - 1].rjust(cell) for t in toks)
    lines = [head]
    for i, name in enumerate(result.points):
        row = "".join(
            (f"{view.grid_top[i][j].token[: cell - 5]}{_shade(view.grid_p[i][j])}").rjust(cell)
            for j in range(len(toks))
        )
        lines.append(f"{name:<7}{row}")
    return lines


_SHADES = " ░▒▓█"


def _shade(p: float) -> str:
    return _SHADES[min(4, int(p * 5))] + f"{min(99, round(p * 100)):>2}"


def dla_rows(result: Any) -> list[tuple[str, float, float | None, str]]:
    """(component, DLA, recovery at the last position, best recovery elsewhere as text)."""
    d, pt = result.dla, result.patching
    rows = []
    for c in d.components:
        last = pt.last.get(c.name) if pt else None
        other = ""
        if pt and c.name in pt.best and pt.best[c.name] is not None:
            pos = pt.best_position[c.name]
            other = f"{pt.best[c.name]:+.2f} @{result.tokens[pos][:7]}"
        rows.append((c.name, c.value, last, other))
    return rows


def dla_lines(result: Any) -> list[str]:
    d = result.dla
    scale = max(1e-9, max(abs(c.value) for c in d.components))
    pt = result.patching
    lines = [f"Direct logit attribution of {d.metric} (last position, final-LN scale fixed)"]
    lines.append(f"  component  DLA    {'':{BAR_W}}  share │ patch: last  elsewhere")
    for name, value, last, other in dla_rows(result):
        share = value / d.final if abs(d.final) > 1e-9 else float("nan")
        lines.append(
            f"  {name:<9} {value:+6.2f} {bar(value, scale)} {share:+5.0%} │ {_rec(last):>11}  {other}"
        )
    lines.append(
        f"  bias      {d.bias:+6.2f}   Σ components + bias = {d.sum:+.4f}; "
        f"model's logit diff = {d.final:+.4f}"
    )
    if pt is not None:
        lines.append(
            f"  patching: {pt.corruption}; {pt.metric} clean {pt.clean:+.2f}, corrupted "
            f"{pt.corrupted:+.2f}; recovery 1 = fully restored"
        )
    elif result.patching_note:
        lines.append(f"  {result.patching_note}")
    return lines


def heads_lines(result: Any) -> list[str]:
    d, pt = result.dla, result.patching
    n_heads = len(d.heads[0]) if d.heads else 0
    lines = [f"Per-head DLA of {d.metric} │ patching recovery (each head, all positions)"]
    lines.append(
        "layer "
        + "".join(f"  H{h:<4}" for h in range(n_heads))
        + "  b_O  │ "
        + "".join(f" H{h:<4}" for h in range(n_heads))
    )
    for layer, row in enumerate(d.heads):
        dla = "".join(f"{v:+7.2f}" for v in row)
        rec = "".join(f"{_rec(v):>6}" for v in pt.heads[layer]) if pt else ""
        lines.append(f"  {layer:>2}  {dla} {d.head_bias[layer]:+5.2f} │{rec}")
    return lines

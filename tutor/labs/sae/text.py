"""Plain-text renderings for the SAE screen: metrics, a feature dashboard, steering output.

Pure functions from engine results to Rich ``Text``; highlighting uses bold + reverse, so it
stays readable with 16 colours or NO_COLOR. No torch, no Textual imports.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

BARS = " ▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """One character per bin, height proportional to the count."""
    top = max(counts) if counts else 0
    if top <= 0:
        return " " * len(counts)
    return "".join(BARS[min(8, round(8 * c / top)) if c else 0] for c in counts)


def metrics_text(m: Any, seconds: float | None = None) -> Text:
    """The evaluation metrics of a trained SAE (an ``SAEMetrics``)."""
    rec = m.ce_loss_recovered
    rec_s = "n/a" if rec is None or rec != rec else f"{rec:.3f}"
    fields = [
        ("L0", f"{m.l0:.1f}   "),
        ("FVU", f"{m.fvu:.3f}   "),
        ("explained var", f"{m.explained_variance:.3f}\n"),
        ("CE-loss recovered", f"{rec_s}   "),
        ("dead", f"{m.dead_fraction:.1%}   "),
        ("dense", f"{m.dense_fraction:.1%}   "),
        ("MSE", f"{m.mse:.3g}"),
    ]
    t = Text()
    for label, value in fields:
        t.append(f"{label} ", style="bold")
        t.append(value)
    if seconds is not None:
        t.append(f"   ({seconds:.0f}s)")
    t.append("\ndensity per decade 1e-7…1: ")
    t.append(sparkline(m.density_histogram))
    return t


def dashboard_text(d: Any) -> Text:
    """A feature's dashboard (a ``FeatureDashboard``) for an 80-column terminal."""
    t = Text()
    t.append(f"Feature {d.feature}", style="bold")
    t.append(f"  “{d.label}”\n")
    t.append(
        f"density {d.density:.3%}   max {d.max_activation:.2f}   "
        f"mean when active {d.mean_activation:.2f}\n"
    )
    t.append("activations 0→max: ")
    t.append(sparkline(d.histogram))
    t.append("\n\nTop contexts (firing token marked):\n", style="bold")
    for c in d.top_contexts:
        t.append(f"{c.activation:6.2f}  ")
        for i, tok in enumerate(c.tokens):
            if i == c.index:
                t.append(f"[{tok}]", style="bold reverse")
            else:
                t.append(tok)
            t.append(" ")
        t.append("\n")
    if d.promoted:
        t.append("\nPromotes:   ", style="bold")
        t.append(", ".join(tok for tok, _ in d.promoted[:8]))
        t.append("\nSuppresses: ", style="bold")
        t.append(", ".join(tok for tok, _ in d.suppressed[:8]))
    return t


def steer_text(r: Any, label: str = "") -> tuple[Text, Text]:
    """(without, with) panels for a ``SteerResult``."""
    without = Text()
    without.append("Without clamp\n", style="bold")
    without.append(r.prompt)
    without.append(" " + r.baseline, style="underline")
    with_ = Text()
    with_.append(
        f"Feature {r.feature} {label} = {r.clamp_value:.2f} ({r.multiple:g}× max)\n", style="bold"
    )
    with_.append(r.prompt)
    with_.append(" " + r.steered, style="underline")
    return without, with_

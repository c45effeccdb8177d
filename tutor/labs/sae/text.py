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


def draw_training(plt: Any, history: list[Any]) -> None:
    """The live training plot (a plotext module): FVU, L0 and loss, each scaled to ≤ 1."""
    plt.clear_data()
    plt.clear_figure()
    if history:
        steps = [p.step for p in history]
        # FVU starts above 1 for a few steps (the untrained SAE is worse than the mean);
        # clipping it keeps the three curves on one readable 0-1 scale.
        plt.plot(steps, [min(p.fvu, 1.0) for p in history], label="FVU (≤ 1)", marker="dot")
        # L0 starts in the thousands (every feature fires before λ warms up); scaling by the
        # largest L0 after the first tenth of the run keeps the rest of the curve visible.
        later = history[len(history) // 10 :]
        top_l0 = max(1.0, max(p.l0 for p in later))
        l0 = [min(p.l0 / top_l0, 1.0) for p in history]
        plt.plot(steps, l0, label=f"L0/{top_l0:.0f} (≤ 1)", marker="x")
        top_loss = max(1e-9, max(p.loss for p in history))
        plt.plot(steps, [p.loss / top_loss for p in history], label="loss (scaled)", marker="+")
        plt.ylim(0, 1.05)
    plt.title("Training: FVU, L0 and loss (scaled to 1)")
    plt.xlabel("step")


def draw_tradeoff(plt: Any, runs: list[Any]) -> None:
    """L0 against FVU for every recorded run (``RunRecord``s), one marker per SAE kind."""
    from tutor.wording import count

    plt.clear_data()
    plt.clear_figure()
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    for r in runs:
        res, params = r.result or {}, r.params or {}
        if res.get("l0") is None or res.get("fvu") is None:
            continue
        xs, ys = by_kind.setdefault(str(params.get("kind", "?")), ([], []))
        xs.append(float(res["l0"]))
        ys.append(float(res["fvu"]))
    for kind, (xs, ys) in by_kind.items():
        plt.scatter(xs, ys, label=kind, marker="o" if kind == "relu" else "x")
    shown = count(sum(len(xs) for xs, _ in by_kind.values()), "run")
    plt.title(f"L0 vs FVU across {shown} (lower-left is better)")
    plt.xlabel("L0")
    plt.ylabel("FVU")


def saved_option(s: Any) -> str:
    """One line of the saved-SAE list (a ``SavedSAE``)."""
    m = s.summary
    ok = m.get("l0") is not None and m.get("fvu") is not None
    return f"{s.name}  L0 {m['l0']:.1f} FVU {m['fvu']:.3f}" if ok else s.name


def feature_option(feature: int, density: float, score: float | None = None) -> str:
    """One line of the feature list: index, density and (after a search) the score."""
    extra = f" s{score:.2f}" if score is not None else ""
    return f"#{feature:<5} {density:6.2%}{extra}"


def run_record(params: Any, result: Any, model_name: str) -> tuple[str, dict, dict]:
    """(title, params, result) for the progress store's run list (no training curve)."""
    stored = params.model_dump(mode="json") | {
        "layer": result.layer,
        "hook_name": result.hook_name,
        "model": model_name,
    }
    res = result.model_dump(mode="json", exclude={"history", "density_histogram"})
    return params.title(), stored, res

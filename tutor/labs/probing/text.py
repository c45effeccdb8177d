"""The words and text pictures of the probing lab (no Textual, no torch).

Pure functions of a ``Result``: the CLI prints them and the screen shows them, so what the
learner reads in the terminal and in the app is the same text, tested once.
"""

from __future__ import annotations

from tutor.labs.probing.experiment import Causal, Result

BAR = 30


def pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:6.1%}"


def signed(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:+6.3f}"


def bar(x: float | None, width: int = BAR) -> str:
    """A bar of ``width`` cells for a value in 0–1 (``·`` fills the rest, so it reads without
    colour)."""
    filled = 0 if x is None else max(0, min(width, round(x * width)))
    return "█" * filled + "·" * (width - filled)


def header(r: Result) -> str:
    return (
        f"{r.property}: {r.description}\n"
        f"read at: {r.position}   site: {r.site}   probe: {r.probe}   split by {r.split}\n"
        f"train {r.n_train} examples / {r.n_train_subjects} subjects; "
        f"test {r.n_test} / {r.n_test_subjects}; subjects on both sides: {r.shared_subjects}\n"
        f"{len(r.labels)} classes, chance {pct(r.chance)}; control: {r.n_words} word types, "
        f"chance {pct(r.control_chance)}"
    )


def layer_table(r: Result) -> str:
    """Per layer: test accuracy as a bar, train accuracy, control accuracy, selectivity."""
    lines = [f"      {'test accuracy':<{BAR}}   test   train    ctrl  ctrl-tr  select"]
    for s in r.layers:
        mark = "▶" if s.layer == r.best_layer else " "
        lines.append(
            f"{mark}L{s.layer:<3d} {bar(s.accuracy)} {pct(s.accuracy)} {pct(s.train_accuracy)} "
            f"{pct(s.control_accuracy)}  {pct(s.control_train_accuracy)}  {signed(s.selectivity)}"
        )
    lines.append(f"▶ best layer {r.best_layer}; select = test − ctrl (Hewitt & Liang)")
    return "\n".join(lines)


def causal_text(c: Causal | None) -> str:
    if c is None:
        return "No causal test in this run."
    lines = [
        f"Layer {c.layer}, {c.site}, edited at: {c.positions}; {c.n_prompts} held-out prompts",
        f"Removed {c.rank} dimensions (iterated nullspace projection).",
        f"Fresh linear probe: {pct(c.probe_accuracy)} before → {pct(c.probe_accuracy_after)} "
        f"after (chance {pct(c.chance)})",
        "",
        f"{c.metric:<28}  mean     change",
        f"{'clean run':<28} {c.clean:7.3f}",
        f"{'probe directions removed':<28} {c.removed:7.3f}  {signed(c.removed_effect)}",
        f"{'random, same size':<28} {c.random:7.3f}  {signed(c.random_effect)}",
        f"{'only that part patched':<28} {c.patched:7.3f}  {signed(c.patched_effect)}",
        "",
        ("✓ " if c.used else "✗ ") + c.verdict,
    ]
    return "\n".join(lines)


def subjects_text(r: Result, limit: int = 40) -> str:
    shown = ", ".join(r.test_subjects[:limit])
    more = len(r.test_subjects) - limit
    tail = f", … ({more} more)" if more > 0 else ""
    return f"Classes: {', '.join(r.labels)}\n\nHeld-out subjects (never in training): {shown}{tail}"


def format_text(r: Result) -> str:
    return "\n\n".join([header(r), layer_table(r), causal_text(r.causal), f"({r.seconds:.1f} s)"])

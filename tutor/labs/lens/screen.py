"""The lens lab's screen: a one-line form, then four views of one run.

Views (tabs): **Lens** — P(answer) at every residual point (last position) as bars, the
selected point's top tokens below; ``c`` puts the cached-scale convention beside it.
**Grid** — P(answer) at every point × position, the top token under the cursor. **DLA** —
direct logit attribution per component beside the patching lab's recovery for the same
component, with the sum. **Heads** — per-head DLA beside per-head recovery. Enter in the form
(or ctrl+r) runs again. Nothing here imports torch: the experiment runs in the base class's
worker.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Footer,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from tutor.labs.lens.params import Params, updated
from tutor.labs.lens.presets import PRESETS
from tutor.labs.lens.text import summary
from tutor.screens.lab_base import LabScreen
from tutor.widgets.heatmap import Heatmap
from tutor.widgets.layer_bars import LayerBars

VIEWS = ("lens", "grid", "dla", "heads")
FORM_FIELDS = {"prompt": "Prompt", "answer": "→", "wrong": "vs"}


def _labels(result: Any, view: Any) -> list[str]:
    """Each point with its top guess, so the bars say what the layer predicts."""
    return [f"{p} {view.top[i][0].token[:7]}" for i, p in enumerate(result.points)]


def _rec(v: float | None) -> str:
    return "—" if v is None else f"{v:+.2f}"


class LensScreen(LabScreen):
    """The model's guess at every layer, and who wrote it."""

    LAB_ID = "lens"
    TITLE = "Logit lens"
    RESULTS_ID = "lens-bars"

    DEFAULT_CSS = """
    LensScreen { layout: vertical; }
    LensScreen #form { height: 1; }
    LensScreen #form Label { padding: 0 1; }
    LensScreen #in-prompt { width: 1fr; }
    LensScreen #in-answer, LensScreen #in-wrong { width: 10; }
    LensScreen #preset { width: 22; }
    LensScreen Input.-invalid { background: $error 40%; }
    LensScreen #status-row { height: 1; }
    LensScreen #status { width: 1fr; padding: 0 1; }
    LensScreen #progress { width: 24; }
    LensScreen #explain { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    LensScreen #explain.full { max-height: 14; }
    LensScreen TabbedContent { height: 1fr; }
    LensScreen .pair { height: auto; }
    LensScreen .note { padding: 0 1; }
    LensScreen #cached-bars { display: none; }
    LensScreen.cached #cached-bars { display: block; }
    """

    BINDINGS = [
        Binding(
            "ctrl+r", "run", "Run", tooltip="Run again with the prompt and answers in the form"
        ),
        Binding("l", "view('lens')", "Lens", tooltip="P(answer) at every layer, top tokens"),
        Binding("g", "view('grid')", "Grid", tooltip="Layer × position grid of P(answer)"),
        Binding("d", "view('dla')", "DLA", tooltip="Direct logit attribution beside patching"),
        Binding("h", "view('heads')", "Heads", tooltip="Per-head DLA beside per-head patching"),
        Binding(
            "c",
            "toggle_cached",
            "Cached scale",
            tooltip="Show the cached-final-scale lens beside the recomputed one",
        ),
        Binding("f", "focus_form", "Form", show=False, tooltip="Edit the prompt and answers"),
        Binding("o", "explain", "More", show=False, tooltip="Unfold the preset's explanation"),
    ]
    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "In the form: run with this prompt and these answers"),
        ("arrows", "Move the selection in bars and grids"),
    ]

    def __init__(self, preset: str | None = None, params: Params | None = None) -> None:
        """``params`` (tests, saved runs) replaces the preset's parameters."""
        super().__init__(preset)
        self.preset_id = preset or next(iter(PRESETS))
        self.params = params or Params(**PRESETS[self.preset_id].changes)
        self.result: Any = None
        self.show_cached = PRESETS[self.preset_id].cached

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        p = self.params
        with Horizontal(id="form"):
            for name, label in FORM_FIELDS.items():
                yield Label(label)
                yield Input(getattr(p, name) or "", id=f"in-{name}", compact=True)
            yield Select(
                [(pr.title, key) for key, pr in PRESETS.items()],
                value=self.preset_id,
                allow_blank=False,
                id="preset",
                compact=True,
            )
        with Horizontal(id="status-row"):
            yield Static("", id="status")
            yield ProgressBar(id="progress", total=100, show_eta=False)
        yield Static(Text(PRESETS[self.preset_id].explanation), id="explain")
        with TabbedContent(id="views", initial=f"tab-{PRESETS[self.preset_id].view}"):
            with TabPane("Lens", id="tab-lens"), VerticalScroll(id="scroll-lens"):
                with Horizontal(classes="pair"):
                    yield LayerBars(id="lens-bars", title="P(answer), recomputed scale")
                    yield LayerBars(id="cached-bars", title="cached final scale")
                yield Static("", id="lens-note", classes="note")
            with TabPane("Grid", id="tab-grid"), VerticalScroll(id="scroll-grid"):
                yield Heatmap(id="grid")
                yield Static("", id="grid-note", classes="note")
            with TabPane("DLA", id="tab-dla"), VerticalScroll(id="scroll-dla"):
                with Horizontal(classes="pair"):
                    yield LayerBars(id="dla-bars", title="direct effect (logits)")
                    yield LayerBars(id="rec-bars", title="patching recovery, last pos")
                yield Static("", id="dla-note", classes="note")
            with TabPane("Heads", id="tab-heads"), VerticalScroll(id="scroll-heads"):
                with Horizontal(classes="pair"):
                    yield Heatmap(id="heads-dla")
                    yield Heatmap(id="heads-rec")
                yield Static("", id="heads-note", classes="note")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#progress", ProgressBar).display = False
        self.set_class(self.show_cached, "cached")
        self.start(self.params)

    def focus_results(self) -> None:
        active = self.query_one("#views", TabbedContent).active.removeprefix("tab-")
        self._focus_view(active)

    def _focus_view(self, view: str) -> None:
        target = {"lens": "#lens-bars", "grid": "#grid", "dla": "#dla-bars", "heads": "#heads-dla"}
        self.query_one(target[view]).focus()

    # ----- running ------------------------------------------------------------------------
    def start(self, params: Params) -> None:
        self.params = params
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self._status("Running…")
        self.start_run(params)

    def _form_params(self) -> Params | None:
        from tutor.labs.runner import LabInputError

        for widget in self.query(Input):
            widget.remove_class("-invalid")
        values = {n: self.query_one(f"#in-{n}", Input).value.strip() for n in FORM_FIELDS}
        changes: dict[str, Any] = {
            "prompt": values["prompt"],
            "answer": values["answer"],
            "wrong": values["wrong"] or None,
        }
        if values["prompt"] != self.params.prompt:
            changes |= {"corrupt": None, "subject": None}  # a preset's corruption fits its prompt
        try:
            return updated(self.params, changes)
        except LabInputError as exc:
            self.show_input_error(exc.field, exc.detail)
            return None

    def action_run(self) -> None:
        params = self._form_params()
        if params is not None:
            self.start(params)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or event.value == self.preset_id:
            return
        self.load_preset(str(event.value))

    def load_preset(self, preset_id: str) -> None:
        """Fill the form from a preset, show its view and run it."""
        self.preset_id = preset_id
        preset = PRESETS[preset_id]
        params = Params(**preset.changes)
        for name in FORM_FIELDS:
            self.query_one(f"#in-{name}", Input).value = getattr(params, name) or ""
        self.query_one("#explain", Static).update(Text(preset.explanation))
        self.show_cached = preset.cached
        self.set_class(self.show_cached, "cached")
        self.action_view(preset.view)
        self.start(params)

    def show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(progress=100 * fraction)
        if text:
            self._status(text)

    def run_finished(self) -> None:
        self.query_one("#progress", ProgressBar).display = False

    def show_input_error(self, field: str, detail: str) -> None:
        widgets = self.query(f"#in-{field}")
        if widgets:
            widgets.first().add_class("-invalid")
        self._status(f"✗ {field}: {detail}")

    def show_result(self, params: Any, result: Any) -> None:
        self.result = result
        patch = f", patching {result.patching.seconds:.1f} s" if result.patching else ""
        self._status(
            f"Done in {result.seconds:.1f} s{patch}{self.kept_note} · o: whole explanation"
        )
        self.render_all()

    # ----- views --------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        if view in VIEWS:
            self.query_one("#views", TabbedContent).active = f"tab-{view}"
            self._focus_view(view)

    def action_explain(self) -> None:
        self.query_one("#explain", Static).toggle_class("full")

    def action_focus_form(self) -> None:
        self.query_one("#in-prompt", Input).focus()

    def action_toggle_cached(self) -> None:
        self.show_cached = not self.show_cached
        self.set_class(self.show_cached, "cached")
        if self.result is not None:
            self.render_all()

    def render_all(self) -> None:
        self._render_lens()
        self._render_grid()
        self._render_dla()
        self._render_heads()

    def _render_lens(self) -> None:
        r = self.result
        bars = self.query_one("#lens-bars", LayerBars)
        bars.set_data(r.recomputed.p_answer, _labels(r, r.recomputed), f"P({r.answer}), recomputed")
        cached = self.query_one("#cached-bars", LayerBars)
        cached.set_data(r.cached.p_answer, _labels(r, r.cached), f"P({r.answer}), cached scale")
        self._lens_note(bars.selected)

    def _lens_note(self, i: int) -> None:
        r = self.result
        if r is None:
            return
        lines = [summary(r), ""]
        conventions = [("recomputed", r.recomputed)]
        if self.show_cached:
            conventions.append(("cached", r.cached))
        for name, view in conventions:
            tops = "  ".join(f"{t.token} {t.prob:.2f}" for t in view.top[i])
            lines.append(
                f"{r.points[i]} ({name}): rank {view.rank[i]}, entropy {view.entropy[i]:.2f} "
                f"nats, scale {view.scale[i]:.3g}"
            )
            lines.append(f"  top: {tops}")
        if self.show_cached:
            lines.append(f"Why they differ — {r.why_different}.")
        else:
            lines.append("c: show the cached-scale convention beside this one.")
        self.query_one("#lens-note", Static).update(Text("\n".join(lines)))

    @on(LayerBars.Selected, "#lens-bars")
    def _lens_selected(self, event: LayerBars.Selected) -> None:
        self.query_one("#cached-bars", LayerBars).selected = event.index
        self._lens_note(event.index)

    def _render_grid(self) -> None:
        r = self.result
        view = r.cached if self.show_cached else r.recomputed
        name = "cached final scale" if self.show_cached else "recomputed scale"
        grid = self.query_one("#grid", Heatmap)
        grid.scale = 1.0
        grid.set_data(view.grid_p, r.points, r.tokens, title=f"P({r.answer}) — {name}")
        if grid.cursor == (0, 0):
            grid.cursor = (len(r.points) - 1, len(r.tokens) - 1)
        self._grid_note(*grid.cursor)

    def _grid_note(self, row: int, col: int) -> None:
        r = self.result
        if r is None or row >= len(r.points) or col >= len(r.tokens):
            return
        view = r.cached if self.show_cached else r.recomputed
        top = view.grid_top[row][col]
        text = (
            f"{r.points[row]} at {r.tokens[col]!r} (position {col}): P({r.answer}) = "
            f"{view.grid_p[row][col]:.3f}; top guess {top.token!r} ({top.prob:.2f}). "
            "Each position predicts the token after it."
        )
        self.query_one("#grid-note", Static).update(Text(text))

    @on(Heatmap.Selected, "#grid")
    def _grid_selected(self, event: Heatmap.Selected) -> None:
        self._grid_note(event.row, event.col)

    def _render_dla(self) -> None:
        r = self.result
        d = r.dla
        names = [c.name.replace("attn ", "A").replace("mlp ", "M") for c in d.components]
        bars = self.query_one("#dla-bars", LayerBars)
        bars.scale = max(1e-6, max(abs(c.value) for c in d.components))
        bars.set_data(
            [c.value for c in d.components], names, f"direct: Σ+bias {d.sum:+.2f} = {d.final:+.2f}"
        )
        rec = self.query_one("#rec-bars", LayerBars)
        rec.scale = 1.0
        if r.patching is not None:
            values = [r.patching.last.get(c.name) for c in d.components]
            rec.set_data(
                [math.nan if v is None else v for v in values], names, "patching recovery, last pos"
            )
        else:
            rec.set_data([math.nan] * len(names), names, "no patching run")
        self._dla_note(bars.selected)

    def _dla_note(self, i: int) -> None:
        r = self.result
        if r is None:
            return
        d, pt = r.dla, r.patching
        c = d.components[i]
        share = c.value / d.final if abs(d.final) > 1e-9 else math.nan
        lines = [
            f"Σ components {sum(x.value for x in d.components):+.3f} + bias {d.bias:+.3f} = "
            f"{d.sum:+.4f}; the model's {d.metric} = {d.final:+.4f}",
            f"{c.name}: direct {c.value:+.2f} ({share:+.0%} of the total)",
        ]
        if pt is not None:
            line = f"  patched at the last position: recovery {_rec(pt.last.get(c.name))}"
            best = pt.best.get(c.name)
            if best is not None:
                pos = pt.best_position[c.name]
                line += f"; best elsewhere {best:+.2f} at {r.tokens[pos]!r} (no direct path)"
            lines.append(line)
            lines.append(
                f"Patching: {pt.corruption}; clean {pt.clean:+.2f}, corrupted {pt.corrupted:+.2f}."
            )
        elif r.patching_note:
            lines.append(r.patching_note)
        self.query_one("#dla-note", Static).update(Text("\n".join(lines)))

    @on(LayerBars.Selected, "#dla-bars")
    def _dla_selected(self, event: LayerBars.Selected) -> None:
        self.query_one("#rec-bars", LayerBars).selected = event.index
        self._dla_note(event.index)

    def _render_heads(self) -> None:
        r = self.result
        d = r.dla
        layers = [f"L{i}" for i in range(len(d.heads))]
        cols = [f"H{h}" for h in range(len(d.heads[0]))]
        grid = self.query_one("#heads-dla", Heatmap)
        grid.scale = max(1e-6, max(abs(v) for row in d.heads for v in row))
        grid.set_data(d.heads, layers, cols, title="direct effect (logits)")
        rec = self.query_one("#heads-rec", Heatmap)
        rec.scale = 1.0
        if r.patching is not None:
            values = [[math.nan if v is None else v for v in row] for row in r.patching.heads]
            rec.set_data(values, layers, cols, title="patching recovery")
        else:
            rec.set_data([], [], [], title="no patching run")
        self._heads_note(*grid.cursor)

    def _heads_note(self, layer: int, head: int) -> None:
        r = self.result
        if r is None:
            return
        d, pt = r.dla, r.patching
        rec = f", patching recovery {_rec(pt.heads[layer][head])}" if pt else ""
        attn = next(c.value for c in d.components if c.name == f"attn {layer}")
        text = (
            f"L{layer}H{head}: direct {d.heads[layer][head]:+.2f}{rec}. Layer {layer}: heads "
            f"{sum(d.heads[layer]):+.2f} + b_O {d.head_bias[layer]:+.2f} = attention "
            f"{attn:+.2f}. Patching restores one head at every position."
        )
        self.query_one("#heads-note", Static).update(Text(text))

    @on(Heatmap.Selected, "#heads-dla")
    def _heads_selected(self, event: Heatmap.Selected) -> None:
        self.query_one("#heads-rec", Heatmap).cursor = (event.row, event.col)
        self._heads_note(event.row, event.col)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

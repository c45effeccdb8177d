"""The attention-heads lab screen: patterns, head scores, ablation, the bump, QK/OV.

One run computes every view (see ``experiment``); the screen then switches views and
heads without another run. A run is started only when something the engine must redo
changes: the prompt, the preset, the ablated heads or the ablation method.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Select, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from tutor.labs.heads.experiment import Params, Result, params_for_preset
from tutor.labs.heads.panes import PatternGrid
from tutor.labs.heads.presets import PRESETS
from tutor.labs.heads.text import (
    KIND_LABEL,
    ablation_text,
    bump_summary,
    circuit_text,
    head_name,
    scores_text,
)
from tutor.screens.lab_base import LabScreen
from tutor.widgets.heatmap import Heatmap

VIEWS = {
    "patterns": "tab-patterns",
    "scores": "tab-scores",
    "ablation": "tab-ablation",
    "bump": "tab-bump",
    "qk-ov": "tab-qkov",
}
SCORE_KINDS = ("induction", "previous_token", "duplicate_token", "sink")
METHODS = ("zero", "mean", "resample")


class HeadsScreen(LabScreen):
    """Look at attention heads of tutor-gpt: what they attend to, what they do, when they formed."""

    LAB_ID = "heads"
    TITLE = "Attention heads"
    RESULTS_ID = "pattern"
    EXTRA_KEYS = [
        ("↑ ↓ ← →", "Patterns: move the query / key cursor; Scores: pick a head"),
        ("PgUp PgDn Home End", "Patterns: jump between queries"),
        ("enter", "Patterns: cursor to the query's most-attended key"),
    ]

    DEFAULT_CSS = """
    HeadsScreen { layout: vertical; }
    HeadsScreen .form { height: 1; }
    HeadsScreen .form Input { width: 1fr; }
    HeadsScreen #preset { width: 38; }
    HeadsScreen #status { height: 1; padding: 0 1; background: $boost; }
    HeadsScreen #explain { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    HeadsScreen TabbedContent { height: 1fr; }
    HeadsScreen #scores { width: 38; }
    HeadsScreen #scores-side { width: 1fr; padding: 0 1; }
    HeadsScreen #bump-plot { height: 1fr; }
    HeadsScreen #bump-note { height: auto; max-height: 4; padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+r", "run", "Run", tooltip="Run again with the prompt in the form"),
        Binding("p", "view('patterns')", "Patterns", tooltip="Query × key attention pattern"),
        Binding("s", "view('scores')", "Scores", tooltip="Every head's scores as a heatmap"),
        Binding("a", "view('ablation')", "Ablate", tooltip="Loss before / after ablating"),
        Binding("b", "view('bump')", "Bump", tooltip="The induction bump in training"),
        Binding("o", "view('qk-ov')", "QK/OV", tooltip="OV promotions and K-composition"),
        Binding("left_square_bracket", "layer(-1)", "Layer−", show=False, tooltip="Layer down"),
        Binding("right_square_bracket", "layer(1)", "Layer+", show=False, tooltip="Layer up"),
        Binding("comma", "head(-1)", "Head−", show=False, tooltip="Previous head"),
        Binding("full_stop", "head(1)", "Head+", show=False, tooltip="Next head"),
        Binding("k", "kind", "Score", show=False, tooltip="Scores: cycle the score shown"),
        Binding("x", "toggle_ablate", "±Ablate", tooltip="Add / remove the shown head to ablate"),
        Binding("m", "method", "Method", show=False, tooltip="Cycle zero / mean / resample"),
    ]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__(preset)
        self.preset_id = preset or next(iter(PRESETS))
        if self.preset_id not in PRESETS:
            raise ValueError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
        self.params: Params = params_for_preset(self.preset_id)
        self.result: Result | None = None
        self.sel_layer = 0
        self.sel_head = 0
        self.kind = "induction"

    # ----- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(classes="form"):
            yield Input(
                self.params.prompt or "",
                id="prompt",
                placeholder="prompt (blank: a random sequence) — Enter runs",
                compact=True,
            )
            yield Select(
                [(p.title, p.id) for p in PRESETS.values()],
                value=self.preset_id,
                allow_blank=False,
                id="preset",
                compact=True,
            )
        yield Static("Running…", id="status")
        yield Static(Text(PRESETS[self.preset_id].explanation), id="explain")
        with TabbedContent(id="views", initial=VIEWS[self.params.view]):
            with TabPane("Patterns", id="tab-patterns"):
                yield PatternGrid(id="pattern")
            with TabPane("Scores", id="tab-scores"), Horizontal():
                yield Heatmap(id="scores", scale=1.0)
                yield Static("", id="scores-side")
            with TabPane("Ablation", id="tab-ablation"), VerticalScroll(id="ablation-scroll"):
                yield Static("", id="ablation-text")
            with TabPane("Bump", id="tab-bump"):
                yield PlotextPlot(id="bump-plot")
                yield Static("", id="bump-note")
            with TabPane("QK/OV", id="tab-qkov"), VerticalScroll(id="qkov-scroll"):
                yield Static("", id="qkov-text")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.start_run(self.params)

    def focus_results(self) -> None:
        # Focusing a widget shows its tab, so focus the preset's view, not always #pattern.
        self.action_view(self.params.view)

    # ----- runs -----------------------------------------------------------------------
    def show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#status", Static).update(Text(f"Running… {fraction:.0%} {text}"))

    def show_input_error(self, field: str, detail: str) -> None:
        self.query_one("#status", Static).update(Text(f"✗ {field}: {detail}"))
        if field == "prompt":
            self.query_one("#prompt", Input).add_class("-invalid")

    def show_result(self, params: Any, result: Any) -> None:
        self.result = result
        self.sel_layer, self.sel_head = result.layer, result.head
        grid = self.query_one("#pattern", PatternGrid)
        view = result.pattern_for(self.sel_layer, self.sel_head)
        start = result.copy_start
        grid.set_view(view, (start + 3, 0) if start is not None else None)
        self.draw_scores()
        self.draw_ablation()
        self.draw_bump()
        self.draw_head()

    def action_run(self) -> None:
        prompt = self.query_one("#prompt", Input).value.strip()
        self.query_one("#prompt", Input).remove_class("-invalid")
        self.params = self.params.model_copy(
            update={"prompt": prompt or None, "layer": None, "head": None}
        )
        self.start_run(self.params)

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or event.value == self.preset_id:
            return
        self.preset_id = str(event.value)
        self.params = params_for_preset(self.preset_id)
        self.query_one("#prompt", Input).value = self.params.prompt or ""
        self.query_one("#explain", Static).update(Text(PRESETS[self.preset_id].explanation))
        self.query_one("#views", TabbedContent).active = VIEWS[self.params.view]
        self.start_run(self.params)

    # ----- drawing ----------------------------------------------------------------------
    def draw_head(self) -> None:
        """Everything that depends on the selected head: status, pattern, QK/OV."""
        r = self.result
        if r is None:
            return
        name = head_name(self.sel_layer, self.sel_head)
        ind = r.scores["induction"][self.sel_layer][self.sel_head]
        prev = r.scores["previous_token"][self.sel_layer][self.sel_head]
        ablated = ", ".join(head_name(a, b) for a, b in r.ablation.heads) or "none"
        self.query_one("#status", Static).update(
            Text(
                f"{name} · induction {ind:.2f} · prev-token {prev:.2f} · "
                f"{self.params.ablation}-ablate: {ablated}"
            )
        )
        grid = self.query_one("#pattern", PatternGrid)
        if grid.view is None or (grid.view.layer, grid.view.head) != (
            self.sel_layer,
            self.sel_head,
        ):
            grid.set_view(r.pattern_for(self.sel_layer, self.sel_head), grid.cursor)
        self.query_one("#qkov-text", Static).update(
            circuit_text(r.circuit_for(self.sel_layer, self.sel_head))
        )
        heatmap = self.query_one("#scores", Heatmap)
        if heatmap.cursor != (self.sel_layer, self.sel_head):
            heatmap.cursor = (self.sel_layer, self.sel_head)
        self.query_one("#scores-side", Static).update(
            scores_text(r, self.kind, (self.sel_layer, self.sel_head))
        )

    def draw_scores(self) -> None:
        r = self.result
        if r is None:
            return
        table = r.sink if self.kind == "sink" else r.scores[self.kind]
        grid = [[v if v is not None else float("nan") for v in row] for row in table]
        self.query_one("#scores", Heatmap).set_data(
            grid,
            [f"L{i}" for i in range(len(grid))],
            [f"H{j}" for j in range(len(grid[0]))],
            title=f"{KIND_LABEL[self.kind]} score (k: next)",
        )

    def draw_ablation(self) -> None:
        if self.result is not None:
            self.query_one("#ablation-text", Static).update(ablation_text(self.result.ablation))

    def draw_bump(self) -> None:
        r = self.result
        if r is None:
            return
        plot = self.query_one("#bump-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        curve = r.bump.shipped or r.bump.rerun
        if curve is not None:
            plt.plot(curve.step, curve.loss, label="loss", marker="dot")
            plt.plot(curve.step, curve.repeat_first, label="1st copy", marker="o")
            plt.plot(curve.step, curve.repeat_second, label="2nd copy", marker="x")
            if curve.phase is not None:
                plt.vline(curve.phase.midpoint_step)
            rerun = r.bump.rerun
            if rerun is not None and rerun.induction:
                plt.plot(
                    rerun.step, rerun.induction, label="induction score", marker="+", yside="right"
                )
            plt.xlabel("step")
            plt.title("loss (nats) over training; | marks the phase change")
        plot.refresh()
        self.query_one("#bump-note", Static).update(Text(bump_summary(r)))

    # ----- keys -------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        self.query_one("#views", TabbedContent).active = VIEWS[view]
        target = {
            "patterns": "#pattern",
            "scores": "#scores",
            "ablation": "#ablation-scroll",
            "qk-ov": "#qkov-scroll",
            "bump": "#views ContentTabs",  # keep letters away from the prompt field
        }.get(view)
        if target:
            self.query_one(target).focus()

    def _select(self, layer: int, head: int) -> None:
        r = self.result
        if r is None:
            return
        n_layers, n_heads = len(r.scores["induction"]), len(r.scores["induction"][0])
        self.sel_layer = max(0, min(n_layers - 1, layer))
        self.sel_head = max(0, min(n_heads - 1, head))
        self.draw_head()

    def action_layer(self, delta: int) -> None:
        self._select(self.sel_layer + delta, self.sel_head)

    def action_head(self, delta: int) -> None:
        self._select(self.sel_layer, self.sel_head + delta)

    @on(Heatmap.Selected, "#scores")
    def _heatmap_moved(self, event: Heatmap.Selected) -> None:
        if (event.row, event.col) != (self.sel_layer, self.sel_head):
            self._select(event.row, event.col)

    def action_kind(self) -> None:
        self.kind = SCORE_KINDS[(SCORE_KINDS.index(self.kind) + 1) % len(SCORE_KINDS)]
        self.draw_scores()
        self.draw_head()

    def _rerun_ablation(self, ablate: list[str], method: str) -> None:
        self.params = self.params.model_copy(
            update={
                "ablate": ablate,
                "ablation": method,
                "layer": self.sel_layer,
                "head": self.sel_head,
            }
        )
        self.query_one("#ablation-text", Static).update(Text("Running the ablation…"))
        self.start_run(self.params)

    def action_toggle_ablate(self) -> None:
        if self.result is None:
            return
        current = [head_name(a, b) for a, b in self.result.ablation.heads]
        name = head_name(self.sel_layer, self.sel_head)
        ablate = [h for h in current if h != name] if name in current else [*current, name]
        self._rerun_ablation(ablate, self.params.ablation)

    def action_method(self) -> None:
        if self.result is None:
            return
        method = METHODS[(METHODS.index(self.params.ablation) + 1) % len(METHODS)]
        current = [head_name(a, b) for a, b in self.result.ablation.heads]
        self._rerun_ablation(current, method)

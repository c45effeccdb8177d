"""The probing lab screen: accuracy per layer, the control table, the causal test, the data.

Picking a preset (or switching probe or site with a key) reruns the experiment in the base's
worker; keys pressed meanwhile move through the last results. Views are tabs: Layers (bars of
test accuracy and the selected layer's numbers), Table (train / test / control / selectivity
for every layer), Causal (removing the probe's directions) and Data (sizes, classes, held-out
subjects). All text comes from ``text.py``; nothing here imports torch.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, ProgressBar, Select, Static, TabbedContent, TabPane

from tutor.labs.probing.presets import PRESETS, ProbingPreset
from tutor.labs.probing.text import causal_text, header, layer_table, pct, signed, subjects_text
from tutor.screens.lab_base import LabScreen
from tutor.widgets.layer_bars import LayerBars

SITES = ("resid_pre", "attn_out", "mlp_out")
TABS = {"layers": "tab-layers", "table": "tab-table", "causal": "tab-causal", "data": "tab-data"}


class ProbingScreen(LabScreen):
    """Probe a property layer by layer, control for memorisation, test whether it is used."""

    LAB_ID = "probing"
    TITLE = "Probing"
    RESULTS_ID = "bars"
    EXTRA_KEYS = [
        ("←/→, ↑/↓", "Layers: select a layer"),
        ("0-9", "Layers: jump to a layer"),
    ]

    DEFAULT_CSS = """
    ProbingScreen { layout: vertical; }
    ProbingScreen #top { height: 1; }
    ProbingScreen #preset { width: 44; }
    ProbingScreen #choice { width: 1fr; padding: 0 1; }
    ProbingScreen #status-row { height: 1; }
    ProbingScreen #status { width: 1fr; padding: 0 1; }
    ProbingScreen #progress { width: 24; }
    ProbingScreen #explain { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    ProbingScreen TabbedContent { height: 1fr; }
    ProbingScreen .pane-row { height: 1fr; }
    ProbingScreen #bars { width: 1fr; }
    ProbingScreen #layer-info { width: 30; padding: 0 1; }
    ProbingScreen .text { padding: 0 1; }
    """

    BINDINGS = [
        Binding("a", "view('layers')", "Layers", tooltip="Test accuracy per layer"),
        Binding("t", "view('table')", "Table", tooltip="Train, test, control, selectivity"),
        Binding("c", "view('causal')", "Causal", tooltip="Remove the probe's directions"),
        Binding(
            "d", "view('data')", "Data", tooltip="The preset in full, sizes, held-out subjects"
        ),
        Binding("p", "toggle_probe", "Probe", tooltip="Switch linear / MLP probe and rerun"),
        Binding("s", "cycle_site", "Site", tooltip="Next site: resid_pre, attn_out, mlp_out"),
        Binding("ctrl+r", "rerun", "Run", tooltip="Run the experiment again"),
        Binding("f", "focus_preset", "Preset", show=False, tooltip="Choose a preset"),
    ]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__(preset)
        self.preset: ProbingPreset = PRESETS[preset or next(iter(PRESETS))]
        self.probe = self.preset.probe
        self.site = self.preset.site

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Select(
                [(p.title, p.id) for p in PRESETS.values()],
                value=self.preset.id,
                allow_blank=False,
                id="preset",
                compact=True,
            )
            yield Static("", id="choice")
        with Horizontal(id="status-row"):
            yield Static("Starting…", id="status")
            yield ProgressBar(id="progress", total=100, show_eta=False)
        yield Static(Text(self.preset.explanation), id="explain")
        with TabbedContent(id="views", initial="tab-layers"):
            with TabPane("Layers", id="tab-layers"), Horizontal(classes="pane-row"):
                yield LayerBars(id="bars", title="test accuracy per layer")
                with VerticalScroll(id="layer-info"):
                    yield Static("", id="layer-text")
            with TabPane("Table", id="tab-table"), VerticalScroll(id="table-scroll"):
                yield Static("", id="table-text", classes="text")
            with TabPane("Causal", id="tab-causal"), VerticalScroll(id="causal-scroll"):
                yield Static("", id="causal-text", classes="text")
            with TabPane("Data", id="tab-data"), VerticalScroll(id="data-scroll"):
                yield Static("", id="data-text", classes="text")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.action_rerun()

    # ----- running ------------------------------------------------------------------------
    def params(self) -> Any:
        from tutor.labs.probing.experiment import params_for_preset

        return params_for_preset(self.preset.id).model_copy(
            update={"probe": self.probe, "site": self.site}
        )

    def action_rerun(self) -> None:
        self._show_choice()
        self._status(f"Running {self.preset.title}…")
        self.query_one("#progress", ProgressBar).display = True
        self.query_one("#progress", ProgressBar).update(progress=0)
        self.start_run(self.params())

    def action_toggle_probe(self) -> None:
        self.probe = "mlp" if self.probe == "linear" else "linear"
        self.action_rerun()

    def action_cycle_site(self) -> None:
        self.site = SITES[(SITES.index(self.site) + 1) % len(SITES)]
        self.action_rerun()

    def action_view(self, view: str) -> None:
        self.query_one("#views", TabbedContent).active = TABS[view]
        if view == "layers":
            self.query_one("#bars", LayerBars).focus()
        else:
            self.query_one(f"#{view}-scroll", VerticalScroll).focus()

    def action_focus_preset(self) -> None:
        self.query_one("#preset", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value == self.preset.id or event.value not in PRESETS:
            return
        self.preset = PRESETS[str(event.value)]
        self.probe, self.site = self.preset.probe, self.preset.site
        self.query_one("#explain", Static).update(Text(self.preset.explanation))
        self.action_rerun()

    # ----- hooks from the base ------------------------------------------------------------------
    def show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(progress=fraction * 100)
        self._status(text)

    def run_finished(self) -> None:
        self.query_one("#progress", ProgressBar).display = False

    def show_input_error(self, field: str, detail: str) -> None:
        self._status(f"✗ {field}: {detail}")

    def show_result(self, params: Any, result: Any) -> None:
        bars = self.query_one("#bars", LayerBars)
        bars.set_data(
            [s.accuracy or 0.0 for s in result.layers],
            title=f"test accuracy per layer (chance {pct(result.chance).strip()})",
        )
        bars.selected = result.best_layer
        self._show_layer(result.best_layer)
        self.query_one("#table-text", Static).update(
            Text(header(result) + "\n\n" + layer_table(result))
        )
        self.query_one("#causal-text", Static).update(Text(causal_text(result.causal)))
        self.query_one("#data-text", Static).update(
            Text(
                f"{self.preset.title}\n{self.preset.explanation}\n\n"
                + header(result)
                + "\n\n"
                + subjects_text(result)
            )
        )
        best = result.layers[result.best_layer]
        verdict = ""
        if result.causal is not None:
            verdict = "  causal: " + ("✓ used" if result.causal.used else "✗ not used")
        self._status(
            f"best L{result.best_layer}: test {pct(best.accuracy).strip()}, "
            f"select {signed(best.selectivity).strip()}{verdict}{self.kept_note}"
        )

    def on_layer_bars_selected(self, event: LayerBars.Selected) -> None:
        self._show_layer(event.index)

    # ----- helpers ----------------------------------------------------------------------------
    def _show_layer(self, layer: int) -> None:
        result = self.last_result
        if result is None or not 0 <= layer < len(result.layers):
            return
        s = result.layers[layer]
        lines = [
            f"Layer {layer} ({result.site})",
            "",
            f"test accuracy  {pct(s.accuracy)}",
            f"train accuracy {pct(s.train_accuracy)}",
            f"control test   {pct(s.control_accuracy)}",
            f"control train  {pct(s.control_train_accuracy)}",
            f"selectivity    {signed(s.selectivity)}",
            f"chance         {pct(result.chance)}",
            "",
            f"{result.n_train} train / {result.n_test} test examples, split by {result.split}.",
        ]
        if layer == result.best_layer:
            lines.append("▶ best layer: the causal test runs here.")
        self.query_one("#layer-text", Static).update(Text("\n".join(lines)))

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    def _show_choice(self) -> None:
        self.query_one("#choice", Static).update(
            Text(f"probe {self.probe} (p)  site {self.site} (s)")
        )

"""The superposition lab's screen: a one-line form, then six views of the trained toy model.

Views (tabs): the feature directions in the plane (m = 2), WᵀW as a heatmap, ‖Wᵢ‖ and
superposition bars, feature dimensionality with the sparsity levels side by side, the phase
diagram, and the SAE step. ``[`` / ``]`` step through the sparsity levels that were trained
together, without retraining. Enter in the form (or ctrl+r) retrains; ``F`` adds the phase
diagram and ``S`` the SAE step to the current settings. Nothing here imports torch: the
experiment runs in the base class's worker.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Checkbox,
    Footer,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from tutor.labs.superposition.params import Params, updated
from tutor.labs.superposition.presets import PRESETS
from tutor.labs.superposition.text import angle_summary, phase_lines, plane_lines, sae_lines
from tutor.screens.lab_base import LabScreen
from tutor.widgets.heatmap import Heatmap
from tutor.widgets.layer_bars import LayerBars

VIEWS = ("plane", "wtw", "bars", "dims", "phase", "sae")
FORM_FIELDS = {"n": "n", "m": "m", "sparsity": "S", "importance": "I decay"}


class SuperpositionScreen(LabScreen):
    """Train toy models of superposition and look at what they store."""

    LAB_ID = "superposition"
    TITLE = "Superposition"
    RESULTS_ID = "scroll-plane"

    DEFAULT_CSS = """
    SuperpositionScreen { layout: vertical; }
    SuperpositionScreen #form { height: 1; }
    SuperpositionScreen #form Label { padding: 0 0 0 1; }
    SuperpositionScreen #form Input { width: 7; }
    SuperpositionScreen #form Checkbox { width: 10; }
    SuperpositionScreen #preset { width: 1fr; }
    SuperpositionScreen Input.-invalid { background: $error 40%; }
    SuperpositionScreen #status-row { height: 1; }
    SuperpositionScreen #status { width: 1fr; padding: 0 1; }
    SuperpositionScreen #progress { width: 24; }
    SuperpositionScreen #explain { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    SuperpositionScreen #explain.full { max-height: 12; }
    SuperpositionScreen TabbedContent { height: 1fr; }
    SuperpositionScreen .bars-row { height: auto; }
    SuperpositionScreen .note { padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+r", "run", "Train", tooltip="Retrain with the settings in the form"),
        Binding(
            "left_square_bracket",
            "level(-1)",
            "Denser",
            key_display="[",
            tooltip="Show the next denser sparsity level (no retraining)",
        ),
        Binding(
            "right_square_bracket",
            "level(1)",
            "Sparser",
            key_display="]",
            tooltip="Show the next sparser sparsity level (no retraining)",
        ),
        Binding("p", "view('plane')", "Plane", tooltip="Feature directions in the plane (m = 2)"),
        Binding("w", "view('wtw')", "WᵀW", tooltip="WᵀW as a heatmap"),
        Binding("b", "view('bars')", "Bars", tooltip="‖Wᵢ‖ and superposition per feature"),
        Binding("d", "view('dims')", "Dims", tooltip="Feature dimensionality Dᵢ; levels"),
        Binding("g", "view('phase')", "Phase", tooltip="The phase diagram"),
        Binding("s", "view('sae')", "SAE", tooltip="The SAE step: recovered features"),
        Binding(
            "F",
            "add('phase')",
            "+phase",
            show=False,
            tooltip="Retrain and also sweep the phase diagram",
        ),
        Binding(
            "S",
            "add('sae')",
            "+SAE",
            show=False,
            tooltip="Retrain and also train an SAE on the activations",
        ),
        Binding("f", "focus_form", "Form", show=False, tooltip="Edit the settings"),
        Binding(
            "o",
            "explain",
            "More",
            show=False,
            tooltip="Unfold (or fold) the preset's whole explanation",
        ),
    ]
    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "In the form: retrain with these settings"),
        ("arrows", "Move the selection in bars and heatmap"),
    ]

    def __init__(self, preset: str | None = None, params: Params | None = None) -> None:
        """``params`` (tests, saved runs) replaces the preset's parameters."""
        super().__init__(preset)
        self.preset_id = preset or next(iter(PRESETS))
        self.params = params or Params(**PRESETS[self.preset_id].changes)
        self.result: Any = None
        self.level = 0

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        p = self.params
        with Horizontal(id="form"):
            for name, label in FORM_FIELDS.items():
                yield Label(label)
                yield Input(f"{getattr(p, name):g}", id=f"in-{name}", compact=True)
            yield Checkbox("ReLU", p.relu, id="in-relu", compact=True)
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
            with TabPane("Plane", id="tab-plane"), VerticalScroll(id="scroll-plane"):
                yield Static("", id="plane")
            with TabPane("WᵀW", id="tab-wtw"), VerticalScroll(id="scroll-wtw"):
                yield Heatmap(id="wtw")
                yield Static("", id="wtw-note", classes="note")
            with TabPane("Bars", id="tab-bars"), VerticalScroll(id="scroll-bars"):
                with Horizontal(classes="bars-row"):
                    yield LayerBars(id="norm-bars", title="‖Wᵢ‖")
                    yield LayerBars(id="sup-bars", title="superposition Σⱼ≠ᵢ(Ŵᵢ·Wⱼ)²")
                yield Static("", id="bars-note", classes="note")
            with TabPane("Dims", id="tab-dims"), VerticalScroll(id="scroll-dims"):
                yield LayerBars(id="dim-bars", title="dimensionality Dᵢ")
                yield Static("", id="dims-note", classes="note")
            with TabPane("Phase", id="tab-phase"), VerticalScroll(id="scroll-phase"):
                yield Static("", id="phase")
            with TabPane("SAE", id="tab-sae"), VerticalScroll(id="scroll-sae"):
                yield Static("", id="sae")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#progress", ProgressBar).display = False
        self.start(self.params)

    def focus_results(self) -> None:
        active = self.query_one("#views", TabbedContent).active.removeprefix("tab-")
        self.query_one(f"#scroll-{active}").focus()

    # ----- running ------------------------------------------------------------------------
    def start(self, params: Params) -> None:
        self.params = params
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self._status("Training…")
        self.start_run(params)

    def _form_params(self) -> Params | None:
        """The form's values over the current parameters; a bad value is flagged in place."""
        from tutor.labs.runner import LabInputError

        changes: dict[str, Any] = {}
        for widget in self.query(Input):
            widget.remove_class("-invalid")
        for name in FORM_FIELDS:
            raw = self.query_one(f"#in-{name}", Input).value.strip()
            try:
                changes[name] = int(raw) if name in ("n", "m") else float(raw)
            except ValueError:
                self.show_input_error(name, f"{raw!r} is not a number")
                return None
        changes["relu"] = self.query_one("#in-relu", Checkbox).value
        try:
            return updated(self.params, changes)
        except LabInputError as exc:
            self.show_input_error(exc.field, exc.detail)
            return None

    def action_run(self) -> None:
        params = self._form_params()
        if params is not None:
            self.start(params)

    def action_add(self, what: str) -> None:
        params = self._form_params()
        if params is not None:
            self.start(params.model_copy(update={what: True}))
            self.action_view(what)

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
        """Fill the form from a preset, show its view and train it."""
        self.preset_id = preset_id
        preset = PRESETS[preset_id]
        params = Params(**preset.changes)
        for name in FORM_FIELDS:
            self.query_one(f"#in-{name}", Input).value = f"{getattr(params, name):g}"
        self.query_one("#in-relu", Checkbox).value = params.relu
        self.query_one("#explain", Static).update(Text(preset.explanation))
        self.action_view(preset.view)
        self.start(params)

    def show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(progress=100 * fraction)
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
        self.level = result.level
        sae = f", SAE {result.sae.main.seconds:.1f} s" if result.sae else ""
        phase = f", phase diagram {result.phase.seconds:.1f} s" if result.phase else ""
        self._status(
            f"Trained {len(result.levels)} sparsity levels × {params.restarts} starts in "
            f"{result.train_seconds:.1f} s{phase}{sae}{self.kept_note} · o: whole explanation"
        )
        self.render_level()

    # ----- views --------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        if view in VIEWS:
            self.query_one("#views", TabbedContent).active = f"tab-{view}"
            self.query_one(f"#scroll-{view}").focus()

    def action_explain(self) -> None:
        self.query_one("#explain", Static).toggle_class("full")

    def action_focus_form(self) -> None:
        self.query_one("#in-n", Input).focus()

    def action_level(self, step: int) -> None:
        if self.result is None:
            return
        self.level = max(0, min(len(self.result.levels) - 1, self.level + step))
        level = self.result.levels[self.level]
        self.query_one("#in-sparsity", Input).value = f"{level.sparsity:g}"
        self.render_level()

    def render_level(self) -> None:
        r = self.result
        lv = r.levels[self.level]
        head = (
            f"S = {lv.sparsity:g} ([ ] step): {lv.n_represented} of {r.n} features kept, "
            f"{lv.n_superposed} superposed"
        )
        self._render_plane(lv, head)
        self._render_wtw(lv, head)
        self._render_bars(lv, head)
        self._render_dims(lv, head)
        phase = self.query_one("#phase", Static)
        if r.phase is None:
            phase.update(Text("No phase diagram in this run: press F to train one (≈10 s)."))
        else:
            phase.update(Text("\n".join(phase_lines(r.phase))))
        sae = self.query_one("#sae", Static)
        if r.sae is None:
            sae.update(Text("No SAE in this run: press S to train one on h = W·x."))
        else:
            sae.update(Text("\n".join(sae_lines(r.sae))))

    def _render_plane(self, lv: Any, head: str) -> None:
        plane = self.query_one("#plane", Static)
        if self.result.m != 2:
            plane.update(
                Text(
                    f"{head}\nThe plane view needs m = 2 (this model has m = "
                    f"{self.result.m}); see WᵀW and the bars."
                )
            )
            return
        lines = plane_lines(lv.W, width=44, height=12)
        plane.update(Text("\n".join([head, angle_summary(lv.W, lv.represented), *lines])))

    def _render_wtw(self, lv: Any, head: str) -> None:
        n = len(lv.W[0])
        wtw = [
            [sum(lv.W[k][i] * lv.W[k][j] for k in range(len(lv.W))) for j in range(n)]
            for i in range(n)
        ]
        grid = self.query_one("#wtw", Heatmap)
        top = max(1e-6, max(abs(v) for row in wtw for v in row))
        grid.scale = top
        grid.set_data(wtw, [str(i) for i in range(n)], [str(j) for j in range(n)], title=head)
        self.query_one("#wtw-note", Static).update(
            Text(
                "Row i, column j: Wᵢ·Wⱼ. The diagonal is ‖Wᵢ‖² (kept features near 1); "
                "off-diagonal cells are interference between features (▓ strong, ░ weak, "
                "− sign: opposite directions)."
            )
        )

    def _render_bars(self, lv: Any, head: str) -> None:
        labels = [f"{i}" if keep else f"{i}✗" for i, keep in enumerate(lv.represented)]
        norm_bars = self.query_one("#norm-bars", LayerBars)
        norm_bars.scale = max(1.25, max(lv.norms))
        norm_bars.set_data(lv.norms, labels, "‖Wᵢ‖")
        sup = [0.0 if s is None else s for s in lv.superposition]
        bars = self.query_one("#sup-bars", LayerBars)
        bars.scale = max(1.0, max(sup))
        bars.set_data(sup, labels, "Σⱼ≠ᵢ(Ŵᵢ·Wⱼ)²")
        self.query_one("#bars-note", Static).update(
            Text(
                f"{head}. ✗: dropped (‖Wᵢ‖ ≤ 0.5; superposition not defined, drawn as 0). "
                "Superposition 0: the feature has a dimension of its own."
            )
        )

    def _render_dims(self, lv: Any, head: str) -> None:
        bars = self.query_one("#dim-bars", LayerBars)
        bars.scale = 1.0
        bars.set_data(lv.dimensionality, [str(i) for i in range(len(lv.norms))], "Dᵢ")
        rows = [
            head,
            "Dᵢ = ‖Wᵢ‖² / Σⱼ(Ŵᵢ·Wⱼ)²: 1 own dimension, 1/2 antipodal pair, 2/5 pentagon.",
            "",
            " sparsity  kept  superposed  m/‖W‖²_F",
        ]
        for k, other in enumerate(self.result.levels):
            mark = "▶" if k == self.level else " "
            rows.append(
                f"{mark}{other.sparsity:8.3f}  {other.n_represented:4d}  "
                f"{other.n_superposed:10d}  {other.dims_per_feature:9.3f}"
            )
        self.query_one("#dims-note", Static).update(Text("\n".join(rows)))

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

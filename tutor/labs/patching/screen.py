"""The activation patching lab: layer bars, heatmaps, attention vs MLP, heads, the pipeline.

The learner edits an experiment (``PatchForm``), presses Enter, and ``LabScreen`` runs
``experiment.run`` in a worker (one run at a time: a new run cancels the old, and only the
newest run's result reaches ``show_result``). Finished results are kept per (model, device,
params) by ``tutor.labs.results``, never a cancelled run's, and a repeated request is shown
from there ("from cache"). A refused parameter gets an
inline message and leaves the last results on screen. The words live in ``text.py``, the
form and the saved-runs list in ``panes.py``; nothing here imports torch.

At 80×24 every view fits: the explanation folds to one line (``e`` unfolds it), so the
twelve layer rows of Bars, Grid, Attn/MLP and Heads are all on screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, ProgressBar, Select, Static, TabbedContent, TabPane

from tutor.labs.patching import text as words
from tutor.labs.patching.experiment import Params, Result, load_saved, params_for_preset
from tutor.labs.patching.panes import CUSTOM, PatchForm, RunsPane, form_values
from tutor.labs.patching.presets import get_preset
from tutor.labs.runner import LabInputError
from tutor.screens.lab_base import LabScreen
from tutor.widgets.heatmap import Heatmap
from tutor.widgets.layer_bars import LayerBars

LAB_ID = "patching"
VIEWS = {"bars": "tab-bars", "heatmap": "tab-grid", "attn-mlp": "tab-am", "heads": "tab-heads"}
VIEWS |= {"pipeline": "tab-pipeline", "runs": "tab-runs"}
FOCUS = {"tab-bars": "#bars", "tab-grid": "#grid", "tab-am": "#attn-bars"}
FOCUS |= {"tab-heads": "#heads-grid", "tab-pipeline": "#pipeline-scroll", "tab-runs": "#runs-list"}


class PatchingScreen(LabScreen):
    """Corrupt a prompt, patch clean activations back, and see where the answer lives."""

    LAB_ID = LAB_ID
    TITLE = "Activation patching"
    RESULTS_ID = "bars"
    EXTRA_KEYS = [
        ("← → ↑ ↓", "Bars, Grid, Heads: move the selected layer / cell"),
        ("0–9", "Bars: jump to a layer (type 1 then 1 for layer 11)"),
        ("enter", "In the form: run it · in Runs: open the saved run"),
        ("tab", "Move between the form and the results"),
    ]

    DEFAULT_CSS = """
    PatchingScreen { layout: vertical; }
    PatchingScreen #form-error { height: auto; color: $error; text-style: bold; padding: 0 1; }
    PatchingScreen #status-row { height: auto; max-height: 2; }
    PatchingScreen #status { height: auto; }
    PatchingScreen #status { width: 1fr; padding: 0 1; }
    PatchingScreen #progress { width: 24; }
    PatchingScreen #explain { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    PatchingScreen .pane-row { height: auto; }
    PatchingScreen #bars-row { height: 1fr; }
    PatchingScreen #bars, PatchingScreen #attn-bars, PatchingScreen #mlp-bars { width: 1fr; }
    PatchingScreen #inspect { width: 1fr; padding: 0 1; }
    PatchingScreen #pipeline-text { padding: 0 1; }
    PatchingScreen TabbedContent { height: 1fr; }
    """

    BINDINGS = [
        Binding("ctrl+r", "run", "Run", tooltip="Run the experiment in the form"),
        Binding("b", "view('bars')", "Bars", tooltip="Layer bars with the inspect panel"),
        Binding("g", "view('heatmap')", "Grid", tooltip="Layer × position heatmap"),
        Binding("m", "view('attn-mlp')", "Attn/MLP", tooltip="Attention vs MLP outputs"),
        Binding("h", "view('heads')", "Heads", tooltip="One cell per attention head"),
        Binding("p", "view('pipeline')", "Pipeline", tooltip="Clean → corrupted → patched"),
        Binding("r", "view('runs')", "Runs", tooltip="Saved runs"),
        Binding("n", "step(1)", "Step", show=False, tooltip="Pipeline: next step"),
        Binding("N", "step(-1)", "Back", show=False, tooltip="Pipeline: previous step"),
        Binding("a", "toggle_attribution", "Attrib", tooltip="Grid: attribution vs exact"),
        Binding(
            "left_square_bracket",
            "position(-1)",
            "Pos ←",
            show=False,
            key_display="[",
            tooltip="Patch one position earlier",
        ),
        Binding(
            "right_square_bracket",
            "position(1)",
            "Pos →",
            show=False,
            key_display="]",
            tooltip="Patch one position later",
        ),
        Binding("e", "toggle_explain", "Explain", show=False, tooltip="Fold / unfold the text"),
        Binding("ctrl+s", "save", "Save", tooltip="Save this run to your progress"),
        Binding("x", "export", "Export", tooltip="Write this run as JSON and CSV"),
        Binding("f", "focus_form", "Form", show=False, tooltip="Edit the experiment"),
    ]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__(preset)
        self.preset = get_preset(preset)  # ValueError naming the known presets
        self.base: Params = params_for_preset(self.preset.id)  # fields the form does not show
        self.result: Result | None = None
        self.params: Params | None = None  # the experiment whose results are on screen
        self.saved_id: int | None = None
        self.note = ""
        self.picked_layer = 0
        self.picked_column = 0  # index into the resid sweep's columns
        self.head_cell = (0, 0)
        self.pipeline_step = 0
        self.show_attribution = False
        self.explain_open = False
        self._submitted: dict[str, str] = {}  # the form as last run or loaded

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield PatchForm(self.base, self.preset.id)
        yield Static("", id="form-error")
        with Horizontal(id="status-row"):
            yield Static("Press Enter in the form (or ctrl+r) to run.", id="status")
            yield ProgressBar(id="progress", total=1.0, show_eta=False)
        yield Static("", id="explain")
        with TabbedContent(id="views", initial=VIEWS.get(self.preset.view, "tab-bars")):
            with TabPane("Bars", id="tab-bars"), Horizontal(id="bars-row"):
                yield LayerBars(id="bars", title="recovery per layer")
                with VerticalScroll(id="inspect"):
                    yield Static(Text(""), id="inspect-text")
            with TabPane("Grid", id="tab-grid"), VerticalScroll():
                yield Heatmap(id="grid")
                yield Static("", id="grid-note")
            with TabPane("Attn/MLP", id="tab-am"), VerticalScroll():
                with Horizontal(classes="pane-row"):
                    yield LayerBars(id="attn-bars", title="attention output")
                    yield LayerBars(id="mlp-bars", title="MLP output")
                yield Static("", id="am-note")
            with TabPane("Heads", id="tab-heads"), VerticalScroll():
                yield Heatmap(id="heads-grid")
                yield Static("", id="heads-note")
            with TabPane("Pipeline", id="tab-pipeline"), VerticalScroll(id="pipeline-scroll"):
                yield Static("", id="pipeline-text")
            with TabPane("Runs", id="tab-runs"):
                yield RunsPane(id="runs")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#form-error").display = False
        self._explain()
        self.query_one(RunsPane).refresh_runs(getattr(self.app, "store", None))
        self.action_run()

    def focus_results(self) -> None:
        """Focus the current view's main widget (never the form)."""
        self.query_one(FOCUS[self.query_one("#views", TabbedContent).active]).focus()

    # ----- the form -------------------------------------------------------------------------
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if event.value in (self.query_one(PatchForm).preset_id, CUSTOM, Select.BLANK):
            return  # set by the screen itself, or "custom" (nothing to load)
        self.load_preset(str(event.value))

    def load_preset(self, preset_id: str) -> None:
        """Fill the form from a preset, switch to its view and run it."""
        self.preset = get_preset(preset_id)
        self.base = params_for_preset(preset_id)
        form = self.query_one(PatchForm)
        form.fill(self.base)
        form.select_preset(preset_id)
        self._explain()
        self.action_view(self.preset.view)
        self.action_run()

    def is_dirty(self) -> bool:
        """The form was edited after its last run (or a refused run): leaving loses it."""
        return self.query_one(PatchForm).values() != self._submitted

    def leave_question(self) -> str:
        return "Leave the lab? The form has edits that were not run; they will be lost."

    # ----- running ------------------------------------------------------------------------
    def action_run(self) -> None:
        form = self.query_one(PatchForm)
        try:
            params = form.read(self.base)
        except LabInputError as exc:
            self.show_input_error(exc.field, exc.detail)
            return
        form.mark_invalid(None)
        self._submitted = form.values()
        error = self.query_one("#form-error", Static)
        error.update("")
        error.display = False
        self.query_one("#progress", ProgressBar).display = True
        self.show_progress(0.0, "Working…")
        self.start_run(params)

    def show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(progress=fraction)
        self._status(text)

    def run_finished(self) -> None:
        self.query_one("#progress", ProgressBar).display = False

    def show_input_error(self, field: str, detail: str) -> None:
        self.query_one(PatchForm).mark_invalid(field)
        error = self.query_one("#form-error", Static)
        error.update(Text(f"✗ {field}: {detail}"))
        error.display = True
        self._status("Not run: fix the form (the results below are from the last run).")

    def show_result(self, params: Any, result: Any, note: str = "") -> None:
        """A finished run (current generation only: the base drops older ones), a kept
        result ("from cache") or a saved run: pick the bars' column, say custom if edited."""
        if not note and self.result_kept:
            note = "from cache"
        self.result, self.params, self.note = result, params, note
        self.saved_id = None
        self.picked_column = result.bar_column()
        self.picked_layer = max(0, min(self.picked_layer, result.resid.n_layers - 1))
        form = self.query_one(PatchForm)
        form.shown = params
        form.mark_edited()
        preset = self.preset.id if params == params_for_preset(self.preset.id) else CUSTOM
        form.select_preset(preset)
        self._explain()
        self._render_all()
        if isinstance(self.focused, Input):  # leave the form: the keys now explore the result
            self.focus_results()

    @on(Input.Changed)
    def _result_status(self) -> None:
        """The status line for the results on screen (also when a field changes, so an edit
        made during or after a run is flagged beside the old results)."""
        if self.result is None or self.running:
            return
        r = self.result.resid
        edited = self.query_one(PatchForm).is_edited()
        note = f"{r.corruption}, {self.note}" if self.note else r.corruption
        self._status(words.status_text(r, note, self.saved_id, edited))

    def _status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    def _explain(self) -> None:
        custom = self.query_one(PatchForm).preset_id == CUSTOM
        text = words.CUSTOM_EXPLANATION if custom else self.preset.explanation
        shown = text if self.explain_open else words.folded(text, max(20, self.size.width - 2))
        self.query_one("#explain", Static).update(Text(shown))

    # ----- showing results -------------------------------------------------------------------
    def _render_all(self) -> None:
        if self.result is None or self.params is None:
            return
        b, r = self.result, self.result.resid
        self._result_status()
        col_label = words.column_label(r, self.picked_column)
        bars = self.query_one("#bars", LayerBars)
        bars.set_data(r.layer_bars(self.picked_column), title=f"recovery at {col_label}")
        bars.selected = self.picked_layer
        grid = self.query_one("#grid", Heatmap)
        if self.show_attribution and r.attribution is not None:
            grid.set_data(r.attribution, None, r.columns, "attribution patching (estimate)")
        else:
            grid.set_data(r.recovery, None, r.columns, "recovery: resid_pre, layer × position")
        grid.cursor = (self.picked_layer, self.picked_column)
        self.query_one("#grid-note", Static).update(Text(words.grid_note(r, self.show_attribution)))
        window = f" (window of {b.attn.window} layers)" if b.attn.window > 1 else ""
        self.query_one("#attn-bars", LayerBars).set_data(b.attn.layer_bars(self.picked_column))
        self.query_one("#mlp-bars", LayerBars).set_data(b.mlp.layer_bars(self.picked_column))
        self.query_one("#am-note", Static).update(
            Text(f"Recovery at {col_label}{window}. [ and ] move the position.")
        )
        heads = self.query_one("#heads-grid", Heatmap)
        heads.set_data(b.heads.recovery, None, b.heads.columns, "recovery per head (all positions)")
        self.query_one("#heads-note", Static).update(
            Text(words.heads_note(b.heads, *self.head_cell))
        )
        self._render_cell()

    def _render_cell(self) -> None:
        """The inspect panel and the pipeline: both follow the selected layer and column."""
        b = self.result
        if b is None:
            return
        text = words.inspect_text(b.resid, self.picked_layer, self.picked_column, b.subject)
        text += words.everything_text(b.resid.answer, b.everything)
        self.query_one("#inspect-text", Static).update(Text(text))
        step = words.pipeline_text(
            b.resid, self.pipeline_step, self.picked_layer, self.picked_column, b.subject
        )
        self.query_one("#pipeline-text", Static).update(Text(step))

    def on_layer_bars_selected(self, event: LayerBars.Selected) -> None:
        if event.bars.id == "bars":
            self.picked_layer = event.index
            self._render_cell()

    def on_heatmap_selected(self, event: Heatmap.Selected) -> None:
        if self.result is None:
            return
        if event.heatmap.id == "grid" and (event.row, event.col) != (
            self.picked_layer,
            self.picked_column,
        ):
            self.picked_layer, self.picked_column = event.row, event.col
            self._render_all()
        elif event.heatmap.id == "heads-grid" and (event.row, event.col) != self.head_cell:
            self.head_cell = (event.row, event.col)
            note = words.heads_note(self.result.heads, *self.head_cell)
            self.query_one("#heads-note", Static).update(Text(note))

    # ----- actions ------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        tab = VIEWS.get(view, "tab-bars")
        self.query_one("#views", TabbedContent).active = tab
        # Focus once the pane is shown: a hidden widget cannot take focus.
        self.call_after_refresh(self.focus_results)

    def action_step(self, delta: int) -> None:
        self.pipeline_step = max(0, min(2, self.pipeline_step + delta))
        self._render_cell()

    def action_toggle_attribution(self) -> None:
        self.show_attribution = not self.show_attribution
        self._render_all()

    def action_toggle_explain(self) -> None:
        self.explain_open = not self.explain_open
        self._explain()

    def action_position(self, delta: int) -> None:
        if self.result is not None:
            last = len(self.result.resid.columns) - 1
            self.picked_column = max(0, min(last, self.picked_column + delta))
            self._render_all()

    def action_focus_form(self) -> None:
        self.query_one("#prompt", Input).focus()

    def action_save(self) -> None:
        store = getattr(self.app, "store", None)
        if self.result is None or self.params is None or store is None:
            self.notify("Nothing to save yet.", severity="warning")
            return
        r = self.result.resid
        title = f"{r.prompt} → {r.answer} ({r.corruption})"
        params = {**self.params.model_dump(), "model": getattr(self.app, "model_name", "")}
        self.saved_id = store.save_run(LAB_ID, title, params, self.result.to_saved())
        self.notify(f"Saved as run {self.saved_id}.")
        self.query_one(RunsPane).refresh_runs(store)
        self._render_all()

    def action_export(self) -> None:
        if self.result is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        from datetime import datetime

        from tutor.labs.jsonout import dumps
        from tutor.paths import data_dir

        folder = data_dir() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"patching-{datetime.now():%Y%m%d-%H%M%S}"
        json_path, csv_path = stem.with_suffix(".json"), stem.with_suffix(".csv")
        json_path.write_text(dumps({"params": self.params, "result": self.result}), "utf-8")
        csv_path.write_text(self.result.resid.to_csv(), encoding="utf-8")
        self.notify(f"Wrote {json_path} and {csv_path.name}")

    def on_runs_pane_open(self, message: RunsPane.Open) -> None:
        record = self.app.store.load_run(message.run_id)
        try:
            params, result = load_saved(record.params, record.result)
        except (KeyError, TypeError, ValueError) as exc:
            self.notify(f"Run {record.id} cannot be shown ({exc}).", severity="error")
            return
        self.cancel_run()
        self.base = params
        form = self.query_one(PatchForm)
        form.fill(params)
        self._submitted = {k: v.strip() for k, v in form_values(params).items()}
        self.show_result(params, result, f"saved run #{record.id}")
        self.saved_id = record.id
        self._render_all()
        self.action_view("bars")

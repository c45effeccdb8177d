"""The activation patching lab: layer bars, heatmaps, attention vs MLP, heads, the pipeline.

The learner edits an experiment (prompt, corruption, answer, wrong answer), presses Enter,
and a thread worker loads the model, runs the clean and corrupted prompts and every sweep,
reporting progress. Results are cached per (model, experiment); bad input gets an inline
message and leaves the last results on screen. Nothing here imports torch at load time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from tutor.labs.patching.presets import PRESETS, PatchingPreset, get_preset
from tutor.labs.patching.result import PatchResult
from tutor.labs.patching.text import inspect_text, pipeline_text
from tutor.widgets.heatmap import Heatmap
from tutor.widgets.layer_bars import LayerBars

LAB_ID = "patching"
VIEWS = {"bars": "tab-bars", "heatmap": "tab-grid", "attn-mlp": "tab-am", "heads": "tab-heads"}
VIEWS |= {"pipeline": "tab-pipeline", "runs": "tab-runs"}


@dataclass
class Bundle:
    """Everything one experiment produced: the four sweeps and a few extras."""

    resid: PatchResult
    attn: PatchResult
    mlp: PatchResult
    heads: PatchResult
    subject: tuple[int, int] | None
    everything: dict[str, float] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resid": self.resid.to_dict(),
            "attn": self.attn.to_dict(),
            "mlp": self.mlp.to_dict(),
            "heads": self.heads.to_dict(),
            "subject": list(self.subject) if self.subject else None,
            "everything": self.everything,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], params: dict[str, Any]) -> Bundle:
        subject = data.get("subject")
        return cls(
            resid=PatchResult.from_dict(data["resid"]),
            attn=PatchResult.from_dict(data["attn"]),
            mlp=PatchResult.from_dict(data["mlp"]),
            heads=PatchResult.from_dict(data["heads"]),
            subject=tuple(subject) if subject else None,
            everything=data.get("everything"),
            params=params,
        )


class PatchingScreen(Screen[None]):
    """Corrupt a prompt, patch clean activations back, and see where the answer lives."""

    DEFAULT_CSS = """
    PatchingScreen { layout: vertical; }
    PatchingScreen .form { height: 1; }
    PatchingScreen .form Label { padding: 0 1; }
    PatchingScreen .form Input { width: 1fr; }
    PatchingScreen #prompt { width: 2fr; }
    PatchingScreen #noise, PatchingScreen #answer, PatchingScreen #wrong { width: 10; }
    PatchingScreen #preset { width: 34; }
    PatchingScreen Input.-invalid { background: $error 40%; }
    PatchingScreen #form-error { height: auto; color: $error; padding: 0 1; }
    PatchingScreen #status-row { height: 1; }
    PatchingScreen #status { width: 1fr; padding: 0 1; }
    PatchingScreen #progress { width: 24; }
    PatchingScreen #explain { height: auto; max-height: 5; padding: 0 1; color: $text-muted; }
    PatchingScreen .pane-row { height: 1fr; }
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
        Binding("left_square_bracket", "position(-1)", "Pos ←", show=False),
        Binding("right_square_bracket", "position(1)", "Pos →", show=False),
        Binding("ctrl+s", "save", "Save", tooltip="Save this run to your progress"),
        Binding("x", "export", "Export", tooltip="Write this run as JSON and CSV"),
        Binding("f", "focus_form", "Form", show=False, tooltip="Edit the experiment"),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the previous screen"),
    ]

    def __init__(self, preset: str | None = None) -> None:
        super().__init__()
        self.preset: PatchingPreset = get_preset(preset)  # ValueError naming known presets
        self.bundle: Bundle | None = None
        self.picked_layer = 0
        self.picked_column = 0  # index into the resid sweep's positions
        self.head_cell = (0, 0)
        self.pipeline_step = 0
        self.show_attribution = False
        self._cache: dict[tuple[Any, ...], Bundle] = {}
        self.running = False
        self.error: str | None = None
        self._generation = 0  # results from an older, superseded run are dropped

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        p = self.preset
        # Compact (borderless) fields: the form takes two lines, leaving room for the bars.
        with Horizontal(classes="form"):
            yield Label("prompt")
            yield Input(p.prompt, id="prompt", compact=True)
            yield Label("answer")
            yield Input(p.answer, id="answer", compact=True)
            yield Label("wrong")
            yield Input(p.wrong or "", id="wrong", placeholder="none", compact=True)
        with Horizontal(classes="form"):
            yield Label("corrupt")
            yield Input(
                p.corrupt or "",
                id="corrupt",
                placeholder="blank: noise on the subject",
                compact=True,
            )
            yield Label("noise ×")
            yield Input(f"{p.noise:g}", id="noise", compact=True)
            yield Select(
                [(preset.title, preset.id) for preset in PRESETS.values()],
                value=p.id,
                allow_blank=False,
                id="preset",
                compact=True,
            )
        yield Static("", id="form-error")
        with Horizontal(id="status-row"):
            yield Static("Press Enter in the form (or ctrl+r) to run.", id="status")
            yield ProgressBar(id="progress", total=100, show_eta=False)
        yield Static(Text(p.explanation), id="explain")
        with TabbedContent(id="views", initial=VIEWS.get(p.view, "tab-bars")):
            with TabPane("Bars", id="tab-bars"), Horizontal(classes="pane-row"):
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
            with TabPane("Runs", id="tab-runs"), VerticalScroll():
                yield Label("Saved patching runs (Enter to open):")
                yield OptionList(id="runs-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self._refresh_runs()
        self.action_run()

    # ----- the experiment form --------------------------------------------------------------
    def _form(self) -> dict[str, Any] | None:
        """Read the form; a value that cannot even be parsed is flagged here."""

        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        self._clear_invalid()
        noise_text = text("noise") or "3"
        try:
            noise = float(noise_text)
            if not math.isfinite(noise) or noise < 0:
                raise ValueError
        except ValueError:
            self._show_error("noise", f"{noise_text!r} is not a non-negative number")
            return None
        return {
            "prompt": text("prompt"),
            "answer": text("answer"),
            "wrong": text("wrong") or None,
            "corrupt": text("corrupt") or None,
            "noise": noise,
            "samples": self.preset.samples,
            "window": self.preset.window,
            "position": self.preset.position,
            "patch_all_layers": self.preset.patch_all_layers,
        }

    def _clear_invalid(self) -> None:
        for widget in self.query(Input):
            widget.remove_class("-invalid")
        self.error = None
        self.query_one("#form-error", Static).update(Text(""))

    def _show_error(self, field_name: str, message: str) -> None:
        self.error = f"{field_name}: {message}"
        self.query_one("#form-error", Static).update(Text(f"✗ {field_name}: {message}"))
        widgets = self.query(f"#{field_name}")
        if widgets:
            widgets.first().add_class("-invalid")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if event.value == self.preset.id or event.value is Select.BLANK:
            return
        self.load_preset(str(event.value))

    def load_preset(self, preset_id: str) -> None:
        """Fill the form from a preset, switch to its view and run it."""
        p = get_preset(preset_id)
        self.preset = p
        self.query_one("#prompt", Input).value = p.prompt
        self.query_one("#answer", Input).value = p.answer
        self.query_one("#wrong", Input).value = p.wrong or ""
        self.query_one("#corrupt", Input).value = p.corrupt or ""
        self.query_one("#noise", Input).value = f"{p.noise:g}"
        self.query_one("#explain", Static).update(Text(p.explanation))
        self.action_view(p.view)
        self.action_run()

    # ----- running ------------------------------------------------------------------------
    def action_run(self) -> None:
        params = self._form()
        if params is None:
            return
        key = (self._model_name(), *sorted((k, str(v)) for k, v in params.items()))
        if key in self._cache:
            self._show_bundle(self._cache[key], "from cache")
            return
        self.running = True
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self._status("Working…")
        self._generation += 1
        self._compute(params, key, self._generation)

    def _model_name(self) -> str:
        return str(getattr(self.app, "model_name", "tutor-gpt"))

    @work(thread=True, exclusive=True, group="patching")
    def _compute(self, params: dict[str, Any], key: tuple[Any, ...], generation: int) -> None:
        from tutor.labs.patching.corruption import (
            CounterfactualCorruption,
            NoiseCorruption,
            PatchingInputError,
        )
        from tutor.labs.patching.engine import Experiment, patch_everything, prepare, run_sweep
        from tutor.model.loader import ModelLoadError, get_model

        progress = self._progress_setter()
        name = self._model_name()
        progress(2, f"Loading {name}…")
        try:
            model = get_model(name, str(getattr(self.app, "device", "auto")))
        except ModelLoadError as exc:
            self.app.call_from_thread(self._failed, generation, None, f"Model not loaded: {exc}")
            return
        corruption = (
            CounterfactualCorruption(params["corrupt"])
            if params["corrupt"]
            else NoiseCorruption(scale=params["noise"], samples=params["samples"])
        )
        experiment = Experiment(
            params["prompt"], params["answer"], params["wrong"], corruption=corruption
        )
        try:
            progress(10, "Running clean and corrupted…")
            prep = prepare(model, experiment, name)
            column = _position_column(params["position"], prep.n_pos, prep.subject)
            stages = [("resid", 1, True), ("attn", params["window"], False)]
            stages += [("mlp", params["window"], False), ("heads", 1, False)]
            results: dict[str, PatchResult] = {}
            for i, (sweep, window, attribution) in enumerate(stages):
                lo, hi = 15 + 20 * i, 35 + 20 * i

                def sub(f: float, lo: int = lo, hi: int = hi, sweep: str = sweep) -> None:
                    progress(lo + (hi - lo) * f, f"Patching {sweep}…")

                results[sweep] = run_sweep(
                    prep, sweep, window=window, attribution=attribution, progress=sub
                )
            everything = patch_everything(prep) if params["patch_all_layers"] else None
        except PatchingInputError as exc:
            self.app.call_from_thread(self._failed, generation, exc.field, exc.detail)
            return
        bundle = Bundle(
            results["resid"],
            results["attn"],
            results["mlp"],
            results["heads"],
            prep.subject,
            everything,
            params,
        )
        self.app.call_from_thread(self._done, generation, key, bundle, column)

    def _progress_setter(self) -> Any:
        def set_progress(value: float, message: str) -> None:
            def apply() -> None:
                self.query_one("#progress", ProgressBar).update(progress=value)
                self._status(message)

            self.app.call_from_thread(apply)

        return set_progress

    def _failed(self, generation: int, field_name: str | None, message: str) -> None:
        if generation != self._generation:
            return
        self.running = False
        self.query_one("#progress", ProgressBar).display = False
        if field_name is None:
            self._status(message)
            self.error = message
            if isinstance(self.focused, Input):
                self.action_view(self.current_view)
        else:
            self._show_error(field_name, message)
            self._status("Not run: fix the form (the results below are from the last run).")

    def _done(self, generation: int, key: tuple[Any, ...], bundle: Bundle, column: int) -> None:
        self._cache[key] = bundle
        if generation != self._generation:
            return
        self.running = False
        self.query_one("#progress", ProgressBar).display = False
        self._cache[key] = bundle
        self.picked_column = column
        self._show_bundle(bundle, f"{bundle.resid.elapsed_ms:.0f} ms for the residual sweep")
        if isinstance(self.focused, Input):  # leave the form: the keys now explore the result
            self.action_view(self.current_view)

    def _status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    # ----- showing results -------------------------------------------------------------------
    def _show_bundle(self, bundle: Bundle, note: str) -> None:
        self.bundle = bundle
        r = bundle.resid
        self.picked_column = max(0, min(self.picked_column, len(r.columns) - 1))
        self.picked_layer = max(0, min(self.picked_layer, r.n_layers - 1))
        self._status(
            f"{r.metric}: clean {r.clean:.3f}, corrupted {r.corrupted:.3f} · {note}"
            + (" · unsaved (ctrl+s)" if "id" not in bundle.params else "")
        )
        self._render_all()

    def _render_all(self) -> None:
        b = self.bundle
        if b is None:
            return
        r = b.resid
        col_label = (
            f"{r.columns[self.picked_column]!r} (position {r.positions[self.picked_column]})"
        )
        bars = self.query_one("#bars", LayerBars)
        bars.set_data(r.layer_bars(self.picked_column), title=f"recovery per layer at {col_label}")
        bars.selected = self.picked_layer
        self._render_inspect()
        grid = self.query_one("#grid", Heatmap)
        if self.show_attribution and r.attribution is not None:
            grid.set_data(r.attribution, None, r.columns, "attribution patching (estimate)")
        else:
            grid.set_data(r.recovery, None, r.columns, "recovery: resid_pre, layer × position")
        grid.cursor = (self.picked_layer, self.picked_column)
        corr = r.attribution_corr
        note = (
            "a: show the attribution estimate instead" if not self.show_attribution else "a: back"
        )
        if corr is not None and math.isfinite(corr):
            note = f"attribution vs exact: correlation {corr:.2f}.  " + note
        self.query_one("#grid-note", Static).update(Text(note))
        window = f" (window of {b.attn.window} layers)" if b.attn.window > 1 else ""
        self.query_one("#attn-bars", LayerBars).set_data(b.attn.layer_bars(self.picked_column))
        self.query_one("#mlp-bars", LayerBars).set_data(b.mlp.layer_bars(self.picked_column))
        self.query_one("#am-note", Static).update(
            Text(f"Recovery at {col_label}{window}. [ and ] move the position.")
        )
        heads = self.query_one("#heads-grid", Heatmap)
        heads.set_data(b.heads.recovery, None, b.heads.columns, "recovery per head (all positions)")
        hr, hc = self.head_cell
        cell = b.heads.top_tokens[hr][hc] if b.heads.top_tokens else []
        top = ", ".join(t for t, _ in cell[:3])
        self.query_one("#heads-note", Static).update(
            Text(
                f"L{hr}H{hc}: recovery {b.heads.recovery[hr][hc]:+.2f}, "
                f"P({b.heads.answer}) {b.heads.patched_prob[hr][hc]:.3f}; top after patch: {top}"
            )
        )
        self._render_pipeline()

    def _render_inspect(self) -> None:
        b = self.bundle
        if b is None:
            return
        text = inspect_text(b.resid, self.picked_layer, self.picked_column, b.subject)
        if b.everything is not None:
            text += (
                f"\n\nPatch every layer at every position at once: recovery "
                f"{b.everything['recovery']:.2f}, P({b.resid.answer}) {b.everything['prob']:.3f}."
            )
        self.query_one("#inspect-text", Static).update(Text(text))

    def _render_pipeline(self) -> None:
        b = self.bundle
        if b is None:
            return
        text = pipeline_text(
            b.resid, self.pipeline_step, self.picked_layer, self.picked_column, b.subject
        )
        self.query_one("#pipeline-text", Static).update(Text(text))

    @on(LayerBars.Selected, "#bars")
    def _bar_selected(self, event: LayerBars.Selected) -> None:
        self.picked_layer = event.index
        self._render_inspect()
        self._render_pipeline()

    @on(Heatmap.Selected, "#grid")
    def _cell_selected(self, event: Heatmap.Selected) -> None:
        if self.bundle is None or (event.row, event.col) == (self.picked_layer, self.picked_column):
            return
        self.picked_layer, self.picked_column = event.row, event.col
        self._render_all()

    @on(Heatmap.Selected, "#heads-grid")
    def _head_selected(self, event: Heatmap.Selected) -> None:
        if self.bundle is None or (event.row, event.col) == self.head_cell:
            return
        self.head_cell = (event.row, event.col)
        self._render_all()

    # ----- actions ------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        tab = VIEWS.get(view, "tab-bars")
        self.query_one("#views", TabbedContent).active = tab
        focus = {"tab-bars": "#bars", "tab-grid": "#grid", "tab-am": "#attn-bars"}
        focus |= {"tab-heads": "#heads-grid", "tab-runs": "#runs-list"}
        focus |= {"tab-pipeline": "#pipeline-scroll"}
        if tab in focus:
            # Focus once the pane is shown: a hidden widget cannot take focus.
            self.call_after_refresh(self.query_one(focus[tab]).focus)

    @property
    def current_view(self) -> str:
        active = self.query_one("#views", TabbedContent).active
        return next((v for v, t in VIEWS.items() if t == active), "bars")

    def action_step(self, delta: int) -> None:
        self.pipeline_step = max(0, min(2, self.pipeline_step + delta))
        self._render_pipeline()

    def action_toggle_attribution(self) -> None:
        self.show_attribution = not self.show_attribution
        self._render_all()

    def action_position(self, delta: int) -> None:
        if self.bundle is None:
            return
        self.picked_column = max(
            0, min(len(self.bundle.resid.columns) - 1, self.picked_column + delta)
        )
        self._render_all()

    def action_focus_form(self) -> None:
        self.query_one("#prompt", Input).focus()

    def action_save(self) -> None:
        store = getattr(self.app, "store", None)
        if self.bundle is None or store is None:
            self.notify("Nothing to save yet.", severity="warning")
            return
        b = self.bundle
        title = f"{b.resid.prompt} → {b.resid.answer} ({b.resid.corruption})"
        params = {k: v for k, v in b.params.items() if k != "id"}
        params["model"] = self._model_name()
        run_id = store.save_run(LAB_ID, title, params, b.to_dict())
        b.params["id"] = run_id
        self.notify(f"Saved as run {run_id}.")
        self._refresh_runs()

    def action_export(self) -> None:
        if self.bundle is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        from datetime import datetime

        from tutor.paths import data_dir

        folder = data_dir() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"patching-{datetime.now():%Y%m%d-%H%M%S}"
        json_path = stem.with_suffix(".json")
        csv_path = stem.with_suffix(".csv")
        json_path.write_text(json.dumps(self.bundle.to_dict(), indent=1), encoding="utf-8")
        csv_path.write_text(self.bundle.resid.to_csv(), encoding="utf-8")
        self.notify(f"Wrote {json_path} and {csv_path.name}")

    def _refresh_runs(self) -> None:
        store = getattr(self.app, "store", None)
        runs_list = self.query_one("#runs-list", OptionList)
        runs_list.clear_options()
        if store is None or not hasattr(store, "list_runs"):
            runs_list.add_option(Option("No progress store: runs cannot be listed.", disabled=True))
            return
        runs = store.list_runs(LAB_ID)
        if not runs:
            runs_list.add_option(Option("No saved runs yet (ctrl+s saves one).", disabled=True))
        for run in runs:
            when = f"{run.created_at:%Y-%m-%d %H:%M}"
            runs_list.add_option(Option(Text(f"#{run.id} {when} {run.title}"), id=str(run.id)))
        if runs:
            runs_list.highlighted = 0

    @on(OptionList.OptionSelected, "#runs-list")
    def _open_run(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        record = self.app.store.load_run(int(event.option.id))
        try:
            bundle = Bundle.from_dict(record.result, {**record.params, "id": record.id})
        except (KeyError, TypeError, ValueError) as exc:
            self.notify(f"Run {record.id} cannot be shown ({exc}).", severity="error")
            return
        self._show_bundle(bundle, f"saved run #{record.id}")
        self.action_view("bars")


def _position_column(position: str, n_pos: int, subject: tuple[int, int] | None) -> int:
    """The bars' column for a preset's position: last, subject (its last token) or an index."""
    if position == "subject" and subject is not None:
        return subject[1] - 1
    if position.isdigit() and int(position) < n_pos:
        return int(position)
    return n_pos - 1

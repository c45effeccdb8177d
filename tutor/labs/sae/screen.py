"""The SAE playground screen: train an SAE live, compare runs, browse and steer its features.

Four tabs: Train (the form, live loss / L0 / FVU plot, progress, cancel), Runs (L0-vs-FVU
across runs from ``app.store``, saved SAEs to reload), Features (list by density, search,
dashboard) and Steer (clamp a feature while generating, with and without side by side).

Training is the lab's experiment (``experiment.run``) started through ``LabScreen``: the
same ``Params`` → ``Result`` as ``mitutor run sae``, with progress, live curve points,
cancellation, refusal of bad parameters and the error boundary from the base. Loading a
saved SAE, dashboards and steering are this screen's own thread workers, declared with
``exit_on_error=False`` so a failure in them reaches the same error panel. Text and plots
are drawn by ``text.py``; this module imports neither torch nor the engine at load time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, VerticalScroll
from textual.widgets import (
    Button,
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
from textual_plotext import PlotextPlot

from tutor.labs.runner import LabInputError
from tutor.labs.sae import text
from tutor.labs.sae.params import FORM_FIELDS, Params, from_form
from tutor.screens.lab_base import LabScreen

IDLE = "Press Train (ctrl+t) to collect activations and train."
# Each tab and the widget that takes focus when it is shown (never a text field).
TABS = {
    "tab-train": "train-results",
    "tab-runs": "saved-list",
    "tab-features": "feature-list",
    "tab-steer": "steer-scroll",
}


class SAEScreen(LabScreen):
    """Sparse autoencoders on the model's activations, trained in front of the learner."""

    LAB_ID = "sae"
    TITLE = "SAE playground"
    RESULTS_ID = "train-results"

    DEFAULT_CSS = """
    SAEScreen { layout: vertical; }
    SAEScreen #sae-explain { height: auto; max-height: 3; padding: 0 1; }
    SAEScreen #sae-explain.expanded { max-height: 16; }
    SAEScreen #sae-tabs { height: 1fr; }
    SAEScreen TabPane { height: 1fr; padding: 0; }
    SAEScreen .controls { height: auto; }
    SAEScreen .controls Label { padding: 0 1 0 1; }
    SAEScreen .train-fields { height: 1; margin: 1 0 0 0; }
    SAEScreen .train-fields Input { width: 7; }
    SAEScreen .train-fields Select { width: 13; }
    SAEScreen #train-buttons { height: 3; }
    SAEScreen #train-buttons ProgressBar { padding: 1 0 0 1; }
    SAEScreen #train-results { height: 1fr; }
    SAEScreen #train-status { height: auto; padding: 0 1; }
    SAEScreen #train-plot { height: 1fr; min-height: 10; }
    SAEScreen #tradeoff-plot { height: 1fr; min-height: 6; }
    SAEScreen #saved-list { height: 6; }
    SAEScreen #feature-list { width: 28; height: 1fr; }
    SAEScreen #dashboard { height: 1fr; padding: 0 1; }
    SAEScreen #steer-scroll { height: 1fr; }
    SAEScreen .steer-fields { height: 1; margin: 1 0 0 0; }
    SAEScreen #prompt { width: 1fr; }
    SAEScreen #multiple { width: 12; }
    SAEScreen #steer-status { height: auto; padding: 0 1; margin: 1 0 0 0; }
    SAEScreen .steer-out { width: 1fr; height: auto; border: round $secondary; padding: 0 1; }
    SAEScreen #steer-row { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+t", "train", "Train", tooltip="Collect activations and train an SAE"),
        Binding("ctrl+x", "cancel", "Cancel", tooltip="Stop the running training"),
        Binding("ctrl+g", "steer", "Steer", tooltip="Generate with and without the clamp"),
        Binding("ctrl+o", "toggle_explain", "More", tooltip="Show the preset's whole explanation"),
        Binding("ctrl+n", "next_tab", "Tab", tooltip="Next tab: Train → Runs → Features → Steer"),
    ]
    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("← →", "On the tab bar: Train, Runs, Features, Steer"),
        ("↑ ↓ pgup pgdn", "Scroll the results and the dashboard; move in the lists"),
        ("enter", "Runs: load the saved SAE · Features: open the feature, or search"),
    ]

    def __init__(self, preset: str | None = None, params: Params | None = None) -> None:
        """``params`` (tests, lesson links) replaces the preset's parameters."""
        from tutor.labs.sae.experiment import params_for_preset
        from tutor.labs.sae.presets import preset as find_preset

        super().__init__(preset)
        self.preset = find_preset(preset)  # ValueError naming the known presets
        self.params = params or params_for_preset(self.preset.name)
        self.history: list[Any] = []
        self.result: Any = None
        self.sae: Any = None
        self.index: Any = None
        self.feature: int | None = None
        self.last_steer: Any = None

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        p = self.params
        explain = Text.assemble((f"SAE playground — {self.preset.title}. ", "bold"))
        yield Static(explain.append(self.preset.explanation), id="sae-explain")
        with TabbedContent(id="sae-tabs"):
            with TabPane("Train", id="tab-train"):
                # Compact (borderless) fields so that every control fits in 80 columns.
                with HorizontalScroll(classes="controls train-fields"):
                    yield Label("kind")
                    kinds = [("ReLU+L1", "relu"), ("TopK", "topk")]
                    yield Select(kinds, value=p.kind, allow_blank=False, id="kind", compact=True)
                    for name, (label, cast) in FORM_FIELDS.items():
                        value = getattr(p, name)
                        kind = "integer" if cast is int else "number"
                        shown = "" if value is None else f"{value:g}"
                        yield Label(label)
                        hint = "mid" if name == "layer" else ""
                        yield Input(shown, id=name, type=kind, placeholder=hint, compact=True)
                with Horizontal(id="train-buttons", classes="controls"):
                    yield Button("Train", id="train", variant="primary")
                    yield Button("Cancel", id="cancel", disabled=True)
                    yield ProgressBar(id="progress", total=100, show_eta=False)
                with VerticalScroll(id="train-results"):
                    yield Static(IDLE, id="train-status")
                    yield PlotextPlot(id="train-plot")
            with TabPane("Runs", id="tab-runs"):
                yield PlotextPlot(id="tradeoff-plot")
                yield Label("Saved SAEs (Enter to load):")
                yield OptionList(id="saved-list")
            with TabPane("Features", id="tab-features"):
                yield Input(placeholder="search features by token, e.g. Bridge", id="search")
                with Horizontal():
                    yield OptionList(id="feature-list")
                    with VerticalScroll(id="dashboard"):
                        yield Static("Train or load an SAE to browse its features.", id="dash")
            with TabPane("Steer", id="tab-steer"), VerticalScroll(id="steer-scroll"):
                with Horizontal(classes="controls steer-fields"):
                    yield Label("prompt")
                    prompt = self.preset.steer_prompt or "The Eiffel Tower is in"
                    yield Input(prompt, id="prompt", compact=True)
                with Horizontal(classes="controls steer-fields"):
                    yield Label("clamp ×max")
                    multiple = f"{self.preset.steer_multiple:g}"
                    yield Input(multiple, id="multiple", type="number", compact=True)
                    yield Label("(ctrl+g or Generate)")
                    yield Button("Generate", id="generate", variant="primary", compact=True)
                yield Static("Open a feature first (Features tab).", id="steer-status")
                with Horizontal(id="steer-row"):
                    yield Static("", id="steer-without", classes="steer-out")
                    yield Static("", id="steer-with", classes="steer-out")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#progress", ProgressBar).update(total=100, progress=0)
        self._plot("#train-plot", text.draw_training, self.history)
        self._runs_worker()

    def action_toggle_explain(self) -> None:
        """Show the whole preset explanation, or fold it back to three lines."""
        self.query_one("#sae-explain", Static).toggle_class("expanded")

    def action_next_tab(self, tab: str | None = None) -> None:
        """Show ``tab`` (default: the next one) and focus its results, not a text field."""
        tabs = self.query_one("#sae-tabs", TabbedContent)
        order = list(TABS)
        tab = tab or order[(order.index(tabs.active) + 1) % len(order)]
        tabs.active = tab
        self.query_one(f"#{TABS[tab]}").focus()

    def _plot(self, selector: str, draw: Any, data: list[Any]) -> None:
        plot = self.query_one(selector, PlotextPlot)
        draw(plot.plt, data)
        plot.refresh()

    # ----- training (the lab's experiment, run by LabScreen) ------------------------------
    @on(Button.Pressed, "#train")
    def action_train(self) -> None:
        if self.running:
            self.notify("Training is already running (ctrl+x cancels it).")
            return
        values = {name: self.query_one(f"#{name}", Input).value for name in FORM_FIELDS}
        kind = self.query_one("#kind", Select).value
        try:
            params = from_form(self.params, str(kind), values)
        except LabInputError as exc:
            self.show_input_error(exc.field, exc.detail)
            return
        self.history = []
        self.query_one("#train", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self.show_progress(0.0, "Loading the model…")
        self.start_run(params)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.cancel_run()
            self.show_progress(0.0, "Training cancelled; nothing was saved.")

    def is_dirty(self) -> bool:
        return self.running

    def leave_question(self) -> str:
        return "An SAE is training. Leave and cancel it? Nothing of this run will be saved."

    def show_progress(self, fraction: float, message: str) -> None:
        self.query_one("#progress", ProgressBar).update(total=100, progress=100 * fraction)
        self.query_one("#train-status", Static).update(message)

    def show_data(self, value: Any) -> None:
        self.history.append(value)
        self._plot("#train-plot", text.draw_training, self.history)

    def show_input_error(self, field: str, detail: str) -> None:
        message = f"Could not train: {field}: {detail}"
        self.query_one("#train-status", Static).update(message)
        self.notify(message, title="Check the controls", severity="error")

    def run_finished(self) -> None:
        self.query_one("#train", Button).disabled = False
        self.query_one("#cancel", Button).disabled = True

    def show_result(self, params: Any, result: Any) -> None:
        self.result, self.history = result, list(result.history)
        self._plot("#train-plot", text.draw_training, self.history)
        self.query_one("#train-status", Static).update(text.metrics_text(result, result.seconds))
        store = getattr(self.app, "store", None)
        if store is not None:
            try:
                store.save_run(self.LAB_ID, *text.run_record(params, result, self.app.model_name))
            except Exception as exc:  # the SAE is on disk either way; say why it is unlisted
                self.notify(f"Run not recorded: {exc}", severity="warning")
        if result.path:
            self.notify(f"Saved to {result.path}", title="SAE trained")
        self.use_sae(result.sae, result.index)
        self._runs_worker()

    # ----- runs and saved SAEs ----------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="sae-runs")
    def _runs_worker(self) -> None:
        from tutor.labs.sae import pipeline

        store = getattr(self.app, "store", None)
        runs = store.list_runs(self.LAB_ID) if store is not None else []
        try:
            saved = pipeline.list_saved()
        except OSError:  # no usable data directory: nothing saved to list
            saved = []
        self.app.call_from_thread(self._show_runs, runs, saved)

    def _show_runs(self, runs: list[Any], saved: list[Any]) -> None:
        self._plot("#tradeoff-plot", text.draw_tradeoff, runs)
        options = self.query_one("#saved-list", OptionList)
        options.clear_options()
        options.add_options([Option(text.saved_option(s), id=str(s.path)) for s in saved])
        options.highlighted = 0 if saved else None  # enter loads the newest

    @on(OptionList.OptionSelected, "#saved-list")
    def _load_saved(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.show_progress(0.0, f"Loading {event.option.id}…")
            self._load_worker(event.option.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sae-load")
    def _load_worker(self, path: str) -> None:
        from tutor.labs.sae import pipeline
        from tutor.labs.sae.features import FeatureIndex, token_decoder
        from tutor.labs.sae.saelens_format import SAEFileError
        from tutor.model.loader import get_model

        call = self.app.call_from_thread
        try:
            sae = pipeline.load_saved(path)
            model = get_model(self.app.model_name, self.app.device)
            if sae.d_in != int(model.cfg.d_model):
                raise SAEFileError(
                    f"{path}: reads {sae.d_in}-d activations; the model's "
                    f"d_model is {model.cfg.d_model}"
                )
            call(self.show_progress, 0.5, "Collecting activations for the dashboards…")
            acts = pipeline.index_activations(
                model, self.app.model_name, sae, n_tokens=self.params.index_tokens
            )
            index = FeatureIndex(
                sae, acts, token_decoder(model), max_tokens=self.params.index_tokens
            )
        except (SAEFileError, ValueError) as exc:
            call(self.show_progress, 0.0, f"Could not load: {exc}")
            return
        call(self.show_progress, 1.0, f"Loaded {path}")
        call(self.use_sae, sae, index)

    # ----- features ------------------------------------------------------------------------
    def use_sae(self, sae: Any, index: Any) -> None:
        """Browse this SAE: densest features first, or the preset's search with its best open."""
        self.sae, self.index = sae, index
        if self.params.search:
            self.query_one("#search", Input).value = self.params.search
            self.search_features(self.params.search, open_best=True)
        else:
            self.search_features("")
        if self.result is None or self.result.sae is not sae:  # a reloaded SAE: show it
            self.action_next_tab("tab-features")

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search_features(event.value)

    def search_features(self, query: str, open_best: bool = False) -> None:
        if self.index is None:
            self.notify("Train or load an SAE first.")
            return
        if query.strip():
            hits = self.index.search(query, 30)
            if not hits:
                self.notify(f"No feature fires on a token containing {query!r}.")
                return
            rows = [(h.feature, h.density, h.score) for h in hits]
        else:
            rows = [(i, float(self.index.density[i]), None) for i in self.index.by_density()[:300]]
        options = self.query_one("#feature-list", OptionList)
        options.clear_options()
        options.add_options([Option(text.feature_option(*row), id=str(row[0])) for row in rows])
        if open_best:
            self.open_feature(rows[0][0])

    @on(OptionList.OptionSelected, "#feature-list")
    def open_feature(self, event: OptionList.OptionSelected | int) -> None:
        feature = event if isinstance(event, int) else int(event.option.id or 0)
        self.feature = feature
        self.query_one("#dash", Static).update(f"Building feature {feature}…")
        self._dashboard_worker(feature)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sae-dashboard")
    def _dashboard_worker(self, feature: int) -> None:
        from tutor.model.loader import get_model

        model = get_model(self.app.model_name, self.app.device)
        dash = self.index.dashboard(feature, model.W_U)
        self.app.call_from_thread(self.show_dashboard, dash)

    def show_dashboard(self, dash: Any) -> None:
        self.query_one("#dash", Static).update(text.dashboard_text(dash))
        self.query_one("#steer-status", Static).update(
            f"Feature {dash.feature} “{dash.label}”, max activation {dash.max_activation:.2f}. "
            "Generate (ctrl+g) to compare."
        )

    # ----- steering ----------------------------------------------------------------------
    @on(Button.Pressed, "#generate")
    def action_steer(self) -> None:
        prompt = self.query_one("#prompt", Input).value
        raw = self.query_one("#multiple", Input).value.strip() or "4"
        problem = None
        if self.sae is None or self.feature is None:
            problem = "Open a feature first (Features tab)."
        elif self.running:
            problem = "An SAE is training; steer when it has finished."
        elif not prompt.strip():
            problem = "The prompt is empty."
        try:
            multiple = float(raw)
        except ValueError:
            problem = problem or f"clamp ×max: {raw!r} is not a number"
        if problem is not None:
            self.notify(problem, severity="error")
            return
        self.action_next_tab("tab-steer")  # show where the result lands
        self.query_one("#steer-status", Static).update("Generating…")
        self._steer_worker(self.feature, prompt, multiple)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sae-steer")
    def _steer_worker(self, feature: int, prompt: str, multiple: float) -> None:
        from tutor.labs.sae.steering import steer
        from tutor.model.loader import get_model, model_lock

        model = get_model(self.app.model_name, self.app.device)
        try:
            with model_lock(self.app.model_name, self.app.device):  # hooks live on the model
                result = steer(
                    model,
                    self.sae,
                    feature,
                    prompt,
                    max_activation=float(self.index.max_activation[feature]),
                    multiple=multiple,
                )
        except ValueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show_steer, result, self.index.label(feature))

    def show_steer(self, result: Any, label: str) -> None:
        self.last_steer = result
        without, with_ = text.steer_text(result, label)
        self.query_one("#steer-without", Static).update(without)
        self.query_one("#steer-with", Static).update(with_)
        self.query_one("#steer-status", Static).update(
            f"Clamped feature {result.feature} to {result.clamp_value:.2f}."
        )

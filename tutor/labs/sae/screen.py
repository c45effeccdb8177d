"""The SAE playground screen: train an SAE live, compare runs, browse and steer its features.

Four tabs: Train (controls, live loss / L0 / FVU plot, progress, cancel), Runs (L0-vs-FVU
across runs from ``app.store``, saved SAEs to reload), Features (list by density, search,
dashboard) and Steer (clamp a feature while generating, with and without side by side).
All model and torch work runs in thread workers; this module imports neither at load time.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, VerticalScroll
from textual.screen import Screen
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

from tutor.labs.sae.text import dashboard_text, metrics_text, steer_text

LAB_ID = "sae"


class SAEScreen(Screen[None]):
    """Sparse autoencoders on the model's activations, trained in front of the learner."""

    DEFAULT_CSS = """
    SAEScreen { layout: vertical; }
    SAEScreen #sae-explain { height: auto; max-height: 3; padding: 0 1; }
    SAEScreen #sae-explain.expanded { max-height: 16; }
    SAEScreen #sae-tabs { height: 1fr; }
    SAEScreen TabPane { height: 1fr; padding: 0; }
    SAEScreen .controls { height: auto; }
    SAEScreen .controls Input { width: 8; }
    SAEScreen .controls Select { width: 13; }
    SAEScreen .controls Label { padding: 1 0 0 1; }
    SAEScreen .train-fields { height: 1; margin: 1 0 0 0; }
    SAEScreen .train-fields Label { padding: 0 1 0 1; }
    SAEScreen .train-fields Input { width: 7; }
    SAEScreen .controls #prompt { width: 1fr; }
    SAEScreen #train-plot, SAEScreen #tradeoff-plot { height: 1fr; min-height: 5; }
    SAEScreen #train-status { height: auto; max-height: 3; padding: 0 1; }
    SAEScreen #feature-list { width: 28; height: 1fr; }
    SAEScreen #dashboard { height: 1fr; padding: 0 1; }
    SAEScreen #saved-list { height: 6; }
    SAEScreen .steer-out { width: 1fr; height: auto; border: round $secondary; padding: 0 1; }
    SAEScreen #steer-row { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+t", "train", "Train", tooltip="Collect activations and train an SAE"),
        Binding("ctrl+x", "cancel", "Cancel", tooltip="Stop the running training"),
        Binding("ctrl+g", "steer", "Steer", tooltip="Generate with and without the clamp"),
        Binding("ctrl+o", "toggle_explain", "More", tooltip="Show the preset's whole explanation"),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the previous screen"),
    ]

    # Overridable (the tests use tiny values): activations to collect and to evaluate on.
    n_tokens: int | None = None
    eval_tokens: int | None = None
    index_tokens: int = 100_000

    def __init__(self, preset: str | None = None) -> None:
        from tutor.labs.sae.presets import preset as find_preset

        super().__init__()
        self.preset = find_preset(preset)  # ValueError naming the known presets
        self._cancel = threading.Event()
        self.training = False
        self.sae: Any = None
        self.index: Any = None
        self.feature: int | None = None
        self.history: list[Any] = []
        self.last_metrics: Any = None
        self.last_steer: Any = None

    # ----- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        cfg = self.preset.train
        yield Static(self._explain_text(), id="sae-explain")
        with TabbedContent(id="sae-tabs"):
            with TabPane("Train", id="tab-train"):
                # Compact (borderless) fields so that every control fits in 80 columns.
                with HorizontalScroll(classes="controls train-fields"):
                    yield Label("kind")
                    yield Select(
                        [("ReLU+L1", "relu"), ("TopK", "topk")],
                        value=cfg.kind,
                        allow_blank=False,
                        id="kind",
                        compact=True,
                    )
                    yield Label("λ")
                    yield Input(f"{cfg.l1_coefficient:g}", id="l1", type="number", compact=True)
                    yield Label("k")
                    yield Input(str(cfg.k), id="k", type="integer", compact=True)
                    yield Label("×")
                    yield Input(str(cfg.expansion), id="expansion", type="integer", compact=True)
                    yield Label("layer")
                    yield Input("", id="layer", placeholder="mid", type="integer", compact=True)
                    yield Label("steps")
                    yield Input(str(cfg.steps), id="steps", type="integer", compact=True)
                with Horizontal(classes="controls"):
                    yield Button("Train", id="train", variant="primary")
                    yield Button("Cancel", id="cancel", disabled=True)
                    yield ProgressBar(id="progress", total=100, show_eta=False)
                yield Static(
                    "Press Train (ctrl+t) to collect activations and train.", id="train-status"
                )
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
                        yield Static(
                            "Train or load an SAE to browse its features.", id="dashboard-text"
                        )
            with TabPane("Steer", id="tab-steer"):
                with Horizontal(classes="controls"):
                    yield Label("prompt")
                    yield Input(self.preset.steer_prompt or "The Eiffel Tower is in", id="prompt")
                with Horizontal(classes="controls"):
                    yield Label("clamp ×max")
                    yield Input(f"{self.preset.steer_multiple:g}", id="multiple", type="number")
                    yield Button("Generate", id="generate", variant="primary")
                yield Static("Open a feature first (Features tab).", id="steer-status")
                with Horizontal(id="steer-row"):
                    yield Static("", id="steer-without", classes="steer-out")
                    yield Static("", id="steer-with", classes="steer-out")
        yield Footer()

    def _explain_text(self) -> Text:
        t = Text()
        t.append(f"SAE playground — {self.preset.title}. ", style="bold")
        t.append(self.preset.explanation)
        return t

    def action_toggle_explain(self) -> None:
        """Show the whole preset explanation, or fold it back to three lines."""
        self.query_one("#sae-explain", Static).toggle_class("expanded")

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).update(total=100, progress=0)
        self._draw_training_plot()
        self.refresh_runs()

    # ----- reading the controls ----------------------------------------------------------
    def _int(self, widget_id: str, name: str, low: int) -> int | None:
        raw = self.query_one(f"#{widget_id}", Input).value.strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{name}: {raw!r} is not a whole number") from None
        if value < low:
            raise ValueError(f"{name}: must be at least {low}")
        return value

    def _float(self, widget_id: str, name: str) -> float | None:
        raw = self.query_one(f"#{widget_id}", Input).value.strip()
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name}: {raw!r} is not a number") from None

    def train_config(self) -> tuple[Any, int | None]:
        """The TrainConfig the controls describe, and the layer (None = the middle one)."""
        from dataclasses import replace

        base = self.preset.train
        kind = self.query_one("#kind", Select).value
        overrides: dict[str, Any] = {"kind": kind if isinstance(kind, str) else base.kind}
        l1 = self._float("l1", "λ")
        if l1 is not None:
            overrides["l1_coefficient"] = l1
        for wid, name, low in (("k", "k", 1), ("expansion", "expansion", 1), ("steps", "steps", 1)):
            v = self._int(wid, name, low)
            if v is not None:
                overrides[wid] = v
        layer = self._int("layer", "layer", 0)
        return replace(base, **overrides), layer

    # ----- training ----------------------------------------------------------------------
    @on(Button.Pressed, "#train")
    def action_train(self) -> None:
        if self.training:
            self.notify("Training is already running (ctrl+x cancels it).")
            return
        try:
            cfg, layer = self.train_config()
        except ValueError as exc:
            self.notify(str(exc), title="Check the controls", severity="error")
            return
        self._cancel.clear()
        self.training = True
        self.history = []
        self.query_one("#train", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self._status("Loading the model…")
        self._train_worker(cfg, layer)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.training:
            self._cancel.set()
            self._status("Cancelling…")

    def _status(self, text: str | Text) -> None:
        self.query_one("#train-status", Static).update(text)

    def _set_progress(self, done: float, total: float) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    @work(thread=True, exclusive=True, group="sae-train")
    def _train_worker(self, cfg: Any, layer: int | None) -> None:
        from tutor.labs.sae import activations as act_mod
        from tutor.labs.sae import pipeline
        from tutor.labs.sae.activations import CollectionCancelled
        from tutor.labs.sae.features import FeatureIndex, token_decoder
        from tutor.model.loader import ModelLoadError, get_model

        call = self.app.call_from_thread
        try:
            model = get_model(self.app.model_name, self.app.device)
            if layer is not None:
                act_mod.check_layer(model, layer)

            def on_collect(done: int, total: int) -> None:
                call(self._status, f"Collecting activations: {done:,} / {total:,} tokens")
                call(self._set_progress, done, total)

            def on_progress(p: Any) -> None:
                self.history.append(p)
                call(self._show_progress, p)

            result, acts = pipeline.train_on_model(
                model,
                self.app.model_name,
                cfg,
                layer=layer,
                n_tokens=self.n_tokens or act_mod.DEFAULT_TOKENS,
                on_collect=on_collect,
                on_progress=on_progress,
                should_stop=self._cancel.is_set,
            )
            if result.cancelled:
                call(self._training_done, "Training cancelled; nothing was saved.")
                return
            call(self._status, "Evaluating on held-out text (CE-loss recovered)…")
            metrics = pipeline.evaluate_on_model(
                model, result.sae, n_tokens=self.eval_tokens or pipeline.EVAL_TOKENS
            )
            path = pipeline.save_trained(result.sae, metrics, seconds=result.seconds)
            self._record_run(cfg, result, metrics, path)
            call(self._status, "Indexing features…")
            index = FeatureIndex(
                result.sae, acts, token_decoder(model), max_tokens=self.index_tokens
            )
            self.last_metrics = metrics
            call(self._trained, result.sae, index, metrics, result.seconds, path)
        except CollectionCancelled:
            call(self._training_done, "Cancelled while collecting activations.")
        except (ModelLoadError, ValueError, OSError) as exc:
            call(self._training_done, f"Could not train: {exc}", True)

    def _record_run(self, cfg: Any, result: Any, metrics: Any, path: Any) -> None:
        store = getattr(self.app, "store", None)
        if store is None:
            return
        title = f"{cfg.kind} ×{cfg.expansion} " + (
            f"λ={cfg.l1_coefficient:g}" if cfg.kind == "relu" else f"k={cfg.k}"
        )
        params = {
            **cfg.to_dict(),
            "layer": result.sae.cfg.layer,
            "hook_name": result.sae.cfg.hook_name,
            "model": self.app.model_name,
        }
        res = {k: v for k, v in metrics.to_dict().items() if k != "density_histogram"}
        res.update({"seconds": result.seconds, "path": str(path)})
        try:
            store.save_run(LAB_ID, title, params, res)
        except Exception as exc:  # the run is saved on disk either way; say why it is unlisted
            self.app.call_from_thread(self.notify, f"Run not recorded: {exc}", severity="warning")

    def _show_progress(self, p: Any) -> None:
        self._set_progress(p.step, p.steps)
        self._status(
            f"step {p.step}/{p.steps}   loss {p.loss:.4f}   L0 {p.l0:.1f}   FVU {p.fvu:.3f}   "
            f"dead {p.dead_fraction:.1%}   {p.seconds:.0f}s"
        )
        self._draw_training_plot()

    def _draw_training_plot(self) -> None:
        plot = self.query_one("#train-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if self.history:
            steps = [p.step for p in self.history]
            # FVU starts above 1 for a few steps (the untrained SAE is worse than the mean);
            # clipping it keeps the three curves on one readable 0-1 scale.
            fvu = [min(p.fvu, 1.0) for p in self.history]
            plt.plot(steps, fvu, label="FVU (≤ 1)", marker="dot")
            # L0 starts in the thousands (every feature fires before λ warms up); scaling by
            # the largest L0 after the first tenth of the run keeps the rest of the curve visible.
            later = self.history[len(self.history) // 10 :]
            top_l0 = max(1.0, max(p.l0 for p in later))
            l0 = [min(p.l0 / top_l0, 1.0) for p in self.history]
            plt.plot(steps, l0, label=f"L0/{top_l0:.0f} (≤ 1)", marker="x")
            top_loss = max(1e-9, max(p.loss for p in self.history))
            plt.plot(
                steps, [p.loss / top_loss for p in self.history], label="loss (scaled)", marker="+"
            )
            plt.ylim(0, 1.05)
        plt.title("Training: FVU, L0 and loss (scaled to 1)")
        plt.xlabel("step")
        plot.refresh()

    def _training_done(self, message: str, error: bool = False) -> None:
        self.training = False
        self.query_one("#train", Button).disabled = False
        self.query_one("#cancel", Button).disabled = True
        self._status(message)
        if error:
            self.notify(message, severity="error")

    def _trained(self, sae: Any, index: Any, metrics: Any, seconds: float, path: Any) -> None:
        self._training_done("")
        self._status(metrics_text(metrics, seconds))
        self.notify(f"Saved to {path}", title="SAE trained")
        self._use_sae(sae, index)
        self.refresh_runs()

    # ----- runs and saved SAEs ----------------------------------------------------------
    def refresh_runs(self) -> None:
        self._runs_worker()

    @work(thread=True, exclusive=True, group="sae-runs")
    def _runs_worker(self) -> None:
        from tutor.labs.sae import pipeline

        store = getattr(self.app, "store", None)
        runs = []
        if store is not None:
            try:
                runs = store.list_runs(LAB_ID)
            except Exception as exc:
                self.app.call_from_thread(
                    self.notify, f"Runs unavailable: {exc}", severity="warning"
                )
        saved = pipeline.list_saved()
        self.app.call_from_thread(self._show_runs, runs, saved)

    def _show_runs(self, runs: list[Any], saved: list[Any]) -> None:
        plot = self.query_one("#tradeoff-plot", PlotextPlot)
        plt = plot.plt
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
        plt.title(
            f"L0 vs FVU across {sum(len(v[0]) for v in by_kind.values())} runs "
            "(lower-left is better)"
        )
        plt.xlabel("L0")
        plt.ylabel("FVU")
        plot.refresh()
        options = self.query_one("#saved-list", OptionList)
        options.clear_options()
        for s in saved:
            m = s.summary
            detail = (
                f"L0 {m['l0']:.1f} FVU {m['fvu']:.3f}"
                if m.get("l0") is not None and m.get("fvu") is not None
                else ""
            )
            options.add_option(Option(f"{s.name}  {detail}", id=str(s.path)))

    @on(OptionList.OptionSelected, "#saved-list")
    def _load_saved(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._status(f"Loading {event.option.id}…")
            self._load_worker(event.option.id)

    @work(thread=True, exclusive=True, group="sae-train")
    def _load_worker(self, path: str) -> None:
        from tutor.labs.sae import pipeline
        from tutor.labs.sae.features import FeatureIndex, token_decoder
        from tutor.labs.sae.saelens_format import SAEFileError
        from tutor.model.loader import ModelLoadError, get_model

        call = self.app.call_from_thread
        try:
            sae = pipeline.load_saved(path)
            model = get_model(self.app.model_name, self.app.device)
            if sae.d_in != int(model.cfg.d_model):
                raise ValueError(
                    f"{path}: reads {sae.d_in}-d activations; the model's "
                    f"d_model is {model.cfg.d_model}"
                )
            call(self._status, "Collecting activations for the dashboards…")
            acts = pipeline.index_activations(
                model, self.app.model_name, sae, n_tokens=self.n_tokens or 100_000
            )
            index = FeatureIndex(sae, acts, token_decoder(model), max_tokens=self.index_tokens)
            call(self._loaded, sae, index, path)
        except (SAEFileError, ModelLoadError, ValueError, OSError) as exc:
            call(self._status, f"Could not load: {exc}")
            call(self.notify, str(exc), severity="error")

    def _loaded(self, sae: Any, index: Any, path: str) -> None:
        self._status(f"Loaded {path}")
        self._use_sae(sae, index)
        self.query_one("#sae-tabs", TabbedContent).active = "tab-features"

    # ----- features ------------------------------------------------------------------------
    def _use_sae(self, sae: Any, index: Any) -> None:
        self.sae = sae
        self.index = index
        self._list_features([(i, float(index.density[i]), None) for i in index.by_density()[:300]])
        if self.preset.search:
            self.query_one("#search", Input).value = self.preset.search
            self.search_features(self.preset.search, open_best=True)

    def _list_features(self, rows: list[tuple[int, float, float | None]]) -> None:
        options = self.query_one("#feature-list", OptionList)
        options.clear_options()
        for i, density, score in rows:
            extra = f" s{score:.2f}" if score is not None else ""
            options.add_option(Option(f"#{i:<5} {density:6.2%}{extra}", id=str(i)))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search_features(event.value)

    def search_features(self, query: str, open_best: bool = False) -> None:
        if self.index is None:
            self.notify("Train or load an SAE first.")
            return
        if not query.strip():
            self._list_features(
                [(i, float(self.index.density[i]), None) for i in self.index.by_density()[:300]]
            )
            return
        hits = self.index.search(query, 30)
        if not hits:
            self.notify(f"No feature fires on a token containing {query!r}.")
            return
        self._list_features([(h.feature, h.density, h.score) for h in hits])
        if open_best:
            self.open_feature(hits[0].feature)

    @on(OptionList.OptionSelected, "#feature-list")
    def _feature_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.open_feature(int(event.option.id))

    def open_feature(self, feature: int) -> None:
        self.feature = feature
        self.query_one("#dashboard-text", Static).update(f"Building feature {feature}…")
        self._dashboard_worker(feature)

    @work(thread=True, exclusive=True, group="sae-dashboard")
    def _dashboard_worker(self, feature: int) -> None:
        from tutor.model.loader import get_model

        model = get_model(self.app.model_name, self.app.device)
        dash = self.index.dashboard(feature, model.W_U)
        self.app.call_from_thread(self._show_dashboard, dash)

    def _show_dashboard(self, dash: Any) -> None:
        self.dashboard = dash
        self.query_one("#dashboard-text", Static).update(dashboard_text(dash))
        self.query_one("#steer-status", Static).update(
            f"Feature {dash.feature} “{dash.label}”, max activation {dash.max_activation:.2f}. "
            "Generate (ctrl+g) to compare."
        )

    # ----- steering ----------------------------------------------------------------------
    @on(Button.Pressed, "#generate")
    def action_steer(self) -> None:
        if self.sae is None or self.feature is None:
            self.notify("Open a feature first (Features tab).")
            return
        prompt = self.query_one("#prompt", Input).value
        if not prompt.strip():
            self.notify("The prompt is empty.", severity="error")
            return
        try:
            multiple = self._float("multiple", "clamp multiple")
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        # Show where the result lands; focus moves too, or the tab of the focused widget wins.
        self.query_one("#sae-tabs", TabbedContent).active = "tab-steer"
        self.query_one("#generate", Button).focus()
        self.query_one("#steer-status", Static).update("Generating…")
        self._steer_worker(self.feature, prompt, 4.0 if multiple is None else multiple)

    @work(thread=True, exclusive=True, group="sae-steer")
    def _steer_worker(self, feature: int, prompt: str, multiple: float) -> None:
        from tutor.labs.sae.steering import steer
        from tutor.model.loader import get_model

        model = get_model(self.app.model_name, self.app.device)
        try:
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
        self.app.call_from_thread(self._show_steer, result, self.index.label(feature))

    def _show_steer(self, result: Any, label: str) -> None:
        self.last_steer = result
        without, with_ = steer_text(result, label)
        self.query_one("#steer-without", Static).update(without)
        self.query_one("#steer-with", Static).update(with_)
        self.query_one("#steer-status", Static).update(
            f"Clamped feature {result.feature} to {result.clamp_value:.2f}."
        )

"""Running a lab's experiment: the context it runs in, cancellation, and one run per model.

The screen and the command line both call ``run_lab(lab_id, params, ctx)``: the same
parameter object in, the same result object out. ``RunContext`` carries what the
experiment needs from outside — which model, a progress callback, a cancelled event — so
experiments never import a UI. A replaced or abandoned run sets ``ctx.cancel``; the
experiment calls ``ctx.check()`` between layers or batches and stops with ``RunCancelled``
before it writes any shared state. Runs on one model are serialised by the model's lock,
because hooks and caches live on the shared model object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ProgressFn = Callable[[float, str], None]


class RunCancelled(Exception):
    """The run was replaced or abandoned; its partial work must be thrown away."""


class LabInputError(ValueError):
    """A parameter the experiment cannot use: ``field`` names it, ``detail`` says why."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


@dataclass
class RunContext:
    """Where and how an experiment runs."""

    model_name: str = "tutor-gpt"
    device: str = "auto"
    cancel: threading.Event = field(default_factory=threading.Event)
    on_progress: ProgressFn | None = None
    on_data: Callable[[Any], None] | None = None  # live data for a plot (a training curve)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0–1) and check for cancellation."""
        self.check()
        if self.on_progress is not None:
            self.on_progress(max(0.0, min(1.0, fraction)), message)

    def emit(self, value: Any) -> None:
        """Hand a piece of live data (e.g. one training-curve point) to whoever watches."""
        self.check()
        if self.on_data is not None:
            self.on_data(value)

    def check(self) -> None:
        if self.cancel.is_set():
            raise RunCancelled()

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def model(self) -> Any:
        """The shared model (loaded once per process; ``ModelLoadError`` if it cannot be)."""
        from tutor.model.loader import get_model

        return get_model(self.model_name, self.device)

    def sub(self, lo: float, hi: float) -> RunContext:
        """A context whose progress 0–1 maps onto ``lo``–``hi`` of this one."""

        def forward(fraction: float, message: str) -> None:
            if self.on_progress is not None:
                self.on_progress(lo + (hi - lo) * fraction, message)

        return RunContext(self.model_name, self.device, self.cancel, forward, self.on_data)


def run_lab(lab_id: str, params: Any, ctx: RunContext | None = None) -> Any:
    """Run a lab's experiment with ``params``; the one entry point for screen and CLI.

    A finished result of a lab that reuses results is kept (``tutor.labs.results``)."""
    from tutor.labs import results
    from tutor.labs.registry import experiment_module, lab
    from tutor.model.loader import model_lock

    ctx = ctx or RunContext()
    module = experiment_module(lab_id)
    ctx.check()
    with model_lock(ctx.model_name, ctx.device):
        ctx.check()
        result = module.run(params, ctx)
    if lab(lab_id).reuse_results:
        results.remember(lab_id, params, ctx.model_name, ctx.device, result)
    return result


def params_for_preset(lab_id: str, preset_id: str | None) -> Any:
    from tutor.labs.registry import check_preset, experiment_module

    return experiment_module(lab_id).params_for_preset(check_preset(lab_id, preset_id))

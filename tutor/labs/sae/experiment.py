"""The SAE lab's experiment: ``run(params, ctx) -> Result`` for the screen and both CLIs.

Steps: check the parameters against the model (layer, k ≤ d_sae) and the save destination
— all before any work, so a bad option never costs a training run — then collect (or reuse
cached) activations, train, refuse a diverged SAE, evaluate on held-out text, save, and
index the features (densest features; the preset's search, e.g. golden-gate's 'Gate').

Progress goes through ``ctx.progress``; each training-curve point also goes to
``ctx.emit`` for the live plot. ``ctx.check()`` is honoured between collection batches and
training steps; a cancelled run raises ``RunCancelled`` before anything is saved. The
trained SAE and its feature index ride along on the result as private attributes (not in
the JSON), so the screen can browse and steer without loading them again.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, PrivateAttr

from tutor.labs.runner import LabInputError, RunCancelled, RunContext
from tutor.labs.sae.params import Params
from tutor.labs.sae.presets import PRESETS

__all__ = ["Params", "Result", "params_for_preset", "run"]

CE_NOTE = "null: zero-ablating this site does not change the loss, so recovery is undefined"
TOP_FEATURES = 10


class TrainPoint(BaseModel):
    """One point of the training curve (measured on the current batch)."""

    step: int
    steps: int
    loss: float
    mse: float
    l0: float
    fvu: float
    dead_fraction: float
    seconds: float


class FeatureRow(BaseModel):
    feature: int
    density: float
    label: str
    score: float | None = None


class Result(BaseModel):
    """What a trained SAE is and how good it is (metrics on held-out text)."""

    kind: str
    layer: int
    hook_name: str
    d_in: int
    d_sae: int
    k: int | None
    l0: float
    mse: float
    fvu: float
    explained_variance: float
    dead_fraction: float
    dense_fraction: float
    n_eval_tokens: int
    density_histogram: list[int]
    ce_loss_clean: float | None
    ce_loss_sae: float | None
    ce_loss_zero: float | None
    ce_loss_recovered: float | None
    ce_note: str | None
    seconds: float
    resampled: int
    path: str | None
    history: list[TrainPoint]
    top_features: list[FeatureRow]
    search: str | None
    search_hits: list[FeatureRow]
    best_feature: int | None

    _sae: Any = PrivateAttr(default=None)
    _index: Any = PrivateAttr(default=None)

    @property
    def sae(self) -> Any:
        """The trained ``SparseAutoencoder`` (this process only; not in the JSON)."""
        return self._sae

    @property
    def index(self) -> Any:
        """Its ``FeatureIndex`` over the training activations (this process only)."""
        return self._index


def params_for_preset(preset_id: str | None) -> Params:
    preset = PRESETS[preset_id or next(iter(PRESETS))]
    train = preset.train
    return Params(
        kind=train.kind,  # type: ignore[arg-type]
        expansion=train.expansion,
        l1_coefficient=train.l1_coefficient,
        k=train.k,
        lr=train.lr,
        batch_size=train.batch_size,
        steps=train.steps,
        resample_dead=train.resample_dead,
        seed=train.seed,
        search=preset.search,
    )


def check_destination(out: str | None) -> None:
    """``LabInputError("out", …)`` unless the SAE can be saved there (tried, not guessed)."""
    from tutor.labs.sae import pipeline

    if out is None:
        try:
            probe = pipeline.saes_dir()
        except OSError as exc:
            raise LabInputError(
                "out", f"cannot save in the data directory ({exc}); give --out DIR"
            ) from None
    else:
        path = Path(out).expanduser()
        if path.exists() and not path.is_dir():
            raise LabInputError("out", f"{path} is a file; give a directory to save the SAE in")
        probe = path
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise LabInputError("out", f"{path}: {probe} is a file, not a directory")
    try:  # os.access says yes to root on a read-only file system: try a real file
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LabInputError("out", f"cannot write in {probe} ({reason})") from None


def _check_against_model(params: Params, model: Any) -> int:
    """The layer to use, after checking layer and k against the model."""
    n_layers, d_model = int(model.cfg.n_layers), int(model.cfg.d_model)
    layer = n_layers // 2 if params.layer is None else params.layer
    if not 0 <= layer < n_layers:
        raise LabInputError("layer", f"{layer}: the model has layers 0..{n_layers - 1}")
    d_sae = params.expansion * d_model
    if params.kind == "topk" and params.k > d_sae:
        raise LabInputError(
            "k",
            f"{params.k} active features, but the SAE has only {d_sae} "
            f"(expansion {params.expansion} × d_model {d_model}); k must be ≤ d_sae",
        )
    return layer


def _finite(sae: Any) -> bool:
    import torch

    return all(bool(torch.isfinite(p).all()) for p in sae.parameters())


def run(params: Params, ctx: RunContext) -> Result:
    from tutor.labs.sae import activations as act_mod
    from tutor.labs.sae import pipeline
    from tutor.labs.sae.features import FeatureIndex, token_decoder
    from tutor.labs.sae.training import train_sae

    if params.save:
        check_destination(params.out)
    ctx.progress(0.0, "Loading the model…")
    model = ctx.model()
    layer = _check_against_model(params, model)

    collect = ctx.sub(0.0, 0.3)
    acts = act_mod.load_or_collect(
        model,
        ctx.model_name,
        params.site,
        layer,
        params.tokens,
        on_progress=lambda done, total: collect.progress(
            done / max(1, total), f"Collecting activations: {done:,} / {total:,} tokens"
        ),
        should_stop=lambda: ctx.cancelled,
    )
    ctx.check()
    trainer = ctx.sub(0.3, 0.9)

    def on_point(p: Any) -> None:
        point = TrainPoint(**vars(p))
        trainer.progress(p.step / p.steps, progress_text(point))
        trainer.emit(point)

    trained = train_sae(
        acts.acts,
        params.train_config(),
        model_name=ctx.model_name,
        hook_name=acts.hook_name,
        layer=layer,
        on_progress=on_point,
        should_stop=lambda: ctx.cancelled,
    )
    if trained.cancelled:
        raise RunCancelled()
    sae = trained.sae
    if not _finite(sae):
        raise LabInputError(
            "lr",
            f"training diverged (the SAE's weights became NaN or infinite) with lr "
            f"{params.lr:g}, λ {params.l1_coefficient:g}; try a smaller lr. Nothing was saved.",
        )
    sae.cfg.extra["context_size"] = int(min(act_mod.DEFAULT_SEQ_LEN, model.cfg.n_ctx))
    sae.cfg.extra["training_tokens"] = params.tokens

    ctx.progress(0.9, "Evaluating on held-out text…")
    metrics = pipeline.evaluate_on_model(
        model, sae, n_tokens=params.eval_tokens, with_ce=params.ce_loss
    )
    ctx.progress(0.95, "Indexing features…")
    index = FeatureIndex(sae, acts, token_decoder(model), max_tokens=params.index_tokens)
    top = [FeatureRow(feature=i, density=float(index.density[i]), label=index.label(i))
           for i in index.by_density()[:TOP_FEATURES]]  # fmt: skip
    hits = index.search(params.search, TOP_FEATURES) if params.search else []
    path = None
    if params.save:
        ctx.check()  # the last moment a cancelled run can leave without a trace
        out = Path(params.out).expanduser() if params.out else None
        path = str(pipeline.save_trained(sae, metrics, out, seconds=trained.seconds))
    rec = metrics.ce_loss_recovered
    undefined = rec is not None and not math.isfinite(rec)
    result = Result(
        kind=sae.cfg.kind,
        layer=layer,
        hook_name=acts.hook_name,
        d_in=sae.d_in,
        d_sae=sae.d_sae,
        k=sae.cfg.k,
        l0=metrics.l0,
        mse=metrics.mse,
        fvu=metrics.fvu,
        explained_variance=metrics.explained_variance,
        dead_fraction=metrics.dead_fraction,
        dense_fraction=metrics.dense_fraction,
        n_eval_tokens=metrics.n_tokens,
        density_histogram=metrics.density_histogram,
        ce_loss_clean=metrics.ce_loss_clean,
        ce_loss_sae=metrics.ce_loss_sae,
        ce_loss_zero=metrics.ce_loss_zero,
        ce_loss_recovered=None if undefined else rec,
        ce_note=CE_NOTE if undefined else None,
        seconds=trained.seconds,
        resampled=trained.resampled,
        path=path,
        history=[TrainPoint(**vars(p)) for p in trained.history],
        top_features=top,
        search=params.search,
        search_hits=[
            FeatureRow(feature=h.feature, density=h.density, label=h.label, score=h.score)
            for h in hits
        ],
        best_feature=hits[0].feature if hits else None,
    )
    result._sae, result._index = sae, index
    ctx.progress(1.0, "Done")
    return result


def progress_text(p: TrainPoint) -> str:
    """One line for the status bar and the CLI's stderr."""
    return (
        f"step {p.step}/{p.steps}   loss {p.loss:.4f}   L0 {p.l0:.1f}   FVU {p.fvu:.3f}   "
        f"dead {p.dead_fraction:.1%}   {p.seconds:.0f}s"
    )

"""The superposition lab's experiment: ``run(params, ctx) -> Result`` for screen and CLI.

Steps: train the toy model at every sparsity level at once (several random starts each,
best kept), measure each level's geometry; optionally sweep the n = 2, m = 1 phase diagram;
optionally train the SAE playground's SAE on the chosen level's hidden activations and
grade it against the true features. No language model is involved: ``ctx.model()`` is never
called, so the lab opens at once.
"""

from __future__ import annotations

import time

import torch
from pydantic import BaseModel

from tutor.labs.runner import RunContext
from tutor.labs.superposition import geometry
from tutor.labs.superposition.params import Params, check
from tutor.labs.superposition.presets import PRESETS
from tutor.labs.superposition.toy import ToySetup, importance_profile, train_toy

__all__ = ["Params", "Result", "params_for_preset", "run"]

SUPERPOSITION_NOTE = (
    "null: the feature is not represented (‖Wᵢ‖ ≤ 0.5), so it has no direction to share"
)


class Level(BaseModel):
    """One sparsity level's trained model and its geometry."""

    sparsity: float
    W: list[list[float]]
    b: list[float]
    loss: float
    norms: list[float]
    superposition: list[float | None]
    dimensionality: list[float]
    represented: list[bool]
    superposed: list[bool]
    n_represented: int
    n_superposed: int
    dims_per_feature: float
    restart: int


class Phase(BaseModel):
    """The n = 2, m = 1 phase diagram: rows are relative importances, columns sparsities."""

    sparsities: list[float]
    importances: list[float]
    phases: list[list[str]]
    W: list[list[list[float]]]
    seconds: float


class SAERun(BaseModel):
    label: str
    latents: int
    l1: float
    best_cosine: list[float | None]
    matched_latent: list[int | None]
    recovered_features: list[bool]
    recovered: float | None
    graded: int
    alive: int
    l0: float
    fvu: float
    seconds: float


class SAEStep(BaseModel):
    """The SAE trained on h = W·x of the shown level, and the contrast runs."""

    sparsity: float
    samples: int
    main: SAERun
    contrasts: list[SAERun]
    note: str


class Result(BaseModel):
    n: int
    m: int
    relu: bool
    importance: list[float]
    sparsity: float
    level: int
    levels: list[Level]
    W: list[list[float]]
    WtW: list[list[float]]
    b: list[float]
    norms: list[float]
    superposition: list[float | None]
    superposition_note: str
    dimensionality: list[float]
    represented: list[bool]
    angles: list[float] | None
    angle_gaps: list[float] | None
    recovered: float | None
    sae: SAEStep | None
    phase: Phase | None
    train_seconds: float


def params_for_preset(preset_id: str | None) -> Params:
    preset = PRESETS[preset_id or next(iter(PRESETS))]
    return Params(**preset.changes)


def measure_level(
    sparsity: float, W: torch.Tensor, b: torch.Tensor, loss: float, restart: int
) -> Level:
    """A level's geometry from its trained W [m, n] and b [n]."""
    sup = geometry.superposition(W)
    rep = geometry.represented(W)
    superposed = [s is not None and s > geometry.SUPERPOSED for s in sup]
    return Level(
        sparsity=sparsity,
        W=W.tolist(),
        b=b.tolist(),
        loss=loss,
        norms=geometry.norms(W),
        superposition=sup,
        dimensionality=geometry.dimensionality(W),
        represented=rep,
        superposed=superposed,
        n_represented=sum(rep),
        n_superposed=sum(superposed),
        dims_per_feature=geometry.dims_per_feature(W),
        restart=restart,
    )


def run(params: Params, ctx: RunContext) -> Result:
    check(params)
    levels = params.all_levels()
    share_toy = 0.7 if not (params.phase or params.sae) else 0.35
    start = time.perf_counter()
    setup = ToySetup(
        n=params.n,
        m=params.m,
        sparsity=torch.tensor(levels),
        importance=importance_profile(params.n, params.importance)[None].repeat(len(levels), 1),
        relu=params.relu,
    )
    toy_ctx = ctx.sub(0.0, share_toy)
    trained = train_toy(
        setup,
        steps=params.steps,
        batch_size=params.batch_size,
        lr=params.lr,
        seed=params.seed,
        restarts=params.restarts,
        progress=lambda f: toy_ctx.progress(f, f"Training {len(levels)} sparsity levels…"),
        check=ctx.check,
    )
    train_seconds = time.perf_counter() - start
    measured = [
        measure_level(
            s, trained.W[k], trained.b[k], float(trained.eval_loss[k]), trained.restart[k]
        )
        for k, s in enumerate(levels)
    ]
    k = params.level_index()
    W = trained.W[k]
    shown = measured[k]

    phase = None
    if params.phase:
        phase = _phase(params, ctx.sub(share_toy, 1.0 if not params.sae else 0.7))
    sae = None
    if params.sae:
        sae = _sae(params, W, shown.sparsity, ctx.sub(0.7 if params.phase else share_toy, 1.0))
    ctx.progress(1.0, "Done")
    return Result(
        n=params.n,
        m=params.m,
        relu=params.relu,
        importance=importance_profile(params.n, params.importance).tolist(),
        sparsity=shown.sparsity,
        level=k,
        levels=measured,
        W=shown.W,
        WtW=(W.T @ W).tolist(),
        b=shown.b,
        norms=shown.norms,
        superposition=shown.superposition,
        superposition_note=SUPERPOSITION_NOTE,
        dimensionality=shown.dimensionality,
        represented=shown.represented,
        angles=geometry.angles(W),
        angle_gaps=geometry.angle_gaps(W),
        recovered=sae.main.recovered if sae is not None else None,
        sae=sae,
        phase=phase,
        train_seconds=train_seconds,
    )


def _phase(params: Params, ctx: RunContext) -> Phase:
    from tutor.labs.superposition.phase import phase_diagram

    start = time.perf_counter()
    sparsities, importances, phases, grid_w = phase_diagram(
        params.phase_size,
        steps=params.phase_steps,
        batch_size=512,
        lr=params.lr,
        seed=params.seed,
        restarts=params.restarts,
        progress=lambda f: ctx.progress(
            f, f"Phase diagram: {params.phase_size}×{params.phase_size} models…"
        ),
        check=ctx.check,
    )
    return Phase(
        sparsities=sparsities,
        importances=importances,
        phases=phases,
        W=grid_w,
        seconds=time.perf_counter() - start,
    )


def _sae(params: Params, W: torch.Tensor, sparsity: float, ctx: RunContext) -> SAEStep:
    from tutor.labs.superposition.recover import toy_activations, train_and_grade

    h = toy_activations(W, sparsity, params.sae_samples, params.seed + 1)
    runs = [("main", params.sae_expansion, params.sae_l1)]
    if params.sae_contrast:
        runs += [("few latents", 1, params.sae_l1), ("too much L1", params.sae_expansion, 30.0)]
    out: list[SAERun] = []
    for i, (label, expansion, l1) in enumerate(runs):
        ctx.progress(i / len(runs), f"SAE: {label} ({expansion * params.m} latents, λ {l1:g})…")
        rec = train_and_grade(
            W,
            h,
            expansion=expansion,
            l1=l1,
            steps=params.sae_steps,
            seed=params.seed,
            should_stop=lambda: ctx.cancelled,
        )
        ctx.check()
        out.append(
            SAERun(
                label=label,
                latents=rec.latents,
                l1=rec.l1,
                best_cosine=rec.best_cosine,
                matched_latent=rec.matched_latent,
                recovered_features=rec.recovered,
                recovered=rec.fraction,
                graded=rec.graded,
                alive=rec.alive,
                l0=rec.l0,
                fvu=rec.fvu,
                seconds=rec.seconds,
            )
        )
    return SAEStep(
        sparsity=sparsity,
        samples=params.sae_samples,
        main=out[0],
        contrasts=out[1:],
        note="best cosine per true feature over latents that fire; > 0.9 counts as recovered; "
        "null: a feature the toy model dropped (not graded) or no latent alive",
    )

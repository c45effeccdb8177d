"""The lens lab's experiment: ``run(params, ctx) -> Result`` for the screen and the CLI.

One forward pass with a cache gives everything the lens and DLA need; the patching lab's
engine then runs the corrupted and patched runs for the comparison (optional, the slow part).
Results are strict JSON: a recovery that is undefined (no gap between clean and corrupted)
is null with a note.
"""

from __future__ import annotations

import time

import torch
from pydantic import BaseModel

from tutor.labs.lens import dla as dla_mod
from tutor.labs.lens import lens as lens_mod
from tutor.labs.lens.params import Params
from tutor.labs.lens.presets import PRESETS
from tutor.labs.lens.tokens import one_token, prompt_tokens, token_names
from tutor.labs.runner import LabInputError, RunContext

__all__ = ["Params", "Result", "params_for_preset", "run"]

CONVENTIONS = ("recomputed", "cached")


class TopToken(BaseModel):
    token: str
    prob: float


class LensView(BaseModel):
    """One convention of the final layer norm's scale: per point at the last position, and
    the layer × position grid."""

    p_answer: list[float]
    rank: list[int]
    entropy: list[float]
    top: list[list[TopToken]]
    scale: list[float]
    grid_p: list[list[float]]  # [point][position] P(answer)
    grid_top: list[list[TopToken]]  # [point][position] the top token


class Component(BaseModel):
    name: str
    value: float


class DLA(BaseModel):
    metric: str
    components: list[Component]
    heads: list[list[float]]
    head_bias: list[float]
    bias: float
    sum: float
    final: float
    note: str


class Patching(BaseModel):
    corruption: str
    metric: str
    clean: float
    corrupted: float
    last: dict[str, float | None]
    best: dict[str, float | None]
    best_position: dict[str, int | None]
    heads: list[list[float | None]]
    seconds: float
    note: str


class Result(BaseModel):
    model: str
    prompt: str
    tokens: list[str]
    answer: str
    wrong: str | None
    points: list[str]
    vocab_size: int
    first_top1: int | None  # first point where the answer is the top token (recomputed)
    first_half: int | None  # first point where P(answer) ≥ 0.5 (recomputed)
    p_answer: list[float]
    top: list[list[TopToken]]
    recomputed: LensView
    cached: LensView
    resid_norm: list[float]
    why_different: str
    dla: DLA
    patching: Patching | None
    patching_note: str | None
    seconds: float


def params_for_preset(preset_id: str | None) -> Params:
    preset = PRESETS[preset_id or next(iter(PRESETS))]
    return Params(**preset.changes)


def _filter(name: str) -> bool:
    return name in ("hook_embed", "hook_pos_embed", "ln_final.hook_scale") or name.endswith(
        ("hook_resid_pre", "hook_resid_post", "hook_attn_out", "hook_mlp_out", "attn.hook_z")
    )


def _view(model: object, tables: lens_mod.LensTables, answer: int, k: int) -> LensView:
    lp = tables.logprobs  # [points, pos, vocab]
    last = lp[:, -1]
    probs, ids = last.exp().topk(k, dim=-1)
    top1_p, top1_id = lp.exp().max(-1)
    names = token_names(model, list(range(lp.shape[-1])))
    return LensView(
        p_answer=last[:, answer].exp().tolist(),
        rank=lens_mod.rank_of(last, answer).tolist(),
        entropy=lens_mod.entropy(last).tolist(),
        top=[
            [TopToken(token=names[i], prob=p) for i, p in zip(row_i, row_p, strict=True)]
            for row_i, row_p in zip(ids.tolist(), probs.tolist(), strict=True)
        ],
        scale=tables.scale[:, -1].tolist(),
        grid_p=lp[..., answer].exp().tolist(),
        grid_top=[
            [TopToken(token=names[i], prob=p) for i, p in zip(ri, rp, strict=True)]
            for ri, rp in zip(top1_id.tolist(), top1_p.tolist(), strict=True)
        ],
    )


def _first(values: list[float] | list[bool], test) -> int | None:  # type: ignore[no-untyped-def]
    return next((i for i, v in enumerate(values) if test(v)), None)


def run(params: Params, ctx: RunContext) -> Result:
    start = time.perf_counter()
    ctx.progress(0.0, "Loading the model…")
    model = ctx.model()
    tokens = prompt_tokens(model, params.prompt)
    answer = one_token(model, params.answer, "answer")
    wrong = None if params.wrong is None else one_token(model, params.wrong, "wrong")
    if wrong == answer:
        raise LabInputError("wrong", "the wrong answer is the same token as the answer")
    if params.top_k > int(model.cfg.d_vocab):
        raise LabInputError("top_k", f"the vocabulary has only {model.cfg.d_vocab} tokens")
    ctx.progress(0.05, "Running the prompt…")
    n_layers = int(model.cfg.n_layers)
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens.to(model.cfg.device), names_filter=_filter)
        ctx.check()
        resid, points = lens_mod.residual_points(cache, n_layers)
        final_scale = cache["ln_final.hook_scale"][0]
        tables = lens_mod.lens_tables(model, resid, final_scale)
        views = {c: _view(model, tables[c], answer, params.top_k) for c in CONVENTIONS}
        attribution = dla_mod.attribute(model, cache, logits, answer, wrong)
    ctx.progress(0.2, "Lens and DLA done")
    rec = views["recomputed"]
    ranks = rec.rank
    patching, note = None, None
    if params.patching:
        patching, note = _patching(model, params, ctx.sub(0.2, 1.0))
    metric = (
        f"logit({params.answer}) − logit({params.wrong})"
        if wrong is not None
        else (f"logit({params.answer})")
    )
    ctx.progress(1.0, "Done")
    return Result(
        model=ctx.model_name,
        prompt=params.prompt,
        tokens=[str(t) for t in model.to_str_tokens(tokens[0])],
        answer=params.answer,
        wrong=params.wrong,
        points=points,
        vocab_size=int(model.cfg.d_vocab),
        first_top1=_first(ranks, lambda r: r == 1),
        first_half=_first(rec.p_answer, lambda p: p >= 0.5),
        p_answer=rec.p_answer,
        top=rec.top,
        recomputed=rec,
        cached=views["cached"],
        resid_norm=tables["recomputed"].resid_norm[:, -1].tolist(),
        why_different=lens_mod.WHY_DIFFERENT,
        dla=DLA(
            metric=metric,
            components=[
                Component(name=n, value=v)
                for n, v in zip(attribution.names, attribution.values, strict=True)
            ],
            heads=attribution.heads,
            head_bias=attribution.head_bias,
            bias=attribution.bias,
            sum=attribution.total,
            final=attribution.final,
            note="at the last position, final layer-norm scale held at the real run's; "
            "sum = Σ components + bias; a layer's heads + its b_O term = its attention bar",
        ),
        patching=patching,
        patching_note=note,
        seconds=time.perf_counter() - start,
    )


def _patching(model: object, params: Params, ctx: RunContext) -> tuple[Patching | None, str | None]:
    from tutor.labs.lens.compare import NoSubject, patching_recovery

    try:
        r = patching_recovery(
            model,
            params.prompt,
            params.answer,
            params.wrong,
            corrupt=params.corrupt,
            noise=params.noise,
            samples=params.samples,
            subject=params.subject,
            ctx=ctx,
        )
    except NoSubject as exc:
        return None, str(exc)
    return (
        Patching(
            corruption=r.corruption,
            metric=r.metric,
            clean=r.clean,
            corrupted=r.corrupted,
            last=r.last,
            best={k: v for k, (v, _) in r.best.items()},
            best_position={k: p for k, (_, p) in r.best.items()},
            heads=r.heads,
            seconds=r.seconds,
            note="normalised recovery (patched − corrupted) / (clean − corrupted); "
            "null: clean and corrupted agree, so recovery is undefined",
        ),
        None,
    )

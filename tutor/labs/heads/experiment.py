"""The heads lab's experiment: one run computes every view, so switching views is instant.

``run(params, ctx)``:

1. builds the shown sequence (a seeded repeated random sequence, one with no repeats, or
   the learner's prompt) and a batch of seeded repeated random sequences for the scores;
2. caches every head's attention pattern on both (``scoring``) and scores every head on
   the batch (and on the shown sequence);
3. picks the head to show (given, or the best by ``pick``);
4. ablates the requested heads (``ablation``) and measures the per-token loss on the
   shown sequence, the mean second-copy loss on the batch, and the Eiffel prediction;
5. reads the OV / K-composition circuits of every head from the weights (``circuits``);
6. reads the training record for the bump (``bump``).

The JSON result carries what the views show for the chosen head; the patterns and circuits
of every other head ride along (excluded from JSON) so the screen can switch heads without
another run.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tutor.labs.heads.bump import Curve
from tutor.labs.heads.presets import PRESETS
from tutor.labs.runner import LabInputError, RunContext
from tutor.model.head_scores import SCORE_KINDS

View = Literal["patterns", "scores", "ablation", "bump", "qk-ov"]
Pick = Literal["induction", "previous_token", "duplicate_token", "sink"]
_HEAD_RE = re.compile(r"^L(\d+)H(\d+)$", re.IGNORECASE)
_TOP_RE = re.compile(r"^(induction|previous_token|duplicate_token|sink):(\d+)$")


class Params(BaseModel):
    """One heads experiment (every field has a default: the ``induction`` preset)."""

    model_config = ConfigDict(extra="forbid")

    view: View = "patterns"
    prompt: str | None = None  # None: the seeded random sequence below
    sequence: Literal["repeated", "no-repeat"] = "repeated"
    length: int = 20  # random words in each copy
    seed: int = 0
    score_batch: int = 8  # seeded repeated sequences the head scores average over
    layer: int | None = None  # None (with head None): the best head by ``pick``
    head: int | None = None
    pick: Pick = "induction"
    ablate: list[str] = Field(default_factory=list)  # "L7H0", or "induction:2" (top two)
    ablation: Literal["zero", "mean", "resample"] = "mean"
    reference: int = 16  # size of the mean / resample reference set
    eiffel_prompt: str = "The Eiffel Tower is in"
    eiffel_answer: str = "Paris"
    top_k: int = 5


class HeadScore(BaseModel):
    layer: int
    head: int
    score: float | None


class PatternView(BaseModel):
    layer: int
    head: int
    tokens: list[str]
    pattern: list[list[float]]  # query × key
    argmax: list[int]  # per query: the key it attends to most
    scores: dict[str, float | None]  # this head on the shown sequence


class EiffelEffect(BaseModel):
    prompt: str
    answer: str
    prob_before: float
    prob_after: float
    top_before: str
    top_after: str


class Ablation(BaseModel):
    heads: list[tuple[int, int]]
    method: str
    tokens: list[str]
    copy_start: int | None  # index of the second copy's first token in ``tokens``
    loss_before: list[float]  # loss_before[i]: predicting tokens[i + 1]
    loss_after: list[float]
    second_copy_before: float | None  # mean over the second copy (its first word excluded)
    second_copy_after: float | None
    batch_first_copy_before: float
    batch_first_copy_after: float
    batch_second_copy_before: float
    batch_second_copy_after: float
    eiffel: EiffelEffect
    note: str


class TokenPromotion(BaseModel):
    token: str
    top: list[tuple[str, float]]  # most-promoted tokens with their logit effect
    own_rank: int  # where the source's own token ranks among all promoted tokens (1 = top)


class Circuit(BaseModel):
    layer: int
    head: int
    copying_fraction: float  # batch positions whose top promoted token is their own token
    promotions: list[TokenPromotion]
    k_composition: list[HeadScore]  # earlier heads, best first
    k_composition_prev_token: list[HeadScore]  # the top previous-token heads' scores
    baseline: float


class Bump(BaseModel):
    shipped: Curve | None
    rerun: Curve | None
    note: str


class Result(BaseModel):
    model: str
    tokens: list[str]
    copy_start: int | None
    layer: int
    head: int
    pick: str
    scores: dict[str, list[list[float | None]]]  # kind -> layer × head, on the batch
    sink: list[list[float]]  # mean attention on the first token, layer × head
    prompt_scores: dict[str, list[list[float | None]]]  # on the shown sequence
    prompt_score_note: str
    top_heads: dict[str, list[HeadScore]]
    pattern: PatternView
    ablation: Ablation
    qk_ov: Circuit
    bump: Bump
    # Every head's pattern and circuit, for the screen (not in the JSON output).
    all_patterns: list[list[list[list[float]]]] = Field(default_factory=list, exclude=True)
    all_circuits: dict[str, Circuit] = Field(default_factory=dict, exclude=True)

    def pattern_for(self, layer: int, head: int) -> PatternView:
        """The pattern view of any head (from the ridden-along patterns)."""
        if (layer, head) == (self.pattern.layer, self.pattern.head) or not self.all_patterns:
            return self.pattern
        grid = self.all_patterns[layer][head]
        return PatternView(
            layer=layer,
            head=head,
            tokens=self.tokens,
            pattern=grid,
            argmax=[max(range(len(row)), key=row.__getitem__) for row in grid],
            scores={k: self.prompt_scores[k][layer][head] for k in SCORE_KINDS},
        )

    def circuit_for(self, layer: int, head: int) -> Circuit:
        return self.all_circuits.get(f"{layer},{head}", self.qk_ov)


def params_for_preset(preset_id: str | None) -> Params:
    preset = PRESETS[preset_id or next(iter(PRESETS))]
    return Params(view=preset.view, **preset.fields)  # type: ignore[arg-type]


# ----- helpers ----------------------------------------------------------------------------
def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _table(t: Any) -> list[list[float | None]]:
    return [[_finite(round(float(v), 6)) for v in row] for row in t]


def parse_ablate(
    specs: list[str], n_layers: int, n_heads: int, tables: dict[str, Any]
) -> list[tuple[int, int]]:
    """``["L7H0", "induction:2"]`` -> head list; ``LabInputError("ablate", ...)`` if bad."""
    from tutor.labs.heads.scoring import top_heads

    heads: list[tuple[int, int]] = []
    for spec in specs:
        spec = spec.strip()
        if m := _HEAD_RE.match(spec):
            layer, head = int(m[1]), int(m[2])
            if layer >= n_layers or head >= n_heads:
                raise LabInputError(
                    "ablate",
                    f"{spec}: no such head (layers 0..{n_layers - 1}, heads 0..{n_heads - 1})",
                )
            found = [(layer, head)]
        elif m := _TOP_RE.match(spec):
            count = int(m[2])
            if not 1 <= count <= n_layers * n_heads:
                raise LabInputError("ablate", f"{spec}: count must be 1..{n_layers * n_heads}")
            found = [(lh[0], lh[1]) for lh in top_heads(tables[m[1]], count)]
        else:
            raise LabInputError(
                "ablate", f"{spec!r}: use LxHy (e.g. L7H0) or KIND:N (e.g. induction:2)"
            )
        heads += [h for h in found if h not in heads]
    return heads


def _check(params: Params, n_layers: int, n_heads: int, n_ctx: int) -> None:
    if not 2 <= params.length <= (n_ctx - 1) // 2:
        raise LabInputError("length", f"{params.length}: use 2..{(n_ctx - 1) // 2} words per copy")
    if not 1 <= params.score_batch <= 64:
        raise LabInputError("score_batch", f"{params.score_batch}: use 1..64 sequences")
    if not 1 <= params.reference <= 64:
        raise LabInputError("reference", f"{params.reference}: use 1..64 sequences")
    if not 1 <= params.top_k <= 20:
        raise LabInputError("top_k", f"{params.top_k}: use 1..20")
    if (params.layer is None) != (params.head is None):
        raise LabInputError("layer" if params.layer is None else "head", "give both or neither")
    if params.layer is not None and not 0 <= params.layer < n_layers:
        raise LabInputError("layer", f"{params.layer}: this model has layers 0..{n_layers - 1}")
    if params.head is not None and not 0 <= params.head < n_heads:
        raise LabInputError("head", f"{params.head}: this model has heads 0..{n_heads - 1}")


def _prompt_tokens(model: Any, prompt: str, field: str) -> Any:
    if not prompt.strip():
        raise LabInputError(field, "empty prompt")
    tokens = model.to_tokens(prompt)
    if tokens.shape[1] > model.cfg.n_ctx:
        raise LabInputError(
            field, f"{tokens.shape[1]} tokens; this model's context is {model.cfg.n_ctx}"
        )
    if tokens.shape[1] < 2:
        raise LabInputError(field, "needs at least one token after the start token")
    return tokens


def _copy_start(ids: list[int]) -> int | None:
    """Where the second copy starts if ``ids`` is BOS + X + X, else None."""
    body = ids[1:]
    half = len(body) // 2
    if half >= 1 and len(body) % 2 == 0 and body[:half] == body[half:]:
        return 1 + half
    return None


# ----- the run ----------------------------------------------------------------------------
def run(params: Params, ctx: RunContext) -> Result:
    import torch

    from tutor.labs.heads import ablation, circuits, scoring, sequences

    ctx.progress(0.0, "loading the model")
    model = ctx.model()
    n_layers, n_heads, n_ctx = model.cfg.n_layers, model.cfg.n_heads, model.cfg.n_ctx
    _check(params, n_layers, n_heads, n_ctx)
    bos = model.tokenizer.bos_token_id
    pool = sequences.word_ids(model.tokenizer)
    if len(pool) < 2 * params.length:
        raise LabInputError("length", f"only {len(pool)} single-token words to draw from")

    # 1. sequences
    if params.prompt is not None:
        shown = _prompt_tokens(model, params.prompt, "prompt")
    else:
        rows = sequences.batch(
            pool, bos, params.length, 1, params.seed, params.sequence == "repeated"
        )
        shown = torch.tensor(rows)
    shown_ids = shown[0].tolist()
    copy_start = _copy_start(shown_ids)
    tokens = model.to_str_tokens(shown[0])
    score_tokens = torch.tensor(
        sequences.batch(pool, bos, params.length, params.score_batch, params.seed + 1)
    )

    # 2. patterns and scores
    ctx.progress(0.1, "attention patterns")
    batch_pats = scoring.patterns(model, score_tokens, ctx.check)
    tables = scoring.score_tables(batch_pats, score_tokens)
    sink = batch_pats[:, :, :, 1:, 0].mean((0, 3))  # (layer, head): attention on BOS
    tables_with_sink = tables | {"sink": sink}
    shown_pats = scoring.patterns(model, shown, ctx.check)
    prompt_tables = scoring.score_tables(shown_pats, shown)
    missing = [k for k in SCORE_KINDS if bool(torch.isnan(prompt_tables[k]).all())]
    prompt_note = (
        "no query in the shown sequence has an earlier copy of its token, so its "
        f"{' and '.join(missing)} scores are undefined (null)"
        if missing
        else "scores on the shown sequence alone"
    )

    # 3. the head to show
    if params.layer is not None and params.head is not None:
        layer, head = params.layer, params.head
    else:
        layer, head, _ = scoring.top_heads(tables_with_sink[params.pick], 1)[0]
    ctx.progress(0.35, "ablation")

    # 4. ablation
    heads = parse_ablate(params.ablate, n_layers, n_heads, tables_with_sink)
    abl = _ablation(model, params, heads, shown, copy_start, score_tokens, pool, bos, ablation)
    ctx.progress(0.65, "circuits")

    # 5. circuits for every head
    circuit_all = _circuits(model, params, shown, score_tokens, tables, circuits)
    ctx.check()

    # 6. the bump
    bump = _bump(ctx.model_name)
    ctx.progress(1.0, "done")

    all_patterns = [
        [
            [[round(float(v), 6) for v in row] for row in shown_pats[0, la, h]]
            for h in range(n_heads)
        ]
        for la in range(n_layers)
    ]
    top = {
        kind: [HeadScore(layer=a, head=b, score=_finite(s)) for a, b, s in scoring.top_heads(t, 5)]
        for kind, t in tables_with_sink.items()
    }
    result = Result(
        model=ctx.model_name,
        tokens=tokens,
        copy_start=copy_start,
        layer=layer,
        head=head,
        pick=params.pick if params.layer is None else "given",
        scores={k: _table(tables[k]) for k in SCORE_KINDS},
        sink=[[round(float(v), 6) for v in row] for row in sink],
        prompt_scores={k: _table(prompt_tables[k]) for k in SCORE_KINDS},
        prompt_score_note=prompt_note,
        top_heads=top,
        pattern=PatternView(
            layer=layer,
            head=head,
            tokens=tokens,
            pattern=all_patterns[layer][head],
            argmax=scoring.argmax_keys(shown_pats[0, layer, head]),
            scores={k: _finite(float(prompt_tables[k][layer, head])) for k in SCORE_KINDS},
        ),
        ablation=abl,
        qk_ov=circuit_all[f"{layer},{head}"],
        bump=bump,
        all_patterns=all_patterns,
        all_circuits=circuit_all,
    )
    return result


def _reference(pool: Any, bos: int, n_pos: int, n: int, seed: int) -> Any:
    """``n`` random repeated sequences cut to ``n_pos`` tokens (BOS first): the reference set."""
    import torch

    from tutor.labs.heads.sequences import repeated_ids

    half = max(1, n_pos // 2)
    rows = [[bos, *repeated_ids(pool, half, 10_000 + seed * 1000 + i)][:n_pos] for i in range(n)]
    return torch.tensor(rows)


def _ablation(
    model: Any,
    params: Params,
    heads: list[tuple[int, int]],
    shown: Any,
    copy_start: int | None,
    score_tokens: Any,
    pool: Any,
    bos: int,
    ablation: Any,
) -> Ablation:
    import torch

    def losses(tokens: Any) -> tuple[Any, Any]:
        ref = _reference(pool, bos, tokens.shape[1], params.reference, params.seed)
        before = ablation.per_token_loss(model(tokens).detach(), tokens)
        logits = ablation.ablated_logits(model, tokens, heads, params.ablation, ref)
        return before, ablation.per_token_loss(logits, tokens)

    with torch.no_grad():
        before, after = losses(shown)
        b_before, b_after = losses(score_tokens)
        n = params.length
        # loss[:, i] predicts token i + 1; the first copy is tokens 1..n, the second n+1..2n.
        first = slice(1, n)  # predicting tokens 2..n (the first word is unpredictable)
        second = slice(n + 1, 2 * n)  # predicting tokens n+2..2n (the copy's first word too)

        def mean(t: Any, s: slice) -> float:
            return round(float(t[:, s].mean()), 6)

        if copy_start is not None:
            sc = slice(copy_start, shown.shape[1] - 1)
            second_before, second_after = mean(before, sc), mean(after, sc)
        else:
            second_before = second_after = None

        eiffel = _prompt_tokens(model, params.eiffel_prompt, "eiffel_prompt")
        answer = model.to_tokens(params.eiffel_answer, prepend_bos=False)[0]
        if len(answer) != 1:
            raise LabInputError("eiffel_answer", f"{params.eiffel_answer!r} is not one token")
        ref = _reference(pool, bos, eiffel.shape[1], params.reference, params.seed)
        p_before = torch.softmax(model(eiffel)[0, -1].float(), -1)
        p_after = torch.softmax(
            ablation.ablated_logits(model, eiffel, heads, params.ablation, ref)[0, -1].float(), -1
        )

    def top(p: Any) -> str:
        return model.tokenizer.decode([int(p.argmax())]).strip()

    note = (
        "no heads ablated: before and after are the same run"
        if not heads
        else f"{params.ablation}-ablated: " + ", ".join(f"L{a}H{b}" for a, b in heads)
    )
    return Ablation(
        heads=heads,
        method=params.ablation,
        tokens=model.to_str_tokens(shown[0]),
        copy_start=copy_start,
        loss_before=[round(float(v), 6) for v in before[0]],
        loss_after=[round(float(v), 6) for v in after[0]],
        second_copy_before=second_before,
        second_copy_after=second_after,
        batch_first_copy_before=mean(b_before, first),
        batch_first_copy_after=mean(b_after, first),
        batch_second_copy_before=mean(b_before, second),
        batch_second_copy_after=mean(b_after, second),
        eiffel=EiffelEffect(
            prompt=params.eiffel_prompt,
            answer=params.eiffel_answer,
            prob_before=round(float(p_before[answer[0]]), 6),
            prob_after=round(float(p_after[answer[0]]), 6),
            top_before=top(p_before),
            top_after=top(p_after),
        ),
        note=note,
    )


def _circuits(
    model: Any,
    params: Params,
    shown: Any,
    score_tokens: Any,
    tables: dict[str, Any],
    circuits: Any,
) -> dict[str, Circuit]:
    """OV promotions on the shown sequence, copying fraction on the batch, K-composition."""
    import torch

    from tutor.labs.heads.scoring import top_heads

    n_layers, n_heads = model.cfg.n_layers, model.cfg.n_heads
    names = {f"blocks.{layer}.hook_resid_pre" for layer in range(n_layers)}
    with torch.no_grad():
        _, cache = model.run_with_cache(shown, names_filter=lambda n: n in names)
        _, batch_cache = model.run_with_cache(score_tokens, names_filter=lambda n: n in names)
    ids = shown[0].tolist()
    # Up to 6 positions after BOS with distinct tokens: the sources the view lists.
    positions: list[int] = []
    for pos in range(1, len(ids)):
        if ids[pos] not in [ids[p] for p in positions]:
            positions.append(pos)
        if len(positions) == 6:
            break
    batch_ids = score_tokens[:, 1:].flatten().tolist()
    scales = circuits.ln_scales(model)
    kcomp = circuits.k_composition(model, scales)
    baseline = round(circuits.composition_baseline(model.cfg.d_model, model.cfg.d_head), 6)
    prev_heads = top_heads(tables["previous_token"], 3)
    decode = model.tokenizer.decode
    out: dict[str, Circuit] = {}
    for layer in range(n_layers):
        name = f"blocks.{layer}.hook_resid_pre"
        batch_resid = batch_cache[name][:, 1:].reshape(-1, model.cfg.d_model)
        copy = circuits.copying_fraction(
            circuits.ov_logits(model, layer, batch_resid, scales), batch_ids
        )
        shown_logits = circuits.ov_logits(model, layer, cache[name][0, positions], scales)
        for head in range(n_heads):
            promotions = []
            for pos, row in zip(positions, shown_logits[head], strict=True):
                vals, idx = row.topk(params.top_k)
                promotions.append(
                    TokenPromotion(
                        token=decode([ids[pos]]).strip(),
                        top=[
                            (decode([int(i)]).strip(), round(float(v), 4))
                            for v, i in zip(vals, idx, strict=True)
                        ],
                        own_rank=int((row > row[ids[pos]]).sum()) + 1,
                    )
                )
            k = kcomp[layer, head]  # (layer_A, head_A)
            ranked = top_heads(k, 5) if layer > 0 else []
            out[f"{layer},{head}"] = Circuit(
                layer=layer,
                head=head,
                copying_fraction=round(float(copy[head]), 6),
                promotions=promotions,
                k_composition=[HeadScore(layer=a, head=b, score=_finite(s)) for a, b, s in ranked],
                k_composition_prev_token=[
                    HeadScore(layer=a, head=b, score=_finite(float(k[a, b])))
                    for a, b, _ in prev_heads
                ],
                baseline=baseline,
            )
    return out


def _bump(model_name: str) -> Bump:
    from pathlib import Path

    from tutor.labs.heads.bump import model_logs
    from tutor.model.loader import BUNDLED_NAME
    from tutor.paths import BUNDLED_MODEL_DIR

    model_dir = BUNDLED_MODEL_DIR if model_name == BUNDLED_NAME else Path(model_name)
    shipped, rerun = model_logs(model_dir if model_dir.is_dir() else None)
    if shipped is None and rerun is None:
        note = f"{model_name}: no training_log.csv beside the weights, so no training curve"
    elif rerun is not None and rerun.induction is not None:
        note = (
            "loss curve of the run that made these weights; head scores from "
            "training_log_rerun.csv, a faithful re-run of the same seeded recipe"
        )
    else:
        note = (
            "the shipped log has no head-score column (it predates it): the phase change is "
            "read from the repeated-sequence losses alone"
        )
    return Bump(shipped=shipped, rerun=rerun, note=note)

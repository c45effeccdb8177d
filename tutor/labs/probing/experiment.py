"""The probing experiment both faces call: parameters in, per-layer accuracies and a causal test out.

One run: build the property's dataset from the world (split by subject unless asked not to),
read the model's activations at one site for every layer, fit a probe per layer on the task
and on its control task, then take the best layer and remove the probe's directions there
(``causal``). Everything is computed on the model in front of the learner, in seconds.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict

from tutor.labs.probing import datasets
from tutor.labs.probing.activations import SITES, collect, hook_name, task_metric, tokenize
from tutor.labs.probing.causal import inlp, make_hook, patch_to, remove, remove_random
from tutor.labs.probing.presets import PRESETS
from tutor.labs.probing.probes import accuracy, fit, majority_rate
from tutor.labs.runner import LabInputError, RunContext

PROBES = ("linear", "mlp")
MAX_CAUSAL_PROMPTS = 160


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    property: str = "country"
    position: str = "final"
    probe: str = "linear"
    site: str = "resid_pre"
    split: str = "subject"
    seed: int = 0
    causal: bool = True
    causal_layer: int | None = None  # None: the layer where the probe scores best


class LayerScore(BaseModel):
    layer: int
    accuracy: float | None  # test accuracy on the task
    train_accuracy: float | None
    control_accuracy: float | None  # test accuracy on the control task
    control_train_accuracy: float | None
    selectivity: float | None  # accuracy − control_accuracy


class Causal(BaseModel):
    layer: int
    site: str
    positions: str  # which positions were edited
    metric: str  # "P(answer)" or "logit diff (IO − S)"
    n_prompts: int
    rank: int  # dimensions removed
    probe_accuracy: float | None  # before removal (fresh linear probe, test set)
    probe_accuracy_after: float | None  # a fresh linear probe on the projected activations
    chance: float | None
    inlp_accuracy: list[float | None]  # after 0, 1, 2, … projection steps
    clean: float
    removed: float
    random: float
    patched: float
    removed_effect: float
    random_effect: float
    patched_effect: float
    used: bool
    verdict: str


class Result(BaseModel):
    property: str
    description: str
    position: str
    probe: str
    site: str
    split: str
    labels: list[str]
    n_train: int
    n_test: int
    n_train_subjects: int
    n_test_subjects: int
    shared_subjects: int  # subjects on both sides (0 for the subject split)
    test_subjects: list[str]
    chance: float | None
    control_chance: float | None
    n_words: int  # word types in the control task
    layers: list[LayerScore]
    best_layer: int
    causal: Causal | None
    seconds: float


def params_for_preset(preset_id: str | None) -> Params:
    p = PRESETS[preset_id or next(iter(PRESETS))]
    return Params(property=p.prop, position=p.position, probe=p.probe, site=p.site, split=p.split)


def check_params(params: Params, n_layers: int | None = None) -> None:
    """``LabInputError`` naming the first field the experiment cannot use."""
    choices = {
        "property": tuple(datasets.PROPERTIES),
        "position": datasets.POSITIONS,
        "probe": PROBES,
        "site": tuple(SITES),
        "split": datasets.SPLITS,
    }
    for name, allowed in choices.items():
        value = getattr(params, name)
        if value not in allowed:
            raise LabInputError(name, f"{value!r} is not one of {', '.join(allowed)}")
    if params.property == "ioi" and params.position != "final":
        raise LabInputError("position", "the IOI property is read at the final position only")
    layer = params.causal_layer
    if layer is not None and (layer < 0 or (n_layers is not None and layer >= n_layers)):
        top = "" if n_layers is None else f" (0..{n_layers - 1})"
        raise LabInputError("causal_layer", f"layer {layer} is not in the model{top}")


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def run(params: Params, ctx: RunContext) -> Result:
    check_params(params)
    started = time.perf_counter()
    ctx.progress(0.0, "loading the model")
    model = ctx.model()
    n_layers = model.cfg.n_layers
    check_params(params, n_layers)

    ctx.progress(0.05, f"building the {params.property} dataset")
    data = datasets.build(
        params.property, model.to_str_tokens, params.position, params.split, params.seed
    )
    if len(data.train) < 10 or len(data.test) < 5 or len(data.labels) < 2:
        raise LabInputError(
            "property", f"too few examples for {params.property} with this model's tokenizer"
        )
    tokens = tokenize(model, data.prompts)
    ctx.check()
    acts = collect(
        model,
        tokens,
        data.examples,
        params.site,
        lambda f: ctx.progress(0.05 + 0.25 * f, "reading activations"),
    )
    train, test = torch.tensor(data.train), torch.tensor(data.test)
    y = torch.tensor([data.labels.index(ex.label) for ex in data.examples])
    control_of = datasets.control_labels(data.examples, data.labels, params.seed)
    y_control = torch.tensor([data.labels.index(control_of[ex.word]) for ex in data.examples])
    k = len(data.labels)

    layers: list[LayerScore] = []
    for layer in range(n_layers):
        ctx.progress(0.3 + 0.5 * layer / n_layers, f"probing layer {layer}")
        x = acts[layer]
        task = fit(params.probe, x[train], y[train], k)
        control = fit(params.probe, x[train], y_control[train], k)
        acc = accuracy(task, x[test], y[test])
        c_acc = accuracy(control, x[test], y_control[test])
        layers.append(
            LayerScore(
                layer=layer,
                accuracy=_num(acc),
                train_accuracy=_num(accuracy(task, x[train], y[train])),
                control_accuracy=_num(c_acc),
                control_train_accuracy=_num(accuracy(control, x[train], y_control[train])),
                selectivity=_num(acc - c_acc),
            )
        )
    best = max(range(n_layers), key=lambda i: layers[i].accuracy or 0.0)

    causal = None
    if params.causal:
        layer = best if params.causal_layer is None else params.causal_layer
        causal = run_causal(model, data, tokens, acts[layer], y, layer, params, ctx.sub(0.8, 1.0))
    ctx.progress(1.0, "done")
    shared = {data.examples[i].subject for i in data.train} & {
        data.examples[i].subject for i in data.test
    }
    return Result(
        property=params.property,
        description=datasets.PROPERTIES[params.property],
        position="every token" if params.property == "in-subject" else params.position,
        probe=params.probe,
        site=params.site,
        split=params.split,
        labels=data.labels,
        n_train=len(data.train),
        n_test=len(data.test),
        n_train_subjects=len(data.train_subjects),
        n_test_subjects=len(data.test_subjects),
        shared_subjects=len(shared),
        test_subjects=data.test_subjects,
        chance=_num(majority_rate(y[train], y[test])),
        control_chance=_num(majority_rate(y_control[train], y_control[test])),
        n_words=len(control_of),
        layers=layers,
        best_layer=best,
        causal=causal,
        seconds=time.perf_counter() - started,
    )


def judge(clean: float, removed: float, random: float) -> tuple[bool, str]:
    """Is the subspace used? Removal must hurt the metric clearly more than the random edit."""
    drop, random_drop = clean - removed, clean - random
    floor = 0.05 * max(abs(clean), 1e-6)
    if drop > floor and drop > 2 * max(random_drop, 0.0):
        return True, (
            "Used: removing the probe's directions hurts the prediction well beyond a random "
            "edit of the same size."
        )
    if removed - clean > floor and removed - clean > 2 * abs(random_drop):
        return False, (
            "Removing the directions raised the metric: they carry something the model "
            "reads, but not the way the probe's labels suggest."
        )
    return False, (
        "Present but not used here: removing the probe's directions changes the prediction "
        "no more than a random edit of the same size."
    )


def run_causal(
    model: Any,
    data: datasets.Dataset,
    tokens: list[torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    layer: int,
    params: Params,
    ctx: RunContext,
) -> Causal:
    """Remove the probe's subspace at ``layer`` on held-out prompts; compare with controls."""
    train, test = torch.tensor(data.train), torch.tensor(data.test)
    k = len(data.labels)
    ctx.progress(0.0, f"projecting out the probe at layer {layer}")
    space = inlp(x[train], y[train], x[test], y[test], k)

    # Held-out prompts and, per prompt, the positions its test examples read.
    positions: dict[int, list[tuple[int, int]]] = {}
    for i in data.test:
        ex = data.examples[i]
        positions.setdefault(ex.prompt, []).append((ex.position, int(y[i])))
    prompt_ids = sorted(positions)[:MAX_CAUSAL_PROMPTS]
    prompts = [data.prompts[p] for p in prompt_ids]
    toks = [tokens[p] for p in prompt_ids]
    width = max(len(t) for t in toks)
    mask = torch.zeros(len(toks), width, dtype=torch.bool)
    target_class = torch.full((len(toks), width), -1, dtype=torch.long)
    for row, p in enumerate(prompt_ids):
        for pos, cls in positions[p]:
            mask[row, pos] = True
            target_class[row, pos] = (cls + 1) % k  # another class: the next one
    class_means = torch.stack(
        [x[train][y[train] == c].mean(0) if (y[train] == c).any() else space.mean for c in range(k)]
    )
    targets = class_means[target_class[mask]]

    name = hook_name(params.site, layer)
    ctx.progress(0.3, "running the model with the edits")
    clean = task_metric(model, toks, prompts)
    ctx.check()
    removed = task_metric(model, toks, prompts, [(name, make_hook(mask, remove(space)))])
    ctx.check()
    rand = task_metric(
        model, toks, prompts, [(name, make_hook(mask, remove_random(space, params.seed)))]
    )
    ctx.check()
    patched = task_metric(model, toks, prompts, [(name, make_hook(mask, patch_to(space, targets)))])

    def mean(v: list[float]) -> float:
        return sum(v) / len(v)

    c, r, rr, pp = mean(clean), mean(removed), mean(rand), mean(patched)
    ioi = prompts[0].wrong is not None
    used, verdict = judge(c, r, rr)
    history = space.accuracy_history
    return Causal(
        layer=layer,
        site=params.site,
        positions="every token" if params.property == "in-subject" else params.position,
        metric="logit diff (IO − S)" if ioi else "P(answer)",
        n_prompts=len(prompts),
        rank=space.rank,
        probe_accuracy=_num(history[0]),
        probe_accuracy_after=_num(history[-1]),
        chance=_num(space.chance),
        inlp_accuracy=[_num(a) for a in history],
        clean=c,
        removed=r,
        random=rr,
        patched=pp,
        removed_effect=r - c,
        random_effect=rr - c,
        patched_effect=pp - c,
        used=used,
        verdict=verdict,
    )

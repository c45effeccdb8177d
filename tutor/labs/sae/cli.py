"""`mitutor sae train|eval|features|steer`: the SAE playground from the command line.

Examples::

    mitutor sae train --preset default --json
    mitutor sae eval ~/.local/share/mitutor/saes/<name>
    mitutor sae features <name> --search Bridge
    mitutor sae steer <name> --search Bridge --prompt "The Eiffel Tower is in" --multiple 4

SAE arguments are a directory (SAELens layout) or the name of one under the data
directory's ``saes/``. Progress goes to stderr; ``--json`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from tutor.commands import add_model_arguments

# Only argparse at module level: registration must not import torch.


def _model_args(p: argparse.ArgumentParser) -> None:
    add_model_arguments(p, subcommand=True)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sae", help="train, evaluate, inspect and steer sparse autoencoders")
    actions = p.add_subparsers(dest="sae_command", metavar="ACTION", required=True)

    t = actions.add_parser("train", help="collect activations and train an SAE")
    _model_args(t)
    t.add_argument("--preset", default="default", help="default, topk, golden-gate, break-…")
    t.add_argument("--kind", choices=("relu", "topk"), help="relu (ReLU + L1) or topk")
    t.add_argument("--layer", type=int, help="layer (default: the middle one)")
    t.add_argument("--site", choices=("resid_pre", "mlp_out"), default="resid_pre")
    t.add_argument("--expansion", type=int, help="d_sae / d_model (default 32)")
    t.add_argument("--l1", type=float, dest="l1_coefficient", help="λ for ReLU + L1")
    t.add_argument("--k", type=int, help="active features per token for TopK")
    t.add_argument("--lr", type=float, help="Adam learning rate")
    t.add_argument("--batch-size", type=int, dest="batch_size", help="tokens per step")
    t.add_argument("--steps", type=int, help="optimiser steps")
    t.add_argument("--tokens", type=int, default=None, help="activations to collect (400000)")
    t.add_argument(
        "--resample",
        action="store_true",
        dest="resample_dead",
        help="re-initialise dead features during training",
    )
    t.add_argument("--seed", type=int, help="random seed")
    t.add_argument("--out", type=Path, help="directory to save to (default: data dir/saes/…)")
    t.add_argument(
        "--eval-tokens",
        type=int,
        default=16_384,
        dest="eval_tokens",
        help="held-out tokens for the metrics",
    )
    t.add_argument("--no-ce", action="store_true", help="skip CE-loss recovered (faster)")
    t.set_defaults(func=cmd_train)

    e = actions.add_parser("eval", help="metrics of a saved SAE on held-out text")
    _model_args(e)
    e.add_argument("sae", help="SAE directory or saved name")
    e.add_argument("--tokens", type=int, default=16_384, help="evaluation tokens")
    e.set_defaults(func=cmd_eval)

    f = actions.add_parser("features", help="list, search or show a saved SAE's features")
    _model_args(f)
    f.add_argument("sae", help="SAE directory or saved name")
    f.add_argument("--search", help="rank features by how specifically they fire on this token")
    f.add_argument("--feature", type=int, help="show this feature's dashboard")
    f.add_argument("--top", type=int, default=10, help="how many features to list")
    f.set_defaults(func=cmd_features)

    s = actions.add_parser("steer", help="generate with and without a feature clamped")
    _model_args(s)
    s.add_argument("sae", help="SAE directory or saved name")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--feature", type=int, help="feature index")
    who.add_argument("--search", help="use the best feature for this token")
    s.add_argument("--prompt", default="The Eiffel Tower is in")
    s.add_argument("--multiple", type=float, default=4.0, help="clamp to this × max activation")
    s.add_argument("--max-new-tokens", type=int, default=12, dest="max_new_tokens")
    s.set_defaults(func=cmd_steer)


def _err(msg: str) -> int:
    print(f"mitutor sae: {msg}", file=sys.stderr)
    return 2


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _load_model(args: argparse.Namespace) -> Any:
    from tutor.model.loader import load_model

    return load_model(args.model, args.device)


def _guarded(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from tutor.labs.sae.saelens_format import SAEFileError
        from tutor.model.loader import ModelLoadError

        try:
            return fn(args)
        except (ModelLoadError, SAEFileError, ValueError) as exc:
            return _err(str(exc))

    return run


def _progress_printer(quiet: bool) -> tuple[Any, Any]:
    def on_collect(done: int, total: int) -> None:
        if not quiet:
            print(f"\rcollecting activations {done:>8}/{total}", end="", file=sys.stderr)
            if done >= total:
                print(file=sys.stderr)

    def on_progress(p: Any) -> None:
        if not quiet:
            print(
                f"step {p.step:>5}/{p.steps}  loss {p.loss:.4f}  L0 {p.l0:6.1f}  "
                f"FVU {p.fvu:.3f}  dead {p.dead_fraction:.1%}  {p.seconds:5.1f}s",
                file=sys.stderr,
            )

    return on_collect, on_progress


@_guarded
def cmd_train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from tutor.labs.sae import activations as act_mod
    from tutor.labs.sae import pipeline
    from tutor.labs.sae.presets import preset

    base = preset(args.preset).train
    overrides = {
        k: getattr(args, k)
        for k in ("kind", "expansion", "l1_coefficient", "k", "lr", "batch_size", "steps", "seed")
        if getattr(args, k) is not None
    }
    if args.resample_dead:
        overrides["resample_dead"] = True
    cfg = replace(base, **overrides)
    model = _load_model(args)
    on_collect, on_progress = _progress_printer(args.json)
    result, _ = pipeline.train_on_model(
        model,
        args.model,
        cfg,
        layer=args.layer,
        site=args.site,
        n_tokens=args.tokens or act_mod.DEFAULT_TOKENS,
        on_collect=on_collect,
        on_progress=on_progress,
    )
    metrics = pipeline.evaluate_on_model(
        model, result.sae, n_tokens=args.eval_tokens, with_ce=not args.no_ce
    )
    path = pipeline.save_trained(result.sae, metrics, args.out, seconds=result.seconds)
    out = {
        "l0": metrics.l0,
        "fvu": metrics.fvu,
        "explained_variance": metrics.explained_variance,
        "ce_loss_recovered": metrics.ce_loss_recovered,
        "dead_fraction": metrics.dead_fraction,
        "seconds": result.seconds,
        "path": str(path),
        "mse": metrics.mse,
        "dense_fraction": metrics.dense_fraction,
        "kind": cfg.kind,
        "layer": result.sae.cfg.layer,
        "d_sae": result.sae.d_sae,
    }
    if args.json:
        print(json.dumps(_clean(out)))
    else:
        _print_metrics(metrics)
        print(f"trained in {result.seconds:.1f}s; saved to {path}")
    return 0


def _print_metrics(m: Any) -> None:
    rec = m.ce_loss_recovered
    print(
        f"L0 {m.l0:.1f}   FVU {m.fvu:.3f}   explained variance {m.explained_variance:.3f}   "
        f"MSE {m.mse:.4g}"
    )
    print(
        f"dead {m.dead_fraction:.1%}   dense {m.dense_fraction:.1%}   "
        f"CE-loss recovered {'n/a' if rec is None else f'{rec:.3f}'}"
    )
    if m.ce_loss_clean is not None:
        print(
            f"CE clean {m.ce_loss_clean:.3f}  with SAE {m.ce_loss_sae:.3f}  "
            f"zero-ablated {m.ce_loss_zero:.3f}"
        )


@_guarded
def cmd_eval(args: argparse.Namespace) -> int:
    from tutor.labs.sae import pipeline

    sae = pipeline.load_saved(args.sae)
    model = _load_model(args)
    metrics = pipeline.evaluate_on_model(model, sae, n_tokens=args.tokens)
    if args.json:
        print(json.dumps(_clean(metrics.to_dict())))
    else:
        _print_metrics(metrics)
    return 0


def _index(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from tutor.labs.sae import pipeline
    from tutor.labs.sae.features import FeatureIndex, token_decoder

    sae = pipeline.load_saved(args.sae)
    model = _load_model(args)
    acts = pipeline.index_activations(model, args.model, sae)
    return sae, model, FeatureIndex(sae, acts, token_decoder(model))


@_guarded
def cmd_features(args: argparse.Namespace) -> int:
    sae, model, index = _index(args)
    if args.feature is not None:
        dash = index.dashboard(args.feature, model.W_U)
        if args.json:
            print(json.dumps(_clean(dash.to_dict())))
            return 0
        print(f"feature {dash.feature}: {dash.label}")
        print(
            f"density {dash.density:.3%}  max {dash.max_activation:.2f}  "
            f"mean when active {dash.mean_activation:.2f}"
        )
        for c in dash.top_contexts:
            print(f"  {c.activation:7.2f}  {c.marked()}")
        print("promotes:  " + ", ".join(t for t, _ in dash.promoted))
        print("suppresses: " + ", ".join(t for t, _ in dash.suppressed))
        return 0
    if args.search:
        hits = index.search(args.search, args.top)
        rows = [
            {"feature": h.feature, "score": h.score, "label": h.label, "density": h.density}
            for h in hits
        ]
    else:
        rows = [
            {"feature": i, "label": index.label(i), "density": float(index.density[i])}
            for i in index.by_density()[: args.top]
        ]
    if args.json:
        print(json.dumps(_clean({"features": rows})))
    else:
        if not rows:
            print("no matching features")
        for r in rows:
            print(f"{r['feature']:>6}  density {r['density']:.3%}  {r['label']}")
    return 0


@_guarded
def cmd_steer(args: argparse.Namespace) -> int:
    from tutor.labs.sae.steering import steer

    sae, model, index = _index(args)
    feature = args.feature
    if feature is None:
        hits = index.search(args.search, 1)
        if not hits:
            return _err(f"--search {args.search!r}: no feature fires on a matching token")
        feature = hits[0].feature
    elif not 0 <= feature < sae.d_sae:
        return _err(f"--feature {feature}: the SAE has features 0..{sae.d_sae - 1}")
    result = steer(
        model,
        sae,
        feature,
        args.prompt,
        max_activation=float(index.max_activation[feature]),
        multiple=args.multiple,
        max_new_tokens=args.max_new_tokens,
    )
    if args.json:
        out = result.to_dict()
        out["label"] = index.label(feature)
        print(json.dumps(_clean(out)))
    else:
        print(f"feature {feature} ({index.label(feature)}) clamped to {result.clamp_value:.2f}")
        print(f"without: {result.prompt} {result.baseline}")
        print(f"with:    {result.prompt} {result.steered}")
    return 0

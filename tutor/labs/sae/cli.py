"""`mitutor run sae` and `mitutor sae train|eval|features|steer`: the SAE lab from the shell.

Examples::

    mitutor run sae --preset golden-gate --json
    mitutor sae train --preset default --steps 600 --json
    mitutor sae eval ~/.local/share/mitutor/saes/<name>
    mitutor sae features <name> --search Bridge
    mitutor sae steer <name> --search Bridge --prompt "The Eiffel Tower is in" --multiple 4

``mitutor run sae`` and ``mitutor sae train`` take the same options and call the same
experiment as the screen (``run_lab("sae", params, ctx)``); every option is checked before
any activation is collected (exit 2, the message names the option). SAE arguments are a
directory (SAELens layout) or the name of one under the data directory's ``saes/``.
Progress goes to stderr; ``--json`` prints one strict-JSON object on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tutor.commands import add_model_arguments
from tutor.labs.jsonout import dumps
from tutor.labs.runner import LabInputError

# Only argparse and pydantic at module level: registration must not import torch.

_NUMBERS: list[tuple[str, type, str]] = [
    ("expansion", int, "d_sae / d_model (default 32)"),
    ("k", int, "active features per token for TopK (≤ d_sae)"),
    ("lr", float, "Adam learning rate (0 < lr ≤ 1)"),
    ("batch_size", int, "tokens per step (≤ --tokens)"),
    ("steps", int, "optimiser steps"),
    ("tokens", int, "activations to collect (default 100000, at least 2048)"),
    ("eval_tokens", int, "held-out tokens for the metrics (default 16384)"),
    ("index_tokens", int, "tokens indexed for feature search (default 100000)"),
    ("seed", int, "random seed"),
    ("layer", int, "layer (default: the middle one)"),
]
_OPTION = {"l1_coefficient": "--l1", "ce_loss": "--no-ce", "save": "--no-save"}


def option_name(field: str) -> str:
    """The command-line option for a parameter field (for error messages)."""
    return _OPTION.get(field, "--" + field.replace("_", "-"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `mitutor run sae` and `mitutor sae train`; each replaces a preset field."""
    parser.add_argument("--kind", choices=("relu", "topk"), help="relu (ReLU + L1) or topk")
    parser.add_argument("--site", choices=("resid_pre", "mlp_out"), help="default resid_pre")
    parser.add_argument(
        "--l1", "--l1-coefficient", type=float, dest="l1_coefficient", help="λ for ReLU + L1"
    )
    for name, kind, text in _NUMBERS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, help=text)
    parser.add_argument(
        "--resample", action="store_true", dest="resample_dead", help="re-initialise dead features"
    )
    parser.add_argument("--search", help="after training, rank features by this token")
    parser.add_argument("--no-ce", action="store_true", help="skip CE-loss recovered (faster)")
    parser.add_argument("--no-save", action="store_true", help="do not save the SAE")
    parser.add_argument("--out", type=Path, help="directory to save to (default: data dir/saes/…)")


def params_from_args(args: argparse.Namespace, base: Any) -> Any:
    """``base`` with the options given; ``LabInputError`` names a bad one."""
    from tutor.labs.sae.params import updated

    changes: dict[str, Any] = {}
    for name in ("kind", "site", "l1_coefficient", "search", *(n for n, _, _ in _NUMBERS)):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "out", None) is not None:
        changes["out"] = str(args.out)
    for flag, field, value in (
        ("resample_dead", "resample_dead", True),
        ("no_ce", "ce_loss", False),
        ("no_save", "save", False),
    ):
        if getattr(args, flag, False):
            changes[field] = value
    return updated(base, changes)


def format_text(result: Any) -> str:
    """The metrics, where the SAE went, its densest features and the search's best matches."""
    r = result
    rec = "n/a" if r.ce_loss_recovered is None else f"{r.ce_loss_recovered:.3f}"
    lines = [
        f"{r.kind} SAE on {r.hook_name}: {r.d_sae} features"
        + (f", k = {r.k}" if r.k is not None else ""),
        f"L0 {r.l0:.1f}   FVU {r.fvu:.3f}   explained variance {r.explained_variance:.3f}   "
        f"MSE {r.mse:.4g}",
        f"dead {r.dead_fraction:.1%}   dense {r.dense_fraction:.1%}   CE-loss recovered {rec}",
    ]
    if r.ce_loss_clean is not None:
        lines.append(
            f"CE clean {r.ce_loss_clean:.3f}  with SAE {r.ce_loss_sae:.3f}  "
            f"zero-ablated {r.ce_loss_zero:.3f}"
        )
    saved = f"; saved to {r.path}" if r.path else " (not saved)"
    lines.append(f"trained in {r.seconds:.1f}s{saved}")
    lines.append(
        "densest features: " + ", ".join(f"#{f.feature} {f.label}" for f in r.top_features[:5])
    )
    if r.search is not None:
        if r.search_hits:
            best = r.search_hits[0]
            lines.append(
                f"best match for {r.search!r}: #{best.feature} {best.label} (score {best.score:.2f})"
            )
        else:
            lines.append(f"no feature fires on a token containing {r.search!r}")
    return "\n".join(lines)


def _model_args(p: argparse.ArgumentParser) -> None:
    add_model_arguments(p, subcommand=True)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sae", help="train, evaluate, inspect and steer sparse autoencoders")
    actions = p.add_subparsers(dest="sae_command", metavar="ACTION", required=True)

    t = actions.add_parser("train", help="collect activations and train an SAE")
    _model_args(t)
    t.add_argument("--preset", default="default", help="default, topk, golden-gate, break-…")
    add_arguments(t)
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


def _load_model(args: argparse.Namespace) -> Any:
    from tutor.model.loader import load_model

    return load_model(args.model, args.device)


def _guarded(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from tutor.labs.sae.saelens_format import SAEFileError
        from tutor.model.loader import ModelLoadError
        from tutor.paths import DataDirError

        try:
            return fn(args)
        except (ModelLoadError, SAEFileError, DataDirError, ValueError) as exc:
            return _err(str(exc))

    return run


def _stderr_progress(quiet: bool) -> Any:
    """Training steps as lines on stderr; other messages rewrite one line."""
    inline = [False]

    def show(fraction: float, message: str) -> None:
        if quiet:
            return
        if message.startswith("step "):
            if inline[0]:
                print(file=sys.stderr)
            print(message, file=sys.stderr)
            inline[0] = False
        elif sys.stderr.isatty():  # a rewritten line only where it can be rewritten
            print(f"\r{message[:76]:<76}", end="", file=sys.stderr)
            inline[0] = True

    return show


@_guarded
def cmd_train(args: argparse.Namespace) -> int:
    from tutor.labs.runner import RunContext, params_for_preset, run_lab

    try:
        params = params_from_args(args, params_for_preset("sae", args.preset))
        ctx = RunContext(args.model, args.device, on_progress=_stderr_progress(args.json))
        result = run_lab("sae", params, ctx)
    except LabInputError as exc:
        return _err(f"{option_name(exc.field)}: {exc.detail}")
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    print(dumps(result) if args.json else format_text(result))
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
        print(dumps(metrics.to_dict()))
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
            print(dumps(dash.to_dict()))
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
        print(dumps({"features": rows}))
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
        print(dumps(out))
    else:
        print(f"feature {feature} ({index.label(feature)}) clamped to {result.clamp_value:.2f}")
        print(f"without: {result.prompt} {result.baseline}")
        print(f"with:    {result.prompt} {result.steered}")
    return 0

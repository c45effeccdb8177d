"""The patching lab's command-line faces: ``mitutor run patching`` and ``mitutor patch``.

``mitutor run patching [--preset P] [options] [--json]`` runs the whole experiment the lab
screen runs (four sweeps): ``add_arguments`` adds the options, ``params_from_args`` lays
them over the preset's ``Params``, ``format_text`` prints the result.

``mitutor patch`` is the older single-sweep command, kept as it was (text, ``--json`` with
the contract keys of ``result.py``, or ``--csv``): it builds the same ``Params`` with the
same checks and uses the same position rule. Example:
``mitutor patch --prompt "The Eiffel Tower is in" --noise 3 --answer Paris --json``.
Exit codes: 0 done, 1 the model could not be loaded, 2 bad input (the message names it).
Nothing here imports torch until a run starts.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tutor.commands import add_model_arguments

if TYPE_CHECKING:
    from tutor.labs.patching.experiment import Params, Result

SWEEP_CHOICES = ("resid", "attn", "mlp", "heads")
METRICS = ("logit_diff", "prob")


def _experiment_options(p: argparse.ArgumentParser, *, defaults: bool) -> None:
    """Options shared by both commands (``defaults=False``: None means "keep the preset's")."""

    def d(value: Any) -> Any:
        return value if defaults else None

    p.add_argument("--wrong", help="a wrong answer: the metric becomes the logit difference")
    p.add_argument("--metric", choices=METRICS, help="default: logit_diff with --wrong, else prob")
    p.add_argument(
        "--samples", type=int, default=d(10), help="noise samples to average (default 10)"
    )
    p.add_argument("--seed", type=int, default=d(0), help="noise seed, 0..2**64-1 (default 0)")
    p.add_argument(
        "--window", type=int, default=d(1), help="attn/mlp: patch this many layers at once"
    )
    p.add_argument(
        "--position",
        default=d("last"),
        help="column for the layer bars: last, subject (last subject token) or N",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``mitutor run patching``: each replaces that field of the preset."""
    parser.add_argument("--prompt", help='the clean prompt, e.g. "The Eiffel Tower is in"')
    parser.add_argument("--answer", help="the expected next token, e.g. Paris")
    parser.add_argument(
        "--corrupt", metavar="TEXT", help='a counterfactual prompt ("" for noise instead)'
    )
    parser.add_argument(
        "--noise", metavar="SCALE", type=float, help="noise on the subject, × embedding std"
    )
    _experiment_options(parser, defaults=False)
    parser.add_argument(
        "--patch-all-layers",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also patch every layer at every position at once (a sanity check)",
    )


def params_from_args(args: argparse.Namespace, base: Params) -> Params:
    """``base`` (the preset's) with the options given; ``LabInputError`` for a bad value."""
    from tutor.labs.patching.experiment import make_params

    names = ("prompt", "answer", "wrong", "corrupt", "noise", "samples", "seed", "window")
    names += ("position", "metric", "patch_all_layers")
    changes = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    for name in ("wrong", "corrupt"):
        if changes.get(name) == "":
            changes[name] = None
    if "noise" in changes and "corrupt" not in changes:
        changes["corrupt"] = None  # --noise asks for the noise corruption
    return make_params(base, **changes)


def format_text(result: Result) -> str:
    from tutor.labs.patching.text import result_text

    return result_text(
        result.resid, result.attn, result.mlp, result.heads, result.bar_column(), result.everything
    )


# ----- `mitutor patch` ------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "patch",
        help="activation patching: corrupt a prompt, patch clean activations back, print recovery",
        description="Run clean and corrupted prompts, patch each clean activation into the "
        "corrupted run, and report how much of the answer comes back.",
    )
    p.add_argument(
        "--prompt", required=True, help='the clean prompt, e.g. "The Eiffel Tower is in"'
    )
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--corrupt", metavar="TEXT", help="a counterfactual prompt of the same length")
    how.add_argument(
        "--noise",
        metavar="SCALE",
        type=float,
        help="Gaussian noise on the subject, × embedding std",
    )
    p.add_argument("--answer", required=True, help="the expected next token, e.g. Paris")
    p.add_argument("--sweep", choices=SWEEP_CHOICES, default="resid", help="what to patch")
    _experiment_options(p, defaults=True)
    p.add_argument("--attribution", action="store_true", help="add the attribution-patching grid")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.add_argument("--csv", action="store_true", help="print the grid as CSV")
    add_model_arguments(p, subcommand=True)
    p.set_defaults(func=run)


def _fail(message: str, code: int) -> int:
    print(f"mitutor patch: error: {message}", file=sys.stderr)
    return code


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


def run(args: argparse.Namespace) -> int:
    from tutor.labs.jsonout import dumps
    from tutor.labs.patching.experiment import experiment_for, make_params, position_column
    from tutor.labs.runner import LabInputError

    try:
        params = make_params(
            prompt=args.prompt,
            answer=args.answer,
            wrong=args.wrong,
            corrupt=args.corrupt,
            noise=3.0 if args.noise is None else args.noise,
            samples=args.samples,
            seed=args.seed,
            window=args.window,
            position=args.position,
            metric=args.metric,
        )
    except LabInputError as exc:
        return _fail(f"{_option(exc.field)}: {exc.detail}", 2)

    from tutor.labs.patching.engine import prepare, run_sweep
    from tutor.model.loader import ModelLoadError, get_model

    model_name = getattr(args, "model", "tutor-gpt")
    try:
        model = get_model(model_name, getattr(args, "device", "auto"))
    except ModelLoadError as exc:
        return _fail(str(exc), 1)
    try:
        prep = prepare(model, experiment_for(params), model_name)
        position = position_column(params.position, prep.n_pos, prep.subject)
        result = run_sweep(prep, args.sweep, window=params.window, attribution=args.attribution)
    except LabInputError as exc:
        return _fail(f"{_option(exc.field)}: {exc.detail}", 2)
    if args.json:
        print(dumps(result.to_dict()))
    elif args.csv:
        sys.stdout.write(result.to_csv())
    else:
        from tutor.labs.patching.text import sweep_text

        print(sweep_text(result, position))
    return 0

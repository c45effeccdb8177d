"""`mitutor patch`: run an activation-patching sweep from the shell, as text, JSON or CSV.

Example: ``mitutor patch --prompt "The Eiffel Tower is in" --noise 3 --answer Paris --json``.
Exit codes: 0 done, 1 the model could not be loaded, 2 bad input (the message names it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING

from tutor.commands import add_model_arguments

if TYPE_CHECKING:
    from tutor.labs.patching.engine import PreparedRuns
    from tutor.labs.patching.result import PatchResult

SWEEP_CHOICES = ("resid", "attn", "mlp", "heads")


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
    p.add_argument("--wrong", help="a wrong answer: the metric becomes the logit difference")
    p.add_argument("--sweep", choices=SWEEP_CHOICES, default="resid", help="what to patch")
    p.add_argument(
        "--metric", choices=("logit_diff", "prob"), help="default: logit_diff with --wrong"
    )
    p.add_argument("--samples", type=int, default=10, help="noise samples to average (default 10)")
    p.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    p.add_argument("--window", type=int, default=1, help="attn/mlp: patch this many layers at once")
    p.add_argument(
        "--position",
        default="last",
        help="column for the layer bars in text output: last, subject (last subject token) or N",
    )
    p.add_argument("--attribution", action="store_true", help="add the attribution-patching grid")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.add_argument("--csv", action="store_true", help="print the grid as CSV")
    add_model_arguments(p, subcommand=True)
    p.set_defaults(func=run)


def _fail(message: str, code: int) -> int:
    print(f"mitutor patch: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from tutor.labs.patching.corruption import (
        CounterfactualCorruption,
        NoiseCorruption,
        PatchingInputError,
    )
    from tutor.labs.patching.engine import Experiment, prepare, run_sweep
    from tutor.model.loader import ModelLoadError, get_model

    model_name = getattr(args, "model", "tutor-gpt")
    if args.corrupt is not None:
        corruption = CounterfactualCorruption(args.corrupt)
    else:
        corruption = NoiseCorruption(scale=args.noise, samples=args.samples, seed=args.seed)
    experiment = Experiment(
        prompt=args.prompt,
        answer=args.answer,
        wrong=args.wrong,
        corruption=corruption,
        metric=args.metric,
    )
    try:
        model = get_model(model_name, getattr(args, "device", "auto"))
    except ModelLoadError as exc:
        return _fail(str(exc), 1)
    try:
        prep = prepare(model, experiment, model_name)
        result = run_sweep(prep, args.sweep, window=args.window, attribution=args.attribution)
        column = _bar_column(args.position, prep)
    except PatchingInputError as exc:
        return _fail(f"--{exc.field}: {exc.detail}", 2)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    elif args.csv:
        sys.stdout.write(result.to_csv())
    else:
        print(format_text(result, column))
    return 0


def _bar_column(position: str, prep: PreparedRuns) -> int:
    from tutor.labs.patching.corruption import PatchingInputError

    n_pos = prep.n_pos
    if position == "last":
        return n_pos - 1
    if position == "subject":
        last = prep.last_subject_position()
        if last is None:
            raise PatchingInputError("position", "no subject found in the prompt")
        return last
    try:
        value = int(position)
    except ValueError:
        raise PatchingInputError(
            "position", f"{position!r}: use last, subject or a number"
        ) from None
    if not 0 <= value < n_pos:
        raise PatchingInputError("position", f"{value} is outside the prompt (0..{n_pos - 1})")
    return value


def _fmt(x: float) -> str:
    return "   nan" if not math.isfinite(x) else f"{x:6.2f}"


def format_text(r: PatchResult, position: int) -> str:
    """Layer bars at one position (or heads), then the whole recovery grid."""
    lines = [
        f"{r.prompt!r} → {r.answer!r}   corruption: {r.corruption}",
        f"metric {r.metric}: clean {r.clean:.3f}, corrupted {r.corrupted:.3f}; "
        f"sweep {r.sweep} in {r.elapsed_ms:.0f} ms",
        "",
    ]
    if r.positions is not None:
        col = r.column_of(position)
        lines.append(f"recovery per layer at position {position} ({r.columns[col]!r}):")
        for layer, value in enumerate(r.layer_bars(col)):
            filled = 0 if not math.isfinite(value) else max(0, min(40, round(value * 40)))
            lines.append(f"  L{layer:<3d}{_fmt(value)} {'█' * filled}")
        lines.append("")
    width = max(6, *(len(c) for c in r.columns))
    lines.append("recovery grid (rows: layers):")
    lines.append("      " + " ".join(c[:width].rjust(width) for c in r.columns))
    for layer, row in enumerate(r.recovery):
        lines.append(f"  L{layer:<3d}" + " ".join(_fmt(v).rjust(width) for v in row))
    if r.attribution_corr is not None:
        lines.append(f"\nattribution patching vs exact: correlation {r.attribution_corr:.3f}")
    return "\n".join(lines)

"""`mitutor run LAB [--preset P] [lab options] [--json]`: any lab, headless.

Each lab adds its own options (its ``cli.add_arguments``) under ``mitutor run LAB``; the
parameters start from the preset and the options given replace fields of it. The run calls
the same ``run_lab`` the screen calls, so ``--json`` prints what the lab shows:
``{"lab", "preset", "params", "result"}``, strict JSON. Exit codes: 0 done, 1 the model
could not be loaded or the run failed, 2 bad input (the message names the option).
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from tutor.commands import add_model_arguments


def register(sub: argparse._SubParsersAction) -> None:
    from tutor.labs.registry import all_labs, cli_module

    p = sub.add_parser("run", help="run a lab headless: mitutor run LAB [--preset P] [--json]")
    labs = p.add_subparsers(dest="lab", metavar="LAB", required=True)
    for info in all_labs():
        lp = labs.add_parser(info.id, help=info.title, description=info.summary)
        lp.add_argument("--preset", help="start from this preset (see `mitutor labs`)")
        lp.add_argument("--json", action="store_true", help="print one JSON object")
        add_model_arguments(lp, subcommand=True)
        with contextlib.suppress(ImportError, AttributeError):  # no CLI face: still listed
            cli_module(info.id).add_arguments(lp)
        lp.set_defaults(func=run)


def _fail(message: str, code: int) -> int:
    print(f"mitutor run: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from tutor.labs.jsonout import dumps
    from tutor.labs.registry import check_preset, cli_module
    from tutor.labs.runner import LabInputError, RunContext, params_for_preset, run_lab
    from tutor.model.loader import ModelLoadError

    lab_id = args.lab
    try:
        preset = check_preset(lab_id, args.preset)
        cli = cli_module(lab_id)
        params = cli.params_from_args(args, params_for_preset(lab_id, preset))
    except LabInputError as exc:
        return _fail(f"--{exc.field.replace('_', '-')}: {exc.detail}", 2)
    except (KeyError, ValueError) as exc:
        return _fail(str(exc.args[0]) if exc.args else str(exc), 2)

    def on_progress(fraction: float, message: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{fraction:4.0%} {message[:60]:<60}", end="", file=sys.stderr)

    ctx = RunContext(
        model_name=getattr(args, "model", "tutor-gpt"),
        device=getattr(args, "device", "auto"),
        on_progress=on_progress,
    )
    try:
        result = run_lab(lab_id, params, ctx)
    except ModelLoadError as exc:
        return _fail(str(exc), 1)
    except LabInputError as exc:
        return _fail(f"--{exc.field.replace('_', '-')}: {exc.detail}", 2)
    if not args.json and sys.stderr.isatty():
        print("\r" + " " * 66 + "\r", end="", file=sys.stderr)
    if args.json:
        print(dumps({"lab": lab_id, "preset": preset, "params": params, "result": result}))
    else:
        print(cli.format_text(result))
    return 0

"""`mitutor open LAB [--preset P]`: start the app straight in a lab (for a teacher's notes)."""

from __future__ import annotations

import argparse
import sys

from tutor.commands import add_model_arguments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("open", help="start the app in a lab, e.g. mitutor open patching")
    p.add_argument("lab", help="a lab id (see `mitutor labs`)")
    p.add_argument("--preset", help="a preset of that lab (default: its first)")
    add_model_arguments(p, subcommand=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tutor.labs.registry import check_preset

    try:
        check_preset(args.lab, args.preset)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"mitutor open: error: {message}", file=sys.stderr)
        return 2
    from tutor.commands.app import run_app

    args.model = getattr(args, "model", "tutor-gpt")
    args.device = getattr(args, "device", "auto")
    return run_app(args, start_lab=(args.lab, args.preset))

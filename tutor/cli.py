"""The `mitutor` command line: opens the app, or runs one of the subcommands.

Each subcommand lives in its own module under ``tutor.commands`` and registers itself with
``register(subparsers)``. Registration must stay cheap: no torch, transformer_lens or
Textual imports at module level, so `mitutor --help` and the first screen are fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tutor import __version__
from tutor.commands import COMMAND_MODULES, add_model_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mitutor",
        description="An offline terminal tutor for mechanistic interpretability. "
        "With no subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"mitutor {__version__}")
    add_model_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from tutor.paths import DataDirError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from tutor.commands.app import run_app

            return run_app(args)
        return int(args.func(args) or 0)
    except DataDirError as err:
        print(f"mitutor: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

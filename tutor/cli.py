"""The `mitutor` command line: opens the app, or runs one of the subcommands.

Each subcommand lives in its own module under ``tutor.commands`` and registers itself with
``register(subparsers)``. Registration must stay cheap: no torch, transformer_lens or
Textual imports at module level, so `mitutor --help` and the first screen are fast.

``entry`` is what the ``mitutor`` script and ``python -m tutor`` call: ``main`` and then,
once a command has imported torch, an immediate ``os._exit``. Tearing down an interpreter
that holds torch, transformers and TransformerLens takes 0.4–0.8 s on a laptop-class CPU
(``benchmarks/lab_open.py`` shows it), which a learner feels as a slow command; everything
mitutor writes is written and closed before ``main`` returns, so skipping the teardown loses
nothing. It waits for the normal exit when another thread is still running.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import threading

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


def _others_running() -> bool:
    main_thread = threading.main_thread()
    return any(t is not main_thread and not t.daemon for t in threading.enumerate())


def entry() -> None:
    """Run ``main`` and exit with its code, skipping the interpreter's teardown after torch.

    Output piped into a reader that stops early (``| head``) ends the command quietly."""
    try:
        code = main()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's own final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    if "torch" not in sys.modules or _others_running():
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the normal exit would report 120
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    entry()

"""Subcommands of `mitutor`; each module exposes ``register(subparsers)``.

Entries are module paths: a lab's own command (``mitutor patch``) lives in its package.
A registered parser sets ``func`` (called with the parsed namespace, returns an exit code).
"""

from __future__ import annotations

import argparse

COMMAND_MODULES = [
    "tutor.commands.lessons",
    "tutor.commands.check_content",
    "tutor.commands.train_model",
    "tutor.commands.model_report",
    "tutor.commands.labs",
    "tutor.commands.run",
    "tutor.commands.open",
    "tutor.commands.exercises",
    "tutor.labs.patching.cli",  # `mitutor patch`
    "tutor.labs.sae.cli",  # `mitutor sae …`
]


def add_model_arguments(parser: argparse.ArgumentParser, *, subcommand: bool = False) -> None:
    """The --model/--device pair shared by the app and every lab command.

    On a subcommand the options default to ``SUPPRESS``, so ``mitutor --model X patch …``
    and ``mitutor patch --model X …`` both work: the subcommand's value, when given,
    overrides the top-level one.
    """
    model_default = argparse.SUPPRESS if subcommand else "tutor-gpt"
    device_default = argparse.SUPPRESS if subcommand else "auto"
    parser.add_argument(
        "--model",
        default=model_default,
        help="'tutor-gpt' (bundled), a local Hugging Face directory, or a hub id in the HF cache",
    )
    parser.add_argument(
        "--device",
        default=device_default,
        help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N, mps",
    )

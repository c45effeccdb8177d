"""Subcommands of `mitutor`; each module exposes ``register(subparsers)``.

A registered parser sets ``func`` (called with the parsed namespace, returns an exit code).
"""

COMMAND_MODULES = [
    "lessons",
    "check_content",
    "train_model",
    "model_report",
    "patch",
    "sae",
]

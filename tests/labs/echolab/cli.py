"""Echo lab CLI face (torch-free at import)."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt")
    parser.add_argument("--k", type=int)


def params_from_args(args: argparse.Namespace, base: Any) -> Any:
    changes = {n: getattr(args, n) for n in ("prompt", "k") if getattr(args, n) is not None}
    return base.model_copy(update=changes)


def format_text(result: Any) -> str:
    return "\n".join(f"{t} {p:.3f}" for t, p in zip(result.tokens, result.probs, strict=True))

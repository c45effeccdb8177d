"""`mitutor run probing`: the probing lab's command-line options, and its text output.

Torch-free at import (the experiment module is imported only to build parameters). Options
given replace fields of the preset's parameters; a bad value raises ``LabInputError`` naming
the option.
"""

from __future__ import annotations

import argparse
from typing import Any

from tutor.labs.runner import LabInputError

PROPERTIES = ("country", "in-subject", "category", "ioi", "article")
CHOICES = {
    "property": PROPERTIES,
    "probe": ("linear", "mlp"),
    "site": ("resid_pre", "attn_out", "mlp_out"),
    "position": ("subject", "final"),
    "split": ("subject", "example"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--property", help=f"what to probe: {', '.join(PROPERTIES)}")
    parser.add_argument("--probe", help="linear (logistic regression) or mlp")
    parser.add_argument("--site", help="resid_pre, attn_out or mlp_out")
    parser.add_argument("--position", help="subject (its last token) or final")
    parser.add_argument("--split", help="subject (no subject on both sides) or example (leaky)")
    parser.add_argument("--seed", type=int, help="seed of the split and the control labels")
    parser.add_argument("--layer", type=int, help="layer of the causal test (default: best)")
    parser.add_argument("--no-causal", action="store_true", help="skip the removal experiment")


def params_from_args(args: argparse.Namespace, base: Any) -> Any:
    changes: dict[str, Any] = {}
    for name, allowed in CHOICES.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if value not in allowed:
            raise LabInputError(name, f"{value!r} is not one of {', '.join(allowed)}")
        changes[name] = value
    if getattr(args, "seed", None) is not None:
        changes["seed"] = args.seed
    if getattr(args, "layer", None) is not None:
        if args.layer < 0:
            raise LabInputError("layer", f"{args.layer} is negative")
        changes["causal_layer"] = args.layer
    if getattr(args, "no_causal", False):
        changes["causal"] = False
    if changes.get("property") == "ioi" and "position" not in changes:
        changes["position"] = "final"
    return base.model_copy(update=changes)


def format_text(result: Any) -> str:
    from tutor.labs.probing.text import format_text as text

    return text(result)

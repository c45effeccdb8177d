"""`mitutor run lens`: the lab's options and its plain-text report.

Torch-free at import. Options replace fields of the preset's parameters; a bad value gets a
``LabInputError`` naming the option. Example:
``mitutor run lens --prompt "The Colosseum is in" --answer Rome --wrong Paris --json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from tutor.labs.lens.params import Params, updated
from tutor.labs.runner import LabInputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", help="the prompt (the model predicts the next token)")
    parser.add_argument("--answer", help="the answer token the lens follows")
    parser.add_argument("--wrong", help="the wrong answer: DLA explains answer − wrong")
    parser.add_argument("--no-wrong", action="store_true", help="DLA of the answer logit alone")
    parser.add_argument("--top-k", dest="top_k", type=int, help="tokens listed per layer")
    parser.add_argument(
        "--corrupt", help="counterfactual prompt for the patching comparison (same length)"
    )
    parser.add_argument("--noise", type=float, help="noise scale on the subject (× embedding std)")
    parser.add_argument("--samples", type=int, help="noise samples averaged")
    parser.add_argument("--subject", help="token range START:END the noise covers (BOS is 0)")
    parser.add_argument(
        "--no-patching", action="store_true", help="skip the patching comparison (faster)"
    )


def _subject(text: str) -> tuple[int, int]:
    try:
        start, end = (int(x) for x in text.split(":"))
    except ValueError:
        raise LabInputError("subject", f"{text!r}: expected START:END, e.g. 2:4") from None
    if not 0 < start < end:
        raise LabInputError("subject", f"{text!r}: need 0 < START < END (BOS is position 0)")
    return start, end


def params_from_args(args: argparse.Namespace, base: Params) -> Params:
    changes: dict[str, Any] = {}
    for name in ("prompt", "answer", "wrong", "top_k", "corrupt", "noise", "samples"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "no_wrong", False):
        changes["wrong"] = None
    if getattr(args, "subject", None):
        changes["subject"] = _subject(args.subject)
    if getattr(args, "no_patching", False):
        changes["patching"] = False
    if "prompt" in changes and "corrupt" not in changes:
        changes["corrupt"] = None  # a preset's counterfactual belongs to its own prompt
        changes.setdefault("subject", None)
    return updated(base, changes)


def format_text(result: Any) -> str:
    from tutor.labs.lens.text import dla_lines, lens_lines

    return "\n".join([*lens_lines(result, cached=True), "", *dla_lines(result)])

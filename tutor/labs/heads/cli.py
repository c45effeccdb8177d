"""`mitutor run heads` options: prompt, head, ablation. Torch-free at import.

Example: ``mitutor run heads --preset ablate-induction --ablate L7H0,L7H3 --ablation zero
--json``. Options given replace the preset's fields; bad values raise ``LabInputError``
naming the option.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tutor.labs.runner import LabInputError

if TYPE_CHECKING:
    from tutor.labs.heads.experiment import Params, Result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", help="score and show this prompt instead of a random sequence")
    parser.add_argument(
        "--sequence",
        choices=("repeated", "no-repeat"),
        help="the random sequence: repeated once (default) or with no repeats",
    )
    parser.add_argument("--length", type=int, help="random words in each copy (default 20)")
    parser.add_argument("--seed", type=int, help="seed of the random sequences (default 0)")
    parser.add_argument("--layer", type=int, help="layer of the head to show (with --head)")
    parser.add_argument("--head", type=int, help="head to show (with --layer)")
    parser.add_argument(
        "--pick",
        choices=("induction", "previous_token", "duplicate_token", "sink"),
        help="without --layer/--head: show the best head by this score",
    )
    parser.add_argument(
        "--ablate",
        help="heads to ablate, comma-separated: L7H0,L7H3 or induction:2 (the top two)",
    )
    parser.add_argument("--ablation", choices=("zero", "mean", "resample"), help="how to ablate")
    parser.add_argument("--score-batch", type=int, help="sequences the head scores average over")


def params_from_args(args: argparse.Namespace, base: Params) -> Params:
    changes: dict[str, object] = {}
    for name in ("prompt", "sequence", "length", "seed", "layer", "head", "pick", "ablation"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "score_batch", None) is not None:
        changes["score_batch"] = args.score_batch
    if getattr(args, "ablate", None) is not None:
        changes["ablate"] = [s.strip() for s in args.ablate.split(",") if s.strip()]
    from pydantic import ValidationError

    try:
        return type(base).model_validate(base.model_dump() | changes)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise LabInputError(str(err["loc"][0]) if err["loc"] else "params", err["msg"]) from None


def format_text(result: Result) -> str:
    from tutor.labs.heads.text import summary_text

    return summary_text(result)

"""`mitutor model-report`: measure a model on facts, IOI, induction and the Eiffel prompt."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tutor.commands import add_model_arguments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "model-report",
        help="measure a model: fact recall, IOI, induction heads, Eiffel noising",
        description="Load a model (default: the bundled tutor-gpt) and measure it on held-out "
        "fact templates, indirect-object sentences, repeated random sequences, and the "
        "noised 'The Eiffel Tower is in' prompt.",
    )
    add_model_arguments(p, subcommand=True)
    p.add_argument("--json", action="store_true", help="print the measures as JSON")
    p.set_defaults(func=run)


def format_report(report: dict[str, Any]) -> str:
    """The report as a short, aligned plain-text table."""
    m = report["model"]
    e = report["eiffel"]
    rows = [
        (
            "model",
            f"{m['n_layers']} layers x {m['d_model']}, {m['n_heads']} heads, vocab {m['d_vocab']}",
        ),
        ("fact accuracy (held-out templates)", f"{report['fact_accuracy']:.3f}"),
    ]
    for rel, acc in report["fact_accuracy_by_relation"].items():
        rows.append((f"  {rel}", f"{acc:.3f}"))
    rows += [
        ("IOI accuracy (IO logit > S logit)", f"{report['ioi_accuracy']:.3f}"),
        ("IOI mean logit difference", f"{report['ioi_logit_diff']:.2f}"),
        ("IOI top-1 is the IO name", f"{report['ioi_top1']:.3f}"),
        (
            "induction score (best head)",
            f"{report['induction_score_max']:.3f} at L{report['induction_head'][0]}H{report['induction_head'][1]}",
        ),
        (
            "repeat loss, first -> second half",
            f"{report['repeat_loss_first_half']:.2f} -> {report['repeat_loss_second_half']:.2f}",
        ),
        (f"P(Paris | {e['prompt']})", f"{e['clean_p']:.3f}"),
        ("  with the subject noised", f"{e['noised_p']:.3f}"),
        (
            "  subject tokens",
            f"{e['subject_span'][0]}..{e['subject_span'][1] - 1} of {e['str_tokens']}",
        ),
        (
            f"top-1 for {report['colosseum']['prompt']}",
            f"{report['colosseum']['top1']} (p={report['colosseum']['p_answer']:.3f})",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> int:
    from tutor.model.loader import ModelLoadError, load_model
    from tutor.model.report import model_report

    name = getattr(args, "model", "tutor-gpt")
    device = getattr(args, "device", "auto")
    try:
        model = load_model(name, device)
    except ModelLoadError as exc:
        print(f"mitutor model-report: {exc}", file=sys.stderr)
        return 2
    quiet = args.json
    report = model_report(
        model,
        progress=None if quiet else lambda s: print(f"measuring {s}…", file=sys.stderr, flush=True),
    )
    report["model"]["name"] = name
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return 0

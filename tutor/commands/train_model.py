"""`mitutor train-model`: train a tutor-gpt style model on the generated world corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tutor import paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train-model",
        help="train a GPT-2 style model on the generated corpus (the recipe of tutor-gpt)",
        description="Train a GPT-2 (Hugging Face) model from scratch on tutor-gpt's generated "
        "corpus and save it as a model directory usable with --model. The defaults are the "
        "recipe of the bundled tutor-gpt.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: <data dir>/models/tutor-gpt-seed<SEED>)",
    )
    p.add_argument("--steps", type=int, default=None, help="optimizer steps (default: recipe)")
    p.add_argument("--minutes", type=float, default=None, help="stop early after this many minutes")
    p.add_argument("--layers", type=int, default=None, help="number of transformer blocks")
    p.add_argument("--d-model", type=int, default=None, help="residual stream width")
    p.add_argument("--heads", type=int, default=None, help="attention heads per layer")
    p.add_argument("--ctx", type=int, default=None, help="context length in tokens")
    p.add_argument("--batch-size", type=int, default=None, help="sequences per step")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed for the corpus and the weights")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    p.add_argument("--log-every", type=int, default=None, help="log every N steps")
    p.add_argument("--save-every", type=int, default=None, help="checkpoint every N steps")
    p.add_argument("--train-device", default="cpu", help="device to train on (default cpu)")
    p.add_argument(
        "--init-from", type=Path, default=None, help="continue from this checkpoint directory"
    )
    p.add_argument(
        "--mix",
        default=None,
        help="document mix, e.g. fact=0.5,ioi=0.2,repeat=0.22,prose=0.08 (default: recipe)",
    )
    p.set_defaults(func=run)


_OPTION_TO_FIELD = {
    "steps": "steps",
    "minutes": "minutes",
    "layers": "n_layer",
    "d_model": "d_model",
    "heads": "n_head",
    "ctx": "n_ctx",
    "batch_size": "batch_size",
    "lr": "lr",
    "threads": "threads",
    "log_every": "log_every",
    "save_every": "save_every",
}


def _positive(name: str, value: float | int | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"--{name.replace('_', '-')} must be positive (got {value})")


def parse_mix(text: str) -> dict[str, float]:
    """``fact=0.5,ioi=0.2`` -> {"fact": 0.5, "ioi": 0.2}; unknown kinds are an error."""
    from tutor.model.world import DOC_MIX

    mix: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, value = part.partition("=")
        kind = kind.strip()
        if not sep or kind not in DOC_MIX:
            raise ValueError(
                f"--mix {text!r}: expected KIND=WEIGHT with KIND in {', '.join(DOC_MIX)}"
            )
        try:
            mix[kind] = float(value)
        except ValueError:
            raise ValueError(f"--mix {text!r}: {value!r} is not a number") from None
        if mix[kind] < 0:
            raise ValueError(f"--mix {text!r}: weights must not be negative")
    if sum(mix.values()) <= 0:
        raise ValueError(f"--mix {text!r}: at least one weight must be positive")
    return mix


def run(args: argparse.Namespace) -> int:
    from tutor.model.train import TrainConfig

    out = args.out or paths.data_dir() / "models" / f"tutor-gpt-seed{args.seed}"
    overrides = {}
    try:
        for option, field_name in _OPTION_TO_FIELD.items():
            value = getattr(args, option)
            if option != "save_every":
                _positive(option, value)
            if value is not None:
                overrides[field_name] = value
        if args.mix:
            overrides["mix"] = parse_mix(args.mix)
        if args.init_from is not None and not (args.init_from / "config.json").is_file():
            raise ValueError(f"--init-from {args.init_from}: no config.json there")
        cfg = TrainConfig(
            out=out, seed=args.seed, device=args.train_device, init_from=args.init_from, **overrides
        )
        if cfg.d_model % cfg.n_head:
            raise ValueError(f"--d-model {cfg.d_model} is not divisible by --heads {cfg.n_head}")
    except ValueError as exc:
        print(f"mitutor train-model: {exc}", file=sys.stderr)
        return 2

    from tutor.model.train import train

    print(
        f"Training {cfg.n_layer} layers x {cfg.d_model} wide, {cfg.n_head} heads, "
        f"context {cfg.n_ctx}, {cfg.steps} steps of {cfg.batch_size} sequences -> {out}",
        flush=True,
    )

    def show(row: dict[str, float]) -> None:
        print(
            f"step {row['step']:>6}  loss {row['loss']:.3f}  repeat loss "
            f"{row['repeat_loss_first_half']:.2f} -> {row['repeat_loss_second_half']:.2f}  "
            f"induction L{row['best_induction_layer']}H{row['best_induction_head']} "
            f"{row['best_induction_score']:.2f}  "
            f"{row['elapsed_s']:.0f}s",
            flush=True,
        )

    result = train(cfg, progress=show)
    print(
        f"Saved {out} after {result.steps_done} steps ({result.tokens_seen:,} tokens, "
        f"{result.seconds / 60:.1f} min). Measure it with: mitutor model-report --model {out}"
    )
    return 0

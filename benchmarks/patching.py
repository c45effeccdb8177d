"""Activation patching speed: mitutor's engine vs TransformerLens's ``patching`` module.

Runs both on the same model, prompts and metric in one process, checks they agree, and
prints a table of median times and ratios. Uses tutor-gpt when it is shipped, otherwise a
random GPT-2 of the same shape (12 layers, d_model 128, 4 heads).

    python benchmarks/patching.py [--model PATH_OR_NAME] [--repeats 5] [--device cpu] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # TransformerLens's sweeps draw progress bars
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _stand_in_model() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import make_tiny_model_dir

    path = Path(tempfile.mkdtemp(prefix="mitutor-bench-")) / "gpt2-12x128"
    make_tiny_model_dir(path, n_layer=12, n_embd=128, n_head=4)
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: tutor-gpt if shipped")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from transformer_lens import patching as tlp

    from tutor.labs.patching.engine import (
        CounterfactualCorruption,
        Experiment,
        NoiseCorruption,
        prepare,
        run_sweep,
    )
    from tutor.labs.patching.metrics import metric_values
    from tutor.model.loader import load_model
    from tutor.paths import BUNDLED_MODEL_DIR

    name = args.model
    if name is None:
        shipped = (BUNDLED_MODEL_DIR / "config.json").is_file()
        name = "tutor-gpt" if shipped else _stand_in_model()
    model = load_model(name, args.device)
    label = name if name == "tutor-gpt" else f"random GPT-2 12×128 stand-in ({name})"
    counterfactual = "The Colosseum is in"
    if (
        model.to_tokens(counterfactual).shape[-1]
        != model.to_tokens("The Eiffel Tower is in").shape[-1]
    ):
        counterfactual = "The Colosseum Tower is in"  # the stand-in's vocabulary
    experiments = {
        "counterfactual": Experiment(
            wrong="Rome", corruption=CounterfactualCorruption(counterfactual)
        ),
        "noise ×10": Experiment(corruption=NoiseCorruption(samples=10)),
    }
    tl_fns = {
        "resid": tlp.get_act_patch_resid_pre,
        "attn": tlp.get_act_patch_attn_out,
        "mlp": tlp.get_act_patch_mlp_out,
        "heads": tlp.get_act_patch_attn_head_out_all_pos,
    }
    rows: list[tuple[str, str, float, float, float]] = []
    for exp_name, experiment in experiments.items():
        prep = prepare(model, experiment, name)
        _, clean_cache = model.run_with_cache(prep.tokens)

        def metric(logits: torch.Tensor, prep=prep) -> torch.Tensor:
            return metric_values(logits, prep.metric, prep.answer_id, prep.wrong_id).mean()

        sweeps = (
            ["resid", "attn", "mlp", "heads"]
            if exp_name == "counterfactual"
            else ["resid", "attn", "mlp"]
        )
        for sweep in sweeps:

            def tl(sweep=sweep, prep=prep, clean_cache=clean_cache, metric=metric) -> torch.Tensor:
                with torch.no_grad(), model.hooks(fwd_hooks=prep.fwd_hooks()):
                    return tl_fns[sweep](model, prep.corrupted_tokens, clean_cache, metric)

            ours = run_sweep(prep, sweep)
            diff = float((torch.tensor(ours.values) - tl().float()).abs().max())
            tl_ms = _median_ms(tl, args.repeats)
            ours_ms = _median_ms(lambda s=sweep, p=prep: run_sweep(p, s), args.repeats)
            rows.append(
                (
                    exp_name,
                    f"{sweep} layer×pos" if sweep != "heads" else "heads",
                    tl_ms,
                    ours_ms,
                    diff,
                )
            )
        bar_ms = _median_ms(
            lambda p=prep: run_sweep(p, "resid", positions=[p.n_pos - 1]), args.repeats
        )
        rows.append((exp_name, "one layer-bar sweep", float("nan"), bar_ms, float("nan")))

    print(f"model: {label}; device {args.device}; torch threads {torch.get_num_threads()}")
    print(f"median of {args.repeats} runs after a warm-up; TransformerLens run under no_grad\n")
    header = f"{'corruption':<15} {'sweep':<20} {'TransformerLens':>16} {'mitutor':>10} {'speed-up':>9} {'max |diff|':>11}"
    print(header)
    print("-" * len(header))
    for exp_name, sweep, tl_ms, ours_ms, diff in rows:
        tl_txt = "—" if tl_ms != tl_ms else f"{tl_ms:.0f} ms"
        ratio = "—" if tl_ms != tl_ms else f"{tl_ms / ours_ms:.1f}×"
        diff_txt = "—" if diff != diff else f"{diff:.1e}"
        print(
            f"{exp_name:<15} {sweep:<20} {tl_txt:>16} {ours_ms:>7.1f} ms {ratio:>9} {diff_txt:>11}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

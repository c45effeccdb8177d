"""Activation patching speed: mitutor's engine vs TransformerLens's ``patching`` module.

Runs both on the same model, prompts and metric in one process, checks they agree, and
prints one table: median times and their ratio, max |diff| as a fraction of the metric's
range, peak extra memory of each, and each sweep's FLOP/s as a fraction of a plain
``torch.matmul`` measured in the same run.

Models: tutor-gpt when shipped (else a random GPT-2 of its shape), any local HF directory
(``--model``), or ``--scale NAME``: a random-initialised model built in a temp dir, loaded
through mitutor's own loader (TransformerBridge, compatibility mode), with tutor-gpt's
tokenizer:

- ``gpt2-small``: GPT-2 small's shape (12 layers, d_model 768, 12 heads, d_mlp 3072);
- ``llama-small``: a Llama of the same size (rotary, RMSNorm, gated MLP), where the engine
  takes its full-forward path.

Sweeps: resid / attn / mlp layer × position and heads, with a counterfactual prompt and
with noise on the subject (``--samples`` draws, default 10), and attribution patching
(timed against TransformerLens's exact resid sweep, which it estimates; it is an
approximation, so no max |diff| is shown for it).

Definitions. *max |diff| / range*: the largest difference between the two grids divided by
the metric's range (clean − corrupted, or the grid's spread if larger). *peak MiB*: the
largest resident-memory growth while one run of the sweep goes (sampled every 2 ms, after
``malloc_trim``), or ``torch.cuda.max_memory_allocated`` on CUDA. *FLOP/s*: the matrix
FLOPs the engine executes (counted by ``torch.utils.flop_counter``) per second, divided by
``torch.matmul``'s FLOP/s on a 2048² float32 product measured just before and after that
sweep's timing (the better of the two). *FLOPs ÷*: TransformerLens's matrix FLOPs (one
forward pass of the corrupted batch per cell) divided by the engine's: the speed-up the
engine would have if both ran at the same FLOP/s — where it is below a goal, the remaining
gap is work that exact patching cannot skip, not overhead.

    python benchmarks/patching.py [--scale gpt2-small|llama-small] [--model PATH]
        [--samples 10] [--repeats 5] [--device cpu] [--threads N] [--sweeps resid,heads,...]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # TransformerLens's sweeps draw progress bars
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SCALES = ("gpt2-small", "llama-small")
ALL_ROWS = ("resid", "attn", "mlp", "heads", "attribution")


def build_scale_model(scale: str, root: Path) -> Path:
    """A random-initialised HF model directory of the named shape, with tutor-gpt's tokenizer."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    from tutor.paths import BUNDLED_MODEL_DIR

    torch.manual_seed(0)
    vocab = int(json.loads((BUNDLED_MODEL_DIR / "config.json").read_text())["vocab_size"])
    path = root / scale
    path.mkdir(parents=True, exist_ok=True)
    if scale == "gpt2-small":
        cfg = GPT2Config(
            vocab_size=vocab,
            n_positions=128,
            n_embd=768,
            n_layer=12,
            n_head=12,
            bos_token_id=0,
            eos_token_id=0,
            pad_token_id=0,
        )
        model = GPT2LMHeadModel(cfg)
    elif scale == "llama-small":
        cfg = LlamaConfig(
            vocab_size=vocab,
            hidden_size=768,
            intermediate_size=2048,  # gated: 3 × 768 × 2048 ≈ GPT-2's 2 × 768 × 3072
            num_hidden_layers=12,
            num_attention_heads=12,
            num_key_value_heads=12,
            max_position_embeddings=128,
            bos_token_id=0,
            eos_token_id=0,
            pad_token_id=0,
            tie_word_embeddings=False,
        )
        model = LlamaForCausalLM(cfg)
    else:
        raise SystemExit(f"--scale {scale}: unknown (known: {', '.join(SCALES)})")
    model.save_pretrained(path)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(BUNDLED_MODEL_DIR / name, path / name)
    return path


def _stand_in_model(root: Path) -> str:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import make_tiny_model_dir

    path = root / "gpt2-12x128"
    make_tiny_model_dir(path, n_layer=12, n_embd=128, n_head=4)
    return str(path)


# ----- measuring ------------------------------------------------------------------------


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def log(row: dict[str, object]) -> None:
    """One finished row on stderr, so a long run shows where it is."""
    print(
        "  done:",
        {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()},
        file=sys.stderr,
        flush=True,
    )


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _trim() -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def timed(fn: Callable[[], object], repeats: int, device: str) -> tuple[float, float]:
    """Median ms of ``repeats`` calls of ``fn`` (already warmed up), and their peak extra
    memory in MiB (see the module docstring)."""
    import gc

    import torch

    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        ms = _median_ms(fn, repeats)
        return ms, (torch.cuda.max_memory_allocated() - base) / 2**20
    _trim()
    base = _rss_bytes()
    peak = base
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_bytes())
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        ms = _median_ms(fn, repeats)
    finally:
        done.set()
        thread.join()
    peak = max(peak, _rss_bytes())
    return ms, (peak - base) / 2**20


def matmul_flops_per_s(device: str, repeats: int) -> float:
    """``torch.matmul`` FLOP/s on a 2048² float32 product (median of ``repeats``)."""
    import torch

    n = 2048
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)

    def once() -> None:
        torch.matmul(a, b)
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    once()
    ms = _median_ms(once, max(3, repeats))
    return 2 * n**3 / (ms / 1000)


def counted_flops(fn: Callable[[], object]) -> int:
    """Matrix FLOPs ``fn`` executes (mm, addmm, bmm, attention), by torch's FLOP counter."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


# ----- the benchmark --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: tutor-gpt if shipped")
    parser.add_argument("--scale", choices=SCALES, help="a random model of this shape instead")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=10, help="noise samples (default 10)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument(
        "--sweeps",
        default=",".join(ALL_ROWS),
        help=f"comma-separated subset of {','.join(ALL_ROWS)}",
    )
    parser.add_argument(
        "--tl-repeats", type=int, default=1, help="timed TransformerLens runs (default 1: slow)"
    )
    parser.add_argument(
        "--corruptions", default="counterfactual,noise", help="counterfactual and/or noise"
    )
    parser.add_argument("--no-tl", action="store_true", help="time mitutor only (no reference)")
    args = parser.parse_args(argv)
    wanted = [s for s in args.sweeps.split(",") if s]
    for s in wanted:
        if s not in ALL_ROWS:
            parser.error(f"--sweeps: unknown {s!r} (known: {', '.join(ALL_ROWS)})")

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from transformer_lens import patching as tlp

    from tutor.labs.patching.attribution import attribution_grid
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

    tmp = Path(tempfile.mkdtemp(prefix="mitutor-bench-"))
    try:
        if args.scale:
            name = str(build_scale_model(args.scale, tmp))
            label = f"random {args.scale} (built in {name})"
        elif args.model:
            name, label = args.model, args.model
        elif (BUNDLED_MODEL_DIR / "config.json").is_file():
            name, label = "tutor-gpt", "tutor-gpt"
        else:
            name = _stand_in_model(tmp)
            label = f"random GPT-2 12×128 stand-in ({name})"
        t0 = time.perf_counter()
        model = load_model(name, args.device)
        load_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the loaded model no longer needs its files
    device = str(model.cfg.device)
    first_peak = matmul_flops_per_s(device, args.repeats)

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
        f"noise ×{args.samples}": Experiment(corruption=NoiseCorruption(samples=args.samples)),
    }
    tl_fns = {
        "resid": tlp.get_act_patch_resid_pre,
        "attn": tlp.get_act_patch_attn_out,
        "mlp": tlp.get_act_patch_mlp_out,
        "heads": tlp.get_act_patch_attn_head_out_all_pos,
    }

    def sync() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    kinds = args.corruptions.split(",")
    experiments = {k: v for k, v in experiments.items() if k.split()[0] in kinds}
    rows: list[dict[str, object]] = []
    strategy = ""
    for exp_name, experiment in experiments.items():
        prep = prepare(model, experiment, name)
        _, clean_cache = model.run_with_cache(prep.tokens)

        def metric(logits: torch.Tensor, prep=prep) -> torch.Tensor:
            return metric_values(logits, prep.metric, prep.answer_id, prep.wrong_id).mean()

        def tl_sweep(sweep: str, prep=prep, clean_cache=clean_cache, metric=metric):
            with torch.no_grad(), model.hooks(fwd_hooks=prep.fwd_hooks()):
                grid = tl_fns[sweep](model, prep.corrupted_tokens, clean_cache, metric)
            sync()
            return grid

        span = abs(prep.clean_value - prep.corrupted_value)
        for sweep in wanted:
            is_attr = sweep == "attribution"

            def ours(sweep=sweep, prep=prep, is_attr=is_attr) -> object:
                with torch.no_grad():
                    out = (
                        attribution_grid(prep, "resid")
                        if is_attr
                        else run_sweep(prep, sweep, strategy="auto")
                    )
                sync()
                return out

            first = ours()  # warm-up, and the one-time checks, kept out of the timing
            # matmul's FLOP/s right beside the timing, so load changes hit both alike
            peak = matmul_flops_per_s(device, 3)
            ours_ms, ours_mib = timed(ours, args.repeats, device)
            peak = max(peak, matmul_flops_per_s(device, 3))
            flops = counted_flops(ours)
            row: dict[str, object] = {
                "corruption": exp_name,
                "sweep": "attribution (resid)" if is_attr else sweep,
                "ours_ms": ours_ms,
                "ours_mib": ours_mib,
                "flop_frac": flops / (ours_ms / 1000) / peak,
            }
            if not args.no_tl:
                ref_sweep = "resid" if is_attr else sweep
                ref = tl_sweep(ref_sweep).float()  # also TransformerLens's warm-up
                row["tl_ms"], row["tl_mib"] = timed(
                    lambda s=ref_sweep: tl_sweep(s), args.tl_repeats, device
                )
                # TransformerLens runs one whole forward pass of the corrupted batch per cell
                with torch.no_grad(), model.hooks(fwd_hooks=prep.fwd_hooks()):
                    one_pass = counted_flops(lambda prep=prep: model(prep.corrupted_tokens))
                row["flop_ratio"] = one_pass * ref.numel() / max(flops, 1)
                if not is_attr:
                    values = torch.tensor(first.values)  # type: ignore[attr-defined]
                    scale = max(span, float(ref.max() - ref.min()), 1e-12)
                    row["diff"] = float((values - ref.cpu()).abs().max()) / scale
            log(row)
            rows.append(row)
        if not strategy and prep.suffix_runner:
            strategy = "suffix runs (GPT-2 or Llama blocks on cached K/V)"
        elif not strategy and prep.suffix_runner is False:
            from tutor.labs.patching.engine import can_resume

            strategy = "resumed blocks" if can_resume(prep) else "full forward passes (fallback)"

    print(f"model: {label}; loaded in {load_s:.1f} s; device {device}; ")
    print(
        f"torch threads {torch.get_num_threads()}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; engine path for position sweeps: "
        f"{strategy or 'n/a'}"
    )
    print(
        f"torch.matmul 2048² float32 at the start: {first_peak / 1e9:.1f} GFLOP/s; mitutor: median of "
        f"{args.repeats} runs, TransformerLens: of {args.tl_repeats}, each after a warm-up; "
        "TransformerLens run under no_grad\n"
    )
    header = (
        f"{'corruption':<15} {'sweep':<20} {'TL ms':>9} {'mitutor ms':>10} {'speed-up':>8} "
        f"{'|diff|/range':>12} {'TL MiB':>7} {'our MiB':>7} {'FLOP/s':>7} {'FLOPs ÷':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        tl_ms = r.get("tl_ms")
        ours_ms = float(r["ours_ms"])  # type: ignore[arg-type]
        tl_txt = "—" if tl_ms is None else f"{tl_ms:.0f}"
        ratio = "—" if tl_ms is None else f"{float(tl_ms) / ours_ms:.1f}×"  # type: ignore[arg-type]
        diff = r.get("diff")
        diff_txt = "—" if diff is None else f"{diff:.1e}"
        tl_mib = r.get("tl_mib")
        tl_mib_txt = "—" if tl_mib is None else f"{tl_mib:.0f}"
        print(
            f"{r['corruption']:<15} {r['sweep']:<20} {tl_txt:>9} {ours_ms:>10.1f} {ratio:>8} "
            f"{diff_txt:>12} {tl_mib_txt:>7} {float(r['ours_mib']):>7.0f} "  # type: ignore[arg-type]
            f"{float(r['flop_frac']):>6.0%} "  # type: ignore[arg-type]
            f"{'—' if r.get('flop_ratio') is None else format(r['flop_ratio'], '.1f') + '×':>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SAE training speed, measured side by side in one run.

1. Achieved GFLOP/s of one training step (hand-written forward + backward, Adam, decoder
   renormalisation; metrics off, as on 9 steps in 10) next to plain ``torch.matmul`` on the
   same five matmul shapes, and their
   ratio (target ≥ 50%). FLOPs counted: the five [batch × d_in × d_sae] matmuls, 2·B·d·D each.
2. The default SAE (preset ``default``: ReLU + L1, 32× expansion, middle layer) on tutor-gpt
   from a fresh data directory, each stage timed: import + model load, activation
   collection, training, evaluation (CE-loss recovered included), feature indexing; with
   FVU, L0, dead fraction and CE-loss recovered on held-out text (goals: ≤ 30 s in all,
   FVU ≤ 0.10, L0 ≤ 40, dead ≤ 20%).

    python benchmarks/sae.py [--model tutor-gpt] [--device cpu] [--skip-train] [--skip-step]
                              [--batch 1024] [--kind topk]
"""

from __future__ import annotations

import argparse
import time

import torch


def _time(fn, repeats: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def step_vs_matmul(d_in: int, d_sae: int, batch: int, kind: str, repeats: int) -> None:
    from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
    from tutor.labs.sae.training import step_gradients

    torch.manual_seed(0)
    sae = SparseAutoencoder(SAEConfig(kind, d_in, d_sae, k=32 if kind == "topk" else None))
    params = [sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec]
    opt = torch.optim.Adam(params, lr=1e-4)
    x = torch.randn(batch, d_in)

    def train_step() -> None:
        out = step_gradients(sae, x, 1e-3, measure=False)
        for p, name in zip(params, ("W_enc", "b_enc", "W_dec", "b_dec"), strict=True):
            p.grad = out.grads[name]
        opt.step()
        sae.normalize_decoder_()

    a_bd, w_dD = torch.randn(batch, d_in), torch.randn(d_in, d_sae)
    a_bD, w_Dd = torch.randn(batch, d_sae), torch.randn(d_sae, d_in)
    shapes = [(a_bd, w_dD), (a_bD, w_Dd), (a_bD.T, a_bd), (a_bd, w_Dd.T), (a_bd.T, a_bD)]

    def matmuls() -> None:
        for a, b in shapes:
            torch.matmul(a, b)

    flops = 5 * 2 * batch * d_in * d_sae
    t_step = _time(train_step, repeats)
    t_mm = _time(matmuls, repeats)
    step_gf, mm_gf = flops / t_step / 1e9, flops / t_mm / 1e9
    print(
        f"\nTraining step vs plain matmul ({kind}, batch {batch}, d_in {d_in}, d_sae {d_sae}, "
        f"{torch.get_num_threads()} threads)"
    )
    print(f"{'':24}{'ms':>10}{'GFLOP/s':>10}")
    print(f"{'training step':24}{t_step * 1e3:10.1f}{step_gf:10.1f}")
    print(f"{'5 × torch.matmul':24}{t_mm * 1e3:10.1f}{mm_gf:10.1f}")
    print(f"{'ratio (target ≥ 50%)':24}{'':10}{step_gf / mm_gf:10.0%}")


def train_default(model_name: str, device: str, kind: str | None) -> None:
    """The default SAE end to end on a fresh data directory, each stage timed on its own."""
    import os
    import tempfile

    os.environ["MITUTOR_HOME"] = tempfile.mkdtemp(prefix="mitutor-sae-bench-")  # no cache
    t0 = time.perf_counter()
    from tutor.labs.sae import activations as act_mod
    from tutor.labs.sae import pipeline
    from tutor.labs.sae.experiment import params_for_preset
    from tutor.labs.sae.features import FeatureIndex, token_decoder
    from tutor.labs.sae.training import train_sae
    from tutor.model.loader import ModelLoadError, load_model

    try:
        model = load_model(model_name, device)
    except ModelLoadError as exc:
        print(f"\n(skipping the default-SAE timing: {exc})")
        return
    t_load = time.perf_counter() - t0
    params = params_for_preset("topk" if kind == "topk" else "default")
    if kind:
        params = params.model_copy(update={"kind": kind})
    cfg = params.train_config()
    layer = int(model.cfg.n_layers) // 2
    t0 = time.perf_counter()
    acts = act_mod.load_or_collect(model, model_name, params.site, layer, params.tokens)
    t_collect = time.perf_counter() - t0
    result = train_sae(acts.acts, cfg, model_name=model_name, hook_name=acts.hook_name, layer=layer)
    t0 = time.perf_counter()
    metrics = pipeline.evaluate_on_model(model, result.sae, n_tokens=params.eval_tokens)
    t_eval = time.perf_counter() - t0
    t0 = time.perf_counter()
    FeatureIndex(result.sae, acts, token_decoder(model), max_tokens=params.index_tokens)
    t_index = time.perf_counter() - t0
    total = t_load + t_collect + result.seconds + t_eval + t_index
    print(
        f"\nDefault SAE on {model_name}: {cfg.kind}, layer {layer} resid_pre, "
        f"{result.sae.d_sae} features ({cfg.expansion}×), {cfg.steps} steps × {cfg.batch_size}, "
        f"{acts.acts.shape[0]:,} training tokens, {torch.get_num_threads()} threads"
    )
    rows = [
        ("tutor imports + load model", f"{t_load:.1f} s"),
        ("collect activations (fresh dir)", f"{t_collect:.1f} s"),
        ("train", f"{result.seconds:.1f} s"),
        ("evaluate (CE-loss included)", f"{t_eval:.1f} s"),
        ("index features", f"{t_index:.1f} s"),
        ("total (goal ≤ 30 s)", f"{total:.1f} s"),
        ("FVU (goal ≤ 0.10)", f"{metrics.fvu:.3f}"),
        ("L0 (goal ≤ 40)", f"{metrics.l0:.1f}"),
        ("explained variance", f"{metrics.explained_variance:.3f}"),
        ("dead fraction (goal ≤ 20%)", f"{metrics.dead_fraction:.1%}"),
        ("dense fraction (> 10%)", f"{metrics.dense_fraction:.1%}"),
        (
            "CE clean / SAE / zero",
            f"{metrics.ce_loss_clean:.3f} / {metrics.ce_loss_sae:.3f} / {metrics.ce_loss_zero:.3f}",
        ),
        ("CE-loss recovered", f"{metrics.ce_loss_recovered:.3f}"),
    ]
    for name, value in rows:
        print(f"{name:34}{value:>24}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="tutor-gpt")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--kind", choices=("relu", "topk"))
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--skip-step", action="store_true", help="no step-vs-matmul table")
    parser.add_argument("--batch", type=int, default=1024, help="batch of the step table")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for kind in () if args.skip_step else ("relu", "topk"):
        step_vs_matmul(128, 4096, args.batch, kind, args.repeats)
    if not args.skip_train:
        train_default(args.model, args.device, args.kind)


if __name__ == "__main__":
    main()

"""Training an SAE on a tensor of activations, fast enough to watch live on a laptop CPU.

The step computes its gradients by hand (five matmuls of the same size and a few passes over
the [batch, d_sae] activations) instead of going through autograd: fewer temporaries, and the
b_dec gradient through the encoder collapses to a vector–matrix product. ``step_gradients``
is checked against autograd in the tests.

Activations are scaled so that E‖x‖² = d_in while training: a typical coordinate has size 1,
and λ means the same thing at every layer and for every model. The scale is folded into the
biases at the end, so the saved SAE reads raw activations and its decoder rows stay
unit-norm. Why d_in and not 1: Adam moves every parameter by about the learning rate per
step whatever the gradient's size, so with E‖x‖² = 1 (pre-activations around 0.1) the L1
term drove the encoder bias of any rarely useful feature below its whole input range within
a hundred steps; on tutor-gpt 88% of the features died, against 15% at this scale.

Loss (ReLU kind): mean over the batch of ‖x̂ − x‖² + λ·‖f‖₁. TopK has no penalty.
λ warms up linearly over the first 5% of steps; the learning rate decays linearly to zero
over the last 20%. A feature is *dead* when it has not fired on the last ``dead_window``
training tokens; with ``resample_dead`` dead features are re-initialised towards inputs the
SAE reconstructs badly (Anthropic, "Towards Monosemanticity", 2023).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.config import TrainConfig


@dataclass
class TrainProgress:
    """One point on the live plot (metrics on the current batch, in training units)."""

    step: int
    steps: int
    loss: float
    mse: float
    l0: float
    fvu: float
    dead_fraction: float
    seconds: float


@dataclass
class TrainResult:
    sae: SparseAutoencoder
    history: list[TrainProgress] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0
    input_scale: float = 1.0
    resampled: int = 0


@dataclass
class StepOutput:
    """What one forward/backward pass produced: losses, the gradients, and which features fired."""

    loss: float
    mse: float
    l0: float
    fvu: float
    fired: torch.Tensor
    grads: dict[str, torch.Tensor]
    per_token_error: torch.Tensor


def step_gradients(
    sae: SparseAutoencoder, x: torch.Tensor, l1: float, measure: bool = True
) -> StepOutput:
    """Loss and hand-computed gradients of mean‖x̂ − x‖² + λ·mean‖f‖₁ for one batch.

    With ``measure=False`` the loss, L0 and FVU are not computed (they are NaN): each of
    them is another pass over a [batch, d_sae] array, and the training loop only needs them
    when it reports progress.
    """
    W_enc, b_enc, W_dec, b_dec = sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec
    n = x.shape[0]
    nan = float("nan")
    loss = mse = l0 = fvu = nan
    with torch.no_grad():
        xc = x - b_dec
        pre = torch.addmm(b_enc, xc, W_enc)
        if sae.cfg.kind == "relu":
            f = pre.relu_()
        else:
            assert sae.cfg.k is not None
            values, indices = pre.topk(sae.cfg.k, dim=1, sorted=False)
            values = values.relu_()
            f = pre.zero_().scatter_(1, indices, values)
        x_hat = torch.addmm(b_dec, f, W_dec)
        err = x_hat.sub_(x)
        per_token_error = err.pow(2).sum(1)
        if measure:
            sq = float(per_token_error.sum())
            l1_sum = float(f.sum()) / n if sae.cfg.kind == "relu" else 0.0
            mse = sq / n
            loss = mse + l1 * l1_sum
            l0 = float((f > 0).sum()) / n
            fvu = sq / max(float((x - x.mean(0)).pow(2).sum()), 1e-12)

        g_xhat = err.mul_(2.0 / n)
        grad_W_dec = f.T @ g_xhat
        grad_b_dec = g_xhat.sum(0)
        if sae.cfg.kind == "relu":
            # dL/df = g_xhat·W_decᵀ + λ/n in one addmm, then ReLU's backward in one fused pass.
            l1_row = torch.full((sae.d_sae,), l1 / n, dtype=x.dtype)
            g_pre = torch.addmm(l1_row, g_xhat, W_dec.T)
            g_pre = torch.ops.aten.threshold_backward(g_pre, f, 0.0)
        else:
            g_f = g_xhat @ W_dec.T
            picked = g_f.gather(1, indices).mul_(values > 0)
            g_pre = g_f.zero_().scatter_(1, indices, picked)
        grad_W_enc = xc.T @ g_pre
        grad_b_enc = g_pre.sum(0)
        # The encoder sees (x − b_dec): its b_dec gradient is −Σ_b g_pre·W_encᵀ.
        grad_b_dec -= grad_b_enc @ W_enc.T
        if sae.cfg.kind == "relu":
            # A feature that fired somewhere has a non-zero b_enc gradient (an exact zero
            # sum has probability zero); one that never fired has exactly zero. This saves a
            # full pass over f.
            fired = grad_b_enc != 0
        else:
            fired = torch.zeros(sae.d_sae, dtype=torch.bool)
            fired[indices[values > 0]] = True
    return StepOutput(
        loss=loss,
        mse=mse,
        l0=l0,
        fvu=fvu,
        fired=fired,
        grads={"W_enc": grad_W_enc, "b_enc": grad_b_enc, "W_dec": grad_W_dec, "b_dec": grad_b_dec},
        per_token_error=per_token_error,
    )


def input_scale(acts: torch.Tensor, sample: int = 65536, seed: int = 0) -> float:
    """The factor s with E‖s·x‖² = d_in (x's width), estimated on a sample of the rows."""
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, acts.shape[0], (min(sample, acts.shape[0]),), generator=gen)
    mean_sq = acts[idx].float().pow(2).sum(1).mean().item()
    return math.sqrt(acts.shape[1] / max(mean_sq, 1e-12))


def _lr_factor(step: int, steps: int) -> float:
    decay_start = int(0.8 * steps)
    if step < decay_start:
        return 1.0
    return max(0.0, (steps - step) / max(1, steps - decay_start))


@torch.no_grad()
def _resample(
    sae: SparseAutoencoder,
    opt: torch.optim.Adam,
    dead: torch.Tensor,
    x: torch.Tensor,
    per_token_error: torch.Tensor,
    gen: torch.Generator,
) -> int:
    """Point dead features at badly reconstructed inputs; reset their optimiser state."""
    dead_idx = dead.nonzero().squeeze(1)
    if dead_idx.numel() == 0:
        return 0
    probs = per_token_error.clamp_min(0) + 1e-12
    rows = torch.multinomial(probs, dead_idx.numel(), replacement=True, generator=gen)
    directions = x[rows] - sae.b_dec
    directions /= directions.norm(dim=1, keepdim=True).clamp_min(1e-8)
    alive = ~dead
    enc_norm = sae.W_enc[:, alive].norm(dim=0).mean() if alive.any() else torch.tensor(1.0)
    sae.W_dec[dead_idx] = directions
    sae.W_enc[:, dead_idx] = directions.T * (0.2 * enc_norm)
    sae.b_enc[dead_idx] = 0.0
    for p in (sae.W_dec, sae.W_enc, sae.b_enc):
        state = opt.state.get(p)
        if not state:
            continue
        for key in ("exp_avg", "exp_avg_sq"):
            if p is sae.W_enc:
                state[key][:, dead_idx] = 0.0
            else:
                state[key][dead_idx] = 0.0
    return int(dead_idx.numel())


def train_sae(
    acts: torch.Tensor,
    cfg: TrainConfig,
    *,
    model_name: str = "",
    hook_name: str = "",
    layer: int | None = None,
    on_progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress_every: int = 10,
) -> TrainResult:
    """Train an SAE on ``acts`` [n_tokens, d_in]; returns it ready for raw activations.

    ``on_progress`` is called every ``progress_every`` steps and at the end; ``should_stop``
    is polled every step and ends training early (the result says ``cancelled``).
    """
    if acts.ndim != 2 or acts.shape[0] < 2:
        raise ValueError(f"activations: expected [n_tokens ≥ 2, d_in], got {list(acts.shape)}")
    torch.manual_seed(cfg.seed)
    d_in = acts.shape[1]
    sae_cfg = SAEConfig(
        kind=cfg.kind,  # type: ignore[arg-type]
        d_in=d_in,
        d_sae=cfg.expansion * d_in,
        k=min(cfg.k, cfg.expansion * d_in) if cfg.kind == "topk" else None,
        model_name=model_name,
        hook_name=hook_name,
        layer=layer,
        extra={"training": cfg.to_dict()},
    )
    sae = SparseAutoencoder(sae_cfg, seed=cfg.seed)
    scale = input_scale(acts, seed=cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    n = acts.shape[0]
    batch = min(cfg.batch_size, n)
    with torch.no_grad():
        probe = acts[torch.randint(0, n, (min(n, 16384),), generator=gen)].float() * scale
        # Start b_dec at the mean, the best constant reconstruction (Bricken et al. use the median).
        sae.b_dec.copy_(probe.mean(0))
    params = [sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec]
    opt = torch.optim.Adam(params, lr=cfg.lr, betas=(0.9, 0.999))
    names = ("W_enc", "b_enc", "W_dec", "b_dec")
    tokens_since_fired = torch.zeros(sae_cfg.d_sae, dtype=torch.long)
    resample_steps = {int(cfg.steps * f) for f in (0.2, 0.4, 0.6)} if cfg.resample_dead else set()
    warmup = max(1, int(0.05 * cfg.steps))
    result = TrainResult(sae=sae, input_scale=scale)
    start = time.perf_counter()
    order = torch.randperm(n, generator=gen)
    cursor = 0
    out: StepOutput | None = None
    for step in range(1, cfg.steps + 1):
        if should_stop is not None and should_stop():
            result.cancelled = True
            break
        if cursor + batch > n:
            order = torch.randperm(n, generator=gen)
            cursor = 0
        x = acts[order[cursor : cursor + batch]].float().mul_(scale)
        cursor += batch
        l1 = cfg.l1_coefficient * min(1.0, step / warmup)
        report = step % progress_every == 0 or step == cfg.steps
        out = step_gradients(sae, x, l1, measure=report)
        for name, p in zip(names, params, strict=True):
            p.grad = out.grads[name]
        for group in opt.param_groups:
            group["lr"] = cfg.lr * _lr_factor(step, cfg.steps)
        opt.step()
        sae.normalize_decoder_()
        tokens_since_fired += batch
        tokens_since_fired[out.fired] = 0
        if step in resample_steps:
            dead = tokens_since_fired >= cfg.dead_window
            result.resampled += _resample(sae, opt, dead, x, out.per_token_error, gen)
            tokens_since_fired[dead] = 0
        if report:
            point = _progress(step, cfg, out, tokens_since_fired, start)
            result.history.append(point)
            if on_progress is not None:
                on_progress(point)
    for p in params:
        p.grad = None
    result.seconds = time.perf_counter() - start
    sae.fold_input_scale_(scale)
    sae.cfg.extra["input_scale"] = scale
    return result


def _progress(
    step: int, cfg: TrainConfig, out: StepOutput, since: torch.Tensor, start: float
) -> TrainProgress:
    return TrainProgress(
        step=step,
        steps=cfg.steps,
        loss=out.loss,
        mse=out.mse,
        l0=out.l0,
        fvu=out.fvu,
        dead_fraction=float((since >= cfg.dead_window).float().mean()),
        seconds=time.perf_counter() - start,
    )

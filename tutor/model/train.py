"""Training tutor-gpt: a GPT-2 (Hugging Face) trained from scratch on the generated world corpus.

``train(TrainConfig(...))`` builds the tokenizer, packs seeded corpus documents into
fixed-length sequences (each starting with BOS, documents separated by BOS), trains with
AdamW and a warmup + cosine schedule, logs the loss, the repeated-sequence losses (the
induction "bump") and the best induction / previous-token head scores on the same repeated
sequences to ``training_log.csv``, and saves an HF directory. The logging passes are
eval-only forward passes with no randomness, so they do not change the trained weights. Deterministic given
the seed, the thread count and the device, unless the ``minutes`` budget binds: then the
schedule follows the clock (so the run still ends annealed) and the log shows it.
"""

from __future__ import annotations

import csv
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.model.head_scores import best_head, hf_layer_scores
from tutor.model.world import corpus_documents, repeated_sequence

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerFast

LOG_FIELDS = (
    "step",
    "tokens",
    "loss",
    "repeat_loss_first_half",
    "repeat_loss_second_half",
    "lr",
    "progress",
    "elapsed_s",
    # The best head by each score on the repeated sequences (the induction bump's other half).
    "best_induction_score",
    "best_induction_layer",
    "best_induction_head",
    "best_prev_token_score",
    "best_prev_token_layer",
    "best_prev_token_head",
)
REPEAT_EVAL_LEN = 20  # words in each half of the repeated sequences used for the log


@dataclass
class TrainConfig:
    """Everything that decides a training run (saved next to the checkpoint)."""

    out: Path
    n_layer: int = 12
    d_model: int = 128
    n_head: int = 4
    n_ctx: int = 128
    batch_size: int = 16
    steps: int = 5600
    minutes: float | None = None  # wall-clock budget; the schedule speeds up if it would run over
    lr: float = 3e-3
    warmup: int = 60
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.05
    seed: int = 0
    log_every: int = 50
    save_every: int = 0  # also save the checkpoint every N steps (0: only at the end)
    threads: int = 2
    device: str = "cpu"
    # A smaller corpus, for tests: only these subjects' facts, and another document mix.
    subjects: tuple[str, ...] | None = None
    mix: dict[str, float] | None = None
    # Continue from an earlier checkpoint (a second stage) instead of fresh weights.
    init_from: Path | None = None


@dataclass
class TrainResult:
    out: Path
    steps_done: int
    tokens_seen: int
    seconds: float
    final_loss: float
    log: list[dict[str, float]]


def pack_documents(
    docs_ids: list[list[int]], n_ctx: int, bos_id: int
) -> tuple[list[list[int]], list[list[int]]]:
    """Pack token lists into rows of ``n_ctx``: BOS, doc, BOS, doc, ...; pad with BOS.

    Returns (rows, labels) where padded positions have label -100 (no loss).
    """
    rows: list[list[int]] = []
    labels: list[list[int]] = []
    row = [bos_id]
    for ids in docs_ids:
        ids = ids[: n_ctx - 1]
        if len(row) + len(ids) > n_ctx:
            pad = n_ctx - len(row)
            labels.append(row + [-100] * pad)
            rows.append(row + [bos_id] * pad)
            row = [bos_id]
        row += ids
        if len(row) < n_ctx:
            row.append(bos_id)
    if len(row) > 1:
        pad = n_ctx - len(row)
        labels.append(row + [-100] * pad)
        rows.append(row + [bos_id] * pad)
    return rows, labels


def build_dataset(
    tokenizer: PreTrainedTokenizerFast, cfg: TrainConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """Enough packed rows for ``cfg.steps`` batches, from ``corpus_documents(seed=cfg.seed)``."""
    import torch

    needed = cfg.steps * cfg.batch_size
    rows: list[list[int]] = []
    labels: list[list[int]] = []
    chunk = 0
    # Roughly one document per 15 tokens; chunks cap the memory used by tokenization.
    per_chunk = max(500, min(20_000, needed * cfg.n_ctx // 15))
    while len(rows) < needed:
        # Each chunk has its own seed; the data depend only on the config.
        docs = corpus_documents(
            per_chunk, seed=cfg.seed * 1_000_003 + chunk, subjects=cfg.subjects, mix=cfg.mix
        )
        ids = tokenizer(docs, add_special_tokens=False)["input_ids"]
        r, lab = pack_documents(ids, cfg.n_ctx, tokenizer.bos_token_id)
        rows += r
        labels += lab
        chunk += 1
    return torch.tensor(rows[:needed]), torch.tensor(labels[:needed])


def repeat_eval_batch(
    tokenizer: PreTrainedTokenizerFast,
    n: int = 32,
    length: int = REPEAT_EVAL_LEN,
    seed: int = 12345,
) -> torch.Tensor:
    """BOS + ``length`` random words + the same words again, ``n`` rows."""
    import torch

    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        ids = tokenizer(repeated_sequence(rng, length), add_special_tokens=False)["input_ids"]
        rows.append([tokenizer.bos_token_id, *ids])
    return torch.tensor(rows)


def repeat_half_losses_from_logits(
    logits: torch.Tensor, tokens: torch.Tensor, length: int
) -> tuple[float, float]:
    """Mean next-token loss on the first copy and on the second copy (its first word excluded).

    ``tokens`` is BOS + ``length`` random words + the same words. The first copy is
    unpredictable; the second is predictable only by copying from the first, so the gap
    between the two losses measures in-context (induction) copying.
    """
    import torch.nn.functional as F

    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    nll = -logp.gather(-1, tokens[:, 1:, None])[..., 0]  # nll[:, i] is the loss on token i + 1
    # Skip the first word of each copy: nothing in the context predicts it.
    first = nll[:, 1:length].mean().item()
    second = nll[:, length + 1 :].mean().item()
    return first, second


def repeat_half_losses(model: Any, tokens: torch.Tensor, length: int) -> tuple[float, float]:
    """``repeat_half_losses_from_logits`` for a Hugging Face causal LM."""
    import torch

    with torch.no_grad():
        logits = model(tokens).logits
    return repeat_half_losses_from_logits(logits, tokens, length)


def schedule_progress(step: int, elapsed_s: float, cfg: TrainConfig) -> float:
    """How far through the run we are (0..1): by steps, or by the clock if that is further."""
    by_steps = step / cfg.steps
    if cfg.minutes is None:
        return by_steps
    return max(by_steps, elapsed_s / (cfg.minutes * 60))


def lr_at(step: int, progress: float, cfg: TrainConfig) -> float:
    """Linear warmup over ``cfg.warmup`` steps, then cosine decay to ``min_lr_ratio``."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    start = cfg.warmup / cfg.steps
    progress = (progress - start) / max(1e-9, 1 - start)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine)


def make_model(cfg: TrainConfig, vocab_size: int, bos_id: int) -> Any:
    """A fresh ``GPT2LMHeadModel`` with the configured shape (seeded)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(cfg.seed)
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=cfg.n_ctx,
        n_embd=cfg.d_model,
        n_layer=cfg.n_layer,
        n_head=cfg.n_head,
        n_inner=4 * cfg.d_model,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=bos_id,
        eos_token_id=bos_id,
        pad_token_id=bos_id,
    )
    return GPT2LMHeadModel(config)


def save_checkpoint(
    model: Any,
    tokenizer: PreTrainedTokenizerFast,
    cfg: TrainConfig,
    steps_done: int,
    seconds: float,
) -> None:
    """Write the HF directory (weights, config, tokenizer) and the recipe to ``cfg.out``."""
    model.eval()
    model.save_pretrained(cfg.out, safe_serialization=True)
    tokenizer.save_pretrained(cfg.out)
    # The generic class name loads with transformers 4.x as well as 5.x.
    tok_cfg_path = cfg.out / "tokenizer_config.json"
    tok_cfg = json.loads(tok_cfg_path.read_text())
    tok_cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    tok_cfg_path.write_text(json.dumps(tok_cfg, indent=2) + "\n")
    for path in cfg.out.iterdir():
        path.chmod(0o644)  # save_pretrained can leave weights readable by the owner only
    meta = asdict(cfg) | {
        "out": str(cfg.out),
        "steps_done": steps_done,
        "seconds": round(seconds, 1),
    }
    (cfg.out / "training_config.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")


def train(
    cfg: TrainConfig, progress: Callable[[dict[str, float]], None] | None = None
) -> TrainResult:
    """Train and save a model to ``cfg.out``; ``progress`` gets each log row as it is written."""
    import torch
    import torch.nn.functional as F
    import transformers

    from tutor.model.tokenizer import build_tokenizer

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    tokenizer = build_tokenizer()
    bos = tokenizer.bos_token_id
    if cfg.init_from is not None:
        from transformers import GPT2LMHeadModel

        model = GPT2LMHeadModel.from_pretrained(cfg.init_from)
        if model.config.vocab_size != len(tokenizer):
            raise ValueError(
                f"--init-from {cfg.init_from}: vocabulary of {model.config.vocab_size} tokens, "
                f"but the corpus tokenizer has {len(tokenizer)}"
            )
        cfg.n_layer, cfg.d_model = model.config.n_layer, model.config.n_embd
        cfg.n_head, cfg.n_ctx = model.config.n_head, model.config.n_positions
    else:
        model = make_model(cfg, len(tokenizer), bos)
    model = model.to(cfg.device)
    inputs, labels = build_dataset(tokenizer, cfg)
    repeat_len = min(REPEAT_EVAL_LEN, (cfg.n_ctx - 1) // 2)
    repeat_batch = repeat_eval_batch(tokenizer, length=repeat_len).to(cfg.device)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wpe" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wpe" not in n)]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=(0.9, 0.98),
    )
    cfg.out.mkdir(parents=True, exist_ok=True)
    log_path = cfg.out / "training_log.csv"
    log: list[dict[str, float]] = []
    start = time.perf_counter()
    running, running_n, step = 0.0, 0, 0
    with log_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LOG_FIELDS)
        writer.writeheader()
        for step in range(cfg.steps):
            progress_now = schedule_progress(step, time.perf_counter() - start, cfg)
            lr = lr_at(step, progress_now, cfg)
            for group in opt.param_groups:
                group["lr"] = lr
            lo = step * cfg.batch_size
            x = inputs[lo : lo + cfg.batch_size].to(cfg.device)
            y = labels[lo : lo + cfg.batch_size].to(cfg.device)
            model.train()
            logits = model(x).logits
            loss = F.cross_entropy(
                logits[:, :-1].reshape(-1, logits.shape[-1]),
                y[:, 1:].reshape(-1),
                ignore_index=-100,
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            running += loss.item()
            running_n += 1
            elapsed = time.perf_counter() - start
            last = step == cfg.steps - 1 or progress_now >= 1.0
            if (step + 1) % cfg.log_every == 0 or last or step == 0:
                model.eval()
                first, second = repeat_half_losses(model, repeat_batch, repeat_len)
                scores = hf_layer_scores(model, repeat_batch)
                ind_l, ind_h, ind_s = best_head(scores["induction"])
                prev_l, prev_h, prev_s = best_head(scores["previous_token"])
                row = {
                    "step": step + 1,
                    "tokens": (step + 1) * cfg.batch_size * cfg.n_ctx,
                    "loss": round(running / running_n, 4),
                    "repeat_loss_first_half": round(first, 4),
                    "repeat_loss_second_half": round(second, 4),
                    "lr": round(lr, 6),
                    "progress": round(progress_now, 4),
                    "elapsed_s": round(elapsed, 1),
                    "best_induction_score": round(ind_s, 4),
                    "best_induction_layer": ind_l,
                    "best_induction_head": ind_h,
                    "best_prev_token_score": round(prev_s, 4),
                    "best_prev_token_layer": prev_l,
                    "best_prev_token_head": prev_h,
                }
                writer.writerow(row)
                fh.flush()
                log.append(row)
                if progress:
                    progress(row)
                running, running_n = 0.0, 0
            if last:
                break
            if cfg.save_every and (step + 1) % cfg.save_every == 0:
                save_checkpoint(model, tokenizer, cfg, step + 1, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    save_checkpoint(model, tokenizer, cfg, step + 1, seconds)
    return TrainResult(
        out=cfg.out,
        steps_done=step + 1,
        tokens_seen=(step + 1) * cfg.batch_size * cfg.n_ctx,
        seconds=seconds,
        final_loss=log[-1]["loss"] if log else float("nan"),
        log=log,
    )

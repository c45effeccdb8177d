"""Reading the model: activations at the probed positions, and the task metric under a hook.

Prompts of different lengths run together, padded on the right: the model is causal, so
padding after a prompt cannot change any of its positions, and every read (the probed
positions, the final position for the metric) lies inside the prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from tutor.labs.probing.datasets import Example, Prompt
from tutor.labs.runner import LabInputError

SITES: dict[str, str] = {
    "resid_pre": "blocks.{layer}.hook_resid_pre",
    "attn_out": "blocks.{layer}.hook_attn_out",
    "mlp_out": "blocks.{layer}.hook_mlp_out",
}
BATCH = 128


def hook_name(site: str, layer: int) -> str:
    if site not in SITES:
        raise LabInputError("site", f"unknown site {site!r} (known: {', '.join(SITES)})")
    return SITES[site].format(layer=layer)


def tokenize(model: Any, prompts: Sequence[Prompt]) -> list[torch.Tensor]:
    """Each prompt's tokens (BOS first); ``LabInputError`` if one is longer than the context."""
    out = [model.to_tokens(p.text)[0] for p in prompts]
    n_ctx = model.cfg.n_ctx
    for p, t in zip(prompts, out, strict=True):
        if len(t) > n_ctx:
            raise LabInputError("property", f"prompt {p.text!r} is longer than {n_ctx} tokens")
    return out


def pad(tokens: Sequence[torch.Tensor]) -> torch.Tensor:
    width = max(len(t) for t in tokens)
    batch = torch.zeros(len(tokens), width, dtype=torch.long)
    for i, t in enumerate(tokens):
        batch[i, : len(t)] = t
    return batch


def answer_token(model: Any, word: str) -> int:
    """The first token of ``word`` as it follows a space (the model's next-token target)."""
    return int(model.to_tokens(" " + word, prepend_bos=False)[0, 0])


def collect(
    model: Any,
    tokens: Sequence[torch.Tensor],
    examples: Sequence[Example],
    site: str,
    progress: Callable[[float], None] | None = None,
) -> torch.Tensor:
    """Activations ``[n_layers, n_examples, d_model]`` at each example's prompt and position."""
    n_layers = model.cfg.n_layers
    names = [hook_name(site, layer) for layer in range(n_layers)]
    wanted = set(names)
    by_prompt: dict[int, list[int]] = {}
    for i, ex in enumerate(examples):
        by_prompt.setdefault(ex.prompt, []).append(i)
    prompt_ids = sorted(by_prompt)
    out = torch.zeros(n_layers, len(examples), model.cfg.d_model)
    for start in range(0, len(prompt_ids), BATCH):
        chunk = prompt_ids[start : start + BATCH]
        with torch.no_grad():
            _, cache = model.run_with_cache(
                pad([tokens[p] for p in chunk]), names_filter=lambda n: n in wanted
            )
        rows, cols, dest = [], [], []
        for row, p in enumerate(chunk):
            for i in by_prompt[p]:
                rows.append(row)
                cols.append(examples[i].position)
                dest.append(i)
        r, c, d = torch.tensor(rows), torch.tensor(cols), torch.tensor(dest)
        for layer, name in enumerate(names):
            out[layer, d] = cache[name][r, c].float().cpu()
        del cache
        if progress is not None:
            progress(min(1.0, (start + len(chunk)) / len(prompt_ids)))
    return out


def task_metric(
    model: Any,
    tokens: Sequence[torch.Tensor],
    prompts: Sequence[Prompt],
    hooks: list[tuple[str, Callable]] | None = None,
) -> list[float]:
    """Per prompt: P(answer) at the final position, or the logit difference answer − wrong
    when the prompt has a distractor (IOI). ``hooks`` run during the forward pass."""
    batch = pad(tokens)
    last = torch.tensor([len(t) - 1 for t in tokens])
    answers = torch.tensor([answer_token(model, p.answer) for p in prompts])
    with torch.no_grad():
        logits = model.run_with_hooks(batch, fwd_hooks=hooks or [])
        final = logits[torch.arange(len(tokens)), last].float().cpu()
    if all(p.wrong is not None for p in prompts):
        wrong = torch.tensor([answer_token(model, p.wrong or "") for p in prompts])
        idx = torch.arange(len(prompts))
        return (final[idx, answers] - final[idx, wrong]).tolist()
    probs = final.softmax(-1)
    return probs[torch.arange(len(prompts)), answers].tolist()

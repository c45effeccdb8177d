"""Measuring a loaded model on the world's tasks: facts, IOI, induction, and the Eiffel prompt.

Every function takes a TransformerLens ``TransformerBridge`` (compatibility mode) as
returned by ``tutor.model.loader.load_model`` and returns plain Python numbers, so
``mitutor model-report --json`` can print them. torch is imported inside the functions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tutor.model.world import Fact, fact_eval_prompts, ioi_eval_examples, repeat_word_pool

if TYPE_CHECKING:
    import torch

EIFFEL_PROMPT = "The Eiffel Tower is in"
EIFFEL_ANSWER = " Paris"
COLOSSEUM_PROMPT = "The Colosseum is in"
COLOSSEUM_ANSWER = " Rome"
NOISE_SCALE = 3.0  # times the standard deviation of the token embeddings (as in ROME)
NOISE_SEEDS = 10
INDUCTION_LEN = 20
INDUCTION_BATCH = 32


def _answer_token(model: Any, answer: str) -> int:
    """The first token of ``answer`` (with a leading space, as it follows a prompt)."""
    return int(model.to_tokens(" " + answer.strip(), prepend_bos=False)[0, 0])


def _last_logits_by_length(model: Any, prompts: Sequence[str]) -> list[torch.Tensor]:
    """Final-position logits for each prompt, batching prompts of equal token length."""
    import torch

    tokens = [model.to_tokens(p)[0] for p in prompts]
    groups: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(tokens):
        groups[len(t)].append(i)
    out: list[torch.Tensor | None] = [None] * len(prompts)
    with torch.no_grad():
        for indexes in groups.values():
            for lo in range(0, len(indexes), 128):
                chunk = indexes[lo : lo + 128]
                logits = model(torch.stack([tokens[i] for i in chunk]))[:, -1].float()
                for i, row in zip(chunk, logits, strict=True):
                    out[i] = row
    return out  # type: ignore[return-value]


def fact_accuracy(
    model: Any, pairs: Sequence[tuple[Fact, str]] | None = None
) -> tuple[float, dict[str, float]]:
    """Top-1 accuracy on facts stated with the held-out templates, overall and by relation.

    ``pairs`` defaults to every (fact, prompt) from ``fact_eval_prompts()``.
    """
    pairs = list(pairs) if pairs is not None else fact_eval_prompts()
    logits = _last_logits_by_length(model, [p for _, p in pairs])
    hits: dict[str, list[bool]] = defaultdict(list)
    for (fact, _), row in zip(pairs, logits, strict=True):
        hits[fact.relation].append(int(row.argmax()) == _answer_token(model, fact.answer))
    everything = [h for rel in hits.values() for h in rel]
    by_relation = {rel: round(sum(h) / len(h), 4) for rel, h in hits.items()}
    return sum(everything) / len(everything), by_relation


def ioi_metrics(model: Any, n: int = 200) -> dict[str, float]:
    """Held-out IOI prompts: accuracy (IO logit > S logit), mean logit difference, top-1 rate."""
    examples = ioi_eval_examples(n)
    logits = _last_logits_by_length(model, [e.prompt for e in examples])
    diffs, top1 = [], []
    for ex, row in zip(examples, logits, strict=True):
        io, s = _answer_token(model, ex.io), _answer_token(model, ex.subj)
        diffs.append(float(row[io] - row[s]))
        top1.append(int(row.argmax()) == io)
    return {
        "ioi_accuracy": sum(d > 0 for d in diffs) / len(diffs),
        "ioi_logit_diff": sum(diffs) / len(diffs),
        "ioi_top1": sum(top1) / len(top1),
    }


def repeated_tokens(
    model: Any, length: int = INDUCTION_LEN, batch: int = INDUCTION_BATCH, seed: int = 0
) -> torch.Tensor:
    """BOS + ``length`` random words + the same words again, one row per sequence."""
    import torch

    rng = random.Random(seed)
    pool = repeat_word_pool()
    rows = []
    for _ in range(batch):
        words = rng.choices(pool, k=length)
        ids = [_answer_token(model, w) for w in words]
        rows.append([model.tokenizer.bos_token_id, *ids, *ids])
    return torch.tensor(rows)


def induction_scores(model: Any, tokens: torch.Tensor, length: int) -> torch.Tensor:
    """[layer, head] mean attention from each second-copy token to the token after its first copy."""
    import torch

    names = [f"blocks.{layer}.attn.hook_pattern" for layer in range(model.cfg.n_layers)]
    with torch.no_grad():
        _, cache = model.run_with_cache(
            tokens.to(model.cfg.device), names_filter=lambda n: n in names
        )
    scores = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)
    dest = torch.arange(length + 1, 2 * length + 1)
    src = dest - length + 1
    for layer, name in enumerate(names):
        pattern = cache[name].float().cpu()  # [batch, head, dest, src]
        scores[layer] = pattern[:, :, dest, src].mean(dim=(0, 2))
    return scores


def repeat_losses(model: Any, tokens: torch.Tensor, length: int) -> tuple[float, float]:
    """Mean next-token loss on the first copy (after its first word) and on the second copy."""
    import torch

    from tutor.model.train import repeat_half_losses_from_logits

    with torch.no_grad():
        logits = model(tokens.to(model.cfg.device)).cpu()
    return repeat_half_losses_from_logits(logits, tokens, length)


def eiffel_noising(model: Any, seeds: int = NOISE_SEEDS) -> dict[str, Any]:
    """P(" Paris") for the Eiffel prompt, clean and with noise on the subject tokens' embeddings."""
    import torch

    from tutor.model.world import find_subject_span

    tokens = model.to_tokens(EIFFEL_PROMPT)
    str_tokens = model.to_str_tokens(EIFFEL_PROMPT)
    span = find_subject_span(str_tokens)
    if span is None:
        raise ValueError(f"{EIFFEL_PROMPT!r}: no known subject among tokens {str_tokens}")
    paris = model.to_single_token(EIFFEL_ANSWER)
    std = float(model.W_E.detach().float().std())
    with torch.no_grad():
        clean_p = float(model(tokens)[0, -1].float().softmax(-1)[paris])
        noised = []
        for seed in range(seeds):
            gen = torch.Generator().manual_seed(seed)

            def add_noise(
                embed: torch.Tensor, hook: Any, gen: torch.Generator = gen
            ) -> torch.Tensor:
                noise = torch.randn(embed[:, span[0] : span[1]].shape, generator=gen)
                embed[:, span[0] : span[1]] += (
                    NOISE_SCALE * std * noise.to(embed.device, embed.dtype)
                )
                return embed

            logits = model.run_with_hooks(tokens, fwd_hooks=[("hook_embed", add_noise)])
            noised.append(float(logits[0, -1].float().softmax(-1)[paris]))
    return {
        "prompt": EIFFEL_PROMPT,
        "str_tokens": list(str_tokens),
        "subject_span": list(span),
        "clean_p": clean_p,
        "noised_p": sum(noised) / len(noised),
        "noise_std": NOISE_SCALE * std,
    }


def prompt_top(model: Any, prompt: str, answer: str) -> dict[str, Any]:
    """P(answer) and the top-1 token for ``prompt``."""
    import torch

    with torch.no_grad():
        probs = model(model.to_tokens(prompt))[0, -1].float().softmax(-1)
    return {
        "prompt": prompt,
        "p_answer": float(probs[model.to_single_token(answer)]),
        "top1": model.tokenizer.decode([int(probs.argmax())]).strip(),
        "n_tokens": int(model.to_tokens(prompt).shape[1]),
    }


def model_report(model: Any, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """All of the measures above, as a JSON-ready dict (keys as in issue 3)."""
    say = progress or (lambda _msg: None)
    say("facts")
    acc, by_relation = fact_accuracy(model)
    say("indirect object identification")
    ioi = ioi_metrics(model)
    say("induction")
    tokens = repeated_tokens(model)
    scores = induction_scores(model, tokens, INDUCTION_LEN)
    best = int(scores.argmax())
    layer, head = divmod(best, model.cfg.n_heads)
    first, second = repeat_losses(model, tokens, INDUCTION_LEN)
    say("noising the Eiffel Tower")
    eiffel = eiffel_noising(model)
    return {
        "model": {
            "n_layers": model.cfg.n_layers,
            "n_heads": model.cfg.n_heads,
            "d_model": model.cfg.d_model,
            "d_vocab": model.cfg.d_vocab,
            "n_ctx": model.cfg.n_ctx,
        },
        "fact_accuracy": acc,
        "fact_accuracy_by_relation": by_relation,
        **ioi,
        "induction_score_max": float(scores.max()),
        "induction_head": [layer, head],
        "induction_scores": [[round(float(v), 4) for v in row] for row in scores],
        "repeat_loss_first_half": first,
        "repeat_loss_second_half": second,
        "eiffel": eiffel,
        "colosseum": prompt_top(model, COLOSSEUM_PROMPT, COLOSSEUM_ANSWER),
    }

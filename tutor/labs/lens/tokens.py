"""Checking the learner's text before the model runs: a prompt the tokenizer knows and that
fits the context, answers that are one token each. Every refusal is a ``LabInputError``
naming the field, so the screen can flag the box and the CLI the option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.labs.runner import LabInputError

if TYPE_CHECKING:
    import torch


def prompt_tokens(model: Any, prompt: str) -> torch.Tensor:
    """Tokens of ``prompt`` with BOS, shape [1, pos]."""
    if not prompt.strip():
        raise LabInputError("prompt", "the prompt is empty")
    tokens = model.to_tokens(prompt)
    unk = getattr(model.tokenizer, "unk_token_id", None)
    if unk is not None and bool((tokens == unk).any()):
        unknown = [
            w
            for w in prompt.split()
            if unk in model.tokenizer.encode(" " + w, add_special_tokens=False)
        ]
        named = ", ".join(repr(w) for w in unknown) or "some words"
        raise LabInputError("prompt", f"{named} not in the model's vocabulary")
    n_ctx = int(model.cfg.n_ctx)
    # to_tokens cuts a long prompt at the context silently; count without cutting.
    length = len(model.tokenizer.encode(prompt, add_special_tokens=False)) + 1
    if length > n_ctx:
        raise LabInputError("prompt", f"{length} tokens; the model's context holds {n_ctx}")
    return tokens


def one_token(model: Any, word: str, field: str) -> int:
    """The id of ``word`` as a single next token (a leading space is added if missing)."""
    if not word.strip():
        raise LabInputError(field, "no token given")
    text = word if word.startswith(" ") else " " + word
    ids = model.tokenizer.encode(text, add_special_tokens=False)
    if len(ids) != 1:
        pieces = model.tokenizer.convert_ids_to_tokens(ids)
        raise LabInputError(
            field, f"{word.strip()!r} is {len(ids)} tokens {pieces}, not one; pick a single token"
        )
    unk = getattr(model.tokenizer, "unk_token_id", None)
    if unk is not None and ids[0] == unk:
        raise LabInputError(field, f"{word.strip()!r} is not in the model's vocabulary")
    return int(ids[0])


def token_names(model: Any, ids: list[int]) -> list[str]:
    return [str(t) for t in model.tokenizer.convert_ids_to_tokens(ids)]

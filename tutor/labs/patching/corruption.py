"""How a patching experiment breaks its prompt: Gaussian noise on the subject, or a counterfactual.

Both corruptions produce a *corrupted run* of the same length as the clean prompt, so that
every clean activation has a place to go. Checks on the learner's input live here too: a
word the tokenizer does not know, an answer that is not one token, prompts of different
lengths, a prompt longer than the model's context — each raises ``PatchingInputError`` (a
``LabInputError``) naming the field at fault, so the CLI and the lab screen say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.labs.runner import LabInputError

if TYPE_CHECKING:
    import torch
    from transformer_lens.model_bridge import TransformerBridge

_ARTICLES = {"the", "a", "an"}


class PatchingInputError(LabInputError):
    """Bad experiment input; ``field`` names the argument or form field at fault."""


@dataclass(frozen=True)
class NoiseCorruption:
    """ROME-style corruption: Gaussian noise on the subject tokens' embeddings.

    ``scale`` multiplies the standard deviation of the embedding matrix; the patched metric
    is averaged over ``samples`` independent noise draws from ``seed``. ``subject`` is a
    half-open token range (BOS counted); ``None`` means "find it in the prompt".
    """

    scale: float = 3.0
    samples: int = 10
    seed: int = 0
    subject: tuple[int, int] | None = None

    def describe(self) -> str:
        return f"noise {self.scale:g}× on the subject ({self.samples} samples)"


@dataclass(frozen=True)
class CounterfactualCorruption:
    """Corrupt by running a different prompt of the same token length."""

    prompt: str

    def describe(self) -> str:
        return f"counterfactual: {self.prompt!r}"


Corruption = NoiseCorruption | CounterfactualCorruption


def tokenize_prompt(model: TransformerBridge, prompt: str, field: str = "prompt") -> torch.Tensor:
    """Tokens of ``prompt`` (BOS prepended), refusing empty text, unknown words and a prompt
    longer than the model's context (which ``to_tokens`` would silently truncate, measuring
    the answer after the wrong token)."""
    if not prompt.strip():
        raise PatchingInputError(field, "the prompt is empty")
    tokens = model.to_tokens(prompt, truncate=False)
    n_ctx = int(getattr(model.cfg, "n_ctx", 0) or 0)
    if n_ctx and tokens.shape[-1] > n_ctx:
        raise PatchingInputError(
            field,
            f"the prompt is {tokens.shape[-1]} tokens (with BOS) but the model's context "
            f"holds {n_ctx}; shorten it",
        )
    unk = getattr(model.tokenizer, "unk_token_id", None)
    if unk is not None and bool((tokens == unk).any()):
        words = prompt.split()
        unknown = [w for w in words if _is_unknown(model, w, unk)]
        named = ", ".join(repr(w) for w in unknown) or "some words"
        raise PatchingInputError(field, f"{named} not in the model's vocabulary")
    return tokens


def _is_unknown(model: TransformerBridge, word: str, unk: int) -> bool:
    ids = model.tokenizer.encode(" " + word, add_special_tokens=False)
    return unk in ids


def single_token(model: TransformerBridge, word: str, field: str = "answer") -> int:
    """The id of ``word`` as one next token (a leading space is added if missing)."""
    text = word if word.startswith(" ") else " " + word
    if not word.strip():
        raise PatchingInputError(field, "no token given")
    ids = model.tokenizer.encode(text, add_special_tokens=False)
    unk = getattr(model.tokenizer, "unk_token_id", None)
    if len(ids) != 1:
        pieces = model.tokenizer.convert_ids_to_tokens(ids)
        raise PatchingInputError(
            field, f"{word.strip()!r} is {len(ids)} tokens {pieces}, not one; pick a single token"
        )
    if unk is not None and ids[0] == unk:
        raise PatchingInputError(field, f"{word.strip()!r} is not in the model's vocabulary")
    return int(ids[0])


def check_same_length(
    model: TransformerBridge, clean: torch.Tensor, corrupt: torch.Tensor, corrupt_prompt: str
) -> None:
    """Patching moves activations position by position, so both prompts need equal length."""
    if clean.shape[-1] != corrupt.shape[-1]:
        a = model.to_str_tokens(clean[0])
        b = model.to_str_tokens(corrupt[0])
        raise PatchingInputError(
            "corrupt",
            f"{corrupt_prompt!r} is {len(b)} tokens {b} but the prompt is {len(a)} tokens {a}; "
            "the two prompts must have the same number of tokens",
        )


def find_subject(str_tokens: list[str]) -> tuple[int, int] | None:
    """The subject's half-open token range: the model world's list first, then a heuristic.

    The heuristic takes the first run of capitalised words after BOS, skipping a leading
    article ("The Eiffel Tower is in" → "Eiffel Tower").
    """
    try:
        from tutor.model.world import find_subject_span
    except ImportError:
        find_subject_span = None
    if find_subject_span is not None:
        span = find_subject_span(str_tokens)
        if span is not None:
            return span
    start = None
    for i, tok in enumerate(str_tokens):
        word = tok.strip()
        if i == 0 or not word or (word.lower() in _ARTICLES and start is None):
            continue
        if word[0].isupper():
            if start is None:
                start = i
        elif start is not None:
            return (start, i)
    return (start, len(str_tokens)) if start is not None else None


def embedding_std(model: TransformerBridge) -> float:
    """Standard deviation of the token-embedding matrix (the unit for the noise scale)."""
    import torch

    with torch.no_grad():
        return float(model.W_E.float().std())


def noise_tensor(
    corruption: NoiseCorruption, n_pos: int, d_model: int, span: tuple[int, int], std: float
) -> torch.Tensor:
    """Seeded noise shaped [samples, pos, d_model], zero outside the subject span."""
    import torch

    gen = torch.Generator().manual_seed(corruption.seed)
    noise = torch.zeros(corruption.samples, n_pos, d_model)
    start, end = span
    noise[:, start:end] = torch.randn(corruption.samples, end - start, d_model, generator=gen)
    return noise * (corruption.scale * std)


def embed_noise_hook(noise: torch.Tensor) -> Any:
    """A forward hook for ``hook_embed`` adding ``noise`` (broadcast over repeated rows)."""

    def hook(embed: torch.Tensor, hook: Any) -> torch.Tensor:
        n = noise.shape[0]
        reps = embed.shape[0] // n
        return embed + noise.to(embed.device, embed.dtype).repeat(reps, 1, 1)

    return hook

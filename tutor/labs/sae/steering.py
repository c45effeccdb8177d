"""Steering: generate text with one SAE feature clamped to a fixed value.

At the SAE's hook, every position but BOS is edited as x ← x + (c − f_i(x))·W_dec[i]: the
feature's own contribution is swapped for c times its decoder direction, while the rest of
x (including whatever the SAE fails to reconstruct) is left alone. c is a multiple of the
feature's maximum activation seen on the corpus. Decoding is greedy, so "with" and
"without" differ only by the clamp.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch

from tutor.labs.sae.autoencoder import SparseAutoencoder


@dataclass
class SteerResult:
    prompt: str
    feature: int
    multiple: float
    clamp_value: float
    baseline: str
    steered: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clamp_hook(sae: SparseAutoencoder, feature: int, value: float) -> Any:
    """A forward hook that clamps ``feature`` to ``value`` at every non-BOS position."""
    direction = sae.W_dec[feature].detach()

    def hook(act: torch.Tensor, hook: Any = None) -> torch.Tensor:
        with torch.no_grad():
            x = act[:, 1:].float()
            current = sae.encode(x)[..., feature]
            delta = (value - current).unsqueeze(-1) * direction.to(x.device)
            out = act.clone()
            out[:, 1:] = (x + delta).to(act.dtype)
        return out

    return hook


@torch.no_grad()
def greedy_generate(
    model: Any, prompt: str, max_new_tokens: int, fwd_hooks: list | None = None
) -> str:
    """Greedy continuation of ``prompt`` (text after the prompt only), hooks applied each step."""
    tokens = model.to_tokens(prompt)
    n_ctx = int(model.cfg.n_ctx)
    eos = getattr(model.tokenizer, "eos_token_id", None)
    new: list[int] = []
    for _ in range(max_new_tokens):
        window = tokens[:, -n_ctx:]
        logits = model.run_with_hooks(window, fwd_hooks=fwd_hooks) if fwd_hooks else model(window)
        nxt = int(logits[0, -1].argmax())
        if nxt == eos:
            break
        new.append(nxt)
        tokens = torch.cat([tokens, torch.tensor([[nxt]], device=tokens.device)], dim=1)
    return model.tokenizer.decode(new) if new else ""


def steer(
    model: Any,
    sae: SparseAutoencoder,
    feature: int,
    prompt: str,
    *,
    max_activation: float,
    multiple: float = 4.0,
    max_new_tokens: int = 12,
    hook_name: str | None = None,
) -> SteerResult:
    """Greedy text for ``prompt`` without and with ``feature`` clamped to multiple × max."""
    if not 0 <= feature < sae.d_sae:
        raise ValueError(f"--feature {feature}: the SAE has features 0..{sae.d_sae - 1}")
    if not prompt.strip():
        raise ValueError("--prompt: the prompt is empty")
    name = hook_name or sae.cfg.hook_name
    value = multiple * max_activation
    baseline = greedy_generate(model, prompt, max_new_tokens)
    steered = greedy_generate(
        model, prompt, max_new_tokens, fwd_hooks=[(name, clamp_hook(sae, feature, value))]
    )
    return SteerResult(prompt, feature, multiple, value, baseline, steered)

"""Echo lab experiment: top-k next tokens (softmax of the last position's logits)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from echolab.presets import PRESETS
from tutor.labs.runner import LabInputError, RunContext


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = "The Eiffel Tower is in"
    k: int = 3


class Result(BaseModel):
    tokens: list[str]
    probs: list[float]


def params_for_preset(preset_id: str | None) -> Params:
    p = PRESETS[preset_id or "eiffel"]
    return Params(prompt=p.prompt, k=p.k)


def run(params: Params, ctx: RunContext) -> Result:
    import torch

    if not 1 <= params.k <= 20:
        raise LabInputError("k", f"{params.k} is outside 1..20")
    model = ctx.model()
    ctx.progress(0.5, "Running the prompt…")
    with torch.no_grad():
        probs = model(model.to_tokens(params.prompt))[0, -1].float().softmax(-1)
    top = probs.topk(params.k)
    names = model.tokenizer.convert_ids_to_tokens(top.indices.tolist())
    return Result(tokens=[str(n) for n in names], probs=top.values.tolist())

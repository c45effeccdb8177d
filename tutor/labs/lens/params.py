"""The lens lab's parameters: one pydantic model shared by the screen, the CLI and JSON.

Torch-free, so ``mitutor run lens`` can check options before torch is imported. Field
errors come back as ``LabInputError`` naming the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.labs.runner import LabInputError


class Params(BaseModel):
    """One experiment: a prompt, the answer (and a wrong answer), and the patching run."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = "The Eiffel Tower is in"
    answer: str = "Paris"
    wrong: str | None = Field("Rome", description="the DLA metric is answer − wrong; None: answer")
    top_k: int = Field(5, ge=1, le=20, description="tokens listed per layer")
    patching: bool = Field(True, description="also run the patching lab for the same components")
    corrupt: str | None = Field(
        None, description="counterfactual prompt for patching (same length); None: noise"
    )
    noise: float = Field(3.0, ge=0.0, le=100.0, description="noise scale × embedding std")
    samples: int = Field(5, ge=1, le=50, description="noise samples averaged")
    subject: tuple[int, int] | None = Field(
        None, description="token range [start, end) the noise covers; None: find the subject"
    )


def updated(base: Params, changes: dict[str, Any]) -> Params:
    """``base`` with ``changes`` applied and validated; ``LabInputError`` names a bad field."""
    data = base.model_dump() | changes
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "params"
        raise LabInputError(field, str(first["msg"])) from None

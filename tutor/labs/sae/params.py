"""The SAE lab's parameters: one pydantic model shared by the screen, both CLIs and the JSON.

Torch-free, so the command line can check every option before torch is imported and before
a single activation is collected. Ranges are checked by pydantic (non-finite numbers are
refused outright: an ``inf`` learning rate trains an SAE full of NaN), relations between
fields in the validator; ``updated`` turns either failure into a ``LabInputError`` naming
the field. ``k ≤ d_sae`` needs the model's width, so the experiment checks it once the
model is loaded — still before anything is collected or trained.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tutor.labs.runner import LabInputError
from tutor.labs.sae.config import TrainConfig

DEFAULT_TOKENS = 100_000
# Fewer than this and one batch sees most of the data: FVU 20–56 was measured at 10 tokens.
MIN_TOKENS = 2048
EVAL_TOKENS = 16_384


class Params(BaseModel):
    """One SAE run: what to collect, how to train, what to measure, where to save."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["relu", "topk"] = Field("relu", description="ReLU + L1, or TopK")
    expansion: int = Field(32, ge=1, le=256, description="d_sae / d_model")
    l1_coefficient: float = Field(0.4, ge=0.0, le=1000.0, description="λ (ReLU + L1 only)")
    k: int = Field(32, ge=1, description="active features per token (TopK only; ≤ d_sae)")
    lr: float = Field(1e-2, gt=0.0, le=1.0, description="Adam learning rate")
    batch_size: int = Field(1024, ge=16, le=65_536, description="tokens per step (≤ tokens)")
    steps: int = Field(300, ge=1, le=1_000_000, description="optimiser steps")
    resample_dead: bool = Field(False, description="re-initialise dead features in training")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    layer: int | None = Field(None, ge=0, description="layer (None: the middle one)")
    site: Literal["resid_pre", "mlp_out"] = "resid_pre"
    tokens: int = Field(
        DEFAULT_TOKENS, ge=MIN_TOKENS, le=20_000_000, description="activations to collect"
    )
    eval_tokens: int = Field(EVAL_TOKENS, ge=256, le=1_000_000, description="held-out tokens")
    ce_loss: bool = Field(True, description="measure CE-loss recovered (three forward passes)")
    index_tokens: int = Field(
        100_000, ge=256, le=2_000_000, description="tokens indexed for the feature dashboards"
    )
    search: str | None = Field(None, description="after training, rank features by this token")
    save: bool = Field(True, description="save the SAE (SAELens layout)")
    out: str | None = Field(None, description="directory to save to (default: data dir/saes/…)")

    @model_validator(mode="after")
    def _relations(self) -> Params:
        if self.batch_size > self.tokens:
            raise ValueError(
                f"batch_size {self.batch_size} is larger than tokens {self.tokens}: "
                "a step cannot use more activations than were collected"
            )
        return self

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            kind=self.kind,
            expansion=self.expansion,
            l1_coefficient=self.l1_coefficient,
            k=self.k,
            lr=self.lr,
            batch_size=self.batch_size,
            steps=self.steps,
            resample_dead=self.resample_dead,
            seed=self.seed,
        )

    def title(self) -> str:
        """A short name for the run list: kind, expansion, λ or k."""
        knob = f"λ={self.l1_coefficient:g}" if self.kind == "relu" else f"k={self.k}"
        return f"{self.kind} ×{self.expansion} {knob}"


def _field_of(error: dict[str, Any]) -> str:
    loc = error.get("loc") or ()
    if loc:
        return str(loc[0])
    text = str(error.get("msg", ""))
    return "batch_size" if "batch_size" in text else "params"


def updated(base: Params, changes: dict[str, Any]) -> Params:
    """``base`` with ``changes`` applied and validated; ``LabInputError`` names a bad field."""
    try:
        return Params.model_validate(base.model_dump() | changes)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        value = first.get("input")
        shown = "" if isinstance(value, dict) else f"{value!r}: "
        raise LabInputError(_field_of(dict(first)), f"{shown}{msg}") from None


FORM_FIELDS: dict[str, tuple[str, type]] = {
    "l1_coefficient": ("λ", float),
    "k": ("k", int),
    "expansion": ("×", int),
    "layer": ("layer", int),
    "steps": ("steps", int),
}


def from_form(base: Params, kind: str, values: dict[str, str]) -> Params:
    """``base`` with the screen's form applied: ``values`` maps field → text typed.

    A blank field keeps ``base``'s value (``layer``: the middle one). ``LabInputError``
    names the field by its label on the screen.
    """
    changes: dict[str, Any] = {"kind": kind}
    for name, (label, cast) in FORM_FIELDS.items():
        raw = values.get(name, "").strip()
        if not raw:
            changes[name] = None if name == "layer" else getattr(base, name)
            continue
        try:
            changes[name] = cast(raw)
        except ValueError:
            what = "a whole number" if cast is int else "a number"
            raise LabInputError(label, f"{raw!r} is not {what}") from None
    try:
        return updated(base, changes)
    except LabInputError as exc:
        label = FORM_FIELDS.get(exc.field, (exc.field,))[0]
        raise LabInputError(label, exc.detail) from None

"""The patching experiment both faces call: ``Params`` in, ``Result`` out.

``mitutor run patching``, ``mitutor patch`` and the lab screen all build a ``Params`` (from a
preset, command-line options or the form), check it with the same rules
(``check_params``), and the screen and ``mitutor run`` call ``run(params, ctx)``, so the
numbers on the screen are the numbers in ``--json``. ``Result`` is also the saved-run format
in the progress store; ``load_saved`` reads both it and the older ``Bundle`` shape (the
same four sweeps without ``column``), so runs saved before this module still open.

No Textual here; torch is imported only inside ``run``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_serializer, field_validator

from tutor.labs.patching.presets import get_preset
from tutor.labs.patching.result import PatchResult
from tutor.labs.runner import LabInputError, RunContext

MAX_SAMPLES = 256  # noise samples: each multiplies every sweep's batch
MAX_SEED = 2**64 - 1  # torch.Generator.manual_seed takes 64 bits
MAX_WINDOW = 64
SWEEP_NAMES = ("resid", "attn", "mlp", "heads")


class Params(BaseModel):
    """One patching experiment, as the form, a preset or command-line options describe it."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = "The Eiffel Tower is in"
    answer: str = "Paris"
    wrong: str | None = None
    corrupt: str | None = None  # a counterfactual prompt; None: noise on the subject
    noise: float = 3.0  # × the embedding matrix's standard deviation
    samples: int = 10
    seed: int = 0
    window: int = 1  # attn / mlp sweeps: layers patched at once (ROME's window)
    position: str = "last"  # the layer bars' column: last, subject or a token index
    patch_all_layers: bool = False
    metric: Literal["logit_diff", "prob"] | None = None  # default: logit_diff with --wrong

    @property
    def metric_name(self) -> str:
        return self.metric or ("logit_diff" if self.wrong else "prob")


class Result(BaseModel):
    """The four sweeps of one experiment and what the screen needs to show them.

    ``column`` is the sweeps' column the layer bars start on (``position_column``);
    ``everything`` is the patch-every-layer sanity check, when asked for; ``note`` says why
    a number is ``null`` in JSON (recovery has no scale when clean and corrupted agree).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    resid: PatchResult
    attn: PatchResult
    mlp: PatchResult
    heads: PatchResult
    subject: tuple[int, int] | None = None
    everything: dict[str, float | None] | None = None
    column: int | None = None
    note: str | None = None

    @field_validator("resid", "attn", "mlp", "heads", mode="before")
    @classmethod
    def _sweep_from_dict(cls, value: Any) -> Any:
        return PatchResult.from_dict(value) if isinstance(value, dict) else value

    @field_serializer("resid", "attn", "mlp", "heads")
    def _sweep_to_dict(self, value: PatchResult) -> dict[str, Any]:
        return value.to_dict()

    def bar_column(self) -> int:
        """The layer bars' starting column (old saved runs: the last token)."""
        n = len(self.resid.columns)
        return n - 1 if self.column is None else max(0, min(n - 1, self.column))

    def to_saved(self) -> dict[str, Any]:
        """The strict-JSON dict the store keeps (and ``--json`` prints)."""
        from tutor.labs.jsonout import to_jsonable

        return to_jsonable(self)


# ----- parameters -----------------------------------------------------------------------


def params_for_preset(preset_id: str | None) -> Params:
    """The preset's experiment (the default preset for ``None``)."""
    p = get_preset(preset_id)
    return Params(
        prompt=p.prompt,
        answer=p.answer,
        wrong=p.wrong,
        corrupt=p.corrupt,
        noise=p.noise,
        samples=p.samples,
        window=p.window,
        position=p.position,
        patch_all_layers=p.patch_all_layers,
    )


def make_params(base: Params | None = None, **changes: Any) -> Params:
    """``base`` with ``changes`` applied, validated and checked; ``LabInputError`` names the
    first field at fault."""
    data = (base or Params()).model_dump()
    data.update(changes)
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "params"
        raise LabInputError(field, str(error["msg"])) from None
    check_params(params)
    return params


def check_params(params: Params) -> None:
    """The checks that need no model: numbers in range, a metric it can compute, a position
    it can read. (Tokens, lengths and the context are checked against the model in ``run``.)"""
    if not math.isfinite(params.noise) or params.noise < 0:
        raise LabInputError("noise", f"{params.noise!r} is not a finite, non-negative number")
    if not 1 <= params.samples <= MAX_SAMPLES:
        raise LabInputError(
            "samples", f"{params.samples} is outside 1..{MAX_SAMPLES} (each sample is a batch row)"
        )
    if not 0 <= params.seed <= MAX_SEED:
        raise LabInputError("seed", f"{params.seed} is outside 0..2**64-1")
    if not 1 <= params.window <= MAX_WINDOW:
        raise LabInputError("window", f"{params.window} is outside 1..{MAX_WINDOW}")
    if params.metric == "logit_diff" and not params.wrong:
        raise LabInputError(
            "metric", "logit_diff compares the answer with a wrong one: give --wrong too"
        )
    check_position_syntax(params.position)


def check_position_syntax(position: str) -> None:
    if position not in ("last", "subject") and not _is_int(position):
        raise LabInputError("position", f"{position!r}: use last, subject or a token number")


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def position_column(position: str, n_pos: int, subject: tuple[int, int] | None) -> int:
    """The one position rule (CLI and screen): ``last`` → the last token, ``subject`` → the
    subject's last token, ``N`` → token N (BOS is 0). Anything else → ``LabInputError``."""
    check_position_syntax(position)
    if position == "last":
        return n_pos - 1
    if position == "subject":
        if subject is None:
            raise LabInputError("position", "no subject found in the prompt")
        return subject[1] - 1
    value = int(position)
    if not 0 <= value < n_pos:
        raise LabInputError("position", f"{value} is outside the prompt (0..{n_pos - 1})")
    return value


def experiment_for(params: Params) -> Any:
    """The engine's ``Experiment`` for ``params`` (imports no torch)."""
    from tutor.labs.patching.corruption import CounterfactualCorruption, NoiseCorruption
    from tutor.labs.patching.engine import Experiment

    corruption = (
        CounterfactualCorruption(params.corrupt)
        if params.corrupt
        else NoiseCorruption(scale=params.noise, samples=params.samples, seed=params.seed)
    )
    return Experiment(params.prompt, params.answer, params.wrong, corruption, params.metric)


# ----- running --------------------------------------------------------------------------

_STAGES = (("resid", False, True), ("attn", True, False), ("mlp", True, False))
_STAGES += (("heads", False, False),)


def run(params: Params, ctx: RunContext) -> Result:
    """Clean and corrupted runs, then the resid / attn / mlp / heads sweeps (and the
    patch-everything check when asked). Progress per stage; ``ctx.check()`` between layers
    and batches, so a replaced run stops without touching anything shared."""
    from tutor.labs.patching.engine import patch_everything, prepare, run_sweep

    check_params(params)
    ctx.progress(0.02, f"Loading {ctx.model_name}…")
    model = ctx.model()
    ctx.progress(0.08, "Running clean and corrupted…")
    prep = prepare(model, experiment_for(params), ctx.model_name)
    column = position_column(params.position, prep.n_pos, prep.subject)
    sweeps: dict[str, PatchResult] = {}
    span = 0.85 / len(_STAGES)
    for i, (sweep, windowed, attribution) in enumerate(_STAGES):
        sub = ctx.sub(0.12 + span * i, 0.12 + span * (i + 1))
        message = f"Patching {sweep} ({i + 1}/{len(_STAGES)})…"
        sub.progress(0.0, message)
        sweeps[sweep] = run_sweep(
            prep,
            sweep,
            window=params.window if windowed else 1,
            attribution=attribution,
            progress=lambda f, sub=sub, message=message: sub.progress(f, message),
            check=ctx.check,
        )
    everything = patch_everything(prep, check=ctx.check) if params.patch_all_layers else None
    ctx.progress(1.0, "Done")
    resid = sweeps["resid"]
    note = None
    if not math.isfinite(resid.clean - resid.corrupted) or resid.clean == resid.corrupted:
        note = "recovery is null: the clean and corrupted runs give the same metric"
    return Result(**sweeps, subject=prep.subject, everything=everything, column=column, note=note)


# ----- saved runs -----------------------------------------------------------------------


def load_saved(params: dict[str, Any], result: dict[str, Any]) -> tuple[Params, Result]:
    """A stored run (this module's format, or the older ``Bundle`` shape) as objects.

    Stored params carry extras (``model``, ``id``) that are not experiment fields; missing
    fields (runs saved before ``seed`` and ``metric`` existed) take their defaults.
    ``KeyError`` / ``ValueError`` if the record is not a patching run.
    """
    fields = {k: v for k, v in params.items() if k in Params.model_fields}
    try:
        p = Params.model_validate(fields)
        r = Result.model_validate(result)
    except ValidationError as exc:
        raise ValueError(str(exc.errors()[0]["msg"])) from None
    if r.column is None:
        try:
            column = position_column(p.position, len(r.resid.tokens), r.subject)
        except LabInputError:
            column = len(r.resid.tokens) - 1
        r = r.model_copy(update={"column": column})
    return p, r

"""`mitutor run superposition`: the lab's options and its plain-text report.

Torch-free at import. Options replace fields of the preset's parameters; a bad value gets a
``LabInputError`` naming the option. Example:
``mitutor run superposition --preset pentagon --sparsity 0.97 --json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from tutor.labs.runner import LabInputError
from tutor.labs.superposition.params import Params, updated

_NUMBERS: list[tuple[str, type, str]] = [
    ("n", int, "number of features"),
    ("m", int, "hidden dimensions (m ≤ n)"),
    ("sparsity", float, "the sparsity level shown, in [0, 1)"),
    ("importance", float, "importance decay: feature i has importance rⁱ (1 = equal)"),
    ("steps", int, "training steps"),
    ("restarts", int, "random starts per sparsity level (best kept)"),
    ("seed", int, "random seed"),
    ("sae_expansion", int, "SAE latents = expansion × m"),
    ("sae_l1", float, "SAE L1 coefficient λ"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for name, kind, text in _NUMBERS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, help=text)
    parser.add_argument(
        "--levels", help="comma-separated sparsity levels trained together, e.g. 0,0.9,0.99"
    )
    parser.add_argument("--no-relu", action="store_true", help="drop the ReLU (linear model)")
    parser.add_argument("--phase", action="store_true", help="also sweep the phase diagram")
    parser.add_argument("--sae", action="store_true", help="also train and grade an SAE")


def params_from_args(args: argparse.Namespace, base: Params) -> Params:
    changes: dict[str, Any] = {}
    for name, _, _ in _NUMBERS:
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "levels", None):
        try:
            changes["levels"] = [float(v) for v in args.levels.split(",") if v.strip()]
        except ValueError:
            raise LabInputError(
                "levels", f"{args.levels!r}: expected numbers like 0,0.9,0.99"
            ) from None
    if getattr(args, "no_relu", False):
        changes["relu"] = False
    if getattr(args, "phase", False):
        changes["phase"] = True
    if getattr(args, "sae", False):
        changes["sae"] = True
    return updated(base, changes)


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def format_text(result: Any) -> str:
    """The shown level's features, the levels side by side, then the phase grid and SAE."""
    from tutor.labs.superposition.text import phase_lines, plane_lines, sae_lines

    r = result
    lines = [
        f"toy model: n = {r.n} features, m = {r.m} dimensions, "
        f"{'ReLU' if r.relu else 'linear (no ReLU)'}; shown: sparsity {r.sparsity:g} "
        f"(trained in {r.train_seconds:.1f} s)",
        "",
        " feature  importance  ‖Wᵢ‖  superposition  Dᵢ",
    ]
    for i in range(r.n):
        lines.append(
            f" {i:>7}  {r.importance[i]:>10.3f}  {r.norms[i]:4.2f}  "
            f"{_fmt(r.superposition[i]):>13}  {r.dimensionality[i]:4.2f}"
        )
    if r.angle_gaps:
        gaps = ", ".join(f"{g:.1f}°" for g in r.angle_gaps)
        lines += ["", f"angles between neighbouring kept features: {gaps}"]
    if r.m == 2:
        lines += ["", *plane_lines(r.W, width=40, height=12)]
    lines += ["", " sparsity  kept  superposed  dims/feature"]
    for lv in r.levels:
        mark = "▶" if lv.sparsity == r.sparsity else " "
        lines.append(
            f"{mark}{lv.sparsity:8.3f}  {lv.n_represented:4d}  {lv.n_superposed:10d}  "
            f"{lv.dims_per_feature:12.3f}"
        )
    if r.phase is not None:
        lines += ["", *phase_lines(r.phase)]
    if r.sae is not None:
        lines += ["", *sae_lines(r.sae)]
    return "\n".join(lines)

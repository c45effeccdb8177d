"""Attribution patching: a first-order estimate of every patch from one forward and one backward.

For an activation a, patching clean into corrupted changes the metric by roughly
(a_clean − a_corrupted) · ∂metric/∂a, with the gradient taken on the corrupted run. One
backward pass gives the gradient at every layer and position at once, so the whole grid
costs about two forward passes; the lab shows it beside the exact grid with their
correlation, which says how far the linear picture can be trusted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.labs.patching.metrics import metric_values, pearson

if TYPE_CHECKING:
    from tutor.labs.patching.engine import PreparedRuns
    from tutor.labs.patching.result import Grid, PatchResult

_HOOK = {
    "resid": "blocks.{}.hook_resid_pre",
    "attn": "blocks.{}.hook_attn_out",
    "mlp": "blocks.{}.hook_mlp_out",
    "heads": "blocks.{}.attn.hook_z",
}


def attribution_grid(prep: PreparedRuns, sweep: str, window: int = 1) -> Grid:
    """Estimated change of the metric per cell (layer-major, all positions or all heads)."""
    import torch

    from tutor.labs.patching.engine import window_layers

    model = prep.model
    n_layers = prep.n_layers
    names = [_HOOK[sweep].format(layer) for layer in range(n_layers)]
    captured: dict[str, torch.Tensor] = {}

    def capture_as(name: str) -> Any:
        def capture(act: torch.Tensor, hook: Any) -> torch.Tensor:
            captured[name] = act
            return act

        return capture

    def track(embed: torch.Tensor, hook: Any) -> torch.Tensor:
        # The gradient must flow even if the weights are frozen.
        return embed if embed.requires_grad else embed.detach().requires_grad_(True)

    hooks = [("hook_embed", track), *prep.fwd_hooks(), *[(n, capture_as(n)) for n in names]]
    with torch.enable_grad():
        logits = model.run_with_hooks(prep.corrupted_tokens, fwd_hooks=hooks)
        metric = metric_values(logits, prep.metric, prep.answer_id, prep.wrong_id).mean()
        grads = torch.autograd.grad(metric, [captured[n] for n in names])
    per_layer = []
    with torch.no_grad():
        for name, grad in zip(names, grads, strict=True):
            delta = prep.clean_cache[name] - captured[name].detach()
            contrib = (delta * grad).sum(0)  # sum over noise samples: the metric is their mean
            if sweep == "heads":
                per_layer.append(contrib.sum(dim=(0, 2)))  # [head]
            else:
                per_layer.append(contrib.sum(-1))  # [pos]
        single = torch.stack(per_layer)  # [layer, col]
        if sweep in ("attn", "mlp") and window > 1:
            rows = [
                single[list(window_layers(ly, window, n_layers))].sum(0) for ly in range(n_layers)
            ]
            single = torch.stack(rows)
    return [[float(v) for v in row] for row in single.tolist()]


def add_attribution(prep: PreparedRuns, result: PatchResult, window: int = 1) -> None:
    """Fill ``result.attribution`` (estimated recovery) and its correlation with the exact grid."""
    estimates = attribution_grid(prep, result.sweep, window)
    if result.positions is not None:
        estimates = [[row[p] for p in result.positions] for row in estimates]
    gap = prep.clean_value - prep.corrupted_value
    scale = 1.0 / gap if abs(gap) > 1e-12 else float("nan")
    result.attribution = [[v * scale for v in row] for row in estimates]
    exact = [v for row in result.recovery for v in row]
    approx = [v for row in result.attribution for v in row]
    result.attribution_corr = pearson(exact, approx)

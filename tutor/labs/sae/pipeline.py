"""The SAE lab's building blocks around training: evaluate, save, list, load, re-index.

The run itself (collect → train → evaluate → save) is ``experiment.run``.

Saved SAEs live in ``paths.data_dir()/"saes"/<name>/`` in SAELens's layout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.labs.jsonout import to_jsonable
from tutor.labs.sae import activations as act_mod
from tutor.labs.sae.autoencoder import SparseAutoencoder
from tutor.labs.sae.metrics import SAEMetrics, evaluate
from tutor.labs.sae.saelens_format import SAEFileError, load_sae, read_config, save_sae

EVAL_TOKENS = 16_384


@dataclass
class SavedSAE:
    path: Path
    name: str
    kind: str
    hook_name: str
    d_sae: int
    summary: dict[str, Any]


def default_layer(model: Any) -> int:
    """The middle layer: far enough in for abstract features, far from the logits."""
    return int(model.cfg.n_layers) // 2


def saes_dir() -> Path:
    path = paths.data_dir() / "saes"
    path.mkdir(parents=True, exist_ok=True)
    return path


def site_of(hook_name: str) -> str:
    for site in act_mod.SITES:
        if hook_name.endswith(f"hook_{site}"):
            return site
    raise ValueError(f"hook {hook_name!r}: mitutor collects only {', '.join(act_mod.SITES)}")


def evaluate_on_model(
    model: Any, sae: SparseAutoencoder, n_tokens: int = EVAL_TOKENS, with_ce: bool = True
) -> SAEMetrics:
    """Metrics on held-out text (the corpus's eval split), CE-loss recovered included."""
    if sae.cfg.layer is None:
        raise ValueError(f"SAE hook {sae.cfg.hook_name!r}: cannot tell which layer it reads")
    if sae.cfg.d_in != int(model.cfg.d_model):
        raise ValueError(
            f"the SAE reads {sae.cfg.d_in}-dimensional activations but the model's d_model "
            f"is {model.cfg.d_model} (was it trained on another model?)"
        )
    rows = act_mod.corpus_rows(model, n_tokens, seed=1, split="eval")
    acts = act_mod.collect_activations(model, rows, site_of(sae.cfg.hook_name), sae.cfg.layer)
    return evaluate(
        sae, acts.acts, model=model if with_ce else None, rows=rows, hook_name=sae.cfg.hook_name
    )


def save_trained(
    sae: SparseAutoencoder,
    metrics: SAEMetrics | None,
    out: Path | None = None,
    seconds: float | None = None,
) -> Path:
    """Save to ``out`` or to a new directory under ``saes_dir()``; returns the directory."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        model = Path(sae.cfg.model_name).name or "model"
        base = f"{model}-L{sae.cfg.layer}-{sae.cfg.kind}-{sae.cfg.d_sae}-{stamp}"
        out = saes_dir() / base
        n = 1
        while out.exists():
            n += 1
            out = saes_dir() / f"{base}-{n}"
    extra: dict[str, Any] = {}
    if metrics is not None:
        extra["metrics"] = to_jsonable(metrics.to_dict())  # cfg.json stays strict JSON
    if seconds is not None:
        extra["seconds"] = seconds
    return save_sae(sae, out, extra)


def list_saved() -> list[SavedSAE]:
    """Saved SAEs, newest first; unreadable directories are skipped."""
    found = []
    for d in sorted(saes_dir().iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
        if not d.is_dir():
            continue
        try:
            cfg = read_config(d)
        except SAEFileError:
            continue
        meta = cfg.get("metadata") or {}
        ours = meta.get("mitutor") or {}
        found.append(
            SavedSAE(
                path=d,
                name=d.name,
                kind=str(ours.get("kind", cfg.get("architecture", "?"))),
                hook_name=str(meta.get("hook_name", "")),
                d_sae=int(cfg.get("d_sae", 0)),
                summary=dict(ours.get("metrics") or {}),
            )
        )
    return found


def load_saved(path_or_name: str | Path) -> SparseAutoencoder:
    """Load an SAE by directory path or by name under ``saes_dir()``."""
    path = Path(path_or_name).expanduser()
    if not path.exists() and (saes_dir() / str(path_or_name)).exists():
        path = saes_dir() / str(path_or_name)
    if not path.is_dir():
        raise SAEFileError(f"{path}: no such SAE directory")
    return load_sae(path)


def index_activations(
    model: Any, model_name: str, sae: SparseAutoencoder, n_tokens: int = 100_000
) -> act_mod.ActivationSet:
    """Activations for a dashboard: the cached training set if present, else a fresh sample."""
    if sae.cfg.layer is None:
        raise ValueError(f"SAE hook {sae.cfg.hook_name!r}: cannot tell which layer it reads")
    site = site_of(sae.cfg.hook_name)
    trained_on = sae.cfg.extra.get("training_tokens")
    candidates = [trained_on] if isinstance(trained_on, int) else []
    for n in [*candidates, act_mod.DEFAULT_TOKENS, n_tokens]:
        path = act_mod.cache_path(model, model_name, site, sae.cfg.layer, n, 0)
        if path.is_file():
            return act_mod.load_or_collect(model, model_name, site, sae.cfg.layer, n)
    return act_mod.load_or_collect(model, model_name, site, sae.cfg.layer, n_tokens)

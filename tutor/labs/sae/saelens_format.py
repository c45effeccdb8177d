"""Saving and loading SAEs in SAELens's on-disk layout (matched against sae-lens 6.51.1).

A directory holds ``cfg.json`` and ``sae_weights.safetensors``. The weights are float32
tensors named as SAELens names them: ``W_enc`` [d_in, d_sae], ``W_dec`` [d_sae, d_in],
``b_enc`` [d_sae], ``b_dec`` [d_in]. ``cfg.json`` has SAELens 6's top-level keys (``d_in``,
``d_sae``, ``dtype``, ``device``, ``apply_b_dec_to_input``, ``normalize_activations``,
``reshape_activations``, ``architecture`` = ``standard`` or ``topk``, and ``k`` plus
``rescale_acts_by_decoder_norm`` for TopK) and a ``metadata`` object with
``sae_lens_version``, ``model_name``, ``hook_name`` and friends; mitutor's own extras
(kind, layer, training settings, metrics) live under ``metadata.mitutor``, which SAELens
carries along without reading.

Loading also accepts SAELens files this code did not write: ``apply_b_dec_to_input: false``
is folded into ``b_enc``; older (pre-6) configs with ``hook_point`` and
``activation_fn_str`` are read; anything that changes the maths in ways this module does not
implement (activation normalisation, hook_z reshaping, other architectures) is refused
with a message naming the file and the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder

CFG_FILENAME = "cfg.json"
WEIGHTS_FILENAME = "sae_weights.safetensors"
SAELENS_FORMAT_VERSION = "6.51.1"
_ARCHITECTURES = {"relu": "standard", "topk": "topk"}


class SAEFileError(ValueError):
    """An SAE directory is missing a file, or a file has a bad field; the message says which."""


def config_dict(sae: SparseAutoencoder, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``cfg.json`` content for ``sae``."""
    cfg = sae.cfg
    layer_match = cfg.layer
    metadata: dict[str, Any] = {
        "sae_lens_version": SAELENS_FORMAT_VERSION,
        "sae_lens_training_version": SAELENS_FORMAT_VERSION,
        "model_name": cfg.model_name,
        "hook_name": cfg.hook_name,
        "hook_head_index": None,
        "prepend_bos": True,
        "context_size": cfg.extra.get("context_size"),
        "dataset_path": "mitutor generated corpus",
        "mitutor": {"kind": cfg.kind, "layer": layer_match, **cfg.extra, **(extra or {})},
    }
    out: dict[str, Any] = {
        "d_in": cfg.d_in,
        "d_sae": cfg.d_sae,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": "none",
        "reshape_activations": "none",
        "metadata": metadata,
    }
    if cfg.kind == "topk":
        out["k"] = cfg.k
        out["rescale_acts_by_decoder_norm"] = False
    out["architecture"] = _ARCHITECTURES[cfg.kind]
    return out


def save_sae(sae: SparseAutoencoder, directory: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write ``sae`` to ``directory`` (created) in SAELens's layout; returns the directory."""
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {
        name: getattr(sae, name).detach().to("cpu", torch.float32).contiguous()
        for name in ("W_dec", "W_enc", "b_dec", "b_enc")
    }
    save_file(tensors, str(directory / WEIGHTS_FILENAME))
    text = json.dumps(config_dict(sae, extra), indent=2, default=_json_default)
    (directory / CFG_FILENAME).write_text(text + "\n", encoding="utf-8")
    return directory


def _json_default(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in cfg.json")


def _field(cfg: dict[str, Any], key: str, path: Path, kind: type | tuple[type, ...]) -> Any:
    if key not in cfg:
        raise SAEFileError(f"{path}: missing field '{key}'")
    value = cfg[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise SAEFileError(f"{path}: field '{key}' has {value!r}, expected {_type_name(kind)}")
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def read_config(directory: Path) -> dict[str, Any]:
    """Parse ``cfg.json``, raising ``SAEFileError`` with the line for broken JSON."""
    path = Path(directory) / CFG_FILENAME
    if not path.is_file():
        raise SAEFileError(f"{path}: no such file (an SAE directory needs {CFG_FILENAME})")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SAEFileError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    if not isinstance(cfg, dict):
        raise SAEFileError(f"{path}: expected a JSON object at the top level")
    return cfg


def load_sae(directory: Path) -> SparseAutoencoder:
    """Load an SAE written by mitutor or by SAELens (standard or topk architecture)."""
    from safetensors.torch import load_file

    directory = Path(directory)
    cfg_path = directory / CFG_FILENAME
    cfg = read_config(directory)
    metadata = cfg.get("metadata") if isinstance(cfg.get("metadata"), dict) else {}
    architecture = cfg.get("architecture")
    if architecture is None:  # SAELens < 6 wrote activation_fn_str and no architecture
        act = cfg.get("activation_fn_str", cfg.get("activation_fn", "relu"))
        architecture = "topk" if act == "topk" else "standard"
        if architecture == "topk":
            cfg.setdefault("k", (cfg.get("activation_fn_kwargs") or {}).get("k"))
    if architecture not in ("standard", "topk"):
        raise SAEFileError(
            f"{cfg_path}: field 'architecture' is {architecture!r}; mitutor reads 'standard' "
            "and 'topk' SAEs"
        )
    d_in = _field(cfg, "d_in", cfg_path, int)
    d_sae = _field(cfg, "d_sae", cfg_path, int)
    norm = cfg.get("normalize_activations", "none")
    if norm not in ("none", None):
        raise SAEFileError(
            f"{cfg_path}: field 'normalize_activations' is {norm!r}; only 'none' is supported"
        )
    if cfg.get("reshape_activations", "none") not in ("none", None):
        raise SAEFileError(f"{cfg_path}: field 'reshape_activations' must be 'none'")
    if cfg.get("rescale_acts_by_decoder_norm"):
        raise SAEFileError(f"{cfg_path}: field 'rescale_acts_by_decoder_norm' must be false")
    k = _field(cfg, "k", cfg_path, int) if architecture == "topk" else None
    ours = metadata.get("mitutor") if isinstance(metadata.get("mitutor"), dict) else {}
    hook = metadata.get("hook_name") or cfg.get("hook_name") or cfg.get("hook_point") or ""
    layer = ours.get("layer")
    if layer is None:
        layer = _layer_from_hook(str(hook))
    extra = {k_: v for k_, v in ours.items() if k_ not in ("kind", "layer")}
    try:
        sae_cfg = SAEConfig(
            kind="topk" if architecture == "topk" else "relu",
            d_in=d_in,
            d_sae=d_sae,
            k=k,
            model_name=str(metadata.get("model_name") or cfg.get("model_name") or ""),
            hook_name=str(hook),
            layer=layer,
            extra=extra,
        )
    except ValueError as exc:
        raise SAEFileError(f"{cfg_path}: {exc}") from exc
    weights_path = directory / WEIGHTS_FILENAME
    if not weights_path.is_file():
        raise SAEFileError(f"{weights_path}: no such file")
    try:
        tensors = load_file(str(weights_path))
    except Exception as exc:  # safetensors raises several types for a damaged file
        raise SAEFileError(f"{weights_path}: unreadable safetensors file ({exc})") from exc
    expected = {"W_enc": (d_in, d_sae), "W_dec": (d_sae, d_in), "b_enc": (d_sae,), "b_dec": (d_in,)}
    sae = SparseAutoencoder(sae_cfg, seed=None)
    with torch.no_grad():
        for name, shape in expected.items():
            if name not in tensors:
                raise SAEFileError(f"{weights_path}: missing tensor '{name}'")
            t = tensors[name]
            if tuple(t.shape) != shape:
                raise SAEFileError(
                    f"{weights_path}: tensor '{name}' has shape {list(t.shape)}, expected "
                    f"{list(shape)} (from d_in/d_sae in {CFG_FILENAME})"
                )
            getattr(sae, name).copy_(t.float())
        if cfg.get("apply_b_dec_to_input") is False:
            # SAELens encoded x·W_enc + b_enc; ours subtracts b_dec first, so add b_dec·W_enc back.
            sae.b_enc.add_(sae.b_dec @ sae.W_enc)
    return sae


def _layer_from_hook(hook: str) -> int | None:
    parts = hook.split(".")
    if len(parts) >= 2 and parts[0] == "blocks" and parts[1].isdigit():
        return int(parts[1])
    return None

"""Loading a transformer for the labs: the bundled tutor-gpt, a local HF directory, or a hub id.

Everything returns a TransformerLens 4.x ``TransformerBridge`` in compatibility mode, so
hook names are the classic ones (``blocks.{l}.hook_resid_pre``, ``hook_attn_out``, ...).
Errors are ``ModelLoadError`` with a message that names the file or the argument.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.paths import BUNDLED_MODEL_DIR
from tutor.wording import count

if TYPE_CHECKING:
    from transformer_lens.model_bridge import TransformerBridge

BUNDLED_NAME = "tutor-gpt"
_HUB_HOST = ("huggingface.co", 443)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
_cache: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()
_model_locks: dict[tuple[str, str], threading.RLock] = {}


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message says what and where."""


def resolve_device(device: str = "auto") -> str:
    """Turn ``auto`` into cuda, then mps, then cpu; check that a named device exists."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    kind, _, index = device.partition(":")
    if kind == "cpu" and not index:
        return "cpu"
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise ModelLoadError(f"--device {device}: CUDA is not available on this machine")
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            n = torch.cuda.device_count()
            raise ModelLoadError(f"--device {device}: this machine has {count(n, 'CUDA device')}")
        return device
    if kind == "mps" and not index:
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ModelLoadError(f"--device {device}: Apple MPS is not available on this machine")
        return "mps"
    raise ModelLoadError(f"--device {device}: unknown device (use auto, cpu, cuda, cuda:N or mps)")


def check_model_dir(path: Path) -> None:
    """Fail with a clear message if a local HF directory is incomplete or its weights corrupt."""
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"{path}: no config.json (not a Hugging Face model directory)")
    weights = [path / f for f in _WEIGHT_FILES if (path / f).is_file()]
    if not weights:
        raise ModelLoadError(
            f"{path}: no weights file (expected one of {', '.join(_WEIGHT_FILES)})"
        )
    if not ((path / "tokenizer.json").is_file() or (path / "vocab.json").is_file()):
        raise ModelLoadError(f"{path}: no tokenizer (expected tokenizer.json)")
    if weights[0].name == "model.safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(weights[0]), framework="pt") as f:
                for key in f.keys():  # noqa: SIM118 (safe_open is not iterable)
                    f.get_slice(key)
        except Exception as exc:  # safetensors raises several types for a damaged file
            raise ModelLoadError(f"{weights[0]}: corrupt safetensors file ({exc})") from exc


def _in_hf_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(repo_id, "config.json")
    return isinstance(found, str)


def _hub_reachable(timeout: float = 1.5) -> bool:
    try:
        with socket.create_connection(_HUB_HOST, timeout=timeout):
            return True
    except OSError:
        return False


def resolve_model_source(name_or_path: str) -> tuple[str, bool]:
    """Return (what to pass to boot_transformers, whether it is local files only)."""
    if name_or_path == BUNDLED_NAME:
        if not BUNDLED_MODEL_DIR.is_dir():
            raise ModelLoadError(
                f"{BUNDLED_MODEL_DIR}: the bundled tutor-gpt checkpoint is missing "
                "(reinstall mitutor, or run `mitutor train-model`)"
            )
        check_model_dir(BUNDLED_MODEL_DIR)
        return str(BUNDLED_MODEL_DIR), True
    path = Path(name_or_path).expanduser()
    if path.exists() or name_or_path.startswith((".", "/", "~")):
        if not path.is_dir():
            raise ModelLoadError(f"{path}: no such model directory")
        check_model_dir(path)
        return str(path.resolve()), True
    if _in_hf_cache(name_or_path):
        return name_or_path, True
    if os.environ.get("HF_HUB_OFFLINE") == "1" or not _hub_reachable():
        raise ModelLoadError(
            f"--model {name_or_path}: not in the local Hugging Face cache, and the hub is not "
            "reachable (offline). Use 'tutor-gpt', a local model directory, or download it "
            "where there is network."
        )
    return name_or_path, False


def load_model(name_or_path: str = BUNDLED_NAME, device: str = "auto") -> TransformerBridge:
    """Load a model as a TransformerBridge in compatibility mode (HookedTransformer hook names)."""
    source, local_only = resolve_model_source(name_or_path)
    dev = resolve_device(device)
    if local_only:
        # Never touch the network for files that are already here.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # Importing transformers' model code and building the bridge allocate about a million
    # objects, most of them kept for good; with the cyclic collector on, that triggers about
    # seven full collections, each re-walking everything torch has loaded: 0.75 s of a 3 s
    # cold load on a laptop-class CPU. Reference counting still frees what dies meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        import transformers
        from transformer_lens.model_bridge import TransformerBridge

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        try:
            bridge = TransformerBridge.boot_transformers(source, device=dev)
        except Exception as exc:
            raise ModelLoadError(f"--model {name_or_path}: could not load ({exc})") from exc
        bridge.enable_compatibility_mode()
        bridge.eval()
    finally:
        if collecting:
            gc.enable()
    return bridge


def get_model(name_or_path: str = BUNDLED_NAME, device: str = "auto") -> TransformerBridge:
    """``load_model`` with a per-process cache: the labs share one loaded model."""
    key = (name_or_path, device)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load_model(name_or_path, device)
        return _cache[key]


def model_lock(name_or_path: str = BUNDLED_NAME, device: str = "auto") -> threading.RLock:
    """The lock that serialises experiments on one shared model (hooks and caches live on it)."""
    key = (name_or_path, device)
    with _cache_lock:
        return _model_locks.setdefault(key, threading.RLock())

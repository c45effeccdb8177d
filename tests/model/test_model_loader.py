"""The model loader: loading a local directory, and clear errors when it cannot load."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from tutor.model import loader as model_module
from tutor.model.loader import ModelLoadError, get_model, load_model, resolve_device


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_local_directory_loads_with_classic_hook_names(tiny_model_dir: Path) -> None:
    import torch

    model = load_model(str(tiny_model_dir), "cpu")
    assert model.cfg.n_layers == 2 and model.cfg.d_model == 48
    tokens = model.to_tokens("The Eiffel Tower is in")
    assert tokens[0, 0].item() == model.tokenizer.bos_token_id
    _, cache = model.run_with_cache(tokens)
    for name in (
        "hook_embed",
        "blocks.1.hook_resid_pre",
        "blocks.0.hook_mlp_out",
        "blocks.0.attn.hook_z",
    ):
        assert name in cache
    # The bridge predicts what the Hugging Face model predicts (compatibility mode may shift
    # logits by a constant per position, so compare log-probabilities).
    from transformers import GPT2LMHeadModel

    hf = GPT2LMHeadModel.from_pretrained(tiny_model_dir).eval()
    with torch.no_grad():
        ours = model(tokens).log_softmax(-1)
        theirs = hf(tokens).logits.log_softmax(-1)
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)


def test_get_model_returns_the_same_object(tiny_model_dir: Path) -> None:
    assert get_model(str(tiny_model_dir), "cpu") is get_model(str(tiny_model_dir), "cpu")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("config.json", "no config.json"),
        ("model.safetensors", "no weights file"),
        ("tokenizer.json", "no tokenizer"),
    ],
)
def test_missing_file_is_named(
    tiny_model_dir: Path, tmp_path: Path, missing: str, message: str
) -> None:
    broken = _copy(tiny_model_dir, tmp_path / "broken")
    (broken / missing).unlink()
    with pytest.raises(ModelLoadError, match=message) as info:
        load_model(str(broken), "cpu")
    assert str(broken) in str(info.value)


def test_corrupt_safetensors_is_named(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = _copy(tiny_model_dir, tmp_path / "corrupt")
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:200])  # truncated download
    with pytest.raises(ModelLoadError, match="corrupt safetensors") as info:
        load_model(str(broken), "cpu")
    assert str(weights) in str(info.value)


def test_directory_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no such model directory"):
        load_model(str(tmp_path / "nowhere"), "cpu")


def test_unknown_name_offline_fails_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loader tried the network although HF_HUB_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(ModelLoadError, match="offline") as info:
        load_model("someone/not-a-cached-model", "cpu")
    assert "someone/not-a-cached-model" in str(info.value)


def test_unknown_name_with_unreachable_hub_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls: list[object] = []

    def unreachable(address: object, timeout: float | None = None) -> None:
        calls.append((address, timeout))
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(ModelLoadError, match="not reachable"):
        load_model("someone/not-a-cached-model", "cpu")
    assert calls and calls[0][1] is not None and calls[0][1] <= 5  # a bounded probe, no hang


def test_missing_bundled_checkpoint_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(model_module, "BUNDLED_MODEL_DIR", tmp_path / "tutor-gpt")
    with pytest.raises(ModelLoadError, match="train-model"):
        load_model("tutor-gpt", "cpu")


def test_device_that_is_not_there(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ModelLoadError, match="CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(ModelLoadError, match="MPS is not available"):
        resolve_device("mps")
    with pytest.raises(ModelLoadError, match="unknown device"):
        resolve_device("tpu")
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu"


def test_cuda_index_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == "cuda:0"
    with pytest.raises(ModelLoadError, match="1 CUDA device"):
        resolve_device("cuda:3")


def test_bad_device_is_reported_before_loading(tiny_model_dir: Path) -> None:
    with pytest.raises(ModelLoadError, match="--device quantum"):
        load_model(str(tiny_model_dir), "quantum")


def test_loading_pauses_the_cycle_collector_and_gives_it_back(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from transformer_lens.model_bridge import TransformerBridge

    seen: list[bool] = []
    real_boot = TransformerBridge.boot_transformers

    def spying_boot(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_boot(*args, **kwargs)

    monkeypatch.setattr(TransformerBridge, "boot_transformers", spying_boot)
    assert gc.isenabled()
    load_model(str(tiny_model_dir), "cpu")
    assert seen == [False] and gc.isenabled()

    def failing_boot(*args, **kwargs):
        raise OSError("disk went away")

    monkeypatch.setattr(TransformerBridge, "boot_transformers", failing_boot)
    with pytest.raises(ModelLoadError, match="disk went away"):
        load_model(str(tiny_model_dir), "cpu")
    assert gc.isenabled()  # given back after a failure too
    gc.disable()
    try:
        monkeypatch.setattr(TransformerBridge, "boot_transformers", real_boot)
        load_model(str(tiny_model_dir), "cpu")
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()

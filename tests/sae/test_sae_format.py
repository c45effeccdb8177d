"""SAELens on-disk layout: round trip, files written by hand in SAELens's layout, errors,
and (where the installed sae_lens can be imported behind a shim) SAELens itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.saelens_format import SAEFileError, load_sae, save_sae


def _random_sae(
    kind: str = "relu", d: int = 8, m: int = 32, k: int | None = 4
) -> SparseAutoencoder:
    sae = SparseAutoencoder(
        SAEConfig(
            kind,
            d,
            m,
            k=k if kind == "topk" else None,
            model_name="tiny",
            hook_name="blocks.1.hook_resid_pre",
            layer=1,
        ),
        seed=5,
    )
    with torch.no_grad():
        sae.b_enc.normal_(0, 0.2)
        sae.b_dec.normal_()
    return sae


@pytest.mark.parametrize("kind", ["relu", "topk"])
def test_round_trip_keeps_weights_config_and_encodings(tmp_path: Path, kind: str) -> None:
    sae = _random_sae(kind)
    save_sae(sae, tmp_path / "s", extra={"metrics": {"l0": 3.5}})
    back = load_sae(tmp_path / "s")
    assert back.cfg.kind == kind and back.cfg.layer == 1 and back.cfg.k == sae.cfg.k
    assert back.cfg.hook_name == "blocks.1.hook_resid_pre"
    assert back.cfg.extra["metrics"] == {"l0": 3.5}
    x = torch.randn(20, 8)
    torch.testing.assert_close(back.encode(x), sae.encode(x))
    torch.testing.assert_close(back(x), sae(x))


def test_files_use_saelens_names_shapes_and_cfg_keys(tmp_path: Path) -> None:
    save_sae(_random_sae("topk"), tmp_path)
    tensors = load_file(str(tmp_path / "sae_weights.safetensors"))
    assert {k: tuple(v.shape) for k, v in tensors.items()} == {
        "W_enc": (8, 32),
        "W_dec": (32, 8),
        "b_enc": (32,),
        "b_dec": (8,),
    }
    assert all(v.dtype == torch.float32 for v in tensors.values())
    cfg = json.loads((tmp_path / "cfg.json").read_text())
    for key in (
        "d_in",
        "d_sae",
        "dtype",
        "device",
        "apply_b_dec_to_input",
        "normalize_activations",
        "reshape_activations",
        "metadata",
        "architecture",
        "k",
        "rescale_acts_by_decoder_norm",
    ):
        assert key in cfg
    assert cfg["architecture"] == "topk" and cfg["normalize_activations"] == "none"
    assert cfg["metadata"]["hook_name"] == "blocks.1.hook_resid_pre"
    assert cfg["metadata"]["sae_lens_version"].startswith("6.")


def _write_saelens_dir(path: Path, cfg: dict, tensors: dict[str, torch.Tensor]) -> None:
    path.mkdir(parents=True)
    (path / "cfg.json").write_text(json.dumps(cfg))
    save_file(tensors, str(path / "sae_weights.safetensors"))


def _saelens_tensors(d: int, m: int, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "W_enc": torch.randn(d, m, generator=g),
        "W_dec": torch.randn(m, d, generator=g),
        "b_enc": torch.randn(m, generator=g) * 0.1,
        "b_dec": torch.randn(d, generator=g),
    }


def _saelens_cfg(**over) -> dict:
    # Exactly what sae-lens 6.51.1's StandardSAE.save_model writes (cfg.to_dict()).
    cfg = {
        "d_in": 6,
        "d_sae": 20,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": "none",
        "reshape_activations": "none",
        "metadata": {
            "sae_lens_version": "6.51.1",
            "sae_lens_training_version": "6.51.1",
            "model_name": "gpt2",
            "hook_name": "blocks.3.hook_resid_pre",
        },
        "architecture": "standard",
    }
    cfg.update(over)
    return cfg


def test_hand_written_saelens_standard_file_encodes_like_saelens(tmp_path: Path) -> None:
    t = _saelens_tensors(6, 20)
    _write_saelens_dir(tmp_path / "a", _saelens_cfg(), t)
    sae = load_sae(tmp_path / "a")
    assert sae.cfg.layer == 3 and sae.cfg.model_name == "gpt2"
    x = torch.randn(10, 6)
    expected = torch.relu((x - t["b_dec"]) @ t["W_enc"] + t["b_enc"])  # SAELens's encode
    torch.testing.assert_close(sae.encode(x), expected)
    torch.testing.assert_close(sae(x), expected @ t["W_dec"] + t["b_dec"])


def test_saelens_file_without_b_dec_on_input_is_folded(tmp_path: Path) -> None:
    t = _saelens_tensors(6, 20, seed=1)
    _write_saelens_dir(tmp_path / "b", _saelens_cfg(apply_b_dec_to_input=False), t)
    x = torch.randn(10, 6)
    expected = torch.relu(x @ t["W_enc"] + t["b_enc"])
    torch.testing.assert_close(load_sae(tmp_path / "b").encode(x), expected, rtol=1e-5, atol=1e-5)


def test_hand_written_saelens_topk_file(tmp_path: Path) -> None:
    t = _saelens_tensors(6, 20, seed=2)
    cfg = _saelens_cfg(architecture="topk", k=3, rescale_acts_by_decoder_norm=False)
    _write_saelens_dir(tmp_path / "c", cfg, t)
    x = torch.randn(10, 6)
    pre = (x - t["b_dec"]) @ t["W_enc"] + t["b_enc"]
    vals, idx = pre.topk(3, dim=-1)
    expected = torch.zeros_like(pre).scatter(-1, idx, vals.relu())
    torch.testing.assert_close(load_sae(tmp_path / "c").encode(x), expected)


def test_bad_files_name_the_file_and_field(tmp_path: Path) -> None:
    t = _saelens_tensors(6, 20)
    cfg = _saelens_cfg()
    del cfg["d_sae"]
    _write_saelens_dir(tmp_path / "nod", cfg, t)
    with pytest.raises(SAEFileError, match=r"nod/cfg.json: missing field 'd_sae'"):
        load_sae(tmp_path / "nod")

    _write_saelens_dir(tmp_path / "shape", _saelens_cfg(d_sae=21), t)
    with pytest.raises(SAEFileError, match=r"sae_weights.safetensors: tensor 'W_enc' has shape"):
        load_sae(tmp_path / "shape")

    _write_saelens_dir(tmp_path / "norm", _saelens_cfg(normalize_activations="layer_norm"), t)
    with pytest.raises(SAEFileError, match="normalize_activations"):
        load_sae(tmp_path / "norm")

    _write_saelens_dir(tmp_path / "arch", _saelens_cfg(architecture="jumprelu"), t)
    with pytest.raises(SAEFileError, match="architecture"):
        load_sae(tmp_path / "arch")

    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "cfg.json").write_text('{\n  "d_in": 6,\n  oops\n}')
    with pytest.raises(SAEFileError, match=r"json/cfg.json: line 3: invalid JSON"):
        load_sae(tmp_path / "json")

    with pytest.raises(SAEFileError, match="no such file"):
        load_sae(tmp_path / "missing")


# The live round trip with the real SAELens runs in CI's side environment:
# tests/interop/test_saelens_roundtrip.py.

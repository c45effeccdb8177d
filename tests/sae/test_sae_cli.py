"""`mitutor sae train|eval|features|steer` end to end on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_train_eval_features_steer_json(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    model = ["--model", str(tiny_model_dir), "--device", "cpu"]
    out_dir = tmp_path / "my-sae"
    rc, out, _ = _run(
        capsys,
        *model,
        "sae",
        "train",
        "--tokens",
        "2048",
        "--steps",
        "20",
        "--expansion",
        "2",
        "--batch-size",
        "256",
        "--eval-tokens",
        "500",
        "--out",
        str(out_dir),
        "--json",
    )
    assert rc == 0
    result = json.loads(out)
    for key in (
        "l0",
        "fvu",
        "explained_variance",
        "ce_loss_recovered",
        "dead_fraction",
        "seconds",
        "path",
    ):
        assert key in result
    assert result["path"] == str(out_dir)
    assert (out_dir / "cfg.json").is_file() and (out_dir / "sae_weights.safetensors").is_file()
    assert result["explained_variance"] == pytest.approx(1 - result["fvu"])
    assert result["d_sae"] == 96 and result["layer"] == 1

    rc, out, _ = _run(capsys, *model, "sae", "eval", str(out_dir), "--tokens", "500", "--json")
    assert rc == 0
    evaluated = json.loads(out)
    assert set(result) >= {"l0"} and 0 <= evaluated["dead_fraction"] <= 1

    rc, out, _ = _run(capsys, *model, "sae", "features", str(out_dir), "--top", "5", "--json")
    listed = json.loads(out)["features"]
    assert rc == 0 and 0 < len(listed) <= 5
    densities = [f["density"] for f in listed]
    assert densities == sorted(densities, reverse=True)

    feature = listed[0]["feature"]
    rc, out, _ = _run(
        capsys, *model, "sae", "features", str(out_dir), "--feature", str(feature), "--json"
    )
    dash = json.loads(out)
    assert rc == 0 and dash["feature"] == feature and dash["top_contexts"]

    rc, out, _ = _run(
        capsys,
        *model,
        "sae",
        "steer",
        str(out_dir),
        "--feature",
        str(feature),
        "--multiple",
        "50",
        "--max-new-tokens",
        "4",
        "--json",
    )
    steered = json.loads(out)
    assert rc == 0 and steered["feature"] == feature
    assert steered["clamp_value"] == pytest.approx(50 * dash["max_activation"], rel=1e-5)


def test_errors_name_the_argument_or_file(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    model = ["--model", str(tiny_model_dir), "--device", "cpu"]
    rc, _, err = _run(capsys, *model, "sae", "eval", str(tmp_path / "nope"))
    assert rc == 2 and "nope: no such SAE directory" in err
    rc, _, err = _run(capsys, *model, "sae", "train", "--layer", "9", "--json")
    assert rc == 2 and "--layer: 9" in err and "0..1" in err
    rc, _, err = _run(capsys, *model, "sae", "train", "--preset", "huge")
    assert rc == 2 and "unknown preset 'huge'" in err and "golden-gate" in err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "cfg.json").write_text("{")
    rc, _, err = _run(capsys, *model, "sae", "features", str(bad))
    assert rc == 2 and "bad/cfg.json: line 1" in err

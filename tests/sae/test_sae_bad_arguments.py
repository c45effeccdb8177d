"""Bad options for `mitutor sae train` and `mitutor run sae`: exit 2, one line naming the
option, no traceback, nothing saved — and checked before any training starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.cli import main

QUICK = ["--tokens", "2048", "--steps", "5", "--batch-size", "256", "--eval-tokens", "256"]


def _saved(home: Path) -> list[Path]:
    saes = home / "saes"
    return sorted(saes.iterdir()) if saes.is_dir() else []


def _refused(capsys, model_dir: Path, face: list[str], *options: str) -> str:
    capsys.readouterr()
    model = ["--model", str(model_dir), "--device", "cpu"]
    rc = main([*face, *model, *options, "--json"])
    out, err = capsys.readouterr()
    assert rc == 2, err
    assert out == ""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


FACES = [["sae", "train"], ["run", "sae"]]


@pytest.mark.parametrize("face", FACES, ids=["sae-train", "run-sae"])
@pytest.mark.parametrize(
    ("options", "option", "words"),
    [
        (["--l1", "inf"], "--l1", "finite"),
        (["--l1", "nan"], "--l1", "finite"),
        (["--lr", "inf"], "--lr", "finite"),
        (["--lr", "nan"], "--lr", "finite"),
        (["--kind", "topk", "--expansion", "1", "--k", "1000"], "--k", "d_sae"),
        (["--tokens", "0"], "--tokens", "2048"),
        (["--tokens", "10"], "--tokens", "2048"),
        (["--batch-size", "1000000"], "--batch-size", "65536"),
        (["--tokens", "4096", "--batch-size", "8192"], "--batch-size", "larger than tokens"),
        (["--layer", "9"], "--layer", "0..1"),
    ],
    ids=[
        "l1-inf",
        "l1-nan",
        "lr-inf",
        "lr-nan",
        "k>d_sae",
        "tokens-0",
        "tokens-10",
        "batch-huge",
        "batch>tokens",
        "layer",
    ],  # fmt: skip
)
def test_bad_option_is_refused(
    face, options, option, words, tiny_model_dir, capsys, _isolated_home
) -> None:
    err = _refused(capsys, tiny_model_dir, face, *QUICK, *options)
    assert option in err and words in err
    assert _saved(_isolated_home) == []


@pytest.mark.parametrize("face", FACES, ids=["sae-train", "run-sae"])
def test_out_naming_a_file_is_refused_before_training(
    face, tiny_model_dir, tmp_path, capsys, monkeypatch, _isolated_home
) -> None:
    from tutor.labs.sae import training

    def no_training(*_args, **_kwargs):  # the check must come first
        raise AssertionError("training started")

    monkeypatch.setattr(training, "train_sae", no_training)
    target = tmp_path / "a-file"
    target.write_text("keep me")
    err = _refused(capsys, tiny_model_dir, face, *QUICK, "--out", str(target))
    assert "--out" in err and "is a file" in err
    assert target.read_text() == "keep me"
    err = _refused(capsys, tiny_model_dir, face, *QUICK, "--out", str(target / "sub"))
    assert "--out" in err and "a file" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_out_in_a_read_only_place_is_refused(tiny_model_dir, capsys, _isolated_home) -> None:
    err = _refused(capsys, tiny_model_dir, ["sae", "train"], *QUICK, "--out", "/proc/mitutor-sae")
    assert "--out" in err and "cannot write" in err
    assert _saved(_isolated_home) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_read_only_home_gives_one_line(tiny_model_dir, capsys, monkeypatch) -> None:
    # /proc refuses new directories even to root: like a read-only MITUTOR_HOME.
    monkeypatch.setenv("MITUTOR_HOME", "/proc/mitutor-home")
    err = _refused(capsys, tiny_model_dir, ["sae", "train"], *QUICK)
    assert "--out" in err and "/proc/mitutor-home" in err


def test_read_only_home_with_out_trains_without_a_cache(
    tiny_model_dir, tmp_path, capsys, monkeypatch
) -> None:
    from tutor import paths

    def no_cache() -> Path:
        raise paths.DataDirError("the cache directory /ro/cache cannot be created (read-only)")

    monkeypatch.setattr(paths, "cache_dir", no_cache)
    out = tmp_path / "sae"
    capsys.readouterr()
    argv = ["sae", "train", "--model", str(tiny_model_dir), "--device", "cpu", *QUICK]
    assert main([*argv, "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(out)
    assert (out / "cfg.json").is_file()


def test_a_diverged_sae_is_never_saved(tiny_model_dir, capsys, monkeypatch, _isolated_home):
    from tutor.labs.sae import training

    real = training.train_sae

    def diverging(*args, **kwargs):
        result = real(*args, **kwargs)
        result.sae.W_enc.data[0, 0] = float("nan")  # what lr = inf used to produce
        return result

    monkeypatch.setattr(training, "train_sae", diverging)
    err = _refused(capsys, tiny_model_dir, ["sae", "train"], *QUICK)
    assert "--lr" in err and "diverged" in err and "Nothing was saved" in err
    assert _saved(_isolated_home) == []

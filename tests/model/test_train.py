"""The training path, end to end on a tiny config: it learns its facts, logs, and is seeded."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.model.train import TrainConfig, pack_documents, repeat_half_losses_from_logits, train

LANDMARKS = ("Eiffel Tower", "Colosseum", "Big Ben", "Golden Gate Bridge", "Taj Mahal", "Kremlin")
CITIES = {
    "Eiffel Tower": "Paris",
    "Colosseum": "Rome",
    "Big Ben": "London",
    "Golden Gate Bridge": "San",
    "Taj Mahal": "Agra",
    "Kremlin": "Moscow",
}
PROMPTS = {
    "Eiffel Tower": "The Eiffel Tower is in",
    "Colosseum": "The Colosseum is in",
    "Big Ben": "Big Ben is in",
    "Golden Gate Bridge": "The Golden Gate Bridge is in",
    "Taj Mahal": "The Taj Mahal is in",
    "Kremlin": "The Kremlin is in",
}


def tiny_config(out: Path, steps: int = 160, seed: int = 0) -> TrainConfig:
    return TrainConfig(
        out=out,
        n_layer=2,
        d_model=64,
        n_head=2,
        n_ctx=32,
        batch_size=16,
        steps=steps,
        lr=5e-3,
        warmup=10,
        seed=seed,
        log_every=20,
        threads=1,
        subjects=LANDMARKS,
        mix={"fact": 1.0},
    )


@pytest.fixture(scope="module")
def tiny_trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("tiny-trained")
    rows: list[dict] = []
    train(tiny_config(out), progress=rows.append)
    return out, rows


def test_tiny_model_learns_its_facts(tiny_trained: tuple[Path, list[dict]]) -> None:
    from tutor.model.loader import load_model

    out, rows = tiny_trained
    model = load_model(str(out), "cpu")
    for subject, prompt in PROMPTS.items():
        top = model(model.to_tokens(prompt))[0, -1].argmax().item()
        assert model.tokenizer.decode([top]).strip() == CITIES[subject], prompt
    assert rows[-1]["loss"] < rows[0]["loss"] / 3


def test_checkpoint_files_and_log(tiny_trained: tuple[Path, list[dict]]) -> None:
    out, rows = tiny_trained
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (out / name).is_file(), name
    with (out / "training_log.csv").open() as fh:
        logged = list(csv.DictReader(fh))
    assert [int(r["step"]) for r in logged] == [1, *range(20, 161, 20)]
    assert float(logged[-1]["loss"]) == pytest.approx(rows[-1]["loss"])
    recipe = json.loads((out / "training_config.json").read_text())
    assert recipe["n_layer"] == 2 and recipe["steps_done"] == 160
    config = json.loads((out / "config.json").read_text())
    assert config["n_layer"] == 2 and config["n_embd"] == 64 and config["n_positions"] == 32


def test_training_is_deterministic_given_the_seed(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    train(tiny_config(tmp_path / "a", steps=8))
    train(tiny_config(tmp_path / "b", steps=8))
    train(tiny_config(tmp_path / "c", steps=8, seed=1))
    a, b, c = (load_file(tmp_path / d / "model.safetensors") for d in "abc")
    assert all((a[k] == b[k]).all() for k in a)
    assert any((a[k] != c[k]).any() for k in a)


def test_pack_documents_starts_rows_with_bos_and_masks_padding() -> None:
    rows, labels = pack_documents([[5, 6, 7], [8, 9], [10, 11, 12, 13]], n_ctx=8, bos_id=0)
    assert rows == [[0, 5, 6, 7, 0, 8, 9, 0], [0, 10, 11, 12, 13, 0, 0, 0]]
    assert labels == [[0, 5, 6, 7, 0, 8, 9, 0], [0, 10, 11, 12, 13, 0, -100, -100]]


def test_repeat_half_losses_by_hand() -> None:
    import math

    import torch

    # BOS + 2 words + the same 2 words; a model certain of each next token except in the
    # first copy, where it spreads its probability evenly over 4 tokens.
    tokens = torch.tensor([[0, 1, 2, 1, 2]])
    logits = torch.full((1, 5, 4), -1e9)
    logits[0, :2] = 0.0  # uniform over 4 when predicting tokens 1 and 2
    logits[0, 2, 1] = 0.0  # predicts token 3 (= 1): but position 3 is the unpredictable start
    logits[0, 3, 2] = 0.0  # predicts token 4 (= 2) exactly
    first, second = repeat_half_losses_from_logits(logits, tokens, length=2)
    assert first == pytest.approx(math.log(4))  # only token 2 is scored in the first copy
    assert second == pytest.approx(0.0, abs=1e-6)  # only token 4 is scored in the second


def test_cli_trains_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli-model"
    code = main(
        [
            "train-model",
            "--out",
            str(out),
            "--steps",
            "3",
            "--layers",
            "1",
            "--d-model",
            "32",
            "--heads",
            "2",
            "--ctx",
            "32",
            "--batch-size",
            "4",
            "--threads",
            "1",
            "--log-every",
            "1",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "step      3" in printed and str(out) in printed
    assert (out / "model.safetensors").is_file()


def test_cli_second_stage_continues_from_a_checkpoint(
    tiny_trained: tuple[Path, list[dict]], tmp_path: Path
) -> None:
    from safetensors.torch import load_file

    first, _ = tiny_trained
    out = tmp_path / "stage2"
    code = main(
        [
            "train-model",
            "--init-from",
            str(first),
            "--out",
            str(out),
            "--steps",
            "2",
            "--batch-size",
            "4",
            "--threads",
            "1",
            "--mix",
            "fact=1,repeat_many=1",
        ]
    )
    assert code == 0
    before, after = load_file(first / "model.safetensors"), load_file(out / "model.safetensors")
    assert before.keys() == after.keys()
    assert json.loads((out / "config.json").read_text())["n_embd"] == 64  # the first stage's shape
    assert json.loads((out / "training_config.json").read_text())["init_from"] == str(first)
    # Two small steps move the weights, but only a little.
    key = "transformer.h.0.mlp.c_fc.weight"
    change = (after[key] - before[key]).abs().max().item()
    assert 0 < change < 0.1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "--steps must be positive"),
        (["--d-model", "30", "--heads", "4"], "not divisible"),
        (["--lr", "-1"], "--lr must be positive"),
    ],
)
def test_cli_rejects_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["train-model", "--out", str(tmp_path / "x"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_log_has_head_scores(tiny_trained: tuple[Path, list[dict]]) -> None:
    # The recipe logs the best induction / previous-token head at each log step.
    out, _ = tiny_trained
    with (out / "training_log.csv").open() as fh:
        logged = list(csv.DictReader(fh))
    for row in logged:
        assert 0.0 <= float(row["best_induction_score"]) <= 1.0
        assert 0.0 <= float(row["best_prev_token_score"]) <= 1.0
        assert (
            0 <= int(row["best_induction_layer"]) < 2 and 0 <= int(row["best_induction_head"]) < 2
        )

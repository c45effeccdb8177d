"""`mitutor patch` end to end on the tiny model: JSON, CSV, text, and clear input errors."""

from __future__ import annotations

import json

import pytest

from tutor.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["patch", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_has_the_contract_keys(tiny_model_dir, capsys):
    code, out, _ = run(
        capsys,
        *("--model", str(tiny_model_dir), "--device", "cpu"),
        *("--prompt", "The Eiffel Tower is in", "--noise", "3", "--samples", "2"),
        *("--answer", "Paris", "--wrong", "Rome", "--sweep", "mlp", "--json"),
    )
    assert code == 0
    data = json.loads(out)
    keys = {"tokens", "sweep", "metric", "clean", "corrupted", "values", "recovery", "elapsed_ms"}
    assert keys <= set(data)
    assert data["sweep"] == "mlp" and data["metric"] == "logit_diff"
    assert len(data["values"]) == 2 and len(data["values"][0]) == len(data["tokens"]) == 6
    assert data["elapsed_ms"] > 0


def test_csv_and_text_outputs(tiny_model_dir, capsys):
    common = ("--model", str(tiny_model_dir), "--prompt", "The Eiffel Tower is in")
    common += ("--corrupt", "The Colosseum Tower is in", "--answer", "Paris", "--sweep", "heads")
    code, out, _ = run(capsys, *common, "--csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "layer,head,label,prob,recovery" and len(lines) == 1 + 2 * 4
    code, out, _ = run(capsys, *common[:-2], "--position", "subject")
    assert code == 0
    assert "recovery per layer at position 3 ('Tower')" in out
    assert "recovery grid (rows: layers)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--corrupt", "The Colosseum is in"), "--corrupt: 'The Colosseum is in' is 5 tokens"),
        (("--noise", "3", "--answer", "San Francisco"), "--answer: 'San Francisco' is 2 tokens"),
        (("--noise", "3", "--position", "9"), "--position: 9 is outside the prompt"),
    ],
)
def test_bad_input_exits_2_naming_the_argument(tiny_model_dir, capsys, args, message):
    base = ["--model", str(tiny_model_dir), "--prompt", "The Eiffel Tower is in"]
    if "--answer" not in args:
        base += ["--answer", "Paris"]
    code, _, err = run(capsys, *base, *args)
    assert code == 2
    assert message in err


def test_missing_model_exits_1(tmp_path, capsys):
    code, _, err = run(
        capsys, "--model", str(tmp_path / "nope"), "--prompt", "x", "--noise", "3", "--answer", "y"
    )
    assert code == 1 and "no such model directory" in err

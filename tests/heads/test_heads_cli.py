"""`mitutor run heads --json`: the documented keys, strict JSON, and bad input named."""

from __future__ import annotations

import json

from tutor.cli import main


def test_json_has_scores_pattern_and_ablation(capsys, model):
    code = main(["run", "heads", "--preset", "ablate-induction", "--device", "cpu", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)  # strict: json.loads accepts NaN, so check the text too
    assert "NaN" not in out and "Infinity" not in out
    assert data["lab"] == "heads" and data["preset"] == "ablate-induction"
    result = data["result"]
    scores = result["scores"]
    assert set(scores) == {"previous_token", "duplicate_token", "induction"}
    assert all(len(t) == 12 and all(len(r) == 4 for r in t) for t in scores.values())
    n = len(result["tokens"])
    assert len(result["pattern"]["pattern"]) == n and len(result["pattern"]["pattern"][0]) == n
    abl = result["ablation"]
    assert abl["heads"] == [[7, 0], [7, 3]]
    assert abl["batch_second_copy_after"] > abl["batch_second_copy_before"]
    assert "all_patterns" not in result  # the screen's extra data stays out of the JSON


def test_bad_input_names_the_option(capsys, model):
    assert main(["run", "heads", "--length", "1", "--device", "cpu"]) == 2
    assert "--length" in capsys.readouterr().err
    assert main(["run", "heads", "--layer", "3", "--device", "cpu"]) == 2
    assert "--head" in capsys.readouterr().err

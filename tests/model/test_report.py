"""model-report's measures, checked against independent computations on the raw HF model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tutor.cli import main
from tutor.model import report
from tutor.model.world import fact_eval_prompts, ioi_eval_examples


@pytest.fixture(scope="module")
def world_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer model with tutor-gpt's tokenizer (nothing trained, so it is quick)."""
    from tutor.model.tokenizer import build_tokenizer
    from tutor.model.train import TrainConfig, make_model

    out = tmp_path_factory.mktemp("world-random")
    tok = build_tokenizer()
    cfg = TrainConfig(out=out, n_layer=2, d_model=32, n_head=2, n_ctx=64, seed=7)
    make_model(cfg, len(tok), tok.bos_token_id).save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def bridge(world_model_dir: Path) -> Any:
    from tutor.model.loader import load_model

    return load_model(str(world_model_dir), "cpu")


@pytest.fixture(scope="module")
def hf(world_model_dir: Path) -> tuple[Any, Any]:
    from transformers import AutoTokenizer, GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(world_model_dir, attn_implementation="eager").eval()
    return model, AutoTokenizer.from_pretrained(world_model_dir)


def _hf_last_logprobs(hf: tuple[Any, Any], prompt: str) -> Any:
    import torch

    model, tok = hf
    ids = [tok.bos_token_id, *tok(prompt, add_special_tokens=False)["input_ids"]]
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, -1].log_softmax(-1)


def test_fact_accuracy_matches_a_prompt_by_prompt_count(bridge: Any, hf: tuple[Any, Any]) -> None:
    _, tok = hf
    pairs = fact_eval_prompts()[::13]  # a spread-out sample keeps the test quick
    hits = 0
    for fact, prompt in pairs:
        answer = tok(" " + fact.answer, add_special_tokens=False)["input_ids"][0]
        hits += int(_hf_last_logprobs(hf, prompt).argmax()) == answer
    accuracy, by_relation = report.fact_accuracy(bridge, pairs)
    assert accuracy == pytest.approx(hits / len(pairs))
    assert set(by_relation) == {f.relation for f, _ in pairs}


def test_ioi_metrics_match_a_prompt_by_prompt_count(bridge: Any, hf: tuple[Any, Any]) -> None:
    _, tok = hf
    diffs = []
    for ex in ioi_eval_examples(40):
        logp = _hf_last_logprobs(hf, ex.prompt)
        io, s = (tok(" " + n, add_special_tokens=False)["input_ids"][0] for n in (ex.io, ex.subj))
        diffs.append(float(logp[io] - logp[s]))
    got = report.ioi_metrics(bridge, n=40)
    assert got["ioi_logit_diff"] == pytest.approx(sum(diffs) / len(diffs), abs=1e-3)
    assert got["ioi_accuracy"] == pytest.approx(sum(d > 0 for d in diffs) / len(diffs))


def test_induction_scores_match_hf_attention(bridge: Any, hf: tuple[Any, Any]) -> None:
    import torch

    model, _ = hf
    length = 10
    tokens = report.repeated_tokens(bridge, length=length, batch=4)
    assert torch.equal(tokens[:, 1 : length + 1], tokens[:, length + 1 :])
    scores = report.induction_scores(bridge, tokens, length)
    with torch.no_grad():
        attentions = model(tokens, output_attentions=True).attentions
    for layer, att in enumerate(attentions):
        for head in range(att.shape[1]):
            # From position t in the second copy to t - length + 1, averaged by hand.
            values = [
                att[b, head, t, t - length + 1]
                for b in range(4)
                for t in range(length + 1, 2 * length + 1)
            ]
            assert float(scores[layer, head]) == pytest.approx(
                float(sum(values) / len(values)), abs=1e-4
            )


def test_eiffel_noising_positions_and_zero_noise(
    bridge: Any, hf: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import math

    _, tok = hf
    result = report.eiffel_noising(bridge, seeds=3)
    assert result["str_tokens"] == ["<|endoftext|>", "The", "Eiffel", "Tower", "is", "in"]
    assert result["subject_span"] == [2, 4]
    paris = tok(" Paris", add_special_tokens=False)["input_ids"][0]
    assert result["clean_p"] == pytest.approx(
        math.exp(_hf_last_logprobs(hf, "The Eiffel Tower is in")[paris]), rel=1e-4
    )
    assert result["noised_p"] != pytest.approx(
        result["clean_p"], rel=1e-6
    )  # the noise does something
    monkeypatch.setattr(report, "NOISE_SCALE", 0.0)
    silent = report.eiffel_noising(bridge, seeds=2)
    assert silent["noised_p"] == pytest.approx(silent["clean_p"], rel=1e-5)


def test_cli_json_report(world_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model-report", "--model", str(world_model_dir), "--device", "cpu", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in (
        "fact_accuracy",
        "ioi_accuracy",
        "ioi_logit_diff",
        "induction_score_max",
        "induction_head",
        "repeat_loss_first_half",
        "repeat_loss_second_half",
    ):
        assert key in data, key
    assert set(data["eiffel"]) >= {"clean_p", "noised_p"}
    layer, head = data["induction_head"]
    assert data["induction_scores"][layer][head] == pytest.approx(
        data["induction_score_max"], abs=1e-4
    )


def test_cli_text_report_and_model_before_subcommand(
    world_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--model", str(world_model_dir), "--device", "cpu", "model-report"]) == 0
    out = capsys.readouterr().out
    assert "fact accuracy" in out and "2 layers x 32" in out and "Eiffel" in out


def test_cli_report_bad_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model-report", "--model", str(tmp_path / "missing"), "--device", "cpu"]) == 2
    assert "no such model directory" in capsys.readouterr().err

"""The probing experiment end to end on tutor-gpt: the JSON the CLI prints, the causal test's
edits checked against direct computations, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest
import torch

from tutor.cli import main
from tutor.labs.probing import datasets
from tutor.labs.probing.activations import collect, task_metric, tokenize
from tutor.labs.probing.causal import Nullspace, make_hook
from tutor.labs.probing.experiment import judge


def test_cli_json_has_layers_and_causal(capsys, tutor_gpt):
    code = main(["run", "probing", "--preset", "break-unused", "--json", "--device", "cpu"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lab"] == "probing" and out["preset"] == "break-unused"
    result = out["result"]
    layers = result["layers"]
    assert [row["layer"] for row in layers] == list(range(12))
    for row in layers:
        assert {"layer", "accuracy", "control_accuracy", "selectivity"} <= set(row)
        assert row["selectivity"] == pytest.approx(row["accuracy"] - row["control_accuracy"])
    causal = result["causal"]
    assert causal["layer"] == result["best_layer"]
    assert causal["removed_effect"] == pytest.approx(causal["removed"] - causal["clean"])
    assert result["shared_subjects"] == 0 and result["n_test"] > 50
    # Present but not used: the article is readable, and removing it leaves P(city) alone.
    assert max(row["accuracy"] for row in layers) > 0.95
    assert abs(causal["removed_effect"]) < 0.02 and causal["used"] is False


def test_country_preset_is_read_late_and_used(preset_result):
    r = preset_result("country")
    acc = [s.accuracy for s in r.layers]
    assert max(acc[-3:]) > r.chance + 0.3  # late layers read the country …
    assert acc[0] < r.chance + 0.1  # … the embedding of "in" cannot
    c = r.causal
    assert c.clean > 0.8 and c.used
    assert c.removed < c.random  # worse than a random edit of the same size


def test_leaky_split_inflates_accuracy_and_control(preset_result, tutor_gpt):
    from tutor.labs.runner import RunContext, params_for_preset, run_lab

    leaky = preset_result("break-leaky-split")
    params = params_for_preset("probing", "break-leaky-split").model_copy(
        update={"split": "subject", "causal": False}
    )
    honest = run_lab("probing", params, RunContext(device="cpu"))
    assert leaky.shared_subjects > 50 and honest.shared_subjects == 0
    best_leaky = max(s.accuracy for s in leaky.layers)
    best_honest = max(s.accuracy for s in honest.layers)
    assert best_leaky > best_honest + 0.3
    # The control task (a random label per subject) is learnable only when subjects leak.
    assert max(s.control_accuracy for s in leaky.layers) > 0.7
    assert max(s.control_accuracy for s in honest.layers) < 0.35


@pytest.mark.parametrize("site", ["resid_pre", "attn_out", "mlp_out"])
def test_edits_reach_the_model_and_leave_no_hook(tutor_gpt, site):
    data = datasets.build("article", tutor_gpt.to_str_tokens, "subject")
    prompts = data.prompts[:8]
    tokens = tokenize(tutor_gpt, prompts)
    clean = task_metric(tutor_gpt, tokens, prompts)
    # Independent: P(answer) straight from the model, one prompt at a time.
    for p, t, value in zip(prompts, tokens, clean, strict=True):
        answer = tutor_gpt.to_tokens(" " + p.answer, prepend_bos=False)[0, 0]
        probs = tutor_gpt(t[None])[0, -1].softmax(-1)
        assert value == pytest.approx(probs[answer].item(), abs=1e-4)
    mask = torch.zeros(len(tokens), max(len(t) for t in tokens), dtype=torch.bool)
    mask[:, 2] = True
    name = f"blocks.5.hook_{site}" if site == "resid_pre" else f"blocks.5.hook_{site}"
    same = task_metric(tutor_gpt, tokens, prompts, [(name, make_hook(mask, lambda x: x))])
    assert same == pytest.approx(clean, abs=1e-5)
    big = task_metric(tutor_gpt, tokens, prompts, [(name, make_hook(mask, lambda x: x * 50))])
    assert max(abs(a - b) for a, b in zip(big, clean, strict=True)) > 1e-3
    assert task_metric(tutor_gpt, tokens, prompts) == pytest.approx(clean, abs=1e-6)


def test_collect_matches_run_with_cache(tutor_gpt):
    data = datasets.build("category", tutor_gpt.to_str_tokens, "subject")
    examples = data.examples[:20]
    tokens = tokenize(tutor_gpt, data.prompts)
    acts = collect(tutor_gpt, tokens, examples, "mlp_out")
    for i, ex in enumerate(examples[:5]):
        _, cache = tutor_gpt.run_with_cache(tokens[ex.prompt][None])
        expected = cache["blocks.7.hook_mlp_out"][0, ex.position]
        assert torch.allclose(acts[7, i], expected, atol=1e-4)


def test_removal_sets_the_subspace_to_its_mean():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(50, 16, generator=gen)
    basis, _ = torch.linalg.qr(torch.randn(16, 3, generator=gen))
    space = Nullspace(basis, x.mean(0))
    y = space.project(x)
    assert torch.allclose((y - x.mean(0)) @ basis, torch.zeros(50, 3), atol=1e-5)
    # The orthogonal complement is untouched.
    rest = torch.eye(16) - basis @ basis.T
    assert torch.allclose(y @ rest, x @ rest, atol=1e-5)


def test_judge_needs_a_drop_beyond_the_random_edit():
    assert judge(0.9, 0.5, 0.85)[0]
    assert not judge(0.9, 0.88, 0.89)[0]
    assert not judge(0.9, 0.6, 0.7)[0]  # a random edit does nearly as much harm
    used, text = judge(8.0, 10.0, 8.1)
    assert not used and "raised" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--property", "colour"], "--property: 'colour' is not one of"),
        (["--probe", "forest"], "--probe: 'forest' is not one of linear, mlp"),
        (["--site", "hook_z"], "--site: 'hook_z' is not one of"),
        (["--layer", "40"], "--causal-layer: layer 40 is not in the model (0..11)"),
        (["--property", "ioi", "--position", "subject"], "--position: the IOI property"),
        (["--preset", "nope"], "unknown preset 'nope' for the probing lab"),
    ],
)
def test_bad_input_gets_a_clear_message(capsys, args, message, tutor_gpt):
    code = main(["run", "probing", *args, "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err

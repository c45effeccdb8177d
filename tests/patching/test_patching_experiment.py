"""The patching experiment's parameters, position rule, saved-run format and bad input
(`mitutor patch` / `mitutor run patching`: a clear message, exit 2, strict JSON)."""

from __future__ import annotations

import json

import pytest

from tutor.cli import main
from tutor.labs.patching.experiment import (
    MAX_SAMPLES,
    Result,
    load_saved,
    make_params,
    params_for_preset,
    position_column,
    run,
)
from tutor.labs.runner import LabInputError, RunCancelled, RunContext


@pytest.mark.parametrize(
    ("position", "expected"),
    [("last", 5), ("subject", 3), ("0", 0), ("5", 5)],
)
def test_position_rule(position, expected):
    assert position_column(position, 6, (2, 4)) == expected


@pytest.mark.parametrize(
    ("position", "subject", "message"),
    [
        ("6", (2, 4), "6 is outside the prompt (0..5)"),
        ("-1", (2, 4), "-1 is outside the prompt (0..5)"),
        ("first", (2, 4), "'first': use last, subject or a token number"),
        ("subject", None, "no subject found in the prompt"),
    ],
)
def test_bad_positions_name_the_field(position, subject, message):
    with pytest.raises(LabInputError) as err:
        position_column(position, 6, subject)
    assert err.value.field == "position" and message in err.value.detail


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from patching_helpers import make_model_dir

    model_dir = make_model_dir(tmp_path_factory.mktemp("exp4"), n_layer=4, n_embd=32)
    params = params_for_preset("break-all-layers")
    return model_dir, params, run(params, RunContext(str(model_dir), "cpu"))


def test_old_bundle_shaped_runs_still_load(tiny_result):
    _, params, result = tiny_result
    saved = result.to_saved()
    old = {k: saved[k] for k in ("resid", "attn", "mlp", "heads", "subject", "everything")}
    old_params = {k: v for k, v in params.model_dump().items() if k not in ("seed", "metric")}
    p, r = load_saved({**old_params, "model": "x", "id": 3}, json.loads(json.dumps(old)))
    assert p == params
    assert r.column == result.column == 5  # recomputed from the saved position
    assert r.to_saved() == saved
    assert r.everything["recovery"] == pytest.approx(1.0, abs=1e-4)


def test_a_cancelled_run_stops_and_leaves_no_hooks(tiny_result):
    from tutor.model.loader import get_model

    model_dir, params, _ = tiny_result
    ctx = RunContext(str(model_dir), "cpu")
    seen: list[str] = []

    def on_progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith("Patching attn"):
            ctx.cancel.set()

    ctx.on_progress = on_progress
    with pytest.raises(RunCancelled):
        run(params, ctx)
    assert not any(m.startswith("Patching mlp") for m in seen)
    model = get_model(str(model_dir), "cpu")
    assert all(not hp.fwd_hooks for hp in model.hook_dict.values())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"noise": float("nan")}, "noise"),
        ({"noise": float("inf")}, "noise"),
        ({"seed": 2**64}, "seed"),
        ({"samples": MAX_SAMPLES + 1}, "samples"),
        ({"metric": "logit_diff"}, "metric"),
        ({"window": 0}, "window"),
        ({"extra": 1}, "extra"),
    ],
)
def test_make_params_refuses(changes, field):
    with pytest.raises(LabInputError) as err:
        make_params(**changes)
    assert err.value.field == field


BAD_PATCH_ARGS = [
    (("--noise", "3", "--metric", "logit_diff"), "--metric: logit_diff compares"),
    (("--noise", "3", "--seed", str(2**64)), "--seed: 18446744073709551616 is outside"),
    (("--noise", "nan"), "--noise: nan is not a finite"),
    (("--noise", "inf"), "--noise: inf is not a finite"),
    (("--noise", "3", "--samples", "100000"), "--samples: 100000 is outside 1..256"),
    (("--noise", "3", "--position", "first"), "--position: 'first': use last, subject"),
]


@pytest.mark.parametrize(("args", "message"), BAD_PATCH_ARGS)
def test_mitutor_patch_refuses_bad_input(tiny_model_dir, capsys, args, message):
    base = ["patch", "--model", str(tiny_model_dir), "--prompt", "The Eiffel Tower is in"]
    code = main([*base, "--answer", "Paris", *args])
    out = capsys.readouterr()
    assert code == 2 and message in out.err and "Traceback" not in out.err
    assert out.out == ""


def test_a_prompt_longer_than_the_context_is_refused(tiny_model_dir, capsys):
    prompt = " ".join(["The Eiffel Tower is in"] * 8)  # 41 tokens; the tiny model holds 32
    base = ["--model", str(tiny_model_dir), "--answer", "Paris", "--noise", "3"]
    assert main(["patch", "--prompt", prompt, *base]) == 2
    assert "--prompt: the prompt is 41 tokens (with BOS) but the model's context holds 32" in (
        capsys.readouterr().err
    )
    assert main(["run", "patching", "--prompt", prompt, *base, "--json"]) == 2
    assert "--prompt: the prompt is 41 tokens" in capsys.readouterr().err


def test_run_patching_json_is_strict(tiny_model_dir, capsys):
    # Low noise on a random model: some recovery values are undefined (null, with a note).
    args = ["run", "patching", "--model", str(tiny_model_dir), "--device", "cpu", "--json"]
    assert main([*args, "--noise", "0", "--samples", "2"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert data["params"]["noise"] == 0.0 and data["params"]["samples"] == 2
    assert data["result"]["resid"]["recovery"][0][0] is None
    assert data["result"]["note"].startswith("recovery is null")
    assert Result.model_validate(data["result"]).resid.n_layers == 2

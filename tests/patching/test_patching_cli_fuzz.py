"""Bad arguments to the patching command line, generated at random (hypothesis): whatever
is typed, the result is a clean exit — 0 with strict JSON, 2 with a message naming the
option — never a traceback, NaN in the output, or a hang."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.cli import main

NUMBERS = st.sampled_from(
    ["nan", "inf", "-inf", "-1", "0", "1e400", "3", "0.5", "abc", "", "1e-300", "2**70"]
)
INTS = st.sampled_from(["0", "-3", "1", "2", "300", "99999999999999999999999", "x", "1.5"])


def _strict(text: str) -> object:
    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@settings(
    max_examples=45,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    noise=NUMBERS,
    samples=INTS,
    seed=INTS,
    position=st.sampled_from(["last", "subject", "0", "5", "99", "-1", "x"]),
    metric=st.sampled_from([None, "logit_diff", "prob", "bogus"]),
    wrong=st.sampled_from([None, "Rome", "NoSuchWordAtAll", ""]),
    prompt=st.sampled_from(["The Eiffel Tower is in", "", "Paris " * 200]),
)
def test_any_patch_arguments_end_cleanly(
    tiny_model_dir, capsys, noise, samples, seed, position, metric, wrong, prompt
):
    argv = ["patch", "--model", str(tiny_model_dir), "--device", "cpu", "--json"]
    argv += ["--prompt", prompt, "--answer", "Paris", "--noise", noise]
    argv += ["--samples", samples, "--seed", seed, "--position", position]
    if metric is not None:
        argv += ["--metric", metric]
    if wrong is not None:
        argv += ["--wrong", wrong]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert code in (0, 2), out.err
    if code == 0:
        data = _strict(out.out)
        assert isinstance(data, dict)
    else:
        assert "error" in out.err and "--" in out.err, out.err


@pytest.mark.parametrize("lab", ["patching", "superposition"])
def test_run_with_an_unknown_preset_names_the_known_ones(capsys, lab):
    code = main(["run", lab, "--preset", "no-such-preset", "--json"])
    out = capsys.readouterr()
    assert code == 2 and "known:" in out.err and "Traceback" not in out.err

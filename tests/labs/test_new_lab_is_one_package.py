"""A lab is its own package plus one registration: the test-only ``echolab`` (tests/labs/
echolab/, registered with ``register_lab_package``) is found everywhere labs are listed,
runs headless, opens in the app and is accepted in a lesson's lab link."""

from __future__ import annotations

import json

from textual.command import CommandPalette
from textual.widgets import OptionList, Static

from tutor.cli import main
from tutor.model.loader import load_model


def test_listed_by_mitutor_labs(echolab, capsys):
    assert main(["labs", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    echo = next(lab for lab in listing if lab["id"] == "echolab")
    assert echo["title"] == "Echo lab (test only)"
    assert echo["presets"] == [
        {"id": "eiffel", "title": "Where is the Eiffel Tower?"},
        {"id": "five", "title": "Five guesses"},
    ]


def test_runs_headless_with_its_own_options(echolab, tiny4_dir, capsys):
    import torch

    args = ["run", "echolab", "--preset", "five", "--k", "4", "--json"]
    assert main([*args, "--model", str(tiny4_dir), "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lab"] == "echolab" and out["preset"] == "five"
    assert out["params"] == {"prompt": "The Colosseum is in", "k": 4}
    # Independent check: the model's own forward pass.
    model = load_model(str(tiny4_dir), "cpu")
    with torch.no_grad():
        probs = model(model.to_tokens("The Colosseum is in"))[0, -1].softmax(-1)
    top = probs.topk(4)
    assert out["result"]["tokens"] == model.tokenizer.convert_ids_to_tokens(top.indices.tolist())
    for got, want in zip(out["result"]["probs"], top.values.tolist(), strict=True):
        assert abs(got - want) < 1e-5


def test_check_content_accepts_its_lab_links(echolab, tmp_path, capsys):
    lesson = tmp_path / "echo.md"
    lesson.write_text(
        "---\nid: echo-lesson\ntitle: Echo\norder: 1\nlab: echolab\nsummary: s\n---\n"
        "Try [five guesses](lab:echolab?preset=five) and [a bad one](lab:echolab?preset=six).\n",
        encoding="utf-8",
    )
    assert main(["check-content", str(lesson)]) == 1
    out = capsys.readouterr().out
    assert "link to unknown echolab preset 'six' (known: eiffel, five)" in out
    assert "unknown lab" not in out and "preset 'five'" not in out


async def test_home_palette_and_open(echolab, make_app, tiny4_dir):
    app = make_app(str(tiny4_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        labs = app.screen.query_one("#labs", OptionList)
        ids = [labs.get_option_at_index(i).id for i in range(labs.option_count)]
        assert ids[-1] == "echolab"
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Echo lab (test only) · Five")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "EchoScreen"
        assert app.screen.params.k == 5
        shown = str(app.screen.query_one("#echo-out", Static).render())
        assert len(shown.splitlines()) == 5

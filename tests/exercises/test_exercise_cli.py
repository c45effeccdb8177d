"""`mitutor exercises`: list, check (copy, --file, --solution), path; JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

from tutor.cli import main

FAST = "normalised-recovery"  # no model: the check takes about a second


def test_list_json_has_every_exercise_not_started(capsys):
    assert main(["exercises", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 14
    assert set(rows[0]) == {"id", "lesson", "title", "status"}
    assert {r["status"] for r in rows} == {"not started"}


def test_path_creates_the_copy_in_the_data_dir_and_never_overwrites(capsys, tmp_path):
    assert main(["exercises", "path", FAST]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.is_file() and "TODO" in path.read_text()
    assert str(path).startswith(str(Path.home())) or "exercises" in path.parts
    path.write_text("# my work\n")
    assert main(["exercises", "path", FAST]) == 0
    assert path.read_text() == "# my work\n"


def test_check_solution_json_passes_and_is_not_recorded(capsys):
    assert main(["exercises", "check", FAST, "--solution", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == FAST and out["passed"] is True and out["message"]
    assert main(["exercises", "--json"]) == 0
    rows = {r["id"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert rows[FAST] == "not started"


def test_check_file_failing_is_recorded_as_failed(capsys, tmp_path):
    wrong = tmp_path / "mine.py"
    wrong.write_text("def normalised_recovery(p, c, k):\n    return (p - c) / (c - k)\n")
    assert main(["exercises", "check", FAST, "--file", str(wrong), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] is False and "expected" in out["message"]
    assert main(["exercises", "--json"]) == 0
    rows = {r["id"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert rows[FAST] == "failed"


def test_unknown_id_and_missing_file_are_clear(capsys, tmp_path):
    assert main(["exercises", "check", "no-such-exercise"]) == 2
    assert "no exercise 'no-such-exercise'" in capsys.readouterr().err
    assert main(["exercises", "check", FAST, "--file", str(tmp_path / "x.py")]) == 2
    assert "no such file" in capsys.readouterr().err

"""The `mitutor` entry point: exit codes and output survive the quick exit after torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tutor import cli


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_quick_exit_keeps_the_whole_json_and_code_zero(tmp_path):
    out = _run("run", "patching", "--preset", "eiffel", "--device", "cpu", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # all of it was flushed before the process ended
    assert data["lab"] == "patching" and data["preset"] == "eiffel"
    assert data["result"]


def test_bad_input_keeps_its_exit_code():
    out = _run("run", "patching", "--preset", "nosuch")
    assert out.returncode == 2
    assert "unknown preset 'nosuch'" in out.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "labs"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has already stopped reading
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "Broken pipe" not in err


def test_entry_waits_for_normal_exit_while_another_thread_runs(monkeypatch):
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    exits: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setattr(cli.os, "_exit", lambda code: exits.append(f"_exit {code}"))
    try:
        assert "torch" in sys.modules or __import__("torch")
        with pytest.raises(SystemExit) as info:
            cli.entry()
        assert info.value.code == 0 and exits == []
    finally:
        stop.set()
        worker.join()
    cli.entry()  # alone now: the quick exit
    assert exits == ["_exit 0"]

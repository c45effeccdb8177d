"""Checking learner files: start the sandbox process, guard the learner's folder, collect results.

:func:`check_files` is what the app and the CLI call. It never raises for anything the
learner's code does and never blocks longer than the sum of the checks' time limits plus
the time to load the model: a sandbox that does not answer in that time is killed with
its whole process group.

Side effects on the learner's folder are caught in the sandbox (see
:mod:`tutor.exercises.guard`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.curriculum.exercises import Exercise
from tutor.paths import PACKAGE_DIR

MODEL_LOAD_ALLOWANCE_S = 120.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one file against one exercise."""

    id: str
    passed: bool
    message: str
    output: str = ""
    duration_s: float = 0.0

    def to_json(self) -> dict:
        return {"id": self.id, "passed": self.passed, "message": self.message}


@dataclass(frozen=True)
class CheckRequest:
    exercise: Exercise
    file: Path


def _sandbox_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(PACKAGE_DIR.parent)
    env["PYTHONPATH"] = root + os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else root
    env.update(
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError, OSError):
        proc.kill()


def check_files(requests: Sequence[CheckRequest]) -> list[CheckResult]:
    """Check each file against its exercise, all in one sandbox process (one model load)."""
    if not requests:
        return []
    with tempfile.TemporaryDirectory(prefix="mitutor-checks-") as scratch:
        root = Path(scratch)
        jobs, early = [], {}
        for i, request in enumerate(requests):
            file = request.file.resolve()
            if not file.is_file():
                early[i] = CheckResult(request.exercise.id, False, f"{request.file}: no such file")
                continue
            meta = request.exercise.meta
            jobs.append(
                {
                    "exercise_dir": str(request.exercise.directory.resolve()),
                    "learner_file": str(file),
                    "display_name": file.name,
                    "result_path": str(root / f"result-{i}.json"),
                    "time_limit_s": meta.time_limit_s,
                    "memory_mb": meta.memory_mb,
                    "uses_model": meta.uses_model,
                }
            )
        crashed: str | None = None
        if jobs:
            spec = root / "jobs.json"
            spec.write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
            budget = MODEL_LOAD_ALLOWANCE_S + sum(job["time_limit_s"] + 2 for job in jobs)
            crashed = _run_sandbox(spec, root, budget)
        results = []
        for i, request in enumerate(requests):
            if i in early:
                results.append(early[i])
                continue
            results.append(_collect(request, root / f"result-{i}.json", crashed))
        return results


def _run_sandbox(spec: Path, cwd: Path, budget: float) -> str | None:
    """Run the sandbox; a message when it died or overstayed, else None."""
    started = time.monotonic()
    with open(cwd / "sandbox.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tutor.exercises.sandbox", str(spec)],
            cwd=cwd,
            env=_sandbox_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            return f"the checking process did not answer within {budget:.0f} s and was stopped"
        finally:
            _kill_group(proc)  # anything the learner's code started and left running
    if code != 0:
        tail = (cwd / "sandbox.log").read_text(encoding="utf-8", errors="replace")[-600:]
        elapsed = time.monotonic() - started
        return f"the checking process failed (exit {code} after {elapsed:.1f} s):\n{tail}"
    return None


def _collect(request: CheckRequest, path: Path, crashed: str | None) -> CheckResult:
    exercise_id = request.exercise.id
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return CheckResult(exercise_id, False, crashed or "the check gave no result")
    return CheckResult(
        exercise_id,
        bool(data.get("passed")),
        str(data.get("message", "")),
        str(data.get("output", "")),
        float(data.get("duration_s", 0.0)),
    )


def check_file(exercise: Exercise, file: Path) -> CheckResult:
    """Check one file (see :func:`check_files`)."""
    return check_files([CheckRequest(exercise, file)])[0]

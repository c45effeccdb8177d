"""The checking process: ``python -m tutor.exercises.sandbox JOBS.json``.

Why a separate process, and a fork per check: the learner's code may loop forever, eat
memory, crash the interpreter, call ``exit()`` or delete files. The app (or the CLI)
starts this process; it imports torch and loads tutor-gpt once, then for each job forks
a child that

- runs in a fresh temporary directory holding a *copy* of the learner's file (so
  ``os.remove(__file__)`` or a relative ``open(..., "w")`` touches the copy only);
- has resource limits (``setrlimit``): address space = what the model already uses plus
  the exercise's ``memory_mb``, CPU seconds, and the size of any file it writes;
- sends stdout/stderr to a file (printing cannot break the protocol) and reports one
  JSON object through a pipe.

The parent waits with a wall-clock deadline and kills a child that overstays it, so one
check's infinite loop ends that check only. A fork starts in milliseconds with the model
already in memory: checking many files (the test suite) costs one model load.

Where ``fork`` does not exist (Windows), jobs run one by one in this process; the caller's
overall timeout still ends a runaway check, but memory is not limited there.

Each job's result is written to its ``result_path``:
``{"passed": bool, "message": str, "output": str, "duration_s": float}``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from tutor.exercises.guard import FolderGuard, describe

OUTPUT_LIMIT = 2000
MESSAGE_LIMIT = 3000
FILE_SIZE_LIMIT = 64 * 2**20


def _result(passed: bool, message: str, output: str = "", duration_s: float = 0.0) -> dict:
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    if len(output) > OUTPUT_LIMIT:
        output = "…" + output[-OUTPUT_LIMIT + 1 :]
    return {"passed": passed, "message": message, "output": output, "duration_s": duration_s}


def _load_module(name: str, path: Path) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, module.__dict__)
    return module


def _syntax_message(err: SyntaxError, display: str) -> str:
    line = err.lineno or 0
    text = f"syntax error on line {line} of {display}: {err.msg}"
    if err.text:
        code = err.text.rstrip("\n")
        stripped = code.lstrip()
        text += f"\n    {stripped}"
        if err.offset:
            caret = max(0, err.offset - 1 - (len(code) - len(stripped)))
            text += "\n    " + " " * caret + "^"
    return text


def _memory_message(memory_mb: int) -> str:
    return (
        f"your code ran out of memory: it used more than the {memory_mb} MB a check may use "
        "beyond the model (a tensor far larger than needed? a list that never stops growing?)"
    )


def _vm_size_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _set_limits(job: dict) -> None:
    try:
        import resource
    except ImportError:  # not POSIX
        return
    seconds = math.ceil(job["time_limit_s"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    in_use = _vm_size_bytes()
    if in_use is not None:  # Linux: RLIMIT_AS counts the model's mappings too
        limit = in_use + job["memory_mb"] * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_job(job: dict, work: Path) -> dict:
    """Run one check in this process (the child, or the only process without fork)."""
    from tutor.exercises.env import CheckFailed, Env

    display = job["display_name"]
    copy = work / Path(job["learner_file"]).name
    exercise_dir = Path(job["exercise_dir"])
    env: Env | None = None
    started = time.monotonic()
    try:
        try:
            source = copy.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            return _result(False, f"{display} is not UTF-8 text ({err.reason})")
        try:
            code = compile(source, str(copy), "exec")
        except SyntaxError as err:
            return _result(False, _syntax_message(err, display))
        task = ModuleType("task")
        task.__file__ = str(copy)
        sys.modules["task"] = task
        reference = _load_module("reference", exercise_dir / "reference.py")
        checker = _load_module("exercise_check", exercise_dir / "check.py")
        env = Env(task, reference, display, str(copy), job["memory_mb"])
        try:
            exec(code, task.__dict__)
        except Exception as exc:
            return _result(False, env.explain_exception(f"running {display}", exc))
        outcome = checker.check(env)
        message = outcome if isinstance(outcome, str) and outcome else "All checks passed."
        return _result(True, message, duration_s=time.monotonic() - started)
    except CheckFailed as failed:
        return _result(False, str(failed), duration_s=time.monotonic() - started)
    except MemoryError:
        return _result(False, _memory_message(job["memory_mb"]))
    except SystemExit as exc:
        return _result(False, f"{display} called exit({exc.code!r}); return values instead")
    except RecursionError:
        return _result(False, "your code recursed without end (RecursionError)")
    except BaseException as exc:  # the checker itself, or learner code it called directly
        if env is not None and env.learner_line(exc.__traceback__) is not None:
            return _result(False, env.explain_exception("your code", exc))
        detail = "".join(traceback.format_exception(exc)[-3:]).strip()
        return _result(False, f"the check itself failed (a bug in the exercise):\n{detail}")


def _child(job: dict, work: Path, write_fd: int) -> None:
    output_path = work.parent / f"{work.name}.out"
    result: dict[str, Any] = _result(False, "the check did not finish")
    try:
        out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.chdir(work)
        sys.path.insert(0, str(work))
        _set_limits(job)
        result = run_job(job, work)
    except MemoryError:
        result = _result(False, _memory_message(job["memory_mb"]))
    except BaseException as exc:  # never let the child return into the parent's code
        result = _result(False, f"the check could not run: {type(exc).__name__}: {exc}")
    finally:
        try:
            sys.stdout.flush()
            result["output"] = output_path.read_text(encoding="utf-8", errors="replace")[
                -OUTPUT_LIMIT:
            ]
            os.write(write_fd, json.dumps(result).encode())
        finally:
            os._exit(0)


def _signal_message(sig: int, job: dict) -> str:
    if sig == getattr(signal, "SIGXCPU", -1):
        return _timeout_message(job)
    if sig == getattr(signal, "SIGXFSZ", -1):
        return "your code wrote a file larger than 64 MB; the check was stopped"
    if sig == signal.SIGKILL:
        return _memory_message(job["memory_mb"]) + " (the system stopped it)"
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    return f"the check crashed ({name}); a library call in your code may have failed hard"


def _timeout_message(job: dict) -> str:
    return (
        f"stopped after {job['time_limit_s']:g} s: your code did not finish in time "
        "(an infinite loop? a `while` whose condition never changes?)"
    )


def run_forked(job: dict) -> dict:
    """One job in a forked child with a wall-clock deadline."""
    work = Path(tempfile.mkdtemp(prefix="mitutor-check-"))
    try:
        shutil.copyfile(job["learner_file"], work / Path(job["learner_file"]).name)
        read_fd, write_fd = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its result comes back through the pipe
            os.close(read_fd)
            _child(job, work, write_fd)
        os.close(write_fd)
        deadline = started + job["time_limit_s"]
        status = None
        while status is None:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(read_fd)
                return _result(False, _timeout_message(job), _read_output(work))
            else:
                time.sleep(0.01)
        chunks = []
        while chunk := os.read(read_fd, 65536):
            chunks.append(chunk)
        os.close(read_fd)
        elapsed = time.monotonic() - started
        if os.WIFSIGNALED(status):
            return _result(False, _signal_message(os.WTERMSIG(status), job), _read_output(work))
        try:
            result = json.loads(b"".join(chunks).decode())
        except ValueError:
            message = "the check ended without a result: did your code call os._exit()?"
            return _result(False, message, _read_output(work))
        result["duration_s"] = elapsed
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        Path(f"{work}.out").unlink(missing_ok=True)


def _read_output(work: Path) -> str:
    try:
        return Path(f"{work}.out").read_text(encoding="utf-8", errors="replace")[-OUTPUT_LIMIT:]
    except OSError:
        return ""


def run_inline(job: dict) -> dict:
    """Without fork: run in this process, in a temporary copy (no memory limit)."""
    work = Path(tempfile.mkdtemp(prefix="mitutor-check-"))
    cwd = os.getcwd()
    try:
        shutil.copyfile(job["learner_file"], work / Path(job["learner_file"]).name)
        os.chdir(work)
        return run_job(job, work)
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


def _preload(jobs: list[dict]) -> str | None:
    """Import torch and load tutor-gpt once, before forking; the error text if it fails."""
    if not any(job.get("uses_model", True) for job in jobs):
        return None
    try:
        import torch

        torch.set_num_threads(1)
        from tutor.exercises.env import MODEL_NAME
        from tutor.model.loader import get_model

        get_model(MODEL_NAME, "cpu")
    except Exception as exc:
        return f"could not load tutor-gpt for the check: {exc}"
    return None


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    jobs: list[dict] = spec["jobs"]
    problem = _preload(jobs)
    for job in jobs:
        if problem is not None and job.get("uses_model", True):
            result = _result(False, problem)
        else:
            guard = FolderGuard(Path(job["learner_file"]).parent)
            result = run_forked(job) if hasattr(os, "fork") else run_inline(job)
            changes = guard.restore()
            if changes:
                result["passed"] = False
                result["message"] = describe(changes) + "\n" + result["message"]
        Path(job["result_path"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Time from opening a lab to its first result on screen, beside a bare torch import.

Every measurement is a fresh Python process (after one untimed warm-up of each), repeated
``--runs`` times with the rows interleaved (so machine load hits them alike); the table shows medians, the spread, and
each row's ratio to the bare ``python -c "import torch, transformer_lens"`` of the same run:

- ``import torch + transformer_lens``: ``python -c "import torch, transformer_lens"`` from
  start to exit, the yardstick (any lab's first open pays at least its imports).
- ``LAB cold``: a headless app at 80×24 with the home screen up; from ``app.open_lab(LAB)``
  (what ``enter`` on the lab does) until ``LabScreen.last_result`` is set (a result is on
  screen): the lab's imports, the model load and the experiment count, the app's start-up
  does not.
- ``LAB warm``: in the same process, leave the lab and open it again: the second open.
- ``mitutor run patching --preset eiffel --json``: the CLI's whole wall time (process
  start to exit).

Usage: ``python benchmarks/lab_open.py [--runs 3] [--labs patching] [--timeout 300]``.
The app is built with ``preload_model=True`` where it takes that argument (as ``mitutor``
does), so a background preload started at the home screen counts as it would for a learner.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

OPEN_LAB = """
import asyncio, sys, time
from tutor.app import TutorApp

LAB = {lab!r}

def make_app():
    try:
        return TutorApp(preload_model=True)
    except TypeError:
        return TutorApp()

async def until_result(app, pilot, timeout):
    from tutor.screens.lab_base import LabScreen
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        screen = app.screen
        if isinstance(screen, LabScreen):
            if screen.last_result is not None:
                return
            if screen.error:
                raise SystemExit("lab error: " + str(screen.error))
        await pilot.pause(0.02)
    raise SystemExit("timed out")

async def main():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_lab(LAB)
        await until_result(app, pilot, {timeout})
        print("COLD", time.perf_counter() - t0, flush=True)
        app.pop_screen()
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_lab(LAB)
        await until_result(app, pilot, {timeout})
        print("WARM", time.perf_counter() - t0, flush=True)

asyncio.run(main())
"""

# Timed to the process's exit, as the issue's yardstick ``python -c "import torch,
# transformer_lens"`` is: interpreter start, the imports, and the interpreter's teardown.
BARE = "import torch, transformer_lens"


def time_process(argv: list[str], home: str, timeout: float) -> tuple[float, float | None]:
    """Seconds from spawning to the COLD line (or exit), and the WARM figure if printed."""
    env = dict(os.environ, MITUTOR_HOME=home, HF_HUB_OFFLINE="1", TQDM_DISABLE="1")
    # As installed for a learner: compiled modules are cached (some CI images turn that off,
    # which makes every start recompile mitutor's own sources).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    cold = warm = None
    for line in proc.stdout:
        if line.startswith("COLD") and cold is None:
            parts = line.split()
            cold = float(parts[1]) if len(parts) > 1 else time.perf_counter() - start
        elif line.startswith("WARM"):
            warm = float(line.split()[1])
    proc.wait(timeout=timeout)
    if cold is None:
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])}… exited with {proc.returncode}")
        cold = time.perf_counter() - start
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per row")
    parser.add_argument(
        "--labs", default="patching", help="comma-separated lab ids (sae trains: slow)"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per process")
    args = parser.parse_args()
    py = sys.executable
    cases: dict[str, list[str]] = {"import torch + transformer_lens": [py, "-c", BARE]}
    for lab in args.labs.split(","):
        cases[f"{lab} cold (open → first result)"] = [
            py,
            "-c",
            OPEN_LAB.format(lab=lab, timeout=args.timeout),
        ]
    cases["mitutor run patching --preset eiffel --json"] = [
        py,
        "-m",
        "tutor",
        "run",
        "patching",
        "--preset",
        "eiffel",
        "--json",
    ]
    cold: dict[str, list[float]] = {name: [] for name in cases}
    warm: dict[str, list[float]] = {}

    def warm_name(name: str) -> str:
        return name.replace("cold (open → first result)", "warm (reopen)")

    with tempfile.TemporaryDirectory() as home:
        for argv in cases.values():  # a warm-up: byte-code caches written, files in memory
            time_process(argv, home, args.timeout)
        for _ in range(args.runs):
            for name, argv in cases.items():
                seconds, again = time_process(argv, home, args.timeout)
                cold[name].append(seconds)
                if again is not None:
                    warm.setdefault(warm_name(name), []).append(again)
                print(f"  {name}: {seconds:.2f} s", file=sys.stderr, flush=True)
    base = statistics.median(cold["import torch + transformer_lens"])
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"lab open, {args.runs} fresh processes per row, load average {load} ({py})")
    print(f"{'what':<46} {'median s':>9} {'min s':>7} {'max s':>7} {'÷ import':>9}")
    for name, values in [*cold.items(), *warm.items()]:
        med = statistics.median(values)
        print(f"{name:<46} {med:>9.3f} {min(values):>7.3f} {max(values):>7.3f} {med / base:>9.2f}")


if __name__ == "__main__":
    main()

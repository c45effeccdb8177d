"""Time to the first screen of `mitutor`, against what importing torch would add.

Each measurement is a fresh Python process (so nothing is already imported or cached in
memory), run several times; the table shows the median, the spread, and each row's ratio
to the first-screen time, all measured side by side in this one run:

- ``python -c pass``: the interpreter's own start-up, the floor for any command.
- ``first screen``: from process start until the home screen is mounted and has painted
  (a headless app at 80×24, real bundled content, a fresh MITUTOR_HOME).
- ``import torch + transformer_lens``: what the first screen would cost on top if the app
  imported them at start-up instead of lazily in the labs.

Usage: ``python benchmarks/startup.py [--runs N]``.
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

FIRST_SCREEN = """
import asyncio, sys
from tutor.app import TutorApp
from tutor.screens.home import HomeScreen

async def main():
    app = TutorApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), app.screen
        heavy = [m for m in ("torch", "transformer_lens") if m in sys.modules]
        print("READY", ",".join(heavy) or "-", flush=True)

asyncio.run(main())
"""

CASES = {
    "python -c pass": "print('READY -', flush=True)",
    "first screen": FIRST_SCREEN,
    "import torch + transformer_lens": (
        "import torch, transformer_lens; print('READY -', flush=True)"
    ),
}


def time_once(code: str, home: str) -> tuple[float, str]:
    """Seconds from spawning a Python process to its READY line, and what it reported."""
    env = dict(os.environ, MITUTOR_HOME=home, HF_HUB_OFFLINE="1")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY"):
            elapsed = time.perf_counter() - start
            proc.wait()
            return elapsed, line.split()[1]
    proc.wait()
    raise RuntimeError(f"the benchmark process exited with {proc.returncode} before READY")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5)")
    args = parser.parse_args()

    times: dict[str, list[float]] = {name: [] for name in CASES}
    heavy_at_first_screen = set()
    with tempfile.TemporaryDirectory() as home:
        # Interleave the rows so that machine load affects them all alike.
        for _ in range(args.runs):
            for name, code in CASES.items():
                seconds, report = time_once(code, home)
                times[name].append(seconds)
                if name == "first screen" and report != "-":
                    heavy_at_first_screen.add(report)

    base = statistics.median(times["first screen"])
    print(f"mitutor start-up, {args.runs} runs each, fresh processes ({sys.executable})")
    print(f"{'what':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'÷ first screen':>15}")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:<34} {med:>9.3f} {min(values):>7.3f} {max(values):>7.3f} {med / base:>15.2f}")
    if heavy_at_first_screen:
        print(f"WARNING: imported before the first screen: {', '.join(heavy_at_first_screen)}")
    else:
        print("torch and transformer_lens were not imported before the first screen.")


if __name__ == "__main__":
    main()

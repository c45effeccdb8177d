"""Run lesson listings in one interpreter, each in a fresh namespace, and report as JSON.

Usage: python listing_runner.py IN.json OUT.json, where IN holds [{"label", "code"}].
Sharing one interpreter saves the few seconds torch and transformer_lens take to import
for every listing; each listing still gets its own globals and its own time limit.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import time
import traceback
from pathlib import Path

# Generous: a listing should take seconds, but CI machines can be heavily shared. The limit
# only exists to turn a hang into a failure.
LIMIT_S = 180


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError(f"listing ran longer than {LIMIT_S} s")


def main(src: str, dst: str) -> None:
    results = {}
    items = json.loads(Path(src).read_text(encoding="utf-8"))
    # Import the heavy libraries once, up front, so their cost is not charged to whichever
    # listing happens to run first.
    if any("torch" in item["code"] for item in items):
        import torch  # noqa: F401
    if any("load_model" in item["code"] for item in items):
        import transformer_lens  # noqa: F401
    signal.signal(signal.SIGALRM, _timeout)
    for item in items:
        out = io.StringIO()
        start = time.perf_counter()
        error = None
        signal.alarm(LIMIT_S)
        try:
            with contextlib.redirect_stdout(out):
                code = compile(item["code"], item["label"], "exec")
                exec(code, {"__name__": "__main__"})
        except BaseException:  # report everything, including SystemExit and timeouts
            error = traceback.format_exc()
        finally:
            signal.alarm(0)
        results[item["label"]] = {
            "stdout": out.getvalue(),
            "error": error,
            "seconds": round(time.perf_counter() - start, 2),
        }
    Path(dst).write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""`mitutor run lens`: the issue's JSON fields, the text report, bad input (a real process)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mitutor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", "run", "lens", "--device", "cpu", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_json_has_the_issue_fields():
    out = mitutor(
        "--prompt", "The Colosseum is in", "--answer", "Rome", "--wrong", "Paris",
        "--no-patching", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["lab"] == "lens" and data["preset"] == "eiffel"
    assert data["params"]["prompt"] == "The Colosseum is in" and data["params"]["corrupt"] is None
    r = data["result"]
    assert len(r["p_answer"]) == 13 and len(r["top"]) == 13
    assert all(len(row) == 5 for row in r["top"])
    assert r["p_answer"] == r["recomputed"]["p_answer"]
    for row, p in zip(r["top"], r["p_answer"], strict=True):
        probs = [t["prob"] for t in row]
        assert probs == sorted(probs, reverse=True) and p <= probs[0] + 1e-7
    d = r["dla"]
    total = sum(c["value"] for c in d["components"]) + d["bias"]
    assert math.isclose(total, d["sum"], abs_tol=1e-4)
    assert math.isclose(d["sum"], d["final"], abs_tol=1e-4) and d["final"] > 0
    assert r["patching"] is None


def test_text_report_shows_both_conventions_and_the_sum():
    out = mitutor("--preset", "break-cached-scale")
    assert out.returncode == 0, out.stderr
    assert "cached final scale" in out.stdout and "PR #1077" in out.stdout
    assert "Σ components + bias = +13.05" in out.stdout


def test_bad_input_names_the_option():
    out = mitutor("--answer", "Zzyzxq", "--no-patching")
    assert out.returncode == 2 and "--answer:" in out.stderr
    out = mitutor("--subject", "2-4")
    assert out.returncode == 2 and "--subject:" in out.stderr
    out = mitutor("--top-k", "0")
    assert out.returncode == 2 and "--top-k:" in out.stderr
    out = mitutor("--preset", "nope")
    assert out.returncode == 2 and "break-indirect" in out.stderr

"""`mitutor run superposition`: JSON fields, text, and bad input (run as a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--steps", "300", "--restarts", "2"]


def mitutor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", "run", "superposition", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_json_has_the_issue_fields():
    out = mitutor("--preset", "sae-recover", "--n", "6", "--sparsity", "0.95", *QUICK, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["lab"] == "superposition" and data["preset"] == "sae-recover"
    assert data["params"]["n"] == 6 and data["params"]["sparsity"] == 0.95
    r = data["result"]
    assert r["sparsity"] == 0.95
    assert len(r["W"]) == 2 and all(len(row) == 6 for row in r["W"])
    assert len(r["norms"]) == len(r["superposition"]) == len(r["dimensionality"]) == 6
    assert 0.0 <= r["recovered"] <= 1.0
    assert r["recovered"] == r["sae"]["main"]["recovered"]
    # The norms are those of W's columns.
    for i, norm in enumerate(r["norms"]):
        assert abs(norm - (r["W"][0][i] ** 2 + r["W"][1][i] ** 2) ** 0.5) < 1e-5


def test_text_report_and_no_relu_flag():
    out = mitutor("--no-relu", "--levels", "0,0.9", *QUICK)
    assert out.returncode == 0, out.stderr
    assert "linear (no ReLU)" in out.stdout
    assert "angles between neighbouring kept features" in out.stdout or "sparsity" in out.stdout


def test_bad_input_names_the_option():
    out = mitutor("--n", "4", "--m", "6")
    assert out.returncode == 2
    assert "--m:" in out.stderr and "m ≤ n" in out.stderr
    out = mitutor("--sparsity", "1.5")
    assert out.returncode == 2 and "--sparsity:" in out.stderr
    out = mitutor("--levels", "0,x")
    assert out.returncode == 2 and "--levels:" in out.stderr
    out = mitutor("--preset", "nope")
    assert out.returncode == 2 and "pentagon" in out.stderr

"""Every ```python runnable listing in the lessons runs, each in a fresh namespace.

Listings that load a model use the bundled tutor-gpt checkpoint, exactly as a learner
would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from course_text import REPO, Listing, lessons, listings, output_mismatch

MODEL_CALL = 'load_model("tutor-gpt", "cpu")'
RUNNER = Path(__file__).with_name("listing_runner.py")
ALL_LISTINGS: list[Listing] = [item for lesson in lessons() for item in listings(lesson)]


def _prepare(listing: Listing) -> str:
    code = listing.code
    if "tutor-gpt" in code:
        assert MODEL_CALL in code, f"{listing.label}: load the model as {MODEL_CALL}"
    return code


@pytest.fixture(scope="module")
def listing_results(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("listings")
    src, dst = work / "in.json", work / "out.json"
    items = [{"label": x.label, "code": _prepare(x)} for x in ALL_LISTINGS]
    src.write_text(json.dumps(items), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1"}
    env["PYTHONPATH"] = str(REPO)
    env["MITUTOR_HOME"] = str(work / "home")
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(src), str(dst)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=200 * len(items) + 120,
    )
    assert done.returncode == 0, f"listing runner crashed:\n{done.stderr[-3000:]}"
    return json.loads(dst.read_text(encoding="utf-8"))


@pytest.mark.parametrize("listing", ALL_LISTINGS, ids=[x.label for x in ALL_LISTINGS])
def test_runnable_listing_runs(listing: Listing, listing_results: Any):
    result = listing_results[listing.label]
    assert result["error"] is None, f"{listing.label} failed:\n{result['error']}"
    assert result["stdout"].strip(), f"{listing.label}: a listing should print what it shows"


@pytest.mark.parametrize("listing", ALL_LISTINGS, ids=[x.label for x in ALL_LISTINGS])
def test_listing_prints_its_output_block(listing: Listing, listing_results: Any):
    """What the lesson says a listing prints is what it prints (numbers within tolerance)."""
    assert listing.output is not None, f"{listing.label}: no ```output block after the listing"
    result = listing_results[listing.label]
    assert result["error"] is None, f"{listing.label} failed:\n{result['error']}"
    problem = output_mismatch(listing.output, result["stdout"], listing.tol, listing.rtol)
    assert problem is None, f"{listing.label}: {problem}"


def test_every_lesson_quotes_listing_output():
    assert all(listing.output for listing in ALL_LISTINGS)
    assert len(ALL_LISTINGS) >= len(lessons())


def test_runner_reports_a_failing_listing(tmp_path: Path):
    """The runner must not swallow errors, or every listing test would pass vacuously."""
    items = [
        {"label": "good", "code": "print('hi')"},
        {"label": "bad", "code": "x = 1\nraise ValueError('boom')"},
        {"label": "leak", "code": "print(x)"},  # namespaces are fresh, so x is undefined
    ]
    src, dst = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(items), encoding="utf-8")
    subprocess.run([sys.executable, str(RUNNER), str(src), str(dst)], check=True, timeout=60)
    out = json.loads(dst.read_text(encoding="utf-8"))
    assert out["good"] == {"stdout": "hi\n", "error": None, "seconds": out["good"]["seconds"]}
    assert "ValueError: boom" in out["bad"]["error"]
    assert "NameError" in out["leak"]["error"]

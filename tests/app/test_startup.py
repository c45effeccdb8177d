"""The home screen appears before torch or transformer_lens is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app_fixture_paths import CONTENT, QUIZZES

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys
from pathlib import Path
from tutor.app import TutorApp
from tutor.screens.home import HomeScreen

async def main():
    app = TutorApp(content_dirs=[Path(sys.argv[1])], quiz_dirs=[Path(sys.argv[2])])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformer_lens"))
        print(json.dumps({"screen": type(app.screen).__name__, "heavy": heavy[:5]}))

asyncio.run(main())
"""


def test_first_screen_does_not_import_torch(tmp_path):
    # A fresh interpreter: this test process may already have torch from other tests.
    env = dict(os.environ, MITUTOR_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(CONTENT), str(QUIZZES)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"screen": "HomeScreen", "heavy": []}

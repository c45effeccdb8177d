"""The curriculum engine and the store stay free of Textual and torch (fast start-up)."""

from __future__ import annotations

import subprocess
import sys


def test_engine_imports_neither_textual_nor_torch():
    code = (
        "import sys, tutor.curriculum, tutor.progress, tutor.commands.lessons, "
        "tutor.commands.check_content\n"
        "from tutor.curriculum import load_curriculum\n"
        "load_curriculum()\n"
        "print(sorted(m for m in ('textual', 'torch', 'transformer_lens') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"

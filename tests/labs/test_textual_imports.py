"""Nothing below the screens imports Textual: only ``tutor/screens/``, ``tutor/widgets/``,
``tutor/app.py`` and the labs' ``screen*.py`` / ``panes*.py`` may (imports read with ``ast``,
so a lazy import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

TUTOR = Path(__file__).resolve().parents[2] / "tutor"


def allowed(path: Path) -> bool:
    rel = path.relative_to(TUTOR)
    if rel.parts[0] in ("screens", "widgets") or rel == Path("app.py"):
        return True
    return rel.parts[0] == "labs" and path.name.startswith(("screen", "panes"))


def imports_textual(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(n == "textual" or n.startswith("textual.") for n in names):
            lines.append(node.lineno)
    return lines


def test_only_the_ui_modules_import_textual():
    offenders = {
        str(p.relative_to(TUTOR)): lines
        for p in sorted(TUTOR.rglob("*.py"))
        if not allowed(p) and (lines := imports_textual(p))
    }
    assert offenders == {}


def test_the_walk_sees_the_ui_modules():
    # The check above would pass vacuously if the walk found nothing: it must see these.
    seen = {str(p.relative_to(TUTOR)) for p in TUTOR.rglob("*.py") if imports_textual(p)}
    assert {"app.py", "screens/lab_base.py", "labs/patching/screen.py"} <= seen
    assert "labs/patching/panes.py" in seen

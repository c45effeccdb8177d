"""Small user preferences (the colour theme) kept as JSON in the user data directory.

Preferences are not progress: a damaged file is set aside and defaults are used, with the
reason available to show the learner.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tutor import paths

SETTINGS_NAME = "settings.json"


def settings_path() -> Path:
    return paths.data_dir() / SETTINGS_NAME


def load_settings(path: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """The saved preferences, and a message if the file had to be set aside."""
    path = path or settings_path()
    if not path.exists():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data, None
    except (OSError, ValueError) as err:
        aside = path.with_name(path.name + ".bad")
        try:
            os.replace(path, aside)
        except OSError:
            return {}, f"{path}: could not read your preferences ({err}); using defaults"
        return {}, f"{path}: could not read your preferences ({err}); kept as {aside}"


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Set one preference, writing the file atomically (a crash never leaves half a file)."""
    path = path or settings_path()
    data, _ = load_settings(path)
    data[key] = value
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)

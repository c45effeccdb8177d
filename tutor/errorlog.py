"""Writing a failure's full traceback to a log file the learner can find and send.

The error panel in a lab names what failed in one line and points here for the rest, so a
bug report carries the traceback without the screen filling with one. If the data
directory cannot be written, the system temp directory is used; if neither can, ``None``.
"""

from __future__ import annotations

import tempfile
import traceback
from datetime import datetime
from pathlib import Path


def log_path() -> Path:
    from tutor.paths import data_dir

    try:
        folder = data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return folder / "errors.log"


def write_error(exc: BaseException, where: str) -> Path | None:
    """Append ``exc``'s traceback, with a time stamp and ``where`` it happened; return the file."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    entry = f"=== {datetime.now():%Y-%m-%d %H:%M:%S} {where}\n{text}\n"
    for path in (log_path(), Path(tempfile.gettempdir()) / "mitutor-errors.log"):
        try:
            with path.open("a", encoding="utf-8") as f:
                f.write(entry)
            return path
        except OSError:
            continue
    return None

"""Catching a check's side effects on the learner's own folder.

Checks run on a temporary copy of the learner's file, in a temporary working directory,
but code can still name the real file by its absolute path (``os.remove(...)``). Before
each check the sandbox lists the learner's folder and keeps its small files in memory;
afterwards a removed or changed file is written back and the check fails with a message
saying what the code did.
"""

from __future__ import annotations

import os
from pathlib import Path

_BACKUP_MAX_BYTES = 512 * 1024
_BACKUP_MAX_FILES = 200


class FolderGuard:
    """Remembers a folder's files; puts back any the check removed or changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.saved: dict[Path, bytes] = {}
        self.listing: dict[str, tuple[int, int]] = {}
        try:
            entries = sorted(folder.iterdir())[:_BACKUP_MAX_FILES]
        except OSError:
            entries = []
        for path in entries:
            try:
                info = path.stat()
                if path.is_file():
                    self.listing[path.name] = (info.st_size, info.st_mtime_ns)
                    if info.st_size <= _BACKUP_MAX_BYTES:
                        self.saved[path] = path.read_bytes()
            except OSError:
                continue

    def restore(self) -> list[str]:
        """What changed, in words; changed or removed files are written back."""
        changes = []
        for name, (size, mtime) in self.listing.items():
            path = self.folder / name
            try:
                info = path.stat()
                changed = (info.st_size, info.st_mtime_ns) != (size, mtime)
                removed = False
            except OSError:
                changed, removed = True, True
            if not changed:
                continue
            original = self.saved.get(path)
            if original is not None and not removed and path.read_bytes() == original:
                continue
            verb = "deleted" if removed else "changed"
            if original is not None:
                try:
                    path.write_bytes(original)
                    os.utime(path, ns=(mtime, mtime))
                    changes.append(f"{verb} {name} (mitutor put it back)")
                    continue
                except OSError:
                    pass
            changes.append(f"{verb} {name}")
        return changes


def describe(changes: list[str]) -> str:
    """The message put before a check's own when it touched the learner's folder."""
    return (
        "your code changed files in your exercise folder while it was checked: "
        + "; ".join(changes)
        + ". Exercise code should only compute and return values."
    )

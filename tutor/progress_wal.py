"""Checking SQLite's write-ahead log before opening the progress file.

SQLite replays the ``-wal`` file frame by frame and stops, silently, at the first frame
whose checksum does not match: every answer committed after a garbled frame is dropped
without a word. Reading the log's own checksums first (the format is documented in
SQLite's "Database File Format", section 4) lets the store notice that, keep the damaged
files aside and tell the learner, as it does for a damaged main file.

A frame whose salts differ from the header's is not damage: SQLite reuses the log from the
start after a checkpoint, so stale frames from an earlier generation may follow the valid
ones. Damage is a checksum failure inside the current generation, or a current-generation
frame after the point where the chain broke.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_MAGIC_LE = 0x377F0682
_MAGIC_BE = 0x377F0683
_HEADER = 32
_FRAME_HEADER = 24


@dataclass(frozen=True)
class WalCheck:
    """What reading the log found: ``damaged`` with a reason, and how many frames were valid."""

    damaged: bool
    valid_frames: int
    reason: str = ""


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    fmt = (">" if big_endian else "<") + f"{len(data) // 4}I"
    words = struct.unpack(fmt, data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def check_wal(path: Path) -> WalCheck:
    """Read a ``-wal`` file's header and frames and say whether SQLite would drop any."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return WalCheck(False, 0)
    if len(data) == 0:
        return WalCheck(False, 0)
    if len(data) < _HEADER:
        return WalCheck(True, 0, f"the log is {len(data)} bytes, shorter than its header")
    magic, _version, page_size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", data[:_HEADER])
    if magic not in (_MAGIC_LE, _MAGIC_BE):
        if not any(data[:_HEADER]):
            return WalCheck(False, 0)  # a zeroed header: SQLite treats the log as empty
        return WalCheck(True, 0, "the log's header is not a SQLite write-ahead log header")
    big = magic == _MAGIC_BE
    if _checksum(data[:24], big, 0, 0) != (c0, c1):
        return WalCheck(True, 0, "the log's header checksum does not match")
    if page_size < 512 or page_size & (page_size - 1):
        return WalCheck(True, 0, f"the log's page size {page_size} is impossible")
    frame_size = _FRAME_HEADER + page_size
    s0, s1 = c0, c1
    valid = 0
    offset = _HEADER
    broken_at: int | None = None
    while offset + frame_size <= len(data):
        header = data[offset : offset + _FRAME_HEADER]
        _page, _commit, f_salt1, f_salt2, f0, f1 = struct.unpack(">6I", header)
        current = (f_salt1, f_salt2) == (salt1, salt2)
        if broken_at is None:
            if not current:
                broken_at = valid  # the end of this generation (or a garbled salt)
            else:
                page = data[offset + _FRAME_HEADER : offset + frame_size]
                s0, s1 = _checksum(header[:8], big, s0, s1)
                s0, s1 = _checksum(page, big, s0, s1)
                if (s0, s1) != (f0, f1):
                    return WalCheck(True, valid, f"frame {valid + 1} of the log fails its checksum")
                valid += 1
        elif current:
            return WalCheck(
                True,
                valid,
                f"frame {broken_at + 1} of the log is damaged and later frames would be lost",
            )
        offset += frame_size
    return WalCheck(False, valid)

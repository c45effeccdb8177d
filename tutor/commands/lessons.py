"""`mitutor lessons` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lessons", help="(not implemented yet)")
    p.set_defaults(func=lambda args: print("not implemented yet") or 2)

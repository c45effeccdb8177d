"""Small wording helpers shared by the app and the command line ("1 card", "3 cards")."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: ``count(3, "card")`` → ``"3 cards"``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"

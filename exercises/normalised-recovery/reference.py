"""Reference solution for normalised-recovery."""


def normalised_recovery(patched: float, clean: float, corrupted: float) -> float:
    gap = clean - corrupted
    if gap == 0:
        raise ValueError("clean and corrupted metrics are equal: nothing to recover")
    return (patched - corrupted) / gap

"""Normalised recovery: what fraction of the clean-corrupted gap a patch restores.

A raw logit difference is hard to compare across prompts. Patching results are usually
reported as the fraction of the gap between the clean run and the corrupted run that the
patched run recovers:

- 0 means the patch did nothing (the patched metric equals the corrupted one);
- 1 means the patch restored the clean behaviour completely;
- values below 0 or above 1 are possible and worth noticing (the patch overshot).

Write `normalised_recovery(patched, clean, corrupted)` for three floats and return a
float. When clean == corrupted the corruption broke nothing and the ratio is undefined:
raise `ValueError` with a message saying so (do not return inf or NaN).
"""


def normalised_recovery(patched: float, clean: float, corrupted: float) -> float:
    # TODO: refuse a zero gap (clean == corrupted) with ValueError
    # TODO: return the fraction of the gap the patched run recovers
    raise NotImplementedError("TODO: compute the normalised recovery")

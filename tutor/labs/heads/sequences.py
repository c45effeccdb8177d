"""Seeded token sequences for the lab: a random sequence repeated once, or one with no repeats.

Built directly as token ids from the words of the generated world that are single tokens
(``world.repeat_word_pool``), so every word is exactly one position and the second copy
starts at a known index. Row 0 of a batch is what the patterns view shows; the head scores
average over the whole batch. Torch-free: ids are plain lists.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4)
def word_ids(tokenizer: Any) -> tuple[int, ...]:
    """Ids of the whole-word tokens random sequences are drawn from (sorted, deterministic)."""
    from tutor.model.world import repeat_word_pool

    ids = set()
    for word in repeat_word_pool():
        got = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
        if len(got) == 1:
            ids.add(got[0])
    return tuple(sorted(ids))


def repeated_ids(pool: Sequence[int], length: int, seed: int) -> list[int]:
    """``length`` random words (drawn with replacement), then the same words again."""
    rng = random.Random(seed)
    words = rng.choices(list(pool), k=length)
    return words + words


def no_repeat_ids(pool: Sequence[int], length: int, seed: int) -> list[int]:
    """``2 * length`` distinct random words: nothing earlier in the context predicts anything."""
    rng = random.Random(seed)
    return rng.sample(list(pool), k=2 * length)


def batch(
    pool: Sequence[int], bos: int, length: int, n: int, seed: int, repeat: bool = True
) -> list[list[int]]:
    """``n`` rows of BOS + sequence; row ``i`` uses seed ``seed * 1000 + i``."""
    make = repeated_ids if repeat else no_repeat_ids
    return [[bos, *make(pool, length, seed * 1000 + i)] for i in range(n)]

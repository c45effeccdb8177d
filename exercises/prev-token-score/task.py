"""The previous-token score: the first half of an induction circuit.

An induction head needs to know, at each earlier position, which token came before it.
Previous-token heads provide that: at every position they attend to the position just
before. A head's previous-token score is its average attention to position q - 1 over
the query positions q that have one (q = 1 … pos - 1).

Write `prev_token_scores(pattern)`: `pattern` is one layer's attention of shape
[n_heads, pos, pos] (`pattern[h, query, key]`); return a tensor of shape [n_heads].
"""

import torch


def prev_token_scores(pattern: torch.Tensor) -> torch.Tensor:
    # TODO: the query positions that have a previous token
    # TODO: their attention to the position just before, averaged, per head
    raise NotImplementedError("TODO: previous-token scores")

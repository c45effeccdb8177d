"""The induction score: which heads copy what followed the last time?

Feed the model a random sequence of T tokens repeated twice, after a BOS token:

    position:  0     1 … T        T+1 … 2T
    token:     BOS   r_1 … r_T    r_1 … r_T

In the second copy, an induction head at r_i attends to the token that followed r_i in
the first copy (r_(i+1)), which lets the model predict it. The induction score of a head
is its average attention, over the query positions of the second copy, to that one key
position.

Write `induction_scores(pattern, seq_len)`:

- `pattern` is one layer's attention, shape [n_heads, 2 * seq_len + 1, 2 * seq_len + 1]
  (`pattern[h, query, key]`, rows sum to 1);
- `seq_len` is T;
- return a tensor of shape [n_heads], each score between 0 and 1.

Work out which key each query in the second copy should attend to (draw it for T = 3).
"""

import torch


def induction_scores(pattern: torch.Tensor, seq_len: int) -> torch.Tensor:
    # TODO: the query positions of the second copy
    # TODO: for each, the key position an induction head attends to
    # TODO: average that attention over the queries, per head
    raise NotImplementedError("TODO: induction scores")

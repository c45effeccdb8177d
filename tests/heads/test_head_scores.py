"""The score definitions on hand-made patterns, where the answer is known by construction."""

from __future__ import annotations

import math

import torch

from tutor.model.head_scores import best_head, score_masks, scores_from_pattern


def test_masks_on_a_repeated_sequence():
    tokens = torch.tensor([[0, 5, 6, 7, 5, 6, 7]])  # BOS, A B C, A B C
    m = score_masks(tokens)
    assert m["previous_token"][0, 3, 2] and not m["previous_token"][0, 3, 1]
    # Query 4 (A, second copy): duplicate at 1, induction at 2 (the token after A).
    assert m["duplicate_token"][0, 4].nonzero().flatten().tolist() == [1]
    assert m["induction"][0, 4].nonzero().flatten().tolist() == [2]
    assert m["induction"][0, 6].nonzero().flatten().tolist() == [4]  # C came before A (key 4)
    assert not m["induction"][0, 3].any()  # first copy: nothing to find


def test_perfect_induction_head_scores_one():
    tokens = torch.tensor([[0, 5, 6, 7, 5, 6, 7]])
    n = tokens.shape[1]
    pattern = torch.zeros(1, 2, n, n)
    for i in range(n):
        pattern[0, 0, i, max(0, i - 1)] = 1.0  # head 0: previous token
        pattern[0, 1, i, i - 2 if i >= 4 else 0] = 1.0  # head 1: induction on the copy
    s = scores_from_pattern(pattern, score_masks(tokens))
    # Head 1 looks at i - 1 only from query 1 (key 0), one of the six queries after BOS.
    assert torch.allclose(s["previous_token"], torch.tensor([1.0, 1 / 6]))
    assert s["induction"][1] == 1.0 and s["induction"][0] == 0.0


def test_no_repeats_gives_nan_and_best_head():
    tokens = torch.tensor([[0, 1, 2, 3]])
    pattern = torch.full((1, 1, 4, 4), 0.25)
    s = scores_from_pattern(pattern, score_masks(tokens))
    assert math.isnan(float(s["induction"][0])) and math.isnan(float(s["duplicate_token"][0]))
    assert best_head(torch.tensor([[0.1, 0.2], [0.9, 0.3]])) == (1, 0, 0.8999999761581421)

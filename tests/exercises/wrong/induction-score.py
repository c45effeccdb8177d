# EXPECT: the induction key is q - seq_len + 1
import torch


def induction_scores(pattern, seq_len):
    queries = torch.arange(seq_len + 1, 2 * seq_len + 1)
    return pattern[:, queries, queries - seq_len].mean(-1)

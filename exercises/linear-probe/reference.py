"""Reference solution for linear-probe."""

import torch


def train_probe(X: torch.Tensor, y: torch.Tensor, n_classes: int, steps: int = 300, lr: float = 0.05):
    torch.manual_seed(0)
    probe = torch.nn.Linear(X.shape[1], n_classes)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(probe(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return probe

# EXPECT: Does the loop call loss.backward() and optimizer.step()
import torch


def train_probe(X, y, n_classes, steps=300, lr=0.05):
    torch.manual_seed(0)
    probe = torch.nn.Linear(X.shape[1], n_classes)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(probe(X), y)  # noqa: F841 (never used: the mistake)
        optimizer.zero_grad()
        optimizer.step()
    return probe

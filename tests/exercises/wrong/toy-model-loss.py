# EXPECT: the ReLU matters
def toy_forward(x, W, b):
    return x @ W.T @ W + b


def toy_loss(x, x_hat, importance):
    return (importance * (x - x_hat) ** 2).sum(-1).mean()

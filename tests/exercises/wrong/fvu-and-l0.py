# EXPECT: divide by the variance around the batch mean
def fvu(x, x_hat):
    return float((x - x_hat).pow(2).sum() / x.pow(2).sum())


def l0(acts):
    return float((acts != 0).sum())

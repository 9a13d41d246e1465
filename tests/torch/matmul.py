"""matmul.dm in PyTorch (torch.matmul has NumPy's rank rules)."""
import torch
import torch.nn.functional as F


def params(r):
    return {"W": r.normal((4, 3), 0.5), "u": r.normal((3,), 0.5), "k": r.normal((4,), 0.5)}


def inputs(r):
    return {"x": r.normal((5, 4)), "v": r.normal((4,)), "t": r.normal((5, 3))}


def model(P, X, ctx):
    x, v, W, u, k = X["x"], X["v"], P["W"], P["u"], P["k"]
    m2 = x @ W
    mv = x @ k
    vm = v @ W
    vv = k @ v
    r = m2 @ u
    y = m2 * vv + vm + torch.reshape(mv + r, (5, 1)) + vm @ u
    return F.mse_loss(y, X["t"]), {"y": y}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01)

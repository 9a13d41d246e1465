"""batched.dm in PyTorch (torch.matmul broadcasts batch axes as dm's '@')."""
import torch
import torch.nn.functional as F


def params(r):
    return {"A": r.normal((2, 1, 3, 4), 0.5), "B": r.normal((1, 3, 4, 5), 0.5), "W": r.normal((5, 2), 0.5),
            "M": r.normal((3, 4), 0.5), "u": r.normal((4,), 0.5), "w": r.normal((5,), 0.5)}


def inputs(r):
    return {"x": r.normal((3, 4, 5)), "t": r.normal((2, 3, 3, 5))}


def model(P, X, ctx):
    x, A, B, W, M = X["x"], P["A"], P["B"], P["W"], P["M"]
    g = A @ B
    p = x @ W
    m = M @ x
    r = P["u"] @ x
    c = x @ P["w"]
    s = x.transpose(1, 2) @ M.t()
    a = B.transpose(2, 3) @ A.transpose(2, 3)
    y = g + m + torch.reshape(r, (3, 1, 5)) + (a + s).transpose(2, 3)
    loss = F.mse_loss(y, X["t"]) + torch.mean(p * p) + torch.mean(c * c)
    return loss, {"y": y}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.05, momentum=0.9)

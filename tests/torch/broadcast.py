"""broadcast.dm in PyTorch (same broadcasting rules as NumPy)."""
import torch
import torch.nn.functional as F


def params(r):
    return {"a": r.normal((5,)), "b": r.normal((3, 1, 1)), "c": r.normal((4, 1)),
            "d": r.normal(()), "e": r.away((2, 1, 4, 1), 0.5, 1.5), "g": r.normal((1, 5))}


def inputs(r):
    return {"x": r.normal((2, 3, 4, 5)), "t": r.normal((2, 3, 4, 5))}


def model(P, X, ctx):
    x, a, b, c, d, e, g = X["x"], P["a"], P["b"], P["c"], P["d"], P["e"], P["g"]
    y1 = x * a + b
    y2 = (c - x) / (e * e + 1)
    y3 = d * x + g / (1 + b * b)
    y4 = (a - c) * (d / e)
    y = y1 + y2 - y3 + y4 * 0.5
    return F.mse_loss(y, X["t"]), {"y": y}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.05, momentum=0.5)

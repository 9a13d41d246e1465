"""conv.dm in PyTorch (F.conv2d: weight [F, C, KH, KW], like dmc)."""
import torch
import torch.nn.functional as F


THREADS = (1, 2)              # also run the parallel kernels


def params(r):
    return {"k": r.normal((5, 3, 3, 2), 0.4),
            "c1.W": r.normal((4, 5, 3, 3), 0.25), "c1.b": r.normal((4,), 0.1),
            "c2.W": r.normal((3, 4, 2, 2), 0.3), "c2.b": r.normal((3,), 0.1)}


def inputs(r):
    return {"x": r.normal((2, 3, 9, 8)), "t": r.normal((2, 4, 2, 2))}


def model(P, X, ctx):
    x, t = X["x"], X["t"]
    a = F.conv2d(x, P["k"], stride=2, padding=1)
    c1 = F.conv2d(torch.tanh(a), P["c1.W"], P["c1.b"], padding=1)
    c2 = F.conv2d(c1, P["c2.W"], P["c2.b"], stride=2)
    m = F.max_pool2d(c1, 3, stride=2)
    m2 = F.max_pool2d(c1, 2, stride=1)
    g = F.avg_pool2d(a, 3, stride=2)
    av = F.avg_pool2d(c1, 2)
    loss = F.mse_loss(m, t) + torch.mean(m2 * m2) * 0.1 + torch.mean(g * g) + torch.mean(av * t) \
        + torch.mean(c2 * c2) * 0.5
    return loss, {"m": m}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, weight_decay=0.05)

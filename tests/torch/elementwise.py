"""elementwise.dm in PyTorch."""
import torch
import torch.nn.functional as F


def params(r):
    return {"a": r.uniform((4, 6), 0.5, 2.0), "s": r.uniform((6,), 0.2, 0.4),
            "c": r.uniform((), 0.5, 0.5)}


def inputs(r):
    # |x| >= 0.8 keeps x*s, x-c, x*c, x-s and x away from 0
    return {"x": r.away((4, 6), 0.8, 1.5), "t": r.normal((4, 6))}


def model(P, X, ctx):
    x, a, s, c = X["x"], P["a"], P["s"], P["c"]
    u = F.leaky_relu(x * s, 0.2) + F.relu(x - c)
    v = torch.sigmoid(u) * torch.tanh(x + s) - torch.exp(-torch.abs(x * c))
    w = torch.log(a) / torch.sqrt(a) + torch.abs(x - s) / (a + 1)
    p = F.softplus(x * s, beta=2) + F.softplus(x, beta=1, threshold=0.5)
    y = v + w * 0.5 + F.leaky_relu(x) - 2 / a + p
    return F.mse_loss(y, X["t"]), {"y": y}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1)

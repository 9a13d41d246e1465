"""stable.dm in PyTorch."""
import torch
import torch.nn.functional as F


def params(r):
    return {"W": r.away((3, 6), 20.0, 60.0)}


def inputs(r):
    return {"x": r.away((4, 3), 0.5, 1.5), "y": r.labels(4, 6), "t": r.normal((4, 6))}


def model(P, X, ctx):
    l = X["x"] @ P["W"]
    loss = F.cross_entropy(l, X["y"]) + torch.mean(F.log_softmax(l, dim=0) * X["t"]) * 0.01 \
        + torch.mean(torch.sigmoid(l) * X["t"]) + torch.mean(torch.tanh(l) * X["t"])
    return loss, {"p": F.softmax(l, dim=-1), "s": torch.sigmoid(l)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.001)

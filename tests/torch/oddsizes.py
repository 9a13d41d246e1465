"""oddsizes.dm in PyTorch."""
import torch
import torch.nn.functional as F

THREADS = (1, 2)              # the parallel partitions of odd sizes


def params(r):
    return {"dense_0.W": r.normal((37, 29), 0.25), "dense_0.b": r.normal((29,), 0.1),
            "dense_1.W": r.normal((29, 19), 0.25), "dense_1.b": r.normal((19,), 0.1),
            "out.W": r.normal((19, 7), 0.3), "out.b": r.normal((7,), 0.1),
            "c.W": r.normal((9, 5, 3, 3), 0.2), "c.b": r.normal((9,), 0.1),
            "one.W": r.normal((1, 1), 0.5), "one.b": r.normal((1,), 0.1)}


def inputs(r):
    return {"x": r.normal((13, 37)), "im": r.normal((3, 5, 11, 13)), "t": r.normal((13, 7))}


def model(P, X, ctx):
    h1 = F.relu(F.linear(X["x"], P["dense_0.W"].t(), P["dense_0.b"]))
    h2 = torch.tanh(F.linear(h1, P["dense_1.W"].t(), P["dense_1.b"]))
    out = F.linear(h2, P["out.W"].t(), P["out.b"])
    c = F.conv2d(X["im"], P["c.W"], P["c.b"], padding=1)
    p = F.max_pool2d(F.relu(c), 3, stride=2)
    one = F.linear(torch.reshape(torch.mean(out, dim=1), (13, 1)), P["one.W"].t(), P["one.b"])
    loss = F.mse_loss(out, X["t"]) + torch.mean(p * p) * 0.1 + torch.mean(one * one)
    return loss, {"out": out}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.003)

"""layers.dm in PyTorch.  Inside a Block instance the unnamed Dense calls are
dense_0 and dense_1; the Block bound to b1 is "b1", the unnamed one inside
Dense(...) is "block_0"."""
import torch
import torch.nn.functional as F


def params(r):
    ps = {"c.W": r.normal((2, 3, 3, 3), 0.3)}
    for blk, fan_in in (("b1", 8), ("block_0", 7)):
        ps[blk + ".dense_0.W"] = r.normal((fan_in, 7), 0.5)
        ps[blk + ".dense_0.b"] = r.normal((7,), 0.2)
        ps[blk + ".dense_1.W"] = r.normal((7, 7), 0.4)
    ps["out.W"] = r.normal((7, 5), 0.4)
    ps["out.b"] = r.normal((5,), 0.1)
    return ps


def inputs(r):
    return {"x": r.normal((4, 3, 6, 6)), "t": r.normal((4, 5))}


def block(P, x, name):
    h = F.relu(F.linear(x, P[name + ".dense_0.W"].t(), P[name + ".dense_0.b"]))
    return torch.tanh(F.linear(h, P[name + ".dense_1.W"].t())) + h


def model(P, X, ctx):
    c = F.conv2d(X["x"], P["c.W"])
    f = torch.flatten(F.avg_pool2d(F.relu(c), 2), 1)
    b1 = block(P, f, "b1")
    out = F.linear(block(P, b1, "block_0"), P["out.W"].t(), P["out.b"])
    return F.mse_loss(out, X["t"]), {"out": out}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.005)

"""stacked.dm in PyTorch: every Block and every Dense of the loops is its
own set of weights, named as docs/language.md "Loops" says."""
import torch
import torch.nn.functional as F


def blocks():   # (name, hidden width)
    return [("h.0", 6), ("h.1", 7), ("h.2", 8), ("g.0.0", 3), ("g.0.1", 4), ("g.1.0", 3), ("g.1.1", 4)]


def params(r):
    ps = {"scale": r.away((4,), 0.5, 1.5)}
    for name, hidden in blocks():
        ps[name + ".dense_0.W"] = r.normal((4, hidden), 0.5)
        ps[name + ".dense_0.b"] = r.normal((hidden,), 0.2)
        ps[name + ".dense_1.W"] = r.normal((hidden, 4), 0.4)
    for name in ("tower.dense_0", "tower.x.0", "tower.dense_1", "tower.x.1"):
        ps[name + ".W"] = r.normal((4, 4), 0.5)
        ps[name + ".b"] = r.normal((4,), 0.2)
    ps["logits.W"] = r.normal((4, 3), 0.5)
    ps["logits.b"] = r.normal((3,), 0.1)
    return ps


def inputs(r):
    return {"x": r.normal((5, 4)), "y": r.labels(5, 3)}


def dense(P, x, name, bias=True):
    return F.linear(x, P[name + ".W"].t(), P[name + ".b"] if bias else None)


def block(P, x, name):
    h = F.relu(dense(P, x, name + ".dense_0"))
    return x + dense(P, h, name + ".dense_1", bias=False)


def model(P, X, ctx):
    h = X["x"]
    for i in range(3):
        h = block(P, h, "h.%d" % i)
    g = h * P["scale"]
    for i in range(2):
        for j in range(2):
            g = block(P, g * P["scale"], "g.%d.%d" % (i, j))
    x = g
    for i in range(2):
        x = dense(P, torch.tanh(dense(P, x, "tower.dense_%d" % i)), "tower.x.%d" % i)
    logits = dense(P, x, "logits")
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)

"""lenet.dm in PyTorch.  Conv2d W is [F, C, K, K] in both; Dense W is
transposed for F.linear.  Names: conv2d_0, conv2d_1 (unnamed Conv2d calls),
dense_0 (120 units, evaluated first), dense_1 (84), logits (the outer call)."""
import torch
import torch.nn.functional as F

DEFINES = {"batch": 8}
THREADS = (1, 3)              # also the parallel kernels, with an odd partition
B = 8


def params(r):
    return {
        "conv2d_0.W": r.normal((6, 1, 5, 5), 0.3), "conv2d_0.b": r.normal((6,), 0.1),
        "conv2d_1.W": r.normal((16, 6, 5, 5), 0.1), "conv2d_1.b": r.normal((16,), 0.1),
        "dense_0.W": r.normal((400, 120), 0.07), "dense_0.b": r.normal((120,), 0.1),
        "dense_1.W": r.normal((120, 84), 0.12), "dense_1.b": r.normal((84,), 0.1),
        "logits.W": r.normal((84, 10), 0.15), "logits.b": r.normal((10,), 0.1),
    }


def inputs(r):
    return {"x": r.uniform((B, 1, 28, 28), 0.0, 1.0), "y": r.labels(B, 10)}


def model(P, X, ctx):
    c1 = F.max_pool2d(F.relu(F.conv2d(X["x"], P["conv2d_0.W"], P["conv2d_0.b"], padding=2)), 2)
    c2 = F.max_pool2d(F.relu(F.conv2d(c1, P["conv2d_1.W"], P["conv2d_1.b"])), 2)
    f = torch.flatten(c2, 1)
    h = F.relu(F.linear(f, P["dense_0.W"].t(), P["dense_0.b"]))
    h = F.relu(F.linear(h, P["dense_1.W"].t(), P["dense_1.b"]))
    logits = F.linear(h, P["logits.W"].t(), P["logits.b"])
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.05, momentum=0.9)

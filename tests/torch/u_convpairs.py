"""u_convpairs.dm in PyTorch: F.conv2d with stride and padding pairs and a
non-square kernel, max_pool2d / avg_pool2d with non-square windows and
strides, a 1x1 convolution without bias."""
import torch
import torch.nn.functional as F

THREADS = (1, 2)


def params(r):
    return {"k": r.normal((4, 3, 3, 2), 0.4), "b.W": r.normal((5, 4, 3, 3), 0.25), "b.b": r.normal((5,), 0.1),
            "d.W": r.normal((3, 5, 1, 1), 0.5), "logits.W": r.normal((6, 4), 0.5), "logits.b": r.normal((4,), 0.1)}


def inputs(r):
    return {"x": r.normal((2, 3, 13, 11)), "y": r.labels(2, 4)}


def model(P, X, ctx):
    a = F.relu(F.conv2d(X["x"], P["k"], stride=(2, 1), padding=(0, 2)))
    b = F.conv2d(a, P["b.W"], P["b.b"], stride=(1, 2), padding=(1, 0))
    c = F.max_pool2d(torch.tanh(b), (2, 3), stride=(2, 1))
    d = F.conv2d(c, P["d.W"])
    e = F.avg_pool2d(d, (3, 2), stride=(1, 2))
    logits = e.flatten(1) @ P["logits.W"] + P["logits.b"]
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, 1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01, weight_decay=0.01)

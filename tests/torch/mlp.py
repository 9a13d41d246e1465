"""mlp.dm in PyTorch.  dmc's Dense W is [in, out]; F.linear wants torch's
[out, in], hence the .t().  Unnamed Dense calls are dense_0, dense_1; the one
bound to `logits` owns logits.W and logits.b."""
import torch
import torch.nn.functional as F

DEFINES = {"batch": 8}
THREADS = (1, 3)              # also the parallel kernels, with an odd partition
B = 8


def params(r):
    return {
        "dense_0.W": r.normal((784, 256), 0.05), "dense_0.b": r.normal((256,), 0.1),
        "dense_1.W": r.normal((256, 128), 0.09), "dense_1.b": r.normal((128,), 0.1),
        "logits.W": r.normal((128, 10), 0.12), "logits.b": r.normal((10,), 0.1),
    }


def inputs(r):
    return {"x": r.uniform((B, 784), 0.0, 1.0), "y": r.labels(B, 10)}


def model(P, X, ctx):
    h1 = F.relu(F.linear(X["x"], P["dense_0.W"].t(), P["dense_0.b"]))
    h2 = F.relu(F.linear(h1, P["dense_1.W"].t(), P["dense_1.b"]))
    logits = F.linear(h2, P["logits.W"].t(), P["logits.b"])
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.001)

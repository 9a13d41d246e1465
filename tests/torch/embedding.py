"""embedding.dm in PyTorch: F.embedding (nn.Embedding's lookup) and tensor indexing."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    return {"tok.W": r.normal((7, 6)), "pos": r.normal((5, 6), 0.1), "scale": r.uniform((3, 2, 6), 0.5, 1.5),
            "dense_0.W": r.normal((30, 8), 0.3), "dense_0.b": r.normal((8,), 0.1),
            "logits.W": r.normal((8, 3), 0.5), "logits.b": r.normal((3,), 0.1)}


def inputs(r):
    return {"ids": r.labels(20, 7).reshape(4, 5), "which": np.array(r.labels(1, 3)[0], dtype=np.int32),
            "y": r.labels(4, 3)}


def model(P, X, ctx):
    ids = X["ids"]
    tok = F.embedding(ids, P["tok.W"])
    pos = F.embedding(torch.arange(5), P["pos"])
    scale = P["scale"][X["which"]].sum(dim=0).reshape(1, 1, 6)
    h = (tok + pos) * scale
    hidden = torch.tanh(F.linear(h.reshape(4, 30), P["dense_0.W"].t(), P["dense_0.b"]))
    logits = F.linear(hidden, P["logits.W"].t(), P["logits.b"])
    return F.cross_entropy(logits, X["y"]), {"p": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)

"""attention.dm in PyTorch: single-head causal self-attention."""
import math

import numpy as np
import torch
import torch.nn.functional as F

THREADS = (1, 2)


def params(r):
    return {"Wq": r.normal((8, 6), 0.4), "Wk": r.normal((8, 6), 0.4), "Wv": r.normal((8, 6), 0.4),
            "Wo": r.normal((6, 8), 0.4), "Wl": r.normal((8, 7), 0.4)}


def inputs(r):
    mask = np.triu(np.full((5, 5), -1e4, dtype=np.float32), 1)
    return {"x": r.normal((2, 5, 8)), "mask": mask, "y": r.labels(10, 7)}


def model(P, X, ctx):
    x = X["x"]
    q, k, v = x @ P["Wq"], x @ P["Wk"], x @ P["Wv"]
    scores = q @ k.transpose(1, 2) / math.sqrt(6) + X["mask"]
    att = F.softmax(scores, dim=-1)
    h = att @ v @ P["Wo"] + x
    logits = torch.reshape(h @ P["Wl"], (10, 7))
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)

"""ties.dm in PyTorch: relu, abs and leaky_relu at exactly 0; amax over an
axis with tied maxima (row 0 holds 3.0 twice, row 1 holds 2.5 three times, so
the whole-tensor max 3.0 ties twice); 2x2 max-pooling windows whose maximum
appears 2, 3 and 4 times."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    p = np.array([[0, 0.5, -0.7, 0, 1.2, -0.3], [0, 0, -1.1, 0.8, 0, 0.4]], dtype=np.float32)
    q = np.array([[1.0, 3.0, -2.0, 3.0, 0.5, 2.9], [2.5, -1.0, 2.5, 0.0, 2.5, 1.0]], dtype=np.float32)
    g = np.array([[[1, 1, 2, 0],
                   [0, 0, 2, 2],     # window (0,1): 2 three times
                   [5, 4, -1, -1],
                   [5, 3, -1, -1]],  # window (1,1): -1 four times
                  [[0.5, 0.2, 7, 6],
                   [0.1, 0.5, 6, 7],
                   [0, 0, 1, 2],
                   [0, 0, 3, 3]]], dtype=np.float32)[None]
    return {"p": p, "q": q, "g": g}


def inputs(r):
    return {"t": r.away((2, 6), 0.5, 1.5), "u": r.away((1, 2, 2, 2), 0.5, 1.5)}


def model(P, X, ctx):
    p, q, g, t, u = P["p"], P["q"], P["g"], X["t"], X["u"]
    r = F.relu(p) + torch.abs(p) + F.leaky_relu(p, 0.3)
    m = torch.amax(q, dim=1, keepdim=True)
    mp = F.max_pool2d(g, 2)
    loss = torch.mean(r * t) + torch.mean(m * t) + torch.mean(mp * u) + torch.amax(q) * 0.5
    return loss, {"m": m}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1)

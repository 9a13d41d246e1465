"""nan_elem.dm in PyTorch (float32, the oracle of f32's edges: exp(89) is
infinite there): the gradients only (an update would only move NaNs).
Every parameter holds the same values: NaN, +-inf, -0, 0, +-1e30, a
denormal, exp's overflow edge (88.5 finite, 89 infinite), its underflow
(-100 a denormal result, -104 zero) and two ordinary numbers."""
import numpy as np
import torch
import torch.nn.functional as F

UPDATES = 0
ORACLE = torch.float32
NAN, INF = float("nan"), float("inf")
VALUES = [NAN, INF, -INF, -0.0, 0.0, 1e30, -1e30, 1e-40, 88.5, 89.0, -100.0, -104.0, 2.0, -3.0]


def params(r):
    return {k: np.array(VALUES, dtype=np.float32) for k in "abcdefghk"}


def inputs(r):
    # relu's adjoint is a select (0 where relu(x) <= 0, whatever dy is); leaky_relu's a product
    return {"w": np.array([1, INF, INF, -INF, NAN, 1, INF, 1, 1, 1, NAN, 1, 1, INF], dtype=np.float32)}


def model(P, X, ctx):
    w = X["w"]
    out = {"ra": torch.relu(P["a"]), "lb": F.leaky_relu(P["b"]), "ac": torch.abs(P["c"]), "sd": torch.sqrt(P["d"]),
           "le": torch.log(P["e"]), "ef": torch.exp(P["f"]), "sg": torch.sigmoid(P["g"]), "th": torch.tanh(P["h"]),
           "sp": F.softplus(P["k"])}
    loss = (out["ra"] * w).sum() + (out["lb"] * w).sum()
    for k in ("ac", "sd", "le", "ef", "sg", "th", "sp"):
        loss = loss + out[k].sum()
    return loss, out


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1)

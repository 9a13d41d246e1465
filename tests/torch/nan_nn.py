"""nan_nn.dm in PyTorch (float32), gradients only."""
import numpy as np
import torch
import torch.nn.functional as F

UPDATES = 0
ORACLE = torch.float32
NAN, INF = float("nan"), float("inf")
# softmax rows: +inf (NaN row), all -inf (NaN row), -inf masked out, a NaN,
# two +inf, an ordinary row
ROWS = [[INF, 1, 0], [-INF, -INF, -INF], [-INF, 0.5, 1], [NAN, 1, 0], [INF, INF, 0], [0.2, -1, 3]]
# max rows: NaN first, NaN last, -inf only (a row's max -inf, its gradient shared)
MAXES = [[NAN, 1, 2, 3, 4], [1, 5, 2, 5, NAN], [-INF, -INF, -INF, -INF, -INF]]


def params(r):
    q = r.normal((1, 2, 4, 70))
    q[0, 0, 0, 0] = NAN                      # first in its window
    q[0, 0, 1, 3] = NAN                      # last in its window
    q[0, 0, 0, 40], q[0, 0, 1, 41] = NAN, NAN  # two NaNs: the gradient goes to the last
    q[0, 1, 2:4, 10:12] = -INF               # a window of -inf
    q[0, 1, 0, 33] = INF
    q[0, 0, 3, 68] = NAN                     # the scalar tail
    q[0, 1, 2, 69] = -INF
    q3 = r.normal((1, 1, 5, 7))
    q3[0, 0, 2, 2] = NAN                     # shared by overlapping windows
    q3[0, 0, 0, 6] = INF
    rows = np.array(ROWS, dtype=np.float32)
    mA, mB, ap, m3 = r.normal((5, 7)), r.normal((7, 9)), r.normal((1, 1, 4, 6)), r.normal((2, 3, 4))
    m3[1, 0, 2], m3[0, 2, 0], m3[1, 2, 3] = NAN, NAN, -INF   # rows 0 and 2 of the result NaN
    mA[0, 2], mA[3, 0], mB[2, 4], mB[6, 8] = NAN, INF, -INF, 0.0   # 0 * inf: NaN in rows and columns
    mA[4, 6] = 0.0
    mB[6, 1] = INF
    ap[0, 0, 0, 0], ap[0, 0, 0, 1], ap[0, 0, 3, 5] = INF, -INF, NAN
    # max over axis 0: columns with a NaN first, all -inf, a NaN in the middle, ties of 0
    m1 = np.array([[NAN, 1, -INF, 2, 0], [3, 2, -INF, NAN, 0], [1, 0, -INF, 4, 0]], dtype=np.float32)
    return {"m0": np.array(MAXES, dtype=np.float32), "m1": m1,
            "m2": np.array(MAXES, dtype=np.float32), "q": q, "q3": q3, "s": rows, "ls": rows.copy(), "z": rows.copy(),
            "p": np.array([NAN, INF, -INF, 1e30, 0.5, -0.0], dtype=np.float32),
            "b": np.array([0, 1, -0.0, 1e-40, 0.5, 1], dtype=np.float32), "z2": r.normal((2, 3, 4)),
            "mA": mA, "mB": mB, "ap": ap, "m3": m3}


def inputs(r):
    return {"u": r.away((6, 3), 0.5, 1.5),
            "y": np.array([1, INF, 2, 1e30, NAN, 0], dtype=np.float32),
            "t": np.array([1, 0, 1, NAN, INF, 0.5], dtype=np.float32),
            "k": np.array([1, 0, 0, 1, 2, 2], dtype=np.int32), "k2": np.full((2, 3), -100, dtype=np.int32)}


def model(P, X, ctx):
    out = {"a0": torch.amax(P["m0"], 1), "a1": torch.amax(P["m1"], 0), "a2": torch.amax(P["m2"]), "a3": torch.amax(P["m3"], (0, 2)),
           "pool": F.max_pool2d(P["q"], 2), "pool3": F.max_pool2d(P["q3"], 3, stride=2),
           "sm": F.softmax(P["s"], 1), "lsm": F.log_softmax(P["ls"], 1), "mm": P["mA"] @ P["mB"], "av": F.avg_pool2d(P["ap"], 2)}
    u = X["u"]
    loss = (out["a0"].sum() + out["a1"].sum() + out["a2"] + out["a3"].sum() + out["pool"].sum() + out["pool3"].sum()
            + (out["sm"] * u).sum() + (out["lsm"] * u).sum()
            + F.cross_entropy(P["z"], X["k"]) + F.mse_loss(P["p"], X["y"]) + F.binary_cross_entropy(P["b"], X["t"])
            + F.cross_entropy(P["z2"].reshape(-1, 4), X["k2"].reshape(-1), ignore_index=-100)
            + out["mm"].sum() + out["av"].sum())
    return loss, out


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1)

"""seq.dm in PyTorch: the mask is torch.triu of -inf above the diagonal,
the losses F.cross_entropy over the flattened positions with ignore_index."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    return {"Wq": r.normal((4, 4), 0.5), "Wk": r.normal((4, 4), 0.5), "Wv": r.normal((4, 4), 0.5),
            "Wo": r.normal((4, 6), 0.5), "Wc": r.normal((5, 6), 0.5)}


def inputs(r):
    y1 = r.labels(5, 6)
    y1[1] = y1[3] = 0                          # ignored
    y1[0] = 2                                  # at least one counted
    y2 = r.labels((3, 4), 6)
    y2[0, 3] = -100
    y2[2, 1:] = -100                           # padding at the end of the last sequence
    return {"x": r.normal((5, 4)), "y1": y1, "x2": r.normal((3, 4, 5)), "y2": y2, "y4": r.labels((3, 2, 2), 6)}


def model(P, X, ctx):
    x = X["x"]
    mask = torch.triu(torch.full((5, 5), float("-inf"), dtype=x.dtype), diagonal=1)
    scores = (x @ P["Wq"]) @ (x @ P["Wk"]).t() * 0.5 + mask
    att = F.softmax(scores, dim=-1)
    logits1 = (att @ (x @ P["Wv"])) @ P["Wo"]
    logits2 = (X["x2"].reshape(12, 5) @ P["Wc"]).reshape(3, 4, 6)
    l1 = F.cross_entropy(logits1, X["y1"], ignore_index=0)
    l2 = F.cross_entropy(logits2.reshape(-1, 6), X["y2"].reshape(-1), ignore_index=-100)
    l4 = F.cross_entropy(logits2.reshape(3, 2, 2, 6).reshape(-1, 6), X["y4"].reshape(-1))
    return l1 + l2 + l4 * 0.5, {"att": att, "l2": l2}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)

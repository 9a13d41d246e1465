"""u_tied.dm in PyTorch: one embedding table used twice (F.embedding and the
output projection), causal attention, cross-entropy with ignore_index."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    return {"E": r.normal((13, 7), 0.5), "Wq": r.normal((7, 7), 0.4), "Wk": r.normal((7, 7), 0.4),
            "dense_0.W": r.normal((7, 7), 0.4), "dense_0.b": r.normal((7,), 0.1)}


def inputs(r):
    ids = r.labels((1, 11), 13)
    nxt = np.concatenate([ids[:, 1:], np.full((1, 1), -100, np.int32)], axis=1)
    nxt[0, 7:] = -100                    # a padded tail
    return {"ids": ids, "next": nxt}


def model(P, X, ctx):
    E = P["E"]
    x = F.embedding(X["ids"], E)
    q, k = x @ P["Wq"], x @ P["Wk"]
    mask = torch.triu(torch.full((11, 11), float("-inf"), dtype=x.dtype), 1)
    att = F.softmax(q @ k.transpose(1, 2) / 7 ** 0.5 + mask, -1)
    h = x + att @ x
    h2 = h + torch.tanh(h @ P["dense_0.W"] + P["dense_0.b"])
    logits = h2 @ E.t()
    return F.cross_entropy(logits.reshape(-1, 13), X["next"].reshape(-1), ignore_index=-100), \
        {"p": F.softmax(logits, -1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)
